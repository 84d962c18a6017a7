"""Read a PyTorch state_dict of nn.RNN/LSTM/GRU (or RNNCell/LSTMCell/GRUCell) + one nn.Linear.

The tensors say the sizes, the depth, whether there are biases and, by the number of gate
blocks (1, 3 or 4), the cell. They do not say nn.RNN's nonlinearity (rnnlab takes tanh,
torch's default) nor which steps the Linear reads (`readout`: the last step's state, or
every step's).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from rnnlab.core.init import GATES
from rnnlab.errors import UserError
from rnnlab.export import deps
from rnnlab.export.torch_layout import from_layers
from rnnlab.spec import ModelSpec

Params = dict[str, np.ndarray]
_RECURRENT = re.compile(r"^(?P<prefix>.*?)(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?:_l(?P<layer>\d+))?"
                        r"(?P<rest>.*)$")
_CELLS = {count: cell for cell, count in GATES.items()}


def load_state_dict(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a file written by ``torch.save(model.state_dict(), path)``, float64."""
    torch = deps.need("torch", "torch", f"importing {path.name}")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except Exception:  # noqa: BLE001 - torch raises many kinds for a file it cannot unpickle safely
        raise UserError(f"{path}: torch cannot load it as a plain state_dict (weights_only=True refuses it: a "
                        f"pickled module, or not a torch file); save one with "
                        f"torch.save(model.state_dict(), '{path.name}')") from None
    if not isinstance(raw, dict) or not all(isinstance(v, torch.Tensor) for v in raw.values()):
        raise UserError(f"{path}: holds {type(raw).__name__}, not a state_dict of tensors; save one with "
                        f"torch.save(model.state_dict(), '{path.name}')")
    return {str(k): v.detach().to(torch.float64).numpy() for k, v in raw.items()}


def parse(tensors: dict[str, np.ndarray], where: str, readout: str, cell: str | None) -> tuple[ModelSpec, Params]:
    """The model `tensors` hold, in rnnlab's layout (UserError for anything else)."""
    layers: dict[int, dict[str, np.ndarray]] = {}
    prefixes, rest = set(), {}
    for name, value in tensors.items():
        m = _RECURRENT.match(name)
        if not m:
            rest[name] = value
            continue
        if m["rest"] == "_reverse":
            raise UserError(f"{where}: a bidirectional module ({name}); rnnlab's models run forward only")
        if m["kind"] == "weight_hr" or m["rest"]:
            raise UserError(f"{where}: {name} is no tensor of a plain nn.RNN/LSTM/GRU (proj_size is not supported)")
        prefixes.add(m["prefix"])
        layers.setdefault(int(m["layer"] or 0), {})[m["kind"]] = value
    if len(prefixes) != 1:
        found = "no recurrent module" if not prefixes else f"{len(prefixes)} recurrent modules"
        raise UserError(f"{where}: {found}; rnnlab imports one nn.RNN, nn.LSTM or nn.GRU (its weight_ih_l0, "
                        "weight_hh_l0, ...) and one nn.Linear")
    if sorted(layers) != list(range(len(layers))) or any("weight_ih" not in layer or "weight_hh" not in layer
                                                         for layer in layers.values()):
        raise UserError(f"{where}: the recurrent layers' weights are incomplete (layers {sorted(layers)})")
    first = layers[0]
    h = first["weight_hh"].shape[1]
    count = first["weight_hh"].shape[0] // h
    found = _CELLS.get(count) if first["weight_hh"].shape[0] == count * h else None
    if found is None:
        raise UserError(f"{where}: weight_hh has shape {first['weight_hh'].shape}, not (1, 3 or 4 gates x H, H)")
    if cell is not None and cell != found:
        raise UserError(f"{where}: holds cell {found} ({count} gate block{'s' if count > 1 else ''} of {h} units), "
                        f"not {cell}; leave out the cell or name {found}")
    weight, bias = _linear(rest, where, h)
    biases = {("bias_ih" in layer, "bias_hh" in layer) for layer in layers.values()}
    if len(biases) != 1 or len(set(biases.pop())) != 1:
        raise UserError(f"{where}: incomplete biases; rnnlab imports layers that all have both bias_ih and "
                        "bias_hh, or none")
    spec = ModelSpec(found, "tanh", first["weight_ih"].shape[1], h, weight.shape[0], "bias_ih" in first,
                     bias is not None, readout, len(layers))
    params = from_layers(spec, [layers[k] for k in range(len(layers))], weight, bias)
    _check_shapes(spec, params, where)
    return spec, params


def _linear(rest: dict[str, np.ndarray], where: str, h: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The one nn.Linear reading the hidden state: `<prefix>weight` (O, H), optional `<prefix>bias` (O,)."""
    weights = [name for name, value in rest.items() if name.endswith("weight") and value.ndim == 2
               and value.shape[1] == h]
    if len(weights) != 1:
        raise UserError(f"{where}: {'no' if not weights else len(weights)} nn.Linear reading the {h} hidden units "
                        f"({', '.join(weights) or 'none'}); rnnlab imports one readout Linear")
    bias_name = weights[0][:-len("weight")] + "bias"
    other = sorted(set(rest) - {weights[0], bias_name})
    if other:
        raise UserError(f"{where}: tensors rnnlab's model has no place for ({', '.join(other[:4])}"
                        f"{', ...' if len(other) > 4 else ''}); it imports nn.RNN/LSTM/GRU + one nn.Linear")
    return rest[weights[0]], rest.get(bias_name)


def _check_shapes(spec: ModelSpec, params: Params, where: str) -> None:
    for name, shape in spec.param_shapes.items():
        if name not in params or params[name].shape != shape:
            got = params[name].shape if name in params else "nothing"
            raise UserError(f"{where}: {name} would have shape {got}, an {spec.cell} of these sizes needs {shape}")
