"""Optimizers acting in place on named NumPy arrays; state is plain data for checkpoints.

Momentum and Adam follow torch's update rules (``SGD(momentum=m)``, ``Adam``), so a run
moves between engines with the same trajectory. State is a flat dict of arrays:
``"<kind>/<param>"`` per parameter plus ``"step"`` for Adam.

For an ensemble the parameters carry a leading member axis and the learning rate is an
array with one rate per member (`per_member` shapes it), so member i moves as it would alone.
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]

OPTIMIZER_NAMES = ("sgd", "momentum", "adam")
Rate = float | np.ndarray  # one learning rate, or one per member (M,)


def per_member(factors: np.ndarray, p: np.ndarray) -> np.ndarray:
    """One factor per member (M,) to multiply `p` by, rounded to p's dtype as NumPy rounds
    a float factor, and shaped (M, 1, ...) to scale member i's slice."""
    return factors.astype(p.dtype).reshape(factors.shape + (1,) * (p.ndim - factors.ndim))


class _Optimizer:
    """Keeps the learning rate: a float, or per-member `rates` (None for a float: the single
    model's path then skips `per_member`, a call per parameter per step)."""

    def __init__(self, lr: Rate) -> None:
        self.lr = lr
        self.rates = lr if isinstance(lr, np.ndarray) else None


class SGD(_Optimizer):
    """Plain gradient descent, ``p -= lr * g``, as every reference program does it."""

    def step(self, params: Params, grads: Params) -> None:
        lr, rates = self.lr, self.rates
        for name, g in grads.items():
            params[name] -= (lr if rates is None else per_member(rates, g)) * g

    def state(self) -> dict[str, np.ndarray]:
        return {}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        if state:
            raise ValueError(f"SGD keeps no state, got {sorted(state)}")


class Momentum(_Optimizer):
    """Heavy-ball momentum as torch writes it: ``v = m v + g``, ``p -= lr v`` (v starts at g)."""

    def __init__(self, lr: Rate, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = momentum
        self.velocity: Params = {}

    def step(self, params: Params, grads: Params) -> None:
        lr, rates = self.lr, self.rates
        for name, g in grads.items():
            v = self.velocity.get(name)
            v = g.copy() if v is None else self.momentum * v + g
            self.velocity[name] = v
            params[name] -= (lr if rates is None else per_member(rates, v)) * v

    def state(self) -> dict[str, np.ndarray]:
        return {f"velocity/{k}": v.copy() for k, v in self.velocity.items()}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        self.velocity = {k.split("/", 1)[1]: np.array(v) for k, v in state.items() if k.startswith("velocity/")}


class Adam(_Optimizer):
    """Adam with bias correction (Kingma & Ba), torch's defaults: betas (0.9, 0.999), eps 1e-8."""

    def __init__(self, lr: Rate, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m: Params = {}
        self.v: Params = {}

    def step(self, params: Params, grads: Params) -> None:
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        lr, rates = self.lr / c1, None if self.rates is None else self.rates / c1
        for name, g in grads.items():
            m = self.beta1 * self.m.get(name, 0.0) + (1.0 - self.beta1) * g
            v = self.beta2 * self.v.get(name, 0.0) + (1.0 - self.beta2) * g * g
            self.m[name], self.v[name] = m, v
            denom = np.sqrt(v / c2) + self.eps
            params[name] -= (lr if rates is None else per_member(rates, m)) * m / denom

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


def clip_grad_norm(grads: Params, max_norm: float, member_axes: int = 0) -> float | np.ndarray:
    """Scale all gradients together so their global L2 norm is at most `max_norm` (torch's
    ``clip_grad_norm_``); returns the norm before clipping. ``max_norm <= 0`` clips nothing.
    With `member_axes` leading member axes, each member by its own norm (returned per member)."""
    squares = [(g * g).reshape(g.shape[:member_axes] + (-1,)).sum(axis=-1).astype(np.float64) for g in grads.values()]
    norm = np.sqrt(sum(squares))
    if max_norm > 0:
        scale = np.where(norm > max_norm, max_norm / (norm + 1e-6), 1.0)  # 1: within the bound
        for g in grads.values():
            g *= per_member(scale, g)
    return float(norm) if member_axes == 0 else norm


def state_shapes(name: str, shapes: dict[str, tuple[int, ...]], steps: int) -> dict[str, tuple[int, ...]]:
    """The entries of optimizer `name`'s state after `steps` updates of parameters shaped
    `shapes`, with their shapes (Adam's "step" is a 0-d count): what a checkpoint must hold."""
    if name == "momentum" and steps:
        return {f"velocity/{k}": shape for k, shape in shapes.items()}
    if name == "adam":
        moments = {f"{kind}/{k}": shape for kind in ("m", "v") for k, shape in shapes.items()} if steps else {}
        return {"step": (), **moments}
    return {}


def make_optimizer(name: str, lr: Rate, *, momentum: float = 0.9, beta1: float = 0.9,
                   beta2: float = 0.999) -> Optimizer:
    if name == "sgd":
        return SGD(lr)
    if name == "momentum":
        return Momentum(lr, momentum)
    if name == "adam":
        return Adam(lr, beta1, beta2)
    raise ValueError(f"unknown optimizer {name!r}; available: {', '.join(OPTIMIZER_NAMES)}")
