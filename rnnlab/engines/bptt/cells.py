"""Recurrent cells for the NumPy engine: each forward step sits beside its backward step.

Cell contract (so one unroll serves every cell):
  project(p, xs)                  inputs of all steps at once: (N, L, D) -> (N, L, G)
  step(p, a_t, state) -> (h, state, cache)
  step_back(p, cache, dh, dstate, grads) -> (da_t, dstate_prev)   accumulates recurrent grads
  project_back(p, xs, da, grads)  input weight grads from all steps at once
A `state` of None means the zero state (nothing to multiply); the state may be a tuple
(LSTM's (h, c)). `dh` is the gradient reaching h_t from outside the recurrence, `dstate`
the one from step t + 1 (None at the last step). Gated cells live in gated.py.
Every array may carry leading member axes (an ensemble, see products.py): cells index
features from the end and transpose with ``.mT``, so they never see them.
"""

from __future__ import annotations

import numpy as np

from rnnlab.core.activations import ACTIVATIONS
from rnnlab.engines.bptt.gated import GRUCell, LSTMCell
from rnnlab.engines.bptt.products import broadcast_bias, matmul_last, sum_outer

Params = dict[str, np.ndarray]


class ElmanCell:
    """h_t = act(x_t @ W_xh + h_{t-1} @ W_hh + b_h). Shapes: x_t (N, D), h (N, H)."""

    def __init__(self, activation: str, bias: bool) -> None:
        self.act, self.act_grad = ACTIVATIONS[activation]
        self.bias = bias

    def project(self, p: Params, xs: np.ndarray) -> np.ndarray:
        a = matmul_last(xs, p["W_xh"])  # (N, L, H)
        if self.bias:
            a += broadcast_bias(p["b_h"], a)
        return a

    def project_back(self, p: Params, xs: np.ndarray, da: np.ndarray, grads: Params) -> None:
        grads["W_xh"] += sum_outer(xs, da, p["W_xh"].shape[:-2])
        if self.bias:
            grads["b_h"] += da.sum(axis=(-3, -2))

    def step(self, p: Params, a_t: np.ndarray, state: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray | None, np.ndarray]]:
        pre = a_t if state is None else a_t + state @ p["W_hh"]
        h = self.act(pre)
        return h, h, (state, h)

    def step_back(self, p: Params, cache: tuple[np.ndarray | None, np.ndarray], dh: np.ndarray,
                  dstate: np.ndarray | None, grads: Params) -> tuple[np.ndarray, np.ndarray | None]:
        h_prev, h = cache
        if dstate is not None:
            dh = dh + dstate
        da = dh * self.act_grad(h)  # (N, H)
        if h_prev is None:
            return da, None
        grads["W_hh"] += h_prev.mT @ da
        return da, da @ p["W_hh"].mT


def make_cell(name: str, activation: str, bias: bool) -> ElmanCell | GRUCell | LSTMCell:
    """The cell called `name`; `activation` applies to Elman only (gates have their own)."""
    if name == "elman":
        return ElmanCell(activation, bias)
    if name == "lstm":
        return LSTMCell(bias)
    if name == "gru":
        return GRUCell(bias)
    raise ValueError(f"unknown cell {name!r}; available: elman, lstm, gru")

