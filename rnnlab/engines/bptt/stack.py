"""Stacked recurrent layers: layer k runs over layer k-1's hidden states.

Each layer sees its own parameters under the first layer's names (a view of the shared
dict, see rnnlab.core.init for the ``_l{k}`` suffixes), so cells never know their depth.
With one layer this is exactly the plain unroll.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.core.init import layer_suffix
from rnnlab.engines.bptt.products import matmul_last
from rnnlab.engines.bptt.unroll import backward, forward, state_grads

Params = dict[str, np.ndarray]
_LAYER_NAMES = ("W_xh", "W_hh", "b_h", "b_hn")


class Stack:
    """`layers` copies of `cell`. State: None (zeros) or a list with one state per layer."""

    def __init__(self, cell: Any, layers: int) -> None:
        self.cell, self.layers = cell, layers

    @staticmethod
    def layer_view(p: Params, k: int) -> Params:
        if k == 0:  # the first layer's names are the plain ones: the dict itself serves
            return p
        s = layer_suffix(k)
        return {name: p[name + s] for name in _LAYER_NAMES if name + s in p}

    def forward(self, p: Params, xs: np.ndarray, state: list[Any] | None
                ) -> tuple[np.ndarray, list[Any], list[tuple[np.ndarray, list[Any]]]]:
        """xs (N, L, D) -> top hidden states (N, L, H), final states, per-layer caches."""
        finals, caches = [], []
        for k in range(self.layers):
            hs, final, cache = forward(self.cell, self.layer_view(p, k), xs, None if state is None else state[k])
            finals.append(final)
            caches.append((xs, cache))
            xs = hs
        return xs, finals, caches

    def backward(self, p: Params, caches: list[tuple[np.ndarray, list[Any]]], dhs: np.ndarray,
                 grads: Params) -> None:
        """Backpropagate dhs (N, L, H) at the top layer's states down through every layer."""
        for k in reversed(range(self.layers)):
            xs, cache = caches[k]
            _, dhs = backward(self.cell, self.layer_view(p, k), xs, cache, dhs, self.layer_view(grads, k),
                              input_grad=k > 0)

    def state_grads(self, p: Params, caches: list[tuple[np.ndarray, list[Any]]], dhs: np.ndarray) -> list[np.ndarray]:
        """The loss gradient reaching every layer's h_t, (N, L, H) per layer, first layer
        first, for dhs (N, L, H) at the top layer's states. Weight gradients are computed
        on the way (the cells accumulate them) and dropped."""
        scratch = {name: np.zeros(value.shape, value.dtype) for name, value in p.items()}
        out = []
        for k in reversed(range(self.layers)):
            reaching, da = state_grads(self.cell, self.layer_view(p, k), caches[k][1], dhs, self.layer_view(scratch, k))
            out.append(reaching)
            dhs = matmul_last(da, self.layer_view(p, k)["W_xh"].mT)
        return out[::-1]
