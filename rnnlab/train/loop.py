"""The training loop: drives an engine in chunks between stops (log points, progress
ticks, checkpoints), reports through callbacks, stops on divergence or on request.
It never prints; the caller decides what to show.

Chunk boundaries never change the numbers (an engine's epochs do not depend on how
they are grouped), so a run stopped and continued from a checkpoint ends bit for bit
where an uninterrupted one does.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol

import numpy as np

from rnnlab.engines.base import Engine
from rnnlab.errors import Diverged, Interrupted
from rnnlab.runs.records import LogRecord, TrainState
from rnnlab.train.guard import DivergenceGuard
from rnnlab.train.stop import StopRequest

DEFAULT_CHECKPOINT_SECONDS = 5.0


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


@dataclass(frozen=True)
class Checkpoints:
    """When to save, and how: `capture` copies the engine's and the trainer's state into
    a checkpoint, `write` stores one.

    `every` N epochs (and at the end); None: whenever `seconds` have passed since the
    last one, so short runs write none; 0: only when stopped on request.
    """

    capture: Callable[[TrainState], Any]
    write: Callable[[Any], None]
    every: int | None = None
    seconds: float = DEFAULT_CHECKPOINT_SECONDS

    def due(self, epoch: int, total: int, since_last: float) -> bool:
        if self.every is None:
            return since_last >= self.seconds
        return self.every > 0 and (epoch % self.every == 0 or epoch == total)


class _Saver:
    """Checkpoint bookkeeping for one `train` call. A due checkpoint is captured at a stop
    but written only once the next chunk's first loss (measured on those very parameters)
    has passed the guard, so the checkpoint on disk is always a good one."""

    def __init__(self, checkpoints: Checkpoints | None, state: TrainState, total: int) -> None:
        self.checkpoints, self.total = checkpoints, total
        self.written = state.epoch if state.epoch > 0 else None  # a state past 0 comes from a checkpoint
        self.pending: tuple[int, Any] | None = None
        self.last = time.monotonic()

    def at_stop(self, state: TrainState) -> None:
        cp = self.checkpoints
        if cp is None or not cp.due(state.epoch, self.total, time.monotonic() - self.last):
            return
        self.pending, self.last = (state.epoch, cp.capture(state)), time.monotonic()
        if state.epoch == self.total:  # no next chunk to vouch for it
            self.vouched()

    def vouched(self) -> None:
        if self.checkpoints is not None and self.pending is not None:
            self.checkpoints.write(self.pending[1])
            self.written, self.pending = self.pending[0], None

    def now(self, state: TrainState) -> None:
        """Save the current state whatever the schedule (stopping on request)."""
        if self.checkpoints is None or self.written == state.epoch:
            return
        if self.pending is None or self.pending[0] != state.epoch:
            self.pending = (state.epoch, self.checkpoints.capture(state))
        self.vouched()


def train(engine: Engine, state: TrainState, *, epochs: int, log_at: list[int], updates_per_epoch: int,
          evaluator: Evaluator, callbacks: list[Callback], checkpoints: Checkpoints | None = None,
          guard: DivergenceGuard | None = None, stop: StopRequest | None = None,
          progress_every: int | None = None) -> TrainState:
    """Train epochs [state.epoch, epochs), updating `state` in place, stopping at every log
    point, progress tick and checkpoint.

    Raises Diverged when `guard` finds NaN, infinity or an exploding loss (no checkpoint of
    the bad state is written) and Interrupted when `stop` is set, after saving.
    """
    progress_every = progress_every or max(1, epochs // 100)
    every = checkpoints.every if checkpoints and checkpoints.every else epochs
    stops = sorted({e + 1 for e in log_at} | set(range(progress_every, epochs, progress_every))
                   | set(range(every, epochs, every)) | {epochs})
    logged = set(log_at)
    saver = _Saver(checkpoints, state, epochs)
    hint = guard.hint if guard else "check the learning rate"
    for cb in callbacks:
        cb.on_start(state.epoch, epochs)
    try:
        for stop_at in (s for s in stops if s > state.epoch):
            if stop is not None and stop.requested:
                saver.now(state)
                raise Interrupted(state.epoch, epochs)
            last = stop_at - 1
            try:
                losses = _train_chunk(engine, state, stop_at, guard)
                saver.vouched()
                record = _log(engine, evaluator, last, updates_per_epoch, losses) if last in logged else None
            except _Problem as problem:
                raise Diverged(problem.epoch, problem.reason, hint, saver.written) from problem.__cause__
            if record is not None:
                state.records.append(record)
                for cb in callbacks:
                    cb.on_log(record)
            state.epoch = stop_at
            for cb in callbacks:
                cb.on_progress(state.epoch, float(losses[-1]))
            saver.at_stop(state)
        if stop is not None and stop.requested:
            saver.now(state)
            raise Interrupted(state.epoch, epochs)
    finally:  # also on the way out of Diverged or Interrupted
        for cb in callbacks:
            cb.on_end()
    return state


class _Problem(Exception):
    """Training went wrong at `epoch`; `train` turns it into Diverged."""

    def __init__(self, epoch: int, reason: str) -> None:
        super().__init__(epoch, reason)
        self.epoch, self.reason = epoch, reason


def _train_chunk(engine: Engine, state: TrainState, stop_at: int, guard: DivergenceGuard | None) -> np.ndarray:
    """Epochs [state.epoch, stop_at): their losses, checked by `guard` with the parameters after."""
    started = time.perf_counter()
    try:
        losses = engine.train(stop_at - state.epoch)
    except FloatingPointError as err:
        raise _Problem(state.epoch + getattr(err, "epochs_done", 0), f"floating-point error: {err}") from err
    state.train_seconds += time.perf_counter() - started
    if state.initial_loss is None:
        state.initial_loss = float(losses[0])
    if guard is not None:
        problem = guard.loss_problem(state.epoch, losses, state.initial_loss)
        if problem is not None:
            raise _Problem(*problem)
        bad_param = guard.params_problem(engine.get_params())
        if bad_param is not None:
            raise _Problem(stop_at - 1, bad_param)
    return losses


def _log(engine: Engine, evaluator: Evaluator, epoch: int, updates_per_epoch: int, losses: np.ndarray) -> LogRecord:
    try:
        pred = evaluator.predict(engine)
    except FloatingPointError as err:
        raise _Problem(epoch, f"floating-point error in prediction: {err}") from err
    return LogRecord(epoch, epoch * updates_per_epoch, float(losses[-1]), evaluator.test_loss(pred), pred)
