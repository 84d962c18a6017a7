"""The RNN primer's hand-derived gradient: forward accumulation with 2-D running matrices.

For each recurrent weight M the primer keeps one matrix R_M shaped like M and updates
it every step with ``R <- diag(s'(t)) W R + outer(s'(t), input_t)``, then scales its rows
by ``V^T g``. The true sensitivity ds/dM has three indices; keeping two drops the
off-diagonal terms, so this is exact for one step and approximate after that. Kept
as a named option to reproduce the primer; the engines default to exact BPTT.
"""

from __future__ import annotations

import numpy as np

from rnnlab.engines.bptt.cells import ElmanCell

Params = dict[str, np.ndarray]


def primer_approx_grads(cell: ElmanCell, p: Params, xs: np.ndarray, hs: np.ndarray,
                        g: np.ndarray) -> Params:
    """Gradients of the readout of the last state, summed over the batch.

    Shapes: xs (N, L, D) inputs, hs (N, L, H) states, g (N, O) loss gradient at y.
    Written in the primer's column convention (W = W_hh.T, U = W_xh.T, V = W_hy.T) and
    returned in the row layout every engine exchanges.
    """
    n, steps, d = xs.shape
    h = hs.shape[2]
    w = p["W_hh"].T  # (H, H): s_t = act(U x_t + W s_{t-1})
    r_u = np.zeros((n, h, d), dtype=hs.dtype)
    r_w = np.zeros((n, h, h), dtype=hs.dtype)
    s_prev = np.zeros((n, h), dtype=hs.dtype)
    for t in range(steps):
        s = hs[:, t]
        ds = cell.act_grad(s)[:, :, None]  # (N, H, 1): diag(s') as a row scale
        r_u = ds * (w @ r_u) + ds * xs[:, t, None, :]
        r_w = ds * (w @ r_w) + ds * s_prev[:, None, :]
        s_prev = s
    scale = (g @ p["W_hy"].T)[:, :, None]  # (N, H, 1): V^T g per sample
    return {
        "W_xh": (scale * r_u).sum(axis=0).T,
        "W_hh": (scale * r_w).sum(axis=0).T,
        "W_hy": hs[:, -1].T @ g,
    }
