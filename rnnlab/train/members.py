"""What the training loop drives: M models trained together, behind one interface with a
member axis. One engine is M = 1 (`OneEngine`); an ensemble of engines, vectorised or
looped (rnnlab.engines.ensemble), is M = members (`ManyEngines`).
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

from rnnlab.engines.base import Engine
from rnnlab.engines.ensemble import Ensemble

Params = dict[str, np.ndarray]


class Members(Protocol):
    count: int

    def train(self, epochs: int) -> np.ndarray:
        """Every member trains `epochs` epochs; their reported losses (M, epochs), each measured
        before its epoch's updates. A failed member shows NaN; one engine alone may raise
        FloatingPointError instead (with `epochs_done`, rnnlab.engines.base.NumericalError)."""

    def set_data(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        """Each member's training data (rnnlab.engines.base: encoded inputs and targets)."""

    def get_params(self) -> list[Params]: ...

    def predict(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each member's outputs on its own inputs, from a zero state."""

    def broken_params(self) -> list[str | None]:
        """Per member, which parameter holds NaN or infinity (None: all finite)."""


def nonfinite_param(params: Params) -> str | None:
    """Which parameter holds NaN or infinity, if any (checked once per chunk: cheap)."""
    for name, value in params.items():
        if not np.isfinite(value).all():
            return f"parameter {name} holds {'nan' if np.isnan(value).any() else 'inf'}"
    return None


class OneEngine:
    """An engine as a single member."""

    count = 1

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def train(self, epochs: int) -> np.ndarray:
        return self.engine.train(epochs)[None, :]

    def set_data(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        (x,), (y,) = xs, ys
        self.engine.set_data(x, y)

    def get_params(self) -> list[Params]:
        return [self.engine.get_params()]

    def predict(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        (x,) = xs
        return [self.engine.predict(x)]

    def broken_params(self) -> list[str | None]:
        return [nonfinite_param(self.engine.get_params())]


class ManyEngines:
    """An ensemble's members. Its engines report a failed member as NaN losses and
    parameters themselves, so the loop's loss check finds it without copying every
    member's parameters at every stop."""

    def __init__(self, ensemble: Ensemble, count: int) -> None:
        self.ensemble, self.count = ensemble, count

    def train(self, epochs: int) -> np.ndarray:
        return self.ensemble.train(epochs)

    def set_data(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        self.ensemble.set_data(xs, ys)

    def get_params(self) -> list[Params]:
        return self.ensemble.get_params()

    def predict(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        return self.ensemble.predict(xs)

    def broken_params(self) -> list[str | None]:
        return [None] * self.count
