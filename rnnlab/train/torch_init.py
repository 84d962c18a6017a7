"""Initial parameters drawn from torch's generator: the original programs' own draws.

Only imported when a recipe asks for ``init.rng = "torch"`` (or the torch engine runs
with ``init.rng = "engine"``), so plain NumPy use never needs torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.core.init import layer_suffix
from rnnlab.errors import UserError
from rnnlab.spec import ModelSpec

Params = dict[str, np.ndarray]


def torch_params(scheme: str, seed: int, spec: ModelSpec, std: float, readout_std: float) -> Params:
    """Seed torch with `seed` and draw in the original programs' order (float32, CPU)."""
    try:
        import torch
    except ModuleNotFoundError:
        raise UserError('the torch engine (or init.rng="torch") needs torch: pip install "rnnlab[torch]"') from None
    torch.manual_seed(seed)
    d, h, o = spec.input_size, spec.hidden, spec.output_size
    if scheme == "normal":  # the Elman tutorial: w1 on concat(x, h), then w2
        w1 = torch.empty(d + h, h).normal_(0.0, std)
        w2 = torch.empty(h, o).normal_(0.0, readout_std)
        params = {"W_xh": w1[:d], "W_hh": w1[d:], "W_hy": w2}
        zeros = {"b_h": torch.zeros(h), "b_y": torch.zeros(o)}
        params.update({k: v for k, v in zeros.items() if k in spec.param_shapes})
    elif scheme == "torch_default":  # the primer: the recurrent module, then Linear, in that order
        params = _module_weights(torch, spec)
    else:
        raise UserError(f'init.scheme="{scheme}" draws from NumPy only; set init.rng="numpy"')
    with torch.no_grad():
        return {k: np.ascontiguousarray(v.detach().numpy()) for k, v in params.items()}


def _module_weights(torch: Any, spec: ModelSpec) -> dict[str, Any]:
    """Build torch's own modules and read their weights into the shared layout.

    One Elman layer is the primer's ``RNNCell`` (its nonlinearity does not change the
    draws); otherwise ``nn.RNN/LSTM/GRU(num_layers=layers)``. Both draw weight_ih,
    weight_hh, bias_ih, bias_hh per layer, then ``Linear`` draws its weight and bias.
    Biases fold as rnnlab.core.init documents (GRU keeps n's hidden bias apart).
    """
    d, h, o = spec.input_size, spec.hidden, spec.output_size
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    if spec.cell == "elman" and spec.layers == 1:
        cell = torch.nn.RNNCell(d, h, bias=spec.bias)
        layers = [tuple(getattr(cell, n, None) for n in names)]
    else:
        kind = {"elman": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[spec.cell]
        rnn = kind(d, h, num_layers=spec.layers, bias=spec.bias)
        layers = [tuple(getattr(rnn, f"{n}_l{k}", None) for n in names) for k in range(spec.layers)]
    linear = torch.nn.Linear(h, o, bias=spec.readout_bias)
    params = {}
    for k, (w_ih, w_hh, b_ih, b_hh) in enumerate(layers):
        s = layer_suffix(k)
        params[f"W_xh{s}"], params[f"W_hh{s}"] = w_ih.T, w_hh.T
        if spec.bias and spec.cell == "gru":
            params[f"b_h{s}"] = torch.cat([b_ih[:2 * h] + b_hh[:2 * h], b_ih[2 * h:]])
            params[f"b_hn{s}"] = b_hh[2 * h:]
        elif spec.bias:
            params[f"b_h{s}"] = b_ih + b_hh
    params["W_hy"] = linear.weight.T
    if spec.readout_bias:
        params["b_y"] = linear.bias
    return params
