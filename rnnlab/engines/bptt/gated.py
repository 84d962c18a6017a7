"""LSTM and GRU cells for the NumPy engine, in the cell contract of cells.py.

Gate columns are stacked in torch's order (rnnlab.core.init documents the layout), so
parameters move between engines unchanged. Each step keeps what its backward needs.
Shapes: a_t (N, G) with G = 4H (LSTM) or 3H (GRU), h and c (N, H), each with optional
leading member axes (gates are sliced from the end).
"""

from __future__ import annotations

import numpy as np

from rnnlab.engines.bptt.products import broadcast_bias, matmul_last, sum_outer

Params = dict[str, np.ndarray]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function as 0.5 (1 + tanh(a/2)): one ufunc chain, never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def project(p: Params, xs: np.ndarray, bias: bool) -> np.ndarray:
    """Input part of every gate for all steps at once: (N, L, D) -> (N, L, G)."""
    a = matmul_last(xs, p["W_xh"])
    if bias:
        a += broadcast_bias(p["b_h"], a)
    return a


def project_back(p: Params, xs: np.ndarray, da: np.ndarray, grads: Params, bias: bool) -> None:
    grads["W_xh"] += sum_outer(xs, da, p["W_xh"].shape[:-2])
    if bias:
        grads["b_h"] += da.sum(axis=(-3, -2))


class _GatedCell:
    """What the gated cells share: all gates' inputs projected at once, with or without bias."""

    def __init__(self, bias: bool) -> None:
        self.bias = bias

    def project(self, p: Params, xs: np.ndarray) -> np.ndarray:
        return project(p, xs, self.bias)

    def project_back(self, p: Params, xs: np.ndarray, da: np.ndarray, grads: Params) -> None:
        project_back(p, xs, da, grads, self.bias)


class LSTMCell(_GatedCell):
    """c_t = f*c + i*g, h_t = o*tanh(c_t), gates from x_t @ W_xh + h @ W_hh + b_h. State (h, c)."""

    def step(self, p: Params, a_t: np.ndarray, state: tuple[np.ndarray, np.ndarray] | None
             ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], tuple]:
        h_prev, c_prev = (None, None) if state is None else state
        z = a_t if h_prev is None else a_t + h_prev @ p["W_hh"]  # (N, 4H)
        n = z.shape[-1] // 4
        i, f, o = sigmoid(z[..., :n]), sigmoid(z[..., n:2 * n]), sigmoid(z[..., 3 * n:])
        g = np.tanh(z[..., 2 * n:3 * n])
        c = i * g if c_prev is None else f * c_prev + i * g
        tc = np.tanh(c)
        h = o * tc
        return h, (h, c), (h_prev, c_prev, i, f, g, o, tc)

    def step_back(self, p: Params, cache: tuple, dh: np.ndarray,
                  dstate: tuple[np.ndarray, np.ndarray] | None, grads: Params
                  ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        h_prev, c_prev, i, f, g, o, tc = cache
        if dstate is not None:
            dh = dh + dstate[0]
        dc = dh * o * (1.0 - tc * tc)
        if dstate is not None:
            dc += dstate[1]
        df = np.zeros_like(f) if c_prev is None else dc * c_prev
        dz = np.concatenate([dc * g * i * (1.0 - i), df * f * (1.0 - f),
                             dc * i * (1.0 - g * g), dh * tc * o * (1.0 - o)], axis=-1)  # (N, 4H)
        if h_prev is None:
            return dz, None
        grads["W_hh"] += h_prev.mT @ dz
        return dz, (dz @ p["W_hh"].mT, dc * f)


class GRUCell(_GatedCell):
    """torch's GRU: r, z gates; n = tanh(x W_in + b_in + r*(h W_hn + b_hn)); h' = (1-z) n + z h."""

    def step(self, p: Params, a_t: np.ndarray, state: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray, tuple]:
        n = a_t.shape[-1] // 3
        if state is None:
            rz = a_t[..., :2 * n]
            hn = (np.broadcast_to(broadcast_bias(p["b_hn"], a_t), (*a_t.shape[:-1], n)) if self.bias
                  else np.zeros_like(a_t[..., :n]))
        else:
            hh = state @ p["W_hh"]  # (N, 3H)
            rz = a_t[..., :2 * n] + hh[..., :2 * n]
            hn = hh[..., 2 * n:] + broadcast_bias(p["b_hn"], hh) if self.bias else hh[..., 2 * n:]
        gates = sigmoid(rz)
        r, z = gates[..., :n], gates[..., n:]
        cand = np.tanh(a_t[..., 2 * n:] + r * hn)
        h = (1.0 - z) * cand if state is None else (1.0 - z) * cand + z * state
        return h, h, (state, r, z, cand, hn)

    def step_back(self, p: Params, cache: tuple, dh: np.ndarray, dstate: np.ndarray | None,
                  grads: Params) -> tuple[np.ndarray, np.ndarray | None]:
        h_prev, r, z, cand, hn = cache
        if dstate is not None:
            dh = dh + dstate
        dn = dh * (1.0 - z) * (1.0 - cand * cand)  # at n's pre-activation
        dz = dh * (-cand if h_prev is None else h_prev - cand) * z * (1.0 - z)
        dr = dn * hn * r * (1.0 - r)
        dhn = dn * r  # at h @ W_hn + b_hn
        if self.bias:
            grads["b_hn"] += dhn.sum(axis=-2)
        da = np.concatenate([dr, dz, dn], axis=-1)  # (N, 3H)
        if h_prev is None:
            return da, None
        dhh = np.concatenate([dr, dz, dhn], axis=-1)
        grads["W_hh"] += h_prev.mT @ dhh
        return da, dhh @ p["W_hh"].mT + dh * z
