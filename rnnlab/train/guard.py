"""The divergence guard: training stops when the loss stops being a number or explodes,
instead of running on and saving garbage (the loop also checks the parameters:
rnnlab.train.members)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.config import Config


@dataclass(frozen=True)
class DivergenceGuard:
    """`max_loss_factor` times the first epoch's loss bounds the loss (0: no bound);
    `hint` names the likely cause in the one-line message."""

    max_loss_factor: float
    hint: str

    def loss_problem(self, first_epoch: int, losses: np.ndarray, initial_loss: float) -> tuple[int, str] | None:
        """The first epoch of a chunk whose loss is not finite or over the bound, and why."""
        bound = self.max_loss_factor * initial_loss if self.max_loss_factor > 0 and initial_loss > 0 else np.inf
        bad = ~np.isfinite(losses) | (losses > bound)
        if not bad.any():
            return None
        i = int(np.argmax(bad))
        loss = float(losses[i])
        if not np.isfinite(loss):
            return first_epoch + i, f"loss is {loss}"
        return first_epoch + i, (f"loss {loss:.4g} is over {self.max_loss_factor:g} times the initial loss "
                                 f"{initial_loss:.4g} (train.max_loss_factor)")


def divergence_guard(cfg: Config) -> DivergenceGuard:
    return DivergenceGuard(cfg.train.max_loss_factor, f"try a smaller optim.lr, now {cfg.optim.lr:g}")
