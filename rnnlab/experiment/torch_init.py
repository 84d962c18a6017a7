"""Initial parameters drawn from torch's generator: the original programs' own draws.

Only imported when a recipe asks for ``init.rng = "torch"`` (or the torch engine runs
with ``init.rng = "engine"``), so plain NumPy use never needs torch.
"""

from __future__ import annotations

import numpy as np

from rnnlab.errors import UserError
from rnnlab.model import ModelSpec

Params = dict[str, np.ndarray]


def torch_params(scheme: str, seed: int, spec: ModelSpec, std: float, readout_std: float) -> Params:
    """Seed torch with `seed` and draw in the original programs' order (float32, CPU)."""
    try:
        import torch
    except ModuleNotFoundError:
        raise UserError('init.rng="torch" needs torch: pip install "rnnlab[torch]"') from None
    torch.manual_seed(seed)
    d, h, o = spec.input_size, spec.hidden, spec.output_size
    if scheme == "normal":  # the Elman tutorial: w1 on concat(x, h), then w2
        w1 = torch.empty(d + h, h).normal_(0.0, std)
        w2 = torch.empty(h, o).normal_(0.0, readout_std)
        params = {"W_xh": w1[:d], "W_hh": w1[d:], "W_hy": w2}
        zeros = {"b_h": torch.zeros(h), "b_y": torch.zeros(o)}
        params.update({k: v for k, v in zeros.items() if k in spec.param_shapes})
    elif scheme == "torch_default":  # the primer: RNNCell, then Linear, built in that order
        cell = torch.nn.RNNCell(d, h, bias=spec.bias, nonlinearity=spec.activation)
        linear = torch.nn.Linear(h, o, bias=spec.readout_bias)
        params = {"W_xh": cell.weight_ih.T, "W_hh": cell.weight_hh.T, "W_hy": linear.weight.T}
        if spec.bias:
            params["b_h"] = cell.bias_ih + cell.bias_hh
        if spec.readout_bias:
            params["b_y"] = linear.bias
    else:
        raise UserError(f'init.scheme="{scheme}" draws from NumPy only; set init.rng="numpy"')
    with torch.no_grad():
        return {k: np.ascontiguousarray(v.detach().numpy()) for k, v in params.items()}
