"""What a run records while it trains: the rows of metrics.csv (with the predictions
drawn as GIF frames) and the trainer's state, which a checkpoint stores."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rnnlab.runs.history import LossHistory


@dataclass(frozen=True)
class LogRecord:
    """One row of metrics.csv (and, with predictions, one GIF frame) for one member.

    `loss` is the epoch's reported training loss, measured before its updates (what
    the original programs print); `predictions` and `test_loss` are measured after.
    An ensemble keeps no predictions per row (a thousand members would not fit).
    """

    epoch: int
    step: int
    loss: float
    test_loss: float | None
    predictions: np.ndarray | None
    member: int = 0


@dataclass
class TrainState:
    """Where training stands, for every member. With the models' parameters and optimizer
    states, this is everything a checkpoint needs to continue exactly as if never stopped."""

    epoch: int = 0  # epochs done
    records: list[LogRecord] = field(default_factory=list)
    # each member's first reported loss: the scale of the divergence bound (empty before training)
    initial_losses: list[float] = field(default_factory=list)
    train_seconds: float = 0.0
    # JSON-able states of every random source: the seeds drawn from at setup (data order,
    # initial weights) and the bit-generator state of any generator training draws from
    # (mini-batch order). Full-batch training in fixed order draws none.
    random: dict[str, Any] = field(default_factory=dict)
    diverged: dict[int, tuple[int, str]] = field(default_factory=dict)  # member -> (epoch, why)
    stopped: dict[int, int] = field(default_factory=dict)  # member -> epochs done when it stopped improving
    history: LossHistory = field(default_factory=LossHistory)  # every epoch's loss of a single run

    def active(self, members: int) -> list[int]:
        """The members still training: neither diverged nor stopped early."""
        return [i for i in range(members) if i not in self.diverged and i not in self.stopped]

    def snapshot(self) -> TrainState:
        """A copy that training's later steps do not change."""
        return replace(self, records=list(self.records), initial_losses=list(self.initial_losses),
                       random=copy.deepcopy(self.random), diverged=dict(self.diverged), stopped=dict(self.stopped),
                       history=self.history.copy())
