"""Initial parameters drawn with NumPy, in the layout every engine exchanges.

Layout (row vectors, batch first): ``h_t = act(x_t @ W_xh + h_{t-1} @ W_hh + b_h)``,
``y = h @ W_hy + b_y``. Shapes: W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, O), b_y (O,).
Biases are present only when the model has them.

Gated cells stack their gates' columns side by side, in torch's order:
  lstm  W_xh (D, 4H), W_hh (H, 4H), b_h (4H,)   gates [i, f, g, o];
        b_h is torch's bias_ih + bias_hh.
  gru   W_xh (D, 3H), W_hh (H, 3H), b_h (3H,)   gates [r, z, n]; b_h holds
        bias_ih + bias_hh for r and z but bias_ih alone for n, and
        b_hn (H,) is bias_hh of n, which sits inside r * (h @ W_hn + b_hn).
Stacked layers: layer 0 uses the names above; layer k >= 1 appends ``_l{k}``
(W_xh_l1 (H, G), W_hh_l1, b_h_l1, b_hn_l1) and takes layer k-1's h as its input.
Order of the dict: layer 0, layer 1, ..., then W_hy, b_y.
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


GATES = {"elman": 1, "lstm": 4, "gru": 3}


def layer_suffix(layer: int) -> str:
    """'' for the first layer, '_l{k}' after it (see the module docstring)."""
    return "" if layer == 0 else f"_l{layer}"


def recurrent_shapes(cell: str, d: int, h: int, o: int, layers: int, bias: bool,
                     readout_bias: bool) -> dict[str, tuple[int, ...]]:
    """Every parameter's name and shape, in the layout's order."""
    g = GATES[cell] * h
    shapes: dict[str, tuple[int, ...]] = {}
    for k in range(layers):
        s = layer_suffix(k)
        shapes[f"W_xh{s}"] = (d if k == 0 else h, g)
        shapes[f"W_hh{s}"] = (h, g)
        if bias:
            shapes[f"b_h{s}"] = (g,)
            if cell == "gru":
                shapes[f"b_hn{s}"] = (h,)
    shapes["W_hy"] = (h, o)
    if readout_bias:
        shapes["b_y"] = (o,)
    return shapes


def torch_default_stacked(seed: int, cell: str, d: int, h: int, o: int, layers: int, bias: bool,
                          readout_bias: bool) -> Params:
    """torch's default for ``nn.RNN/LSTM/GRU(num_layers=layers)`` then ``Linear``, from NumPy.

    Every recurrent tensor is uniform in +-1/sqrt(H), drawn layer by layer in the order
    weight_ih, weight_hh, bias_ih, bias_hh (as torch lists them); biases are then folded
    into the layout (see the module docstring). For one Elman layer this is exactly
    ``torch_default``.
    """
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(h)
    g = GATES[cell] * h
    params: Params = {}
    for layer in range(layers):
        s, fan_in = layer_suffix(layer), d if layer == 0 else h
        params[f"W_xh{s}"] = rng.uniform(-k, k, size=(g, fan_in)).T
        params[f"W_hh{s}"] = rng.uniform(-k, k, size=(g, h)).T
        if bias:
            b_ih, b_hh = rng.uniform(-k, k, size=g), rng.uniform(-k, k, size=g)
            if cell == "gru":  # n's hidden bias stays apart: it is gated by r
                params[f"b_h{s}"] = np.concatenate([b_ih[:2 * h] + b_hh[:2 * h], b_ih[2 * h:]])
                params[f"b_hn{s}"] = b_hh[2 * h:]
            else:
                params[f"b_h{s}"] = b_ih + b_hh
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
