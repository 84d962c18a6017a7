"""safetensors: rnnlab's own tensors by name, float32, with metadata that says how to use them.

Tensor names are params.npz's (rnnlab.core.init): W_xh, W_hh, b_h, b_hn (GRU), with
``_l{k}`` for layer k >= 1, then W_hy, b_y. The metadata (strings, as safetensors keeps
it) names the cell, sizes and flags, the gate order, the row-vector convention and each
tensor's shape in words, so a reader in any framework (docs/export.md shows Flux.jl)
needs nothing else. ``spec_of`` reads a ModelSpec back from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rnnlab.core.init import GATES as GATE_COUNT
from rnnlab.errors import UserError
from rnnlab.export import deps
from rnnlab.export.gates import GATES
from rnnlab.export.reference import Inputs, Outputs, rnnlab_outputs
from rnnlab.export.source import ExportModel
from rnnlab.spec import ModelSpec

FILE = "model.safetensors"
FORMAT = "rnnlab-rnn/1"
CONVENTION = ("row vectors, batch first: a_t = x_t @ W_xh + h_{t-1} @ W_hh + b_h (input (N, D) -> gates (N, G*H)); "
              "y = h @ W_hy + b_y")
CELL_EQUATIONS = {
    "elman": "h_t = act(a_t)",
    "lstm": "i, f, g, o = blocks of a_t; c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g); h_t = sigmoid(o) * tanh(c_t)",
    "gru": "r, z = sigmoid of the r and z blocks of a_t; n = tanh(x_t @ W_xh[:, n] + b_h[n] + r * (h_{t-1} @ "
           "W_hh[:, n] + b_hn)); h_t = (1 - z) * n + z * h_{t-1}",
}
_SIZES = ("input_size", "hidden", "output_size", "layers")
_FLAGS = ("bias", "readout_bias")


def check(spec: ModelSpec) -> None:
    """Every rnnlab model has a safetensors form: nothing to refuse."""


def metadata(spec: ModelSpec, label: str) -> dict[str, str]:
    g = f"{GATE_COUNT[spec.cell]}*hidden" if spec.cell != "elman" else "hidden"
    shapes = {"W_xh": f"(input_size, {g})", "W_hh": f"(hidden, {g})", "b_h": f"({g},)", "b_hn": "(hidden,)",
              "W_xh_l{k}": f"(hidden, {g})", "W_hh_l{k}": f"(hidden, {g})", "b_h_l{k}": f"({g},)",
              "b_hn_l{k}": "(hidden,)", "W_hy": "(hidden, output_size)", "b_y": "(output_size,)"}
    return {"format": FORMAT, "source": label, "cell": spec.cell, "activation": spec.activation,
            **{key: str(getattr(spec, key)) for key in _SIZES},
            **{key: str(getattr(spec, key)).lower() for key in _FLAGS},
            "readout": spec.readout, "gates": ",".join(GATES[spec.cell]), "convention": CONVENTION,
            "cell_equations": CELL_EQUATIONS[spec.cell], "shapes": json.dumps(shapes)}


def spec_of(meta: dict[str, str], where: str) -> ModelSpec:
    """The ModelSpec an rnnlab safetensors file describes (UserError for any other file)."""
    if meta.get("format") != FORMAT:
        raise UserError(f"{where}: not a model exported by rnnlab (its metadata has no format={FORMAT})")
    try:
        return ModelSpec(meta["cell"], meta["activation"], *(int(meta[key]) for key in ("input_size", "hidden",
                         "output_size")), meta["bias"] == "true", meta["readout_bias"] == "true", meta["readout"],
                         int(meta["layers"]))
    except (KeyError, ValueError) as err:
        raise UserError(f"{where}: its rnnlab metadata is incomplete ({err}); export the model again") from err


def write(model: ExportModel, folder: Path) -> list[Path]:
    st = deps.need("safetensors.numpy", "safetensors", "exporting to safetensors")
    tensors = {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in model.params.items()}
    st.save_file(tensors, str(folder / FILE), metadata=metadata(model.spec, model.label))
    return [folder / FILE]


def read(path: Path) -> tuple[ModelSpec, dict[str, np.ndarray]]:
    """The spec (from the metadata) and the tensors of an rnnlab safetensors file."""
    safetensors = deps.need("safetensors", "safetensors", f"reading {path}")
    try:
        with safetensors.safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except (OSError, safetensors.SafetensorError) as err:
        raise UserError(f"{path}: cannot read it as safetensors ({err})") from err
    return spec_of(meta, str(path)), tensors


def load(folder: Path, spec: ModelSpec) -> Callable[[Inputs], Outputs]:
    """The file read back by the safetensors library, its model rebuilt from the metadata
    alone (which must describe `spec`) and run with rnnlab's arithmetic."""
    described, tensors = read(folder / FILE)
    if described != spec:
        raise ValueError(f"the metadata describes {described}, not {spec}")
    return lambda inputs: rnnlab_outputs(described, tensors, inputs)
