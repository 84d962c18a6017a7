"""Keeping a report current while a run trains.

A page opened from disk may not fetch() the files beside it, but it may load a script:
so live.js, beside report.html, holds ``rnnlabLive(<JSON>);``, the same data the page was
built from, and a page written while the run trains reloads it every few seconds and
redraws; once the data says the run is complete, it reloads itself (the final
report.html is written before the final live.js). Both files are written atomically.

Two writers feed it: `LiveReport`, which a training loop calls at its log points with
what it holds in memory, and `watch` (``rnnlab report --live``), which reads the folder
alone (its checkpoint and inspection.npz) whenever they change.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from rnnlab.report import run_data
from rnnlab.report.build import folder_data
from rnnlab.report.live_file import write_live
from rnnlab.report.writer import write_page, write_report
from rnnlab.runs.inspection import from_arrays

LIVE_HIDDEN_VALUES = 20_000  # inspection records sent while training (the final page has them all)


class Record(Protocol):
    """What LiveReport reads of a log record (rnnlab.runs.records.LogRecord has it)."""

    epoch: int
    loss: float
    test_loss: float | None


class LiveReport:
    """report.html and live.js of a run in training, refreshed at most every `seconds`.

    `update` at each log point (cheap when it is not yet time to write); `finish` once the
    run's files are written, for the final report."""

    def __init__(self, run_dir: Path, epochs: int, seconds: float = 1.0) -> None:
        self.run_dir, self.epochs, self.seconds = Path(run_dir), epochs, seconds
        self.last = -float("inf")
        self.page_written = False

    def update(self, epoch_done: int, records: Sequence[Record], inspection: dict[str, np.ndarray] | None = None,
               predictions: dict[str, np.ndarray] | None = None, *, force: bool = False) -> bool:
        """Write live.js (and report.html the first time) if `seconds` have passed or `force`.

        `records` are the log records so far (member 0's are drawn); `inspection` is
        Inspector.arrays(), `predictions` arrays in predictions.npz's layout. Returns
        whether it wrote."""
        now = time.monotonic()
        if not force and now - self.last < self.seconds:
            return False
        self.last = now
        data = folder_data(self.run_dir)
        mine = [r for r in records if getattr(r, "member", 0) == 0]
        data["progress"] = {"epoch": int(epoch_done), "epochs": self.epochs}
        data["curves"] = run_data.curves(np.array([r.epoch for r in mine], dtype=np.int64),
                                         np.array([r.loss for r in mine], dtype=np.float64),
                                         np.array([np.nan if r.test_loss is None else r.test_loss for r in mine]))
        if inspection is not None and len(inspection["epochs"]):
            data["inspection"] = run_data.inspection_data(from_arrays(inspection), LIVE_HIDDEN_VALUES)
        if predictions is not None:
            data["predictions"] = run_data.predictions_data(predictions)
        write_live(self.run_dir, data)
        if not self.page_written:
            write_page(self.run_dir, data, live=True)
            self.page_written = True
        return True

    def finish(self) -> Path:
        """The final report.html, then live.js saying the run is complete."""
        return write_report(self.run_dir)


def watch(run_dir: Path, *, every: float = 1.0, on_change: Callable[[dict[str, Any]], None] | None = None,
          until: Callable[[], bool] | None = None) -> Path:
    """Keep live.js current from the folder alone until summary.json appears (or `until`
    says stop): rebuilt whenever checkpoint.npz, inspection.npz or metrics.csv change.
    Returns the report written last."""
    seen: tuple[float, ...] | None = None
    while not (run_dir / "summary.json").is_file():
        if until is not None and until():
            return run_dir / "report.html"
        stamp = tuple(_mtime(run_dir / name) for name in ("checkpoint.npz", "inspection.npz", "metrics.csv", "config.toml"))
        if stamp != seen:
            seen = stamp
            data = folder_data(run_dir)
            write_live(run_dir, data)
            if on_change is not None:
                on_change(data)
        time.sleep(every)
    return write_report(run_dir)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0.0
