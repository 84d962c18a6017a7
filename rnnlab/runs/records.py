"""What a run records while it trains, in memory that does not grow with its length: the
rows of metrics.csv go to disk as they come (rnnlab.runs.metrics_log), the GIF's frames
are thinned to at most FRAMES, and the trainer's state is what a checkpoint stores."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rnnlab.runs.history import LossHistory

FRAMES = 500  # GIF frames kept at most, besides the last log point's


@dataclass(frozen=True)
class LogRecord:
    """One row of metrics.csv for one member.

    `loss` is the epoch's reported training loss, measured before its updates (what
    the original programs print); `test_loss` is measured after.
    """

    epoch: int
    step: int
    loss: float
    test_loss: float | None
    member: int = 0


@dataclass
class Frames:
    """The predictions at the log points, drawn as training.gif, in bounded memory.

    Log point k (counting from 0) is kept while k is a multiple of `stride`; when more than
    FRAMES are kept, the stride doubles and every other one goes, so the frames stay evenly
    spaced at any run length. The latest log point's frame is always there too: the GIF
    ends where training did. `kept` excludes it when it is off the stride.
    """

    epochs: list[int] = field(default_factory=list)
    predictions: list[np.ndarray] = field(default_factory=list)
    stride: int = 1
    seen: int = 0  # log points offered so far
    latest: tuple[int, np.ndarray] | None = None  # the newest one, if off the stride

    def add(self, epoch: int, predictions: np.ndarray) -> None:
        k, self.seen, self.latest = self.seen, self.seen + 1, None
        if k % self.stride == 0:
            self.epochs.append(epoch)
            self.predictions.append(predictions)
            if len(self.epochs) > FRAMES:  # kept: log points 0, stride, 2 stride, ...
                self.stride *= 2
                self.epochs, self.predictions = self.epochs[::2], self.predictions[::2]
        if not self.epochs or self.epochs[-1] != epoch:
            self.latest = (epoch, predictions)

    def all(self) -> tuple[list[int], list[np.ndarray]]:
        """Every frame to draw, in epoch order: the kept ones, then the latest."""
        if self.latest is None:
            return list(self.epochs), list(self.predictions)
        return [*self.epochs, self.latest[0]], [*self.predictions, self.latest[1]]

    def copy(self) -> Frames:
        return Frames(list(self.epochs), list(self.predictions), self.stride, self.seen, self.latest)


@dataclass
class TrainState:
    """Where training stands, for every member. With the models' parameters and optimizer
    states, this is everything a checkpoint needs to continue exactly as if never stopped."""

    epoch: int = 0  # epochs done
    # each member's loss at its initial parameters: the scale of the divergence bound (empty before training)
    initial_losses: list[float] = field(default_factory=list)
    train_seconds: float = 0.0
    # JSON-able states of every random source: the seeds drawn from at setup (data order,
    # initial weights) and the bit-generator state of any generator training draws from
    # (mini-batch order). Full-batch training in fixed order draws none.
    random: dict[str, Any] = field(default_factory=dict)
    diverged: dict[int, tuple[int, str]] = field(default_factory=dict)  # member -> (epoch, why)
    stopped: dict[int, int] = field(default_factory=dict)  # member -> epochs done when it stopped improving
    history: LossHistory = field(default_factory=LossHistory)  # every epoch's loss of a single run
    frames: Frames = field(default_factory=Frames)  # a single run's predictions at its log points
    last_logged: dict[int, float] = field(default_factory=dict)  # member -> its loss at its latest log point
    rows: tuple[int, int] = (0, 0)  # bytes of the metrics rows written (rnnlab.runs.metrics_log) and their CRC-32

    def active(self, members: int) -> list[int]:
        """The members still training: neither diverged nor stopped early."""
        return [i for i in range(members) if i not in self.diverged and i not in self.stopped]

    def snapshot(self) -> TrainState:
        """A copy that training's later steps do not change."""
        return replace(self, initial_losses=list(self.initial_losses), random=copy.deepcopy(self.random),
                       diverged=dict(self.diverged), stopped=dict(self.stopped), history=self.history.copy(),
                       frames=self.frames.copy(), last_logged=dict(self.last_logged))
