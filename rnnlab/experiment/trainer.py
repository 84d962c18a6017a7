"""The training loop: drives an engine in chunks between log points and reports
through callbacks. It never prints; the caller decides what to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from rnnlab.engines.base import Engine


@dataclass(frozen=True)
class LogRecord:
    """One row of metrics.csv and one GIF frame.

    `loss` is the epoch's reported training loss, measured before its updates (what
    the original programs print); `predictions` and `test_loss` are measured after.
    """

    epoch: int
    step: int
    loss: float
    test_loss: float | None
    predictions: np.ndarray


class Callback(Protocol):
    def on_start(self, first_epoch: int, total_epochs: int) -> None: ...
    def on_progress(self, epochs_done: int, loss: float) -> None: ...
    def on_log(self, record: LogRecord) -> None: ...
    def on_end(self) -> None: ...


def log_epochs(total: int, every: int, at: str) -> list[int]:
    """Epochs (0-based) at which the original program prints.

    "start": e % every == 0 (the torch programs); "end": e == 0 or (e + 1) % every == 0.
    """
    if at == "start":
        return list(range(0, total, every))
    return sorted({0, *range(every - 1, total, every)} & set(range(total)))


@dataclass
class Evaluator:
    """Turns the engine's current parameters into the predictions and test loss logged."""

    predict: Callable[[Engine], np.ndarray]
    test_loss: Callable[[np.ndarray], float | None]


def train(engine: Engine, *, epochs: int, log_at: list[int], updates_per_epoch: int,
          evaluator: Evaluator, callbacks: list[Callback], first_epoch: int = 0,
          progress_every: int | None = None) -> None:
    """Train epochs [first_epoch, epochs), stopping at every log point and progress tick."""
    progress_every = progress_every or max(1, epochs // 100)
    stops = sorted({e + 1 for e in log_at} | set(range(progress_every, epochs, progress_every)) | {epochs})
    logged = set(log_at)
    for cb in callbacks:
        cb.on_start(first_epoch, epochs)
    epoch = first_epoch
    for stop in stops:
        if stop <= epoch:
            continue
        losses = engine.train(stop - epoch)
        last = stop - 1
        if last in logged:
            pred = evaluator.predict(engine)
            record = LogRecord(last, last * updates_per_epoch, float(losses[-1]), evaluator.test_loss(pred), pred)
            for cb in callbacks:
                cb.on_log(record)
        epoch = stop
        for cb in callbacks:
            cb.on_progress(epoch, float(losses[-1]))
    for cb in callbacks:
        cb.on_end()
