"""rnnlab.core.losses as JAX functions of d = prediction - target; `jax.grad` of each
value is the NumPy `Loss.grad` (the primer's soft-L1 and clip are Huber losses scaled).
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp

from rnnlab.core.losses import Loss


def _huber(d: jax.Array, delta: float) -> jax.Array:
    a = jnp.abs(d)
    return jnp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


# name -> elementwise value(d, delta, mix)
_ELEMENTWISE: dict[str, Callable[[jax.Array, float, float], jax.Array]] = {
    "sse_half": lambda d, _, __: 0.5 * d * d,
    "mse": lambda d, _, __: d * d,
    "l1": lambda d, _, __: jnp.abs(d),
    "elastic_net": lambda d, _, mix: mix * jnp.abs(d) + (1.0 - mix) * 0.5 * d * d,
    "huber": lambda d, delta, _: _huber(d, delta),
    "soft_l1": lambda d, alpha, _: _huber(d, alpha) / alpha,
    "clip": lambda d, _, __: _huber(d, 1.0),
}


def loss_value(loss: Loss, pred: jax.Array, target: jax.Array) -> jax.Array:
    """The reduced loss, a 0-d array in pred's dtype. Shapes: pred and target alike."""
    e = _ELEMENTWISE[loss.name](pred - target, loss.delta, loss.mix)
    return jnp.sum(e) if loss.reduction == "sum" else jnp.sum(e) / e.size


def sequence_value(loss: Loss, pred: jax.Array, target: jax.Array) -> jax.Array:
    """Readout at every step: the sum over steps of each step's loss ('mean' is a mean
    per step, as in the NumPy engine). Shapes: pred, target (N, L, O)."""
    value = loss_value(loss, pred, target)
    return value * pred.shape[1] if loss.reduction == "mean" else value
