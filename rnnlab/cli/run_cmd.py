"""`rnnlab run RECIPE`: train a recipe and write its run folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rnnlab.cli.common import add_recipe_arguments, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="train a recipe and write a run folder",
        description="Train a recipe (built-in name or .toml path) and write config, metrics, "
                    "parameters, plots and the training GIF into a run folder.",
        epilog="examples:\n  rnnlab run primer-torch\n  rnnlab run sine-recurrent --epochs 2000 --out runs/x\n"
               "  rnnlab run my.toml --set model.hidden=16 --seed 3\n  rnnlab run primer-torch --print-config",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_arguments(p)
    p.add_argument("--out", metavar="DIR", help="the run folder to create (default: runs/<recipe>-<UTC time>)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--no-plots", action="store_true", help="skip loss.png, predictions.png and training.gif")
    p.add_argument("--print-config", action="store_true", help="print the resolved recipe as TOML and exit")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    from rnnlab.config import to_toml

    if args.print_config:
        print(to_toml(cfg), end="")
        return 0
    from rnnlab.cli.progress import Progress
    from rnnlab.experiment import run_folder
    from rnnlab.experiment.runner import run

    out = Path(args.out) if args.out else run_folder.default_run_dir(cfg.run.name)
    callbacks = [] if args.quiet else [Progress(cfg.run.name, sys.stderr, live=sys.stderr.isatty())]
    summary = run(cfg, out, argv=args.argv, callbacks=callbacks, plots=not args.no_plots)
    if not args.quiet:
        print(f"final loss {summary['final_loss']:.6g} (epoch {summary['final_epoch']}), "
              f"test RMSE {summary['test_rmse']:.4g} on {summary['evaluated_on']}")
        print(f"run folder: {out}")
    return 0
