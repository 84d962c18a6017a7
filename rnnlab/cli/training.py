"""What `run` and `resume` share: the checkpoint flag, Ctrl-C handling, the closing lines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from rnnlab.cli.common import int_at_least


def add_training_arguments(p: argparse.ArgumentParser, *, resuming: bool = False) -> None:
    default = ("the interval the run was started with" if resuming
               else "every few seconds, so short runs write none")
    p.add_argument("--checkpoint-every", type=int_at_least(0, "epochs"), metavar="N",
                   help=f"write a checkpoint every N epochs (default: {default}; 0: only on Ctrl-C)")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.add_argument("--no-plots", action="store_true", help="skip loss.png, predictions.png and training.gif")


def progress_callbacks(args: argparse.Namespace, label: str) -> list[Any]:
    from rnnlab.cli.progress import Progress

    return [] if args.quiet else [Progress(label, sys.stderr, live=sys.stderr.isatty())]


def train_stoppably(work: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """Call `work(stop)` with Ctrl-C turned into a clean stop at the next step boundary
    (a checkpoint, then Interrupted: exit code 130); the old handler comes back after."""
    from rnnlab.train.stop import StopRequest, stop_on_sigint

    with stop_on_sigint(StopRequest()) as stop:
        return work(stop)


def train_interruptibly(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Call `work()` with Ctrl-C raising KeyboardInterrupt (exit 130) at once, as for a job
    with nothing to save (an ensemble), even where the shell started rnnlab with Ctrl-C
    ignored (`cmd &`): the same as `run`, whose Ctrl-C handler is its own."""
    from rnnlab.train.stop import interrupt_on_sigint

    with interrupt_on_sigint():
        return work()


def print_result(args: argparse.Namespace, summary: dict[str, Any], out: Path) -> None:
    if args.quiet:
        return
    if summary["final_loss"] is not None:
        print(f"final loss {summary['final_loss']:.6g} (epoch {summary['final_epoch']}), "
              f"test RMSE {summary['test_rmse']:.4g} on {summary['evaluated_on']}")
    print(f"run folder: {out}")
