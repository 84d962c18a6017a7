"""`rnnlab import`: a model trained elsewhere, as a run folder rnnlab's commands accept.

Reads a PyTorch state_dict (nn.RNN/LSTM/GRU + nn.Linear) or a safetensors file written by
`rnnlab export`. The folder holds what every run folder holds (config.toml, params.npz,
summary.json with "kind": "imported"), so `predict` and `export` work on it.

An imported model has no data of its own, and config.toml must describe one that rnnlab can
build: it describes a sine task of the model's shape, which `predict` evaluates (a
next-step sine for readout 'every' with one input and one output; windows of a sine
otherwise, one value per step for one input, the whole window in one step for D inputs).
The model was not trained on it: the numbers show the model runs, not how good it is.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.config import Config, from_dict, to_toml
from rnnlab.errors import UserError
from rnnlab.export.source import describe
from rnnlab.runs import folder as rf
from rnnlab.runs.summary import build_summary
from rnnlab.spec import ModelSpec

Params = dict[str, np.ndarray]
WINDOW = 6  # input values per window for one-input models (the primer's window)
WINDOWS = 132  # windows of the sine task (the primer's 128 training + 4 test)


def read_model(path: Path, cell: str | None, readout: str | None) -> tuple[ModelSpec, Params]:
    """The model in `path`: a torch state_dict (.pt, .pth) or an rnnlab safetensors file."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.suffix == ".safetensors":
        from rnnlab.export.to_safetensors import read

        spec, tensors = read(path)
        for name, given in (("cell", cell), ("readout", readout)):
            if given is not None and given != getattr(spec, name):
                raise UserError(f"{path}: its metadata says {name} {getattr(spec, name)}, not {given}; "
                                f"leave out the {name}")
        if set(tensors) != set(spec.param_shapes) or any(tensors[k].shape != s for k, s in spec.param_shapes.items()):
            raise UserError(f"{path}: its tensors do not match its metadata ({describe(spec)}); export it again")
        return spec, {name: value.astype(np.float64) for name, value in tensors.items()}
    from rnnlab.export.from_torch import load_state_dict, parse

    return parse(load_state_dict(path), str(path), readout or "last", cell)


def sine_config(spec: ModelSpec, name: str, description: str) -> Config:
    """A config whose model is `spec` on a sine task of its shape (UserError where none fits)."""
    model: dict[str, Any] = {"cell": spec.cell, "activation": spec.activation, "hidden": spec.hidden,
                             "bias": spec.bias, "readout_bias": spec.readout_bias, "layers": spec.layers}
    if spec.readout == "every":
        if (spec.input_size, spec.output_size) != (1, 1):
            raise UserError(f"a readout at every step with {spec.input_size} input(s) and {spec.output_size} "
                            "output(s) has no rnnlab task (next-step models read and predict one value); import "
                            "it with readout='last' to inspect it as a window model (its output at the last step)")
        data = {"framing": "next_step", "points": 146, "shuffle": False}
        train = {"schedule": "online", "truncate": 1}
        model["input"] = "stepwise"
    else:
        window = WINDOW if spec.input_size == 1 else spec.input_size
        data = {"framing": "windows", "window": window, "horizon": spec.output_size,
                "points": window + spec.output_size + WINDOWS, "test_windows": 4}
        train = {"schedule": "full_batch"}
        model["input"] = "stepwise" if spec.input_size == 1 else "window"
    return from_dict({"run": {"name": name, "description": description, "dtype": "float64"}, "data": data,
                      "model": model, "init": {"scheme": "torch_default"}, "train": train})


def import_model(path: Path, out: Path | None = None, *, cell: str | None = None, readout: str | None = None,
                 argv: list[str] | None = None) -> tuple[Path, dict[str, Any]]:
    """Write the model in `path` as a run folder (default runs/imported-<time>); returns it and its summary."""
    started = time.perf_counter()
    path = Path(path)
    spec, params = read_model(path, cell, readout)
    cfg = sine_config(spec, "imported", f"imported from {path.name}: {describe(spec)}; the data is a sine task "
                                        "of its shape, not the data it was trained on")
    out = rf.create_run_dir(Path(out) if out is not None else rf.default_run_dir("imported"))
    rf.write_text(out / "config.toml", to_toml(cfg))
    rf.write_npz(out / "params.npz", params)
    results = {"source": str(path), "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
               "model": describe(spec)}
    summary = build_summary("imported", cfg, results, argv=argv or [], train_seconds=0.0,
                            wall_seconds=time.perf_counter() - started)
    summary["epochs"] = 0  # trained elsewhere: no epoch ran here
    rf.write_json(out / "summary.json", summary)
    return out, summary
