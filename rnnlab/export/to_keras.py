"""Keras 3: a model.keras of standard SimpleRNN/LSTM/GRU layers and a Dense readout.

The model takes a dict: "x" (batch, time, D) and the initial state of each layer,
"h0_l{k}" (batch, H) and for LSTM "c0_l{k}"; it returns "y" ((batch, O) for readout 'last',
(batch, time, O) for 'every') and the final states "h_n_l{k}" (and "c_n_l{k}"). It loads
with ``keras.saving.load_model`` alone, no custom objects, on any backend.

Weights: Keras uses rnnlab's row-vector layout (kernel (D, G·H), recurrent_kernel (H, G·H))
and torch's LSTM gate order (i,f,c,o), but orders GRU gates z,r,h; its GRU with
reset_after=True keeps two bias rows (2, 3H), [input, recurrent], the recurrent h entry
being rnnlab's b_hn. Elman is SimpleRNN with model.activation (tanh or sigmoid).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import numpy as np

from rnnlab.core.init import layer_suffix
from rnnlab.export import deps
from rnnlab.export.gates import reorder
from rnnlab.export.reference import Inputs, Outputs
from rnnlab.export.source import ExportModel
from rnnlab.spec import ModelSpec

FILE = "model.keras"
GATES = {"elman": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("z", "r", "n")}


def check(spec: ModelSpec) -> None:
    """Every rnnlab model has a Keras form: nothing to refuse."""


def layer_weights(spec: ModelSpec, params: dict[str, np.ndarray], k: int) -> list[np.ndarray]:
    """Layer k's [kernel, recurrent_kernel, (bias)] as its Keras layer's set_weights takes them."""
    s, cell, gates = layer_suffix(k), spec.cell, GATES[spec.cell]
    weights = [reorder(params[f"W_xh{s}"], cell, gates), reorder(params[f"W_hh{s}"], cell, gates)]
    if spec.bias and cell == "gru":
        recurrent = np.zeros_like(params[f"b_h{s}"])
        recurrent[2 * spec.hidden:] = params[f"b_hn{s}"]
        weights.append(np.stack([reorder(params[f"b_h{s}"], cell, gates), reorder(recurrent, cell, gates)]))
    elif spec.bias:
        weights.append(reorder(params[f"b_h{s}"], cell, gates))
    return [w.astype(np.float32) for w in weights]


def build(model: ExportModel):  # -> keras.Model
    keras = deps.keras("exporting to keras")
    spec, h = model.spec, model.spec.hidden
    x = keras.Input((None, spec.input_size), name="x", dtype="float32")
    inputs, outputs, seq, last = {"x": x}, {}, x, None
    for k in range(spec.layers):
        names = [f"h0_l{k}", f"c0_l{k}"] if spec.cell == "lstm" else [f"h0_l{k}"]
        states = [keras.Input((h,), name=name, dtype="float32") for name in names]
        inputs.update(zip(names, states))
        options = {"return_sequences": True, "return_state": True, "use_bias": spec.bias, "dtype": "float32",
                   "name": f"rnn_l{k}"}
        if spec.cell == "elman":
            layer = keras.layers.SimpleRNN(h, activation=spec.activation, **options)
        elif spec.cell == "lstm":
            layer = keras.layers.LSTM(h, activation="tanh", recurrent_activation="sigmoid", **options)
        else:
            layer = keras.layers.GRU(h, activation="tanh", recurrent_activation="sigmoid", reset_after=True, **options)
        seq, *finals = layer(seq, initial_state=states)
        outputs[f"h_n_l{k}"] = finals[0]
        if spec.cell == "lstm":
            outputs[f"c_n_l{k}"] = finals[1]
        layer.set_weights(layer_weights(spec, model.params, k))
        last = finals[0]
    readout = keras.layers.Dense(spec.output_size, use_bias=spec.readout_bias, dtype="float32", name="readout")
    outputs = {"y": readout(seq if spec.readout == "every" else last), **outputs}
    readout.set_weights([model.params["W_hy"].astype(np.float32)]
                        + ([model.params["b_y"].astype(np.float32)] if spec.readout_bias else []))
    return keras.Model(inputs, outputs, name="rnnlab")


@contextmanager
def _calling_keras(keras: ModuleType) -> Iterator[None]:
    """Two Keras 3 quirks, handled only around rnnlab's own calls into Keras.

    Its Variable.__array__ takes no `copy` keyword, so NumPy 2 warns (DeprecationWarning)
    each time Keras converts its weights to arrays; the conversion is right, the warning is
    Keras's to fix (keras-team/keras#21288), and nothing else is silenced. And on JAX with
    float64 enabled (rnnlab's jax engine enables it), its fused GRU without biases makes
    float64 zeros and fails; float32 models need no float64, so it is off meanwhile."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="__array__ implementation doesn't accept a copy keyword",
                                category=DeprecationWarning)
        if keras.backend.backend() != "jax":
            yield
            return
        import jax

        x64 = jax.config.jax_enable_x64
        jax.config.update("jax_enable_x64", False)
        try:
            yield
        finally:
            jax.config.update("jax_enable_x64", x64)


def write(model: ExportModel, folder: Path) -> list[Path]:
    with _calling_keras(deps.keras("exporting to keras")):
        build(model).save(folder / FILE)
    return [folder / FILE]


def load(folder: Path, spec: ModelSpec) -> Callable[[Inputs], Outputs]:
    """model.keras loaded with keras.saving.load_model, called on a dict of inputs."""
    keras = deps.keras("verifying a keras export")
    with _calling_keras(keras):
        model = keras.saving.load_model(folder / FILE)

    def run(inputs: Inputs) -> Outputs:
        feeds = {"x": inputs.x.astype(np.float32)}
        for k in range(spec.layers):
            feeds[f"h0_l{k}"] = inputs.h0[k].astype(np.float32)
            if spec.cell == "lstm":
                feeds[f"c0_l{k}"] = inputs.c0[k].astype(np.float32)
        with _calling_keras(keras):
            out = {name: keras.ops.convert_to_numpy(value) for name, value in model(feeds).items()}
        h = np.stack([out[f"h_n_l{k}"] for k in range(spec.layers)])
        c = np.stack([out[f"c_n_l{k}"] for k in range(spec.layers)]) if spec.cell == "lstm" else None
        return Outputs(out["y"], h, c)

    return run
