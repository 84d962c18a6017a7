"""Optimizers acting in place on named NumPy arrays; state is plain data for checkpoints.

Momentum and Adam follow torch's update rules (``SGD(momentum=m)``, ``Adam``), so a run
moves between engines with the same trajectory. State is a flat dict of arrays:
``"<kind>/<param>"`` per parameter plus ``"step"`` for Adam.
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]

OPTIMIZER_NAMES = ("sgd", "momentum", "adam")


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


class Momentum:
    """Heavy-ball momentum as torch writes it: ``v = m v + g``, ``p -= lr v`` (v starts at g)."""

    def __init__(self, lr: float, momentum: float = 0.9) -> None:
        self.lr, self.momentum = lr, momentum
        self.velocity: Params = {}

    def step(self, params: Params, grads: Params) -> None:
        for name, g in grads.items():
            v = self.velocity.get(name)
            v = g.copy() if v is None else self.momentum * v + g
            self.velocity[name] = v
            params[name] -= self.lr * v

    def state(self) -> dict[str, np.ndarray]:
        return {f"velocity/{k}": v.copy() for k, v in self.velocity.items()}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.velocity = {k.split("/", 1)[1]: np.array(v) for k, v in state.items() if k.startswith("velocity/")}


class Adam:
    """Adam with bias correction (Kingma & Ba), torch's defaults: betas (0.9, 0.999), eps 1e-8."""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m: Params = {}
        self.v: Params = {}

    def step(self, params: Params, grads: Params) -> None:
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for name, g in grads.items():
            m = self.beta1 * self.m.get(name, 0.0) + (1.0 - self.beta1) * g
            v = self.beta2 * self.v.get(name, 0.0) + (1.0 - self.beta2) * g * g
            self.m[name], self.v[name] = m, v
            denom = np.sqrt(v / c2) + self.eps
            params[name] -= (self.lr / c1) * m / denom

    def state(self) -> dict[str, np.ndarray]:
        out = {"step": np.array(self.t)}
        out.update({f"m/{k}": v.copy() for k, v in self.m.items()})
        out.update({f"v/{k}": v.copy() for k, v in self.v.items()})
        return out

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.t = int(state.get("step", 0))
        self.m = {k[2:]: np.array(v) for k, v in state.items() if k.startswith("m/")}
        self.v = {k[2:]: np.array(v) for k, v in state.items() if k.startswith("v/")}


Optimizer = SGD | Momentum | Adam


def clip_grad_norm(grads: Params, max_norm: float) -> float:
    """Scale all gradients together so their global L2 norm is at most `max_norm` (torch's
    ``clip_grad_norm_``); returns the norm before clipping. ``max_norm <= 0`` clips nothing."""
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    if max_norm > 0 and norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in grads.values():
            g *= scale
    return norm


def make_optimizer(name: str, lr: float, *, momentum: float = 0.9, beta1: float = 0.9,
                   beta2: float = 0.999) -> Optimizer:
    if name == "sgd":
        return SGD(lr)
    if name == "momentum":
        return Momentum(lr, momentum)
    if name == "adam":
        return Adam(lr, beta1, beta2)
    raise ValueError(f"unknown optimizer {name!r}; available: {', '.join(OPTIMIZER_NAMES)}")
