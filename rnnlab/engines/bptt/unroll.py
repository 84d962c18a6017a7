"""One generic unroll over time for any cell, and its backpropagation through time.

Time is the second-to-last axis of every sequence, so arrays may carry leading member axes."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.engines.bptt.products import matmul_last

Params = dict[str, np.ndarray]


def forward(cell: Any, p: Params, xs: np.ndarray, state: Any) -> tuple[np.ndarray, Any, list[Any]]:
    """Run the cell over xs (N, L, D) from `state` (None: zeros).

    Returns hs (N, L, H), the final state, and the per-step caches for `backward`.
    """
    a = cell.project(p, xs)  # (N, L, G)
    hs = np.empty(xs.shape[:-1] + p["W_hh"].shape[-2:-1], dtype=a.dtype)
    caches = []
    for t in range(xs.shape[-2]):
        hs[..., t, :], state, cache = cell.step(p, a[..., t, :], state)
        caches.append(cache)
    return hs, state, caches


def backward(cell: Any, p: Params, xs: np.ndarray, caches: list[Any], dhs: np.ndarray,
             grads: Params, *, input_grad: bool = False) -> tuple[Any, np.ndarray | None]:
    """Backpropagate dhs (N, L, H) — the loss gradient reaching each h_t from outside
    the recurrence — through all steps, accumulating into `grads`.

    Returns the gradient reaching the initial state (None if it was the zero state) and,
    if `input_grad`, the gradient reaching the inputs xs (N, L, D) (for stacked layers).
    """
    da = np.empty(dhs.shape[:-1] + p["W_hh"].shape[-1:], dtype=dhs.dtype)  # (N, L, G)
    carry = None  # gradient flowing into the state of step t from step t + 1
    for t in reversed(range(len(caches))):
        da[..., t, :], carry = cell.step_back(p, caches[t], dhs[..., t, :], carry, grads)
    cell.project_back(p, xs, da, grads)
    return carry, (matmul_last(da, p["W_xh"].mT) if input_grad else None)


def state_grads(cell: Any, p: Params, caches: list[Any], dhs: np.ndarray,
                grads: Params) -> tuple[np.ndarray, np.ndarray]:
    """The same backward pass as `backward`, keeping what it otherwise drops: the total
    loss gradient reaching each h_t, from outside the recurrence and from step t + 1.

    Returns that gradient (N, L, H) and the gradient of the pre-activations da (N, L, G),
    from which the caller can continue into the layer's input. The carry is h's gradient
    itself or, for a state tuple (LSTM's (h, c)), its first element.
    """
    reaching = np.empty_like(dhs)
    da = np.empty(dhs.shape[:-1] + p["W_hh"].shape[-1:], dtype=dhs.dtype)
    carry = None
    for t in reversed(range(len(caches))):
        dh = dhs[..., t, :]
        reaching[..., t, :] = dh if carry is None else dh + (carry[0] if isinstance(carry, tuple) else carry)
        da[..., t, :], carry = cell.step_back(p, caches[t], dh, carry, grads)
    return reaching, da
