"""Initial parameters drawn with NumPy, in the layout every engine exchanges.

Layout (row vectors, batch first): ``h_t = act(x_t @ W_xh + h_{t-1} @ W_hh + b_h)``,
``y = h @ W_hy + b_y``. Shapes: W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, O), b_y (O,).
Biases are present only when the model has them.
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


def normal(seed: int, d: int, h: int, o: int, std: float, readout_std: float,
           bias: bool, readout_bias: bool) -> Params:
    """The Elman tutorial's scheme: one (D+H, H) block for the cell, then the readout.

    The block is drawn in one call, input rows first, as the tutorial's ``w1`` acting
    on ``concat(x, h)``; biases start at zero.
    """
    rng = np.random.default_rng(seed)
    block = rng.normal(0.0, std, size=(d + h, h))
    params = {"W_xh": block[:d], "W_hh": block[d:], "W_hy": rng.normal(0.0, readout_std, size=(h, o))}
    return _with_biases(params, h, o, bias, readout_bias)


def torch_default(seed: int, d: int, h: int, o: int, bias: bool, readout_bias: bool) -> Params:
    """torch's default for ``RNNCell`` then ``Linear``, drawn from NumPy.

    RNNCell: every tensor uniform in +-1/sqrt(H), in the order weight_ih, weight_hh,
    bias_ih, bias_hh; the two biases act as one, so ``b_h`` is their sum.
    Linear: kaiming_uniform(a=sqrt(5)) is uniform in +-1/sqrt(fan_in), bias likewise.
    """
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(h)
    params = {"W_xh": rng.uniform(-k, k, size=(h, d)).T, "W_hh": rng.uniform(-k, k, size=(h, h)).T}
    if bias:
        params["b_h"] = rng.uniform(-k, k, size=h) + rng.uniform(-k, k, size=h)
    params["W_hy"] = rng.uniform(-k, k, size=(o, h)).T
    if readout_bias:
        params["b_y"] = rng.uniform(-k, k, size=o)
    return {name: np.ascontiguousarray(value) for name, value in params.items()}


def primer(seed: int, d: int, h: int, o: int) -> Params:
    """The RNN primer's scheme: W is the R of a QR, U and V have all singular values 1.

    Drawn from ``default_rng(seed)`` in the order W (H, H), U (H, D), V (O, H), each
    with std ``(rows * cols) ** -0.75``; returned transposed into the row layout.
    """
    rng = np.random.default_rng(seed)
    w = np.linalg.qr(rng.normal(0.0, (h * h) ** -0.75, size=(h, h)))[1]
    u = _orthonormalise(rng.normal(0.0, (h * d) ** -0.75, size=(h, d)))
    v = _orthonormalise(rng.normal(0.0, (o * h) ** -0.75, size=(o, h)))
    return {"W_xh": np.ascontiguousarray(u.T), "W_hh": np.ascontiguousarray(w.T),
            "W_hy": np.ascontiguousarray(v.T)}


def _orthonormalise(m: np.ndarray) -> np.ndarray:
    u, _, vh = np.linalg.svd(m, full_matrices=False)
    return u @ vh


def _with_biases(params: Params, h: int, o: int, bias: bool, readout_bias: bool) -> Params:
    out = {name: np.ascontiguousarray(value) for name, value in params.items()}
    if bias:
        out["b_h"] = np.zeros(h)
    if readout_bias:
        out["b_y"] = np.zeros(o)
    return out


def cast(params: Params, dtype: np.dtype | str) -> Params:
    """Copy every array to `dtype` (engines own their copies)."""
    return {name: np.array(value, dtype=dtype) for name, value in params.items()}
