"""Losses on predictions, each value next to its gradient with respect to the prediction.

Every loss is elementwise in d = prediction - target, then reduced by a sum (the
tutorials' ``sum(d**2)/2``) or a mean over all elements (torch's ``reduction='mean'``).
With ``members`` > 0 the first axes index independent models (an ensemble): each member's
value reduces its own elements only, as that model alone would.
The primer's "loss gradients" are true gradients of a value too: soft-L1 with cutoff
``alpha`` is Huber(alpha)/alpha, and the clipped gradient is Huber(1).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Callable, Literal

import numpy as np

Elementwise = Callable[[np.ndarray, float, float], np.ndarray]


def _huber(d: np.ndarray, delta: float) -> np.ndarray:
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def _huber_grad(d: np.ndarray, delta: float) -> np.ndarray:
    return np.clip(d, -delta, delta)


# name -> (value(d, delta, mix), grad(d, delta, mix))
_ELEMENTWISE: dict[str, tuple[Elementwise, Elementwise]] = {
    "sse_half": (lambda d, _, __: 0.5 * d * d, lambda d, _, __: d),
    "mse": (lambda d, _, __: d * d, lambda d, _, __: 2.0 * d),
    "l1": (lambda d, _, __: np.abs(d), lambda d, _, __: np.sign(d)),
    "elastic_net": (
        lambda d, _, mix: mix * np.abs(d) + (1.0 - mix) * 0.5 * d * d,
        lambda d, _, mix: mix * np.sign(d) + (1.0 - mix) * d,
    ),
    "huber": (lambda d, delta, _: _huber(d, delta), lambda d, delta, _: _huber_grad(d, delta)),
    # The primer's choice: sign(d) outside the cutoff, d / alpha inside.
    "soft_l1": (
        lambda d, alpha, _: _huber(d, alpha) / alpha,
        lambda d, alpha, _: np.where(np.abs(d) >= alpha, np.sign(d), d / alpha),
    ),
    "clip": (lambda d, _, __: _huber(d, 1.0), lambda d, _, __: np.clip(d, -1.0, 1.0)),
}

LOSS_NAMES = tuple(_ELEMENTWISE)


@dataclass(frozen=True)
class Loss:
    """A reduced loss. Shapes: prediction and target alike, any shape."""

    name: str
    reduction: Literal["sum", "mean"] = "mean"
    delta: float = 1.0
    mix: float = 0.5

    def __post_init__(self) -> None:
        if self.name not in _ELEMENTWISE:
            raise ValueError(f"unknown loss {self.name!r}; choose from {', '.join(LOSS_NAMES)}")

    def value(self, pred: np.ndarray, target: np.ndarray, members: int = 0) -> float | np.ndarray:
        """A float; with `members` leading member axes, one float64 value per member."""
        return self._reduce(self._value(pred - target), members)

    def grad(self, pred: np.ndarray, target: np.ndarray, members: int = 0) -> np.ndarray:
        """d value / d pred, same shape and dtype as `pred`."""
        return self._scaled_grad(pred - target, members).astype(pred.dtype, copy=False)

    def value_and_grad(self, pred: np.ndarray, target: np.ndarray, members: int = 0
                       ) -> tuple[float | np.ndarray, np.ndarray]:
        """`value` and `grad` together, from one difference (a training step needs both)."""
        d = pred - target
        return self._reduce(self._value(d), members), self._scaled_grad(d, members).astype(pred.dtype, copy=False)

    def _reduce(self, v: np.ndarray, members: int) -> float | np.ndarray:
        """Sum or mean of the elementwise values v, over all of them or each member's."""
        if members == 0:
            total = v.sum()
            return float(total / v.size if self.reduction == "mean" else total)
        flat = v.reshape(v.shape[:members] + (-1,))  # each member's elements, summed as v.sum() would
        total = flat.sum(axis=-1)
        return (total / flat.shape[-1] if self.reduction == "mean" else total).astype(np.float64)

    def _scaled_grad(self, d: np.ndarray, members: int) -> np.ndarray:
        g = self._grad(d)
        return g / prod(d.shape[members:]) if self.reduction == "mean" else g

    def _value(self, d: np.ndarray) -> np.ndarray:
        return _ELEMENTWISE[self.name][0](d, self.delta, self.mix)

    def _grad(self, d: np.ndarray) -> np.ndarray:
        return _ELEMENTWISE[self.name][1](d, self.delta, self.mix)
