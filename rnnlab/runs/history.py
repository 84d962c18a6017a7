"""The training loss of every epoch, in bounded memory: history.npz.

metrics.csv has a row at the log points only (where the original programs print); the
loss curve wants every epoch. Up to CAPACITY epochs every one is kept. Beyond that,
epochs are grouped in bins whose width doubles whenever the points outgrow CAPACITY, and
each bin keeps its lowest and its highest loss: the curve's shape and its extremes (a
spike stays a spike) at any run length, in at most about CAPACITY points.

history.npz holds ``epoch`` (K,) int64, increasing, and ``loss`` (K,) float64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CAPACITY = 20_000


@dataclass
class LossHistory:
    epoch: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    loss: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    width: int = 1  # epochs per bin of the points already thinned

    def add(self, first_epoch: int, losses: np.ndarray) -> None:
        """Append the losses of epochs first_epoch, first_epoch + 1, ..."""
        epochs = np.arange(first_epoch, first_epoch + len(losses), dtype=np.int64)
        self.epoch = np.concatenate([self.epoch, epochs])
        self.loss = np.concatenate([self.loss, np.asarray(losses, np.float64)])
        while len(self.epoch) > CAPACITY:
            self.width *= 2
            self._thin()

    def _thin(self) -> None:
        """Keep each bin's lowest and highest loss (NaN counts as highest), in epoch order."""
        bins = self.epoch // self.width
        order = np.lexsort((np.nan_to_num(self.loss, nan=np.inf), bins))
        sorted_bins = bins[order]
        starts = np.flatnonzero(np.r_[True, sorted_bins[1:] != sorted_bins[:-1]])
        ends = np.r_[starts[1:], len(order)] - 1
        keep = np.unique(np.concatenate([order[starts], order[ends]]))
        self.epoch, self.loss = self.epoch[keep], self.loss[keep]

    def copy(self) -> LossHistory:
        return LossHistory(self.epoch.copy(), self.loss.copy(), self.width)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"epoch": self.epoch, "loss": self.loss}
