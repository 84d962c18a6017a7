"""What happens at the training loop's stops, as callbacks: the loop itself only trains,
guards and checkpoints. Evaluation writes the log points' rows and keeps their predictions; early
stopping keeps each member's best parameters and ends its training when validation stops
improving; the CLI's progress display is one more callback.
"""

from __future__ import annotations

import math
from typing import Callable, Protocol, Sequence

import numpy as np

from rnnlab.runs.records import LogRecord, TrainState
from rnnlab.train.members import Members, Params


class Callback:
    """Does nothing at every stop; a callback overrides what it needs.

    on_start: before the first chunk (`state.epoch` is where training starts: 0, or a
    checkpoint's epoch); on_log: after the chunk that ends with log point `epoch`, with each
    member's loss for that epoch (M,); on_progress: after every chunk, with the chunk's
    losses (M, epochs) (NaN for members no longer training); on_end: on the way out, also when training fails or is stopped.
    """

    def on_start(self, state: TrainState, members: Members, total: int) -> None: ...
    def on_log(self, state: TrainState, members: Members, epoch: int, losses: np.ndarray) -> None: ...
    def on_progress(self, state: TrainState, losses: np.ndarray) -> None: ...
    def on_end(self, state: TrainState) -> None: ...


class RowLog(Protocol):
    """Where Evaluation's rows go: rnnlab.runs.metrics_log.MetricsLog (`size` and `crc`
    count what it holds, for the checkpoint), or any sink of rows."""

    size: int
    crc: int

    def append(self, records: Sequence[LogRecord]) -> None: ...


class Evaluation(Callback):
    """At every log point, a row per training member into the metrics log (written as it
    comes: rnnlab.runs.metrics_log), the epoch's loss and the loss of its predictions on
    the evaluation data (None without a test part); and each member's latest logged loss.

    `predict(members)` gives each member's predictions as they are plotted; `test_loss(i, p)`
    member i's loss for predictions p. `keep_frames` keeps member 0's predictions as GIF
    frames (`state.frames`, bounded; a single run's: an ensemble keeps none).
    """

    def __init__(self, predict: Callable[[Members], list[np.ndarray]],
                 test_loss: Callable[[int, np.ndarray], float | None], updates_per_epoch: int,
                 log: RowLog | None, keep_frames: bool = True) -> None:
        self.predict, self.test_loss, self.log = predict, test_loss, log
        self.updates_per_epoch, self.keep_frames = updates_per_epoch, keep_frames

    def on_log(self, state: TrainState, members: Members, epoch: int, losses: np.ndarray) -> None:
        preds, active, records = self.predict(members), state.active(members.count), []
        for i in active:
            with np.errstate(all="ignore"):  # a member's NaN predictions make a NaN test loss, not an error
                test = self.test_loss(i, preds[i])
            records.append(LogRecord(epoch, epoch * self.updates_per_epoch, float(losses[i]), test, i))
            state.last_logged[i] = float(losses[i])
        if self.log is not None:
            self.log.append(records)
            state.rows = (self.log.size, self.log.crc)
        if self.keep_frames and 0 in active:
            state.frames.add(epoch, preds[0])


class EarlyStopping(Callback):
    """Validation before training and at every log point: each member's best parameters are
    kept, and a member whose score has not improved at `patience` log points in a row
    stops training (`state.stopped`).

    `score(members)` gives one score per member, lower is better (NaN never is).
    `history[i]` lists (epochs done, training loss, score) of member i, the start as
    (0, NaN, score); `best[i]` is empty when no score was ever finite.
    """

    def __init__(self, score: Callable[[Members], list[float]], patience: int) -> None:
        self.score, self.patience = score, patience
        self.best: list[Params] = []
        self.best_score: list[float] = []
        self.best_epoch: list[int] = []  # epochs done at the best score (0: the start)
        self.history: list[list[tuple[int, float, float]]] = []
        self.stale: list[int] = []

    def on_start(self, state: TrainState, members: Members, total: int) -> None:
        if self.history:  # continuing: the start was judged already
            return
        n = members.count
        self.best, self.best_score, self.best_epoch = [{} for _ in range(n)], [math.inf] * n, [0] * n
        self.history, self.stale = [[] for _ in range(n)], [0] * n
        self._judge(state, members, 0, np.full(n, np.nan), counts=False)

    def on_log(self, state: TrainState, members: Members, epoch: int, losses: np.ndarray) -> None:
        self._judge(state, members, epoch + 1, losses, counts=True)

    def _judge(self, state: TrainState, members: Members, done: int, losses: np.ndarray, counts: bool) -> None:
        scores = self.score(members)
        params: list[Params] | None = None
        for i in state.active(members.count):
            self.history[i].append((done, float(losses[i]), scores[i]))
            if scores[i] < self.best_score[i]:
                params = params or members.get_params()
                self.best[i], self.best_score[i], self.best_epoch[i], self.stale[i] = params[i], scores[i], done, 0
            elif counts:
                self.stale[i] += 1
                if self.stale[i] >= self.patience:
                    state.stopped[i] = done


class RecordHistory(Callback):
    """Every epoch's loss of member 0 into `state.history` (a single run's history.npz)."""

    def on_progress(self, state: TrainState, losses: np.ndarray) -> None:
        state.history.add(state.epoch - losses.shape[1], losses[0])


class AtLogPoints(Callback):
    """Calls `record(epochs_done)` before training and at every log point (the forecast's
    GIF frames: the test forecasts as training goes)."""

    def __init__(self, record: Callable[[int], None]) -> None:
        self.record = record

    def on_start(self, state: TrainState, members: Members, total: int) -> None:
        if state.epoch == 0:
            self.record(0)

    def on_log(self, state: TrainState, members: Members, epoch: int, losses: np.ndarray) -> None:
        self.record(epoch + 1)
