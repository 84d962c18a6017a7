"""`rnnlab runs [DIR]`: the run folders in DIR and whether each is complete or resumable."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rnnlab.runs.status import RunStatus


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "runs", help="list run folders: complete, or incomplete and resumable",
        description="List the run folders in DIR (default: runs). A run is complete once its "
                    "summary.json exists (written last); an incomplete one shows its latest "
                    "checkpoint and the command that continues it; one that diverged, the commands "
                    "that go on from there.")
    p.add_argument("root", nargs="?", default="runs", metavar="DIR",
                   help="where the run folders are (default: runs)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.runs.status import list_runs

    statuses = list_runs(Path(args.root))
    if not statuses:
        print(f"no run folders in {args.root}")
        return 0
    width = max(len(s.path.name) for s in statuses)
    for s in statuses:
        print(f"{s.path.name:<{width}}  {s.state:<10}  {_detail(s)}".rstrip())
    return 0


def _detail(s: RunStatus) -> str:
    return _what(s) + (f"; a kill at its very end left {', '.join(s.leftovers)}: rnnlab resume "
                       f"{shlex.quote(str(s.path))} removes {'it' if len(s.leftovers) == 1 else 'them'}"
                       if s.leftovers else "")


def _what(s: RunStatus) -> str:
    if s.kind == "forecast":
        return _forecast_detail(s)
    if s.state == "complete":
        return ", ".join(x for x in (s.recipe, f"{s.epochs} epochs" if s.epochs else "") if x)
    if s.state in ("diverged", "damaged"):
        return ": ".join(x for x in (s.recipe, s.problem) if x)
    if s.state != "incomplete":
        return ""
    resume = f"rnnlab resume {shlex.quote(str(s.path))}"
    if s.problem:
        return f"{s.recipe}: {s.problem}"
    if s.epoch == 0:
        return f"{s.recipe}, no checkpoint yet (resume starts over): {resume}"
    return f"{s.recipe}, checkpoint at epoch {s.epoch} of {s.epochs}: {resume}"


def _forecast_detail(s: RunStatus) -> str:
    """A forecast folder: complete, or stopped before its end (it restarts; resume is for runs)."""
    if s.state == "complete":
        return f"forecast of {s.series}"
    from rnnlab.runs.status import restart_forecast

    return (f"forecast of {s.series}, unfinished (running now, or stopped: a forecast starts again rather than "
            f"resuming): {restart_forecast(s.path)}")
