"""Losses on predictions, each value next to its gradient with respect to the prediction.

Every loss is elementwise in d = prediction - target, then reduced by a sum (the
tutorials' ``sum(d**2)/2``) or a mean over all elements (torch's ``reduction='mean'``).
With ``member_axes`` > 0 the first axes index independent models (an ensemble): each member's
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


def _clip(d: np.ndarray, delta: float) -> np.ndarray:
    """d clipped to [-delta, delta]: two ufuncs, a third of np.clip's cost on small arrays."""
    return np.minimum(np.maximum(d, -delta), delta)


def _huber_and_clip(d: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """Huber(delta) of d and its gradient c = clip(d): the value is c (d - c/2), equal to
    the textbook 0.5 d^2 / delta (|d| - delta/2) to the last bit, from one clip."""
    c = _clip(d, delta)
    return c * (d - 0.5 * c), c


def _huber(d: np.ndarray, delta: float) -> np.ndarray:
    return _huber_and_clip(d, delta)[0]


def _soft_l1(d: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    value, c = _huber_and_clip(d, alpha)
    return value / alpha, c / alpha


# name -> (value(d, delta, mix), grad(d, delta, mix))
_ELEMENTWISE: dict[str, tuple[Elementwise, Elementwise]] = {
    "sse_half": (lambda d, _, __: 0.5 * d * d, lambda d, _, __: d),
    "mse": (lambda d, _, __: d * d, lambda d, _, __: 2.0 * d),
    "l1": (lambda d, _, __: np.abs(d), lambda d, _, __: np.sign(d)),
    "elastic_net": (
        lambda d, _, mix: mix * np.abs(d) + (1.0 - mix) * 0.5 * d * d,
        lambda d, _, mix: mix * np.sign(d) + (1.0 - mix) * d,
    ),
    "huber": (lambda d, delta, _: _huber(d, delta), lambda d, delta, _: _clip(d, delta)),
    # The primer's choice: sign(d) outside the cutoff, d / alpha inside (= clip(d) / alpha).
    "soft_l1": (lambda d, alpha, _: _soft_l1(d, alpha)[0], lambda d, alpha, _: _soft_l1(d, alpha)[1]),
    "clip": (lambda d, _, __: _huber(d, 1.0), lambda d, _, __: _clip(d, 1.0)),
}
# value and gradient from shared work, where a loss has it (a training step needs both)
_FUSED: dict[str, Callable[[np.ndarray, float, float], tuple[np.ndarray, np.ndarray]]] = {
    "huber": lambda d, delta, _: _huber_and_clip(d, delta),
    "soft_l1": lambda d, alpha, _: _soft_l1(d, alpha),
    "clip": lambda d, _, __: _huber_and_clip(d, 1.0),
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

    def value(self, pred: np.ndarray, target: np.ndarray, member_axes: int = 0) -> float | np.ndarray:
        """A float; with `member_axes` leading member axes, one float64 value per member."""
        return self._reduce(self._value(pred - target), member_axes)

    def grad(self, pred: np.ndarray, target: np.ndarray, member_axes: int = 0) -> np.ndarray:
        """d value / d pred, same shape and dtype as `pred`."""
        return self._scaled_grad(pred - target, member_axes).astype(pred.dtype, copy=False)

    def value_and_grad(self, pred: np.ndarray, target: np.ndarray, member_axes: int = 0
                       ) -> tuple[float | np.ndarray, np.ndarray]:
        """`value` and `grad` together, from one difference (a training step needs both)."""
        d = pred - target
        if self.name in _FUSED:
            v, g = _FUSED[self.name](d, self.delta, self.mix)
        else:
            v, g = self._value(d), self._grad(d)
        return self._reduce(v, member_axes), self._scale(g, member_axes).astype(pred.dtype, copy=False)

    def _reduce(self, v: np.ndarray, member_axes: int) -> float | np.ndarray:
        """Sum or mean of the elementwise values v, over all of them or each member's."""
        if member_axes == 0:
            total = v.sum()
            return float(total / v.size if self.reduction == "mean" else total)
        flat = v.reshape(v.shape[:member_axes] + (-1,))  # each member's elements, summed as v.sum() would
        total = flat.sum(axis=-1)
        return (total / flat.shape[-1] if self.reduction == "mean" else total).astype(np.float64)

    def _scaled_grad(self, d: np.ndarray, member_axes: int) -> np.ndarray:
        return self._scale(self._grad(d), member_axes)

    def _scale(self, g: np.ndarray, member_axes: int) -> np.ndarray:
        return g / prod(g.shape[member_axes:]) if self.reduction == "mean" else g

    def _value(self, d: np.ndarray) -> np.ndarray:
        return _ELEMENTWISE[self.name][0](d, self.delta, self.mix)

    def _grad(self, d: np.ndarray) -> np.ndarray:
        return _ELEMENTWISE[self.name][1](d, self.delta, self.mix)
