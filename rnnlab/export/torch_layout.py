"""rnnlab's layout <-> a PyTorch state_dict of nn.RNN/LSTM/GRU + nn.Linear, as NumPy arrays.

torch keeps column-vector weights, weight_ih_l{k} (G·H, D) and weight_hh_l{k} (G·H, H), the
transposes of rnnlab's W_xh and W_hh, in the same gate order (i,f,g,o; r,z,n). It keeps two
biases per gate where rnnlab keeps their sum: the export puts that sum in bias_ih and zeros in
bias_hh, except GRU's n gate, whose hidden bias b_hn goes to bias_hh (it sits inside
r * (h W_hn + b_hn), so it cannot be folded). The import folds them back.
"""

from __future__ import annotations

import numpy as np

from rnnlab.core.init import layer_suffix
from rnnlab.spec import ModelSpec

Params = dict[str, np.ndarray]
RNN, READOUT = "rnn", "readout"  # the module names the exported state_dict uses


def to_state_dict(spec: ModelSpec, params: Params) -> Params:
    """rnnlab's parameters as the state_dict of ``rnn`` (nn.RNN/LSTM/GRU) and ``readout`` (nn.Linear)."""
    out: Params = {}
    for k in range(spec.layers):
        s = layer_suffix(k)
        out[f"{RNN}.weight_ih_l{k}"] = params[f"W_xh{s}"].T
        out[f"{RNN}.weight_hh_l{k}"] = params[f"W_hh{s}"].T
        if spec.bias:
            out[f"{RNN}.bias_ih_l{k}"] = params[f"b_h{s}"]
            hidden = np.zeros_like(params[f"b_h{s}"])
            if spec.cell == "gru":
                hidden[2 * spec.hidden:] = params[f"b_hn{s}"]
            out[f"{RNN}.bias_hh_l{k}"] = hidden
    out[f"{READOUT}.weight"] = params["W_hy"].T
    if spec.readout_bias:
        out[f"{READOUT}.bias"] = params["b_y"]
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in out.items()}


def from_layers(spec: ModelSpec, layers: list[dict[str, np.ndarray]], weight: np.ndarray,
                bias: np.ndarray | None) -> Params:
    """torch's tensors (per layer: weight_ih, weight_hh, [bias_ih, bias_hh]; the Linear's
    weight and bias) folded into rnnlab's layout."""
    h = spec.hidden
    params: Params = {}
    for k, layer in enumerate(layers):
        s = layer_suffix(k)
        params[f"W_xh{s}"] = layer["weight_ih"].T
        params[f"W_hh{s}"] = layer["weight_hh"].T
        if spec.bias:
            b_ih, b_hh = layer["bias_ih"], layer["bias_hh"]
            if spec.cell == "gru":
                params[f"b_h{s}"] = np.concatenate([b_ih[:2 * h] + b_hh[:2 * h], b_ih[2 * h:]])
                params[f"b_hn{s}"] = b_hh[2 * h:]
            else:
                params[f"b_h{s}"] = b_ih + b_hh
    params["W_hy"] = weight.T
    if bias is not None:
        params["b_y"] = bias
    return {name: np.ascontiguousarray(value) for name, value in params.items()}
