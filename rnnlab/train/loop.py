"""The training loop, the one every job uses (single runs, ensembles, forecasting): it
drives M members in chunks of epochs between stops (log points, checkpoints, and at least
every CHUNK_SECONDS and hundredth of the run), guards against divergence, checkpoints, and leaves everything else
to callbacks (rnnlab.train.callbacks). It never prints.

An epoch's updates are the engine's business (online or full-batch: a compiled engine
keeps the whole chunk compiled) or, with `batches`, the loop's (rnnlab.train.batches).
Chunk boundaries never change the numbers (an engine's epochs do not depend on how they
are grouped), so a run stopped and continued from a checkpoint ends bit for bit where an
uninterrupted one does, and chunks can follow the clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Literal, Sequence

import numpy as np

from rnnlab.errors import Diverged, Interrupted
from rnnlab.runs.records import LogRecord, TrainState
from rnnlab.train.batches import MiniBatches
from rnnlab.train.callbacks import Callback
from rnnlab.train.guard import DivergenceGuard
from rnnlab.train.members import Members
from rnnlab.train.schedule import LogSchedule
from rnnlab.train.stop import StopRequest

__all__ = ["Checkpoints", "LogRecord", "TrainState", "train"]

DEFAULT_CHECKPOINT_SECONDS = 5.0
CHUNK_SECONDS = 0.25  # a chunk between two stops lasts about this long: Ctrl-C and progress stay prompt
TICKS = 100  # and there is a stop at every hundredth of the run, for progress displays


@dataclass(frozen=True)
class Checkpoints:
    """When to save, and how: `capture` copies the members' and the loop's state into a
    checkpoint, `write` stores one.

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

    def next_boundary(self, epoch: int) -> int | None:
        return (epoch // self.every + 1) * self.every if self.every else None


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

    def drop(self) -> None:
        """The chunk after the pending capture went wrong: that state is not vouched for."""
        self.pending = None

    def now(self, state: TrainState) -> None:
        """Save the current state whatever the schedule (stopping on request)."""
        if self.checkpoints is None or self.written == state.epoch:
            return
        if self.pending is None or self.pending[0] != state.epoch:
            self.pending = (state.epoch, self.checkpoints.capture(state))
        self.vouched()


class _Pace:
    """Epochs per chunk, from the measured time of the last ones: about CHUNK_SECONDS each,
    at most doubling from one chunk to the next (the first may include a compile)."""

    def __init__(self) -> None:
        self.epochs = 1

    def measured(self, epochs: int, seconds: float) -> None:
        fit = int(CHUNK_SECONDS * epochs / seconds) if seconds > 0 else 2 * self.epochs
        self.epochs = max(1, min(2 * max(self.epochs, epochs), fit))


def train(members: Members, state: TrainState, log: LogSchedule, *, callbacks: Sequence[Callback] = (),
          checkpoints: Checkpoints | None = None, guard: DivergenceGuard | None = None,
          stop: StopRequest | None = None, batches: MiniBatches | None = None,
          on_divergence: Literal["raise", "stop"] = "raise") -> TrainState:
    """Train epochs [state.epoch, log.total) of every member still active, updating `state`
    in place; call the callbacks at every log point of `log` and after every chunk.

    A member whose loss or parameters stop being finite, or whose loss explodes (`guard`:
    against its loss before training, measured here when the state has none yet), stops training (`state.diverged`). When every member has diverged, Diverged is raised
    (naming the last checkpoint written; no checkpoint of a bad state is ever written),
    unless `on_divergence` is "stop". Members that stop improving (early stopping sets
    `state.stopped`) stop too; training ends when none is left. Interrupted is raised,
    after saving, when `stop` is set; with `checkpoints`, a KeyboardInterrupt (a second
    Ctrl-C, which does not wait for an epoch to end) becomes Interrupted too, naming the
    last checkpoint written.
    """
    total = log.total
    saver, pace = _Saver(checkpoints, state, total), _Pace()
    if not state.initial_losses and guard is not None:
        state.initial_losses = guard.initial_losses(members) or []
    for cb in callbacks:
        cb.on_start(state, members, total)
    try:
        while state.epoch < total and state.active(members.count):
            if stop is not None and stop.requested:
                saver.now(state)
                raise Interrupted(state.epoch, total)
            stop_at = _next_stop(state.epoch, log, checkpoints, pace.epochs, total)
            started = time.perf_counter()
            losses, failed = _train_chunk(members, state, stop_at, guard, batches)
            pace.measured(stop_at - state.epoch, time.perf_counter() - started)
            if failed:
                saver.drop()
                if not state.active(members.count):
                    break
            else:
                saver.vouched()
            if stop_at - 1 in log and not _log(callbacks, members, state, stop_at - 1, losses[:, -1]):
                break  # predicting failed: the parameters after this chunk are not worth keeping
            state.epoch = stop_at
            for cb in callbacks:
                cb.on_progress(state, losses)
            saver.at_stop(state)
        if stop is not None and stop.requested and state.epoch < total:
            saver.now(state)
            raise Interrupted(state.epoch, total)
    except KeyboardInterrupt:  # a second Ctrl-C: no waiting for the epoch to end
        if checkpoints is None:
            raise
        raise Interrupted(saver.written, total, saved=False) from None
    finally:  # also on the way out of Diverged or Interrupted
        for cb in callbacks:
            cb.on_end(state)
    if on_divergence == "raise" and state.diverged and len(state.diverged) == members.count:
        raise _diverged(state, members.count, guard, saver.written)
    return state


def _next_stop(epoch: int, log: LogSchedule, checkpoints: Checkpoints | None, pace: int, total: int) -> int:
    tick = max(1, total // TICKS)
    stops = [epoch + pace, total, (epoch // tick + 1) * tick]
    logged = log.next(epoch)
    if logged is not None:
        stops.append(logged + 1)
    boundary = checkpoints.next_boundary(epoch) if checkpoints is not None else None
    if boundary is not None:
        stops.append(boundary)
    return min(stops)


def _train_chunk(members: Members, state: TrainState, stop_at: int, guard: DivergenceGuard | None,
                 batches: MiniBatches | None) -> tuple[np.ndarray, bool]:
    """Epochs [state.epoch, stop_at) of every member: their losses (M, epochs), NaN for
    members not training, and whether a member diverged in them (marked in `state`)."""
    epochs, first = stop_at - state.epoch, state.epoch
    active = state.active(members.count)
    started = time.perf_counter()
    try:
        losses = batches.train(members, epochs, state) if batches is not None else members.train(epochs)
    except FloatingPointError as err:  # one engine alone raises; an ensemble shows NaN
        for i in active:
            state.diverged[i] = (first + getattr(err, "epochs_done", 0), f"floating-point error: {err}")
        return np.full((members.count, epochs), np.nan), True
    state.train_seconds += time.perf_counter() - started
    if not state.initial_losses:
        state.initial_losses = [float(v) for v in losses[:, 0]]
    failed = False
    broken = members.broken_params()
    for i in active:
        problem = guard.loss_problem(first, losses[i], state.initial_losses[i]) if guard is not None else None
        if problem is None and broken[i] is not None:
            problem = (stop_at - 1, broken[i])
        if problem is not None:
            state.diverged[i], failed = problem, True
    losses[[i for i in range(members.count) if i not in active]] = np.nan
    return losses, failed


def _log(callbacks: Sequence[Callback], members: Members, state: TrainState, epoch: int, losses: np.ndarray) -> bool:
    """Call every callback at log point `epoch`; False when predicting overflowed (the
    members still training are then marked diverged: their parameters are past saving)."""
    try:
        for cb in callbacks:
            cb.on_log(state, members, epoch, losses)
    except FloatingPointError as err:
        for i in state.active(members.count):
            state.diverged[i] = (epoch, f"floating-point error in prediction: {err}")
        return False
    return True


def _diverged(state: TrainState, count: int, guard: DivergenceGuard | None, written: int | None) -> Diverged:
    hint = guard.hint if guard else "check the learning rate"
    epoch, reason = min(state.diverged.values())
    if count > 1:
        reason = f"every one of the {count} members diverged, the first at epoch {epoch}: {reason}"
    return Diverged(epoch, reason, hint, written)
