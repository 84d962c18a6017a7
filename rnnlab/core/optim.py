"""Optimizers acting in place on named NumPy arrays; state is plain data for checkpoints."""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


class SGD:
    """Plain gradient descent, ``p -= lr * g``, as every reference program does it."""

    def __init__(self, lr: float) -> None:
        self.lr = lr

    def step(self, params: Params, grads: Params) -> None:
        for name, g in grads.items():
            params[name] -= self.lr * g

    def state(self) -> dict[str, np.ndarray]:
        return {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        if state:
            raise ValueError(f"SGD keeps no state, got {sorted(state)}")


def make_optimizer(name: str, lr: float) -> SGD:
    if name != "sgd":
        raise ValueError(f"unknown optimizer {name!r}; available: sgd")
    return SGD(lr)
