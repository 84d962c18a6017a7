"""One generic unroll over time for any cell, and its backpropagation through time."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.engines.numpy.cells import ElmanCell

Params = dict[str, np.ndarray]


def forward(cell: ElmanCell, p: Params, xs: np.ndarray, state: np.ndarray | None
            ) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Run the cell over xs (N, L, D) from `state` (None: zeros).

    Returns hs (N, L, H), the final state, and the per-step caches for `backward`.
    """
    a = cell.project(p, xs)  # (N, L, H)
    n, steps, _ = xs.shape
    hs = np.empty((n, steps, p["W_hh"].shape[0]), dtype=a.dtype)
    caches = []
    for t in range(steps):
        hs[:, t], state, cache = cell.step(p, a[:, t], state)
        caches.append(cache)
    return hs, state, caches


def backward(cell: ElmanCell, p: Params, xs: np.ndarray, caches: list[Any], dhs: np.ndarray,
             grads: Params) -> np.ndarray | None:
    """Backpropagate dhs (N, L, H) — the loss gradient reaching each h_t from outside
    the recurrence — through all steps, accumulating into `grads`.

    Returns the gradient reaching the initial state (None if it was the zero state).
    """
    da = np.empty_like(dhs)
    carry = None  # gradient flowing into h_t from step t + 1
    for t in reversed(range(len(caches))):
        dh = dhs[:, t] if carry is None else dhs[:, t] + carry
        da[:, t], carry = cell.step_back(p, caches[t], dh, grads)
    cell.project_back(p, xs, da, grads)
    return carry
