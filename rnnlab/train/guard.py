"""The divergence guard: training stops when the loss stops being a number or explodes,
instead of running on and saving garbage (the loop also checks the parameters:
rnnlab.train.members).

The bound is relative to each member's loss at its initial parameters, measured before
any update (`reference`): the first epoch's own loss is no reference, since an online or
mini-batch epoch updates the parameters while it sums its loss, so a first epoch can be
exploded already. The default factor, DEFAULT_MAX_LOSS_FACTOR, is a compromise: runs on
the built-in recipes that go on to converge were seen to spike to a few hundred times
their initial loss (primer-numpy at ten times its learning rate), and runs that saturate
sit at tens of thousands of times it for good (primer-torch at optim.lr=1e6). A run
whose spikes are bigger and still recovers needs a larger train.max_loss_factor, or 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from rnnlab.config import Config
from rnnlab.train.members import Members

DEFAULT_MAX_LOSS_FACTOR = 1e3  # rnnlab.config's train.max_loss_factor default; see above

# Each member's loss at its current parameters, in the units of the losses its epochs report.
Reference = Callable[[Members], Sequence[float]]


@dataclass(frozen=True)
class DivergenceGuard:
    """`max_loss_factor` times a member's initial loss bounds its loss (0: no bound);
    `hint` names the likely cause in the one-line message. `reference` measures the
    initial losses before training; without one, the first epoch's losses stand in (right
    for full-batch epochs, which report the loss before their update)."""

    max_loss_factor: float
    hint: str
    reference: Reference | None = None

    def initial_losses(self, members: Members) -> list[float] | None:
        """Each member's loss before training (NaN where it cannot be computed), or None
        when the first epoch's losses should stand in."""
        if self.reference is None:
            return None
        try:
            with np.errstate(all="ignore"):
                return [float(v) for v in self.reference(members)]
        except FloatingPointError:
            return [float("nan")] * members.count

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


def divergence_guard(cfg: Config, reference: Reference | None = None) -> DivergenceGuard:
    return DivergenceGuard(cfg.train.max_loss_factor, f"try a smaller optim.lr, now {cfg.optim.lr:g}", reference)
