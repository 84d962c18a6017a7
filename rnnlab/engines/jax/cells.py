"""Recurrent cells as pure JAX functions: the NumPy engine's forward steps, nothing more.

JAX differentiates them, so no backward step is written here. Cell contract (shared
with rnnlab.engines.bptt.cells):
  project(p, xs)          inputs of all steps at once: (N, L, D) -> (N, L, G)
  step(p, a_t, state)     -> (h_t, state); state None is the zero state (nothing to multiply)
Gate columns follow rnnlab.core.init's layout (torch's order), so parameters move between
engines unchanged. Shapes: a_t (N, G) with G = H, 4H (LSTM) or 3H (GRU); h, c (N, H).
"""

from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp

Params = dict[str, jax.Array]
State = Any  # None, h (N, H), or (h, c) for the LSTM


def _gate(a: jax.Array) -> jax.Array:
    """The logistic function as the NumPy engine's gated cells write it: 0.5 (1 + tanh(a/2))."""
    return 0.5 * (1.0 + jnp.tanh(0.5 * a))


ACTIVATIONS: dict[str, Callable[[jax.Array], jax.Array]] = {"tanh": jnp.tanh, "sigmoid": jax.nn.sigmoid}


def project(p: Params, xs: jax.Array, bias: bool) -> jax.Array:
    a = xs @ p["W_xh"]  # (N, L, G)
    return a + p["b_h"] if bias else a


class ElmanCell:
    """h_t = act(x_t @ W_xh + h_{t-1} @ W_hh + b_h)."""

    def __init__(self, activation: str, bias: bool) -> None:
        self.act, self.bias = ACTIVATIONS[activation], bias

    def project(self, p: Params, xs: jax.Array) -> jax.Array:
        return project(p, xs, self.bias)

    def step(self, p: Params, a_t: jax.Array, state: State) -> tuple[jax.Array, State]:
        h = self.act(a_t if state is None else a_t + state @ p["W_hh"])
        return h, h

    def zero_state(self, n: int, hidden: int, dtype: Any) -> State:
        return jnp.zeros((n, hidden), dtype)


class LSTMCell:
    """c_t = f*c + i*g, h_t = o*tanh(c_t); gates [i, f, g, o]. State (h, c)."""

    def __init__(self, bias: bool) -> None:
        self.bias = bias

    def project(self, p: Params, xs: jax.Array) -> jax.Array:
        return project(p, xs, self.bias)

    def step(self, p: Params, a_t: jax.Array, state: State) -> tuple[jax.Array, State]:
        h_prev, c_prev = (None, None) if state is None else state
        z = a_t if h_prev is None else a_t + h_prev @ p["W_hh"]  # (N, 4H)
        n = z.shape[-1] // 4
        i, f, o = _gate(z[..., :n]), _gate(z[..., n:2 * n]), _gate(z[..., 3 * n:])
        g = jnp.tanh(z[..., 2 * n:3 * n])
        c = i * g if c_prev is None else f * c_prev + i * g
        h = o * jnp.tanh(c)
        return h, (h, c)

    def zero_state(self, n: int, hidden: int, dtype: Any) -> State:
        return jnp.zeros((n, hidden), dtype), jnp.zeros((n, hidden), dtype)


class GRUCell:
    """torch's GRU: gates [r, z, n]; n = tanh(x W_in + b_in + r*(h W_hn + b_hn)); h' = (1-z) n + z h."""

    def __init__(self, bias: bool) -> None:
        self.bias = bias

    def project(self, p: Params, xs: jax.Array) -> jax.Array:
        return project(p, xs, self.bias)

    def step(self, p: Params, a_t: jax.Array, state: State) -> tuple[jax.Array, State]:
        n = a_t.shape[-1] // 3
        if state is None:
            rz = a_t[..., :2 * n]
            hn = jnp.broadcast_to(p["b_hn"], a_t[..., :n].shape) if self.bias else jnp.zeros_like(a_t[..., :n])
        else:
            hh = state @ p["W_hh"]  # (N, 3H)
            rz = a_t[..., :2 * n] + hh[..., :2 * n]
            hn = hh[..., 2 * n:] + p["b_hn"] if self.bias else hh[..., 2 * n:]
        gates = _gate(rz)
        r, z = gates[..., :n], gates[..., n:]
        cand = jnp.tanh(a_t[..., 2 * n:] + r * hn)
        h = (1.0 - z) * cand if state is None else (1.0 - z) * cand + z * state
        return h, h

    def zero_state(self, n: int, hidden: int, dtype: Any) -> State:
        return jnp.zeros((n, hidden), dtype)


Cell = ElmanCell | LSTMCell | GRUCell


def make_cell(name: str, activation: str, bias: bool) -> Cell:
    if name == "elman":
        return ElmanCell(activation, bias)
    if name == "lstm":
        return LSTMCell(bias)
    if name == "gru":
        return GRUCell(bias)
    raise ValueError(f"unknown cell {name!r}; available: elman, lstm, gru")
