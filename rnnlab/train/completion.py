"""The end of every job, the same way: plots drawn from the written results, summary.json
written (the run is complete even when drawing failed), report.html from the complete
folder, and only then a drawing failure reported, as one line (PlotError, exit code 2).
A plot never costs a trained run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from rnnlab.errors import PlotError
from rnnlab.runs import folder as rf


def complete(out: Path, summary: Callable[[], dict[str, Any]], draw: Callable[[], None] | None,
             after_summary: Callable[[], None] | None = None) -> dict[str, Any]:
    """Call `draw` (if any), write `summary()` as summary.json, call `after_summary` (drop a
    checkpoint, say), write report.html (it reads the complete folder) when drawing, then
    raise PlotError if drawing failed. Returns the summary."""
    failure = _attempt(draw) if draw is not None else None
    written = summary()
    rf.write_json(out / "summary.json", written)
    if after_summary is not None:
        after_summary()
    if draw is not None:
        failure = failure or _attempt(lambda: _report(out))
    if failure is not None:
        raise PlotError(f"{out}: the run is complete, but its plots could not be made: {describe(failure)}") \
            from failure
    return written


def _attempt(work: Callable[[], None]) -> Exception | None:
    try:
        work()
    except Exception as err:  # noqa: BLE001 - plots and pages are drawn from the saved results, never at their cost
        return err
    return None


def _report(out: Path) -> None:
    from rnnlab.report import write_report

    write_report(out)


def describe(err: BaseException) -> str:
    """A drawing failure as one line: the file that could not be written, or the error."""
    from rnnlab.viz.worker import one_line

    if isinstance(err, OSError) and err.filename:
        return f"cannot write {err.filename} ({err.strerror or err})"
    return one_line(err)
