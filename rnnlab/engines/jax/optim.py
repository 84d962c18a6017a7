"""rnnlab.core.optim as pure functions: (params, grads, state) -> (params, state).

Same update rules, same rounding points: every Python-float factor is rounded to the
parameters' dtype before it multiplies, as NumPy does with a Python scalar. The state is
a pytree with a fixed shape (zeros before the first step), so it can ride along in a
compiled loop; `export_state`/`import_state` translate it to and from the NumPy
optimizers' checkpoint format.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from rnnlab.spec import TrainingSpec

Params = dict[str, jax.Array]
OptState = dict[str, Any]


def init_state(training: TrainingSpec, params: Params) -> OptState:
    state: OptState = {"step": jnp.zeros((), jnp.int64)}
    if training.optimizer == "momentum":
        state["velocity"] = {k: jnp.zeros_like(v) for k, v in params.items()}
    elif training.optimizer == "adam":
        state["m"] = {k: jnp.zeros_like(v) for k, v in params.items()}
        state["v"] = {k: jnp.zeros_like(v) for k, v in params.items()}
    return state


def clip_grad_norm(grads: Params, max_norm: float) -> Params:
    """torch's clip_grad_norm_: scale all gradients so their global norm is at most max_norm."""
    if max_norm <= 0:
        return grads
    norm = jnp.sqrt(sum(jnp.sum(g * g).astype(jnp.float64) for g in grads.values()))
    scale = jnp.where(norm > max_norm, max_norm / (norm + 1e-6), 1.0)
    return {k: g * scale.astype(g.dtype) for k, g in grads.items()}


def step(training: TrainingSpec, params: Params, grads: Params, state: OptState, lr: jax.Array
         ) -> tuple[Params, OptState]:
    """One update with learning rate `lr` (a float64 scalar, so ensembles can vary it)."""
    t = training
    grads = clip_grad_norm(grads, t.clip)
    count = state["step"] + 1
    new: OptState = {"step": count}
    if t.optimizer == "sgd":
        params = {k: p - lr.astype(p.dtype) * grads[k] for k, p in params.items()}
    elif t.optimizer == "momentum":  # v = m v + g (v starts at 0, so the first v is g), p -= lr v
        vel = {k: t.momentum * state["velocity"][k] + g for k, g in grads.items()}
        params = {k: p - lr.astype(p.dtype) * vel[k] for k, p in params.items()}
        new["velocity"] = vel
    else:  # adam, with bias correction
        c1 = 1.0 - jnp.power(t.beta1, count.astype(jnp.float64))
        c2 = 1.0 - jnp.power(t.beta2, count.astype(jnp.float64))
        m = {k: t.beta1 * state["m"][k] + (1.0 - t.beta1) * g for k, g in grads.items()}
        v = {k: t.beta2 * state["v"][k] + (1.0 - t.beta2) * g * g for k, g in grads.items()}
        params = {k: p - (lr / c1).astype(p.dtype) * m[k] / (jnp.sqrt(v[k] / c2.astype(p.dtype)) + 1e-8)
                  for k, p in params.items()}
        new["m"], new["v"] = m, v
    return params, new


def export_state(training: TrainingSpec, state: OptState) -> dict[str, np.ndarray]:
    """The NumPy optimizers' checkpoint format (rnnlab.core.optim)."""
    steps = int(state["step"])
    if training.optimizer == "momentum":
        return {f"velocity/{k}": np.array(v) for k, v in state["velocity"].items()} if steps else {}
    if training.optimizer == "adam":
        out: dict[str, np.ndarray] = {"step": np.array(steps)}
        if steps:
            out.update({f"m/{k}": np.array(v) for k, v in state["m"].items()})
            out.update({f"v/{k}": np.array(v) for k, v in state["v"].items()})
        return out
    return {}


def import_state(training: TrainingSpec, params: Params, saved: dict[str, np.ndarray]) -> OptState:
    """Inverse of `export_state`; ValueError when `saved` belongs to another optimizer."""
    state = init_state(training, params)
    if training.optimizer == "sgd":
        if saved:
            raise ValueError(f"SGD keeps no state, got {sorted(saved)}")
        return state
    kinds = ("velocity",) if training.optimizer == "momentum" else ("m", "v")
    for kind in kinds:
        for name, ref in params.items():
            key = f"{kind}/{name}"
            if key in saved:
                state[kind][name] = jnp.asarray(saved[key], ref.dtype).reshape(ref.shape)
    if training.optimizer == "adam":
        state["step"] = jnp.asarray(int(saved.get("step", 0)), jnp.int64)
    else:
        state["step"] = jnp.asarray(1 if any(k.startswith("velocity/") for k in saved) else 0, jnp.int64)
    return state
