"""What a run records while it trains: the rows of metrics.csv (with the predictions
drawn as GIF frames) and the trainer's state, which a checkpoint stores."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


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


@dataclass
class TrainState:
    """Where training stands. With the engine's parameters and optimizer state, this is
    everything a checkpoint needs to continue exactly as if never stopped."""

    epoch: int = 0  # epochs done
    records: list[LogRecord] = field(default_factory=list)
    initial_loss: float | None = None  # the first epoch's loss: the divergence bound's scale
    train_seconds: float = 0.0
    # JSON-able states of every random source: the seeds drawn from at setup (data order,
    # initial weights) and the bit-generator state of any generator training draws from
    # (mini-batch order, ensemble members). Full-batch training in fixed order draws none.
    random: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> TrainState:
        """A copy that training's later steps do not change."""
        return replace(self, records=list(self.records), random=copy.deepcopy(self.random))
