"""Optimizers on the torch engine's tensors, with rnnlab.core.optim's rules and state keys.

Each moves parameters through the network's own `descend` op (the original program's
update, see networks.py), under no_grad. State leaves as NumPy arrays in the shared
layout (``velocity/<name>``; Adam: ``step``, ``m/<name>``, ``v/<name>``), so a checkpoint
moves between engines.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from rnnlab.spec import TrainingSpec

Tensors = dict[str, torch.Tensor]
Grads = dict[str, torch.Tensor | None]
Descend = Callable[[torch.Tensor, torch.Tensor, float], None]
ToNumpy = Callable[[dict[str, torch.Tensor | None], Tensors], dict[str, np.ndarray]]
ToTensors = Callable[[dict[str, np.ndarray]], Tensors]


class SGD:
    """p -= lr * g."""

    def __init__(self, lr: float, descend: Descend) -> None:
        self.lr, self.descend = lr, descend

    def step(self, p: Tensors, grads: Grads) -> None:
        with torch.no_grad():
            for name, g in grads.items():
                if g is not None:
                    self.descend(p[name], g, self.lr)

    def state(self, to_numpy: ToNumpy, like: Tensors) -> dict[str, np.ndarray]:
        return {}

    def load_state(self, state: dict[str, np.ndarray], to_tensors: ToTensors) -> None:
        if state:
            raise ValueError(f"SGD keeps no state, got {sorted(state)}")


class Momentum:
    """torch's heavy ball: v = m v + g (v starts at g), p -= lr v."""

    def __init__(self, lr: float, momentum: float, descend: Descend) -> None:
        self.lr, self.momentum, self.descend = lr, momentum, descend
        self.velocity: Tensors = {}

    def step(self, p: Tensors, grads: Grads) -> None:
        with torch.no_grad():
            for name, g in grads.items():
                if g is None:
                    continue
                v = self.velocity.get(name)
                v = g.clone() if v is None else self.momentum * v + g
                self.velocity[name] = v
                self.descend(p[name], v, self.lr)

    def state(self, to_numpy: ToNumpy, like: Tensors) -> dict[str, np.ndarray]:
        if not self.velocity:
            return {}
        return {f"velocity/{k}": v for k, v in to_numpy(dict(self.velocity), like).items()}

    def load_state(self, state: dict[str, np.ndarray], to_tensors: ToTensors) -> None:
        self.velocity = _section(state, "velocity/", to_tensors)


class Adam:
    """Adam with bias correction, written as rnnlab.core.optim.Adam."""

    def __init__(self, lr: float, beta1: float, beta2: float, descend: Descend, eps: float = 1e-8) -> None:
        self.lr, self.beta1, self.beta2, self.eps, self.descend = lr, beta1, beta2, eps, descend
        self.t = 0
        self.m: Tensors = {}
        self.v: Tensors = {}

    def step(self, p: Tensors, grads: Grads) -> None:
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        with torch.no_grad():
            for name, g in grads.items():
                if g is None:
                    g = torch.zeros_like(p[name])
                m = (1.0 - self.beta1) * g if name not in self.m else self.beta1 * self.m[name] + (1.0 - self.beta1) * g
                v = ((1.0 - self.beta2) * g * g if name not in self.v
                     else self.beta2 * self.v[name] + (1.0 - self.beta2) * g * g)
                self.m[name], self.v[name] = m, v
                self.descend(p[name], m / (torch.sqrt(v / c2) + self.eps), self.lr / c1)

    def state(self, to_numpy: ToNumpy, like: Tensors) -> dict[str, np.ndarray]:
        out = {"step": np.array(self.t)}
        if self.m:
            out.update({f"m/{k}": a for k, a in to_numpy(dict(self.m), like).items()})
            out.update({f"v/{k}": a for k, a in to_numpy(dict(self.v), like).items()})
        return out

    def load_state(self, state: dict[str, np.ndarray], to_tensors: ToTensors) -> None:
        self.t = int(state.get("step", 0))
        self.m = _section(state, "m/", to_tensors)
        self.v = _section(state, "v/", to_tensors)


def _section(state: dict[str, np.ndarray], prefix: str, to_tensors: ToTensors) -> Tensors:
    arrays = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    return {k: t.detach() for k, t in to_tensors(arrays).items()} if arrays else {}


Optimizer = SGD | Momentum | Adam


def make_optimizer(training: TrainingSpec, descend: Descend) -> Optimizer:
    t = training
    if t.optimizer == "sgd":
        return SGD(t.lr, descend)
    if t.optimizer == "momentum":
        return Momentum(t.lr, t.momentum, descend)
    if t.optimizer == "adam":
        return Adam(t.lr, t.beta1, t.beta2, descend)
    raise ValueError(f"unknown optimizer {t.optimizer!r}; available: sgd, momentum, adam")


def clip_grad_norm(grads: Grads, max_norm: float) -> None:
    """Scale all gradients together so their global L2 norm is at most `max_norm`
    (rnnlab.core.optim.clip_grad_norm); ``max_norm <= 0`` clips nothing."""
    if max_norm <= 0:
        return
    present = [g for g in grads.values() if g is not None]
    norm = math.sqrt(sum(float((g * g).sum()) for g in present))
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in present:
            g.mul_(scale)
