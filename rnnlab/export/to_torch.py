"""PyTorch: a state_dict for nn.RNN/LSTM/GRU + nn.Linear, and the short loader that builds them.

model.pt holds ``rnn.*`` (the recurrent module, batch_first) and ``readout.*`` (the Linear)
in torch's layout (rnnlab.export.torch_layout); load_model.py beside it defines the module
with this model's sizes and loads the file, with nothing of rnnlab needed. torch.nn.RNN
has tanh and relu only, so a sigmoid Elman model has no torch form.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rnnlab.errors import UserError
from rnnlab.export import deps
from rnnlab.export.reference import Inputs, Outputs
from rnnlab.export.source import ExportModel, describe
from rnnlab.export.torch_layout import to_state_dict
from rnnlab.spec import ModelSpec

FILE, LOADER = "model.pt", "load_model.py"
_MODULE = {"elman": "RNN", "lstm": "LSTM", "gru": "GRU"}


def check(spec: ModelSpec) -> None:
    if spec.cell == "elman" and spec.activation != "tanh":
        raise UserError(f"torch.nn.RNN has no {spec.activation} nonlinearity (tanh or relu only), so this "
                        f"model.activation='{spec.activation}' model has no torch form; export it to onnx, keras "
                        "or safetensors, or train it with model.activation=tanh")


def loader_source(spec: ModelSpec, label: str) -> str:
    """load_model.py: the module with this model's sizes, and the function that loads model.pt."""
    d, h, o, n = spec.input_size, spec.hidden, spec.output_size, spec.layers
    extra = ', nonlinearity="tanh"' if spec.cell == "elman" else ""
    state = "(h0, c0), each" if spec.cell == "lstm" else "h0"
    top = "out[:, -1]" if spec.readout == "last" else "out"
    y = f"(batch, {o})" if spec.readout == "last" else f"(batch, time, {o})"
    return f'''"""Load {FILE}, exported by rnnlab from {label}: {describe(spec)}."""
from pathlib import Path

import torch
from torch import nn


class Model(nn.Module):
    """x (batch, time, {d}) and an optional initial state {state} ({n}, batch, {h})
    -> y {y} and the final state."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.{_MODULE[spec.cell]}({d}, {h}, num_layers={n}, bias={spec.bias}, batch_first=True{extra})
        self.readout = nn.Linear({h}, {o}, bias={spec.readout_bias})

    def forward(self, x, state=None):
        out, state = self.rnn(x, state)
        return self.readout({top}), state


def load(path=Path(__file__).with_name("{FILE}")):
    model = Model()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()
'''


def write(model: ExportModel, folder: Path) -> list[Path]:
    torch = deps.need("torch", "torch", "exporting to torch")
    check(model.spec)
    tensors = {name: torch.from_numpy(value) for name, value in to_state_dict(model.spec, model.params).items()}
    torch.save(tensors, folder / FILE)
    (folder / LOADER).write_text(loader_source(model.spec, model.label), encoding="utf-8")
    return [folder / FILE, folder / LOADER]


def load(folder: Path, spec: ModelSpec) -> Callable[[Inputs], Outputs]:
    """The exported module, built and loaded by the load_model.py written beside model.pt."""
    torch = deps.need("torch", "torch", "verifying a torch export")
    where = importlib.util.spec_from_file_location("rnnlab_exported_load_model", folder / LOADER)
    loader = importlib.util.module_from_spec(where)
    where.loader.exec_module(loader)
    module = loader.load(folder / FILE)

    def run(inputs: Inputs) -> Outputs:
        state = torch.from_numpy(inputs.h0.astype(np.float32))
        if spec.cell == "lstm":
            state = (state, torch.from_numpy(inputs.c0.astype(np.float32)))
        with torch.no_grad():
            y, final = module(torch.from_numpy(inputs.x.astype(np.float32)), state)
        if spec.cell == "lstm":
            return Outputs(y.numpy(), final[0].numpy(), final[1].numpy())
        return Outputs(y.numpy(), final.numpy())

    return run
