"""`rnnlab resume RUN_DIR`: continue an interrupted run from its last checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.training import (
    add_training_arguments,
    print_result,
    progress_callbacks,
    train_stoppably,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "resume", help="continue an interrupted run from its last checkpoint",
        description="Continue an incomplete run folder (stopped by Ctrl-C, a crash or kill -9) from its "
                    "last checkpoint, with the recipe saved in it. The run ends exactly where an "
                    "uninterrupted one would: the same params.npz and metrics.csv, byte for byte; "
                    "the plots and the GIF cover the whole run. `rnnlab runs` lists what can be resumed.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="the run folder, e.g. runs/long")
    add_training_arguments(p, resuming=True)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="change a setting that leaves the run's numbers alone, saved in its config.toml: "
                        "train.max_loss_factor (the divergence bound), e.g. to go on after a loss spike")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.train.runner import resume

    run_dir = Path(args.run_dir)
    summary = train_stoppably(lambda stop: resume(
        run_dir, argv=args.argv, callbacks=progress_callbacks(args, run_dir.name), plots=not args.no_plots,
        checkpoint_every=args.checkpoint_every, stop=stop, overrides=args.overrides))
    print_result(args, summary, run_dir)
    return 0
