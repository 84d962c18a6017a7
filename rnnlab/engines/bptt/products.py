"""Matrix products and bias broadcasts shared by the NumPy engine's cells, unroll and readout.

Arrays may carry leading member axes (an ensemble of M models, rnnlab.engines.numpy.ensemble):
parameters (*members, K, H), data and states (*members, N, [L,] K). The helpers read the
member axes off the parameter, so one model and M models run the same code, and each member
gets the very BLAS product a single model would call.
"""

from __future__ import annotations

import numpy as np


def matmul_last(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """a (*members, ..., K) @ w (*members, K, M) -> (*members, ..., M), as ONE 2-D product
    per member.

    Same numbers as ``a @ w``; but NumPy runs a 3-D @ 2-D product as a loop of small
    products over the leading axis, 3-4x slower for the batches here (measured).
    """
    if a.ndim == w.ndim:
        return a @ w
    return (a.reshape(w.shape[:-2] + (-1, a.shape[-1])) @ w).reshape(a.shape[:-1] + w.shape[-1:])


def sum_outer(a: np.ndarray, b: np.ndarray, member_shape: tuple[int, ...]) -> np.ndarray:
    """The sum over samples (and steps) of outer products, a weight's gradient:
    a (*members, ..., K), b (*members, ..., M) -> (*members, K, M), one product a^T b per member."""
    return a.reshape(member_shape + (-1, a.shape[-1])).mT @ b.reshape(member_shape + (-1, b.shape[-1]))


def broadcast_bias(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """A bias (*members, G) shaped to add to a (*members, ..., G): member i's bias on member i's rows."""
    if b.ndim == 1:
        return b
    return b.reshape(b.shape[:-1] + (1,) * (a.ndim - b.ndim) + b.shape[-1:])
