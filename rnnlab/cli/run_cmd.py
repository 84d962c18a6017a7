"""`rnnlab run RECIPE`: train a recipe and write its run folder."""

from __future__ import annotations

import argparse

from rnnlab.cli.common import add_recipe_arguments, load_config, run_folder
from rnnlab.cli.ensemble import (
    add_ensemble_arguments,
    run_ensemble_command,
    wants_ensemble,
)
from rnnlab.cli.training import (
    add_training_arguments,
    print_result,
    progress_callbacks,
    train_stoppably,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="train a recipe and write a run folder",
        description="Train a recipe (built-in name or .toml path) and write config, metrics, "
                    "parameters, plots and the training GIF into a run folder.",
        epilog="examples:\n  rnnlab run primer-torch\n  rnnlab run primer-torch --engine torch --seed 7\n  rnnlab run sine-recurrent --epochs 2000 --out runs/x\n"
               "  rnnlab run my.toml --set model.hidden=16 --seed 3\n  rnnlab run primer-torch --print-config\n"
               "  rnnlab run sine-recurrent --checkpoint-every 500 --out runs/long\n  rnnlab resume runs/long",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_arguments(p)
    p.add_argument("--out", metavar="DIR", help="the run folder to create (default: runs/<recipe>-<UTC time>)")
    add_training_arguments(p)
    p.add_argument("--print-config", action="store_true", help="print the resolved recipe as TOML and exit")
    add_ensemble_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    cfg = load_config(args)
    from rnnlab.config import to_toml

    if args.print_config:
        print(to_toml(cfg), end="")
        return 0
    if wants_ensemble(args):
        return run_ensemble_command(args, cfg)
    from rnnlab.train.runner import run

    with run_folder(args, cfg.run.name) as out:
        summary = train_stoppably(lambda stop: run(
            cfg, out, argv=args.argv, callbacks=progress_callbacks(args, cfg.run.name), plots=not args.no_plots,
            checkpoint_every=args.checkpoint_every, stop=stop))
    print_result(args, summary, out)
    return 0
