"""ONNX: the standard RNN/LSTM/GRU operators, with the initial state as an input.

Inputs:  x (batch, time, D) float32; h0 (layers, batch, H); c0 (layers, batch, H) for LSTM.
Outputs: y (batch, O) for readout 'last' or (batch, time, O) for 'every'; h_n (layers, batch, H);
         c_n (layers, batch, H) for LSTM. batch and time are dynamic.
ONNX's recurrent operators are time-major and one layer deep: x is transposed once and the
layers are chained. Each operator takes W (1, G·H, D), R (1, G·H, H) and B (1, 2·G·H) =
[input biases, recurrent biases], gates in ONNX's order: i,o,f,c for LSTM, z,r,h for GRU
(with linear_before_reset=1, which is torch's GRU: n's recurrent bias inside r * (...)).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from rnnlab.core.init import layer_suffix
from rnnlab.export import deps
from rnnlab.export.gates import reorder
from rnnlab.export.reference import Inputs, Outputs
from rnnlab.export.source import ExportModel, describe
from rnnlab.spec import ModelSpec

FILE = "model.onnx"
OPSET = 17  # onnxruntime 1.18 and every later one run it
GATES = {"elman": ("h",), "lstm": ("i", "o", "f", "g"), "gru": ("z", "r", "n")}
_OPERATOR = {"elman": "RNN", "lstm": "LSTM", "gru": "GRU"}


def check(spec: ModelSpec) -> None:
    """Every rnnlab model has an ONNX form: nothing to refuse."""


def layer_tensors(spec: ModelSpec, params: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """Layer k's W, R and (with biases) B in ONNX's layout, float32."""
    s, cell, gates = layer_suffix(k), spec.cell, GATES[spec.cell]
    out = {"W": reorder(params[f"W_xh{s}"], cell, gates).T[None],  # (1, G·H, D)
           "R": reorder(params[f"W_hh{s}"], cell, gates).T[None]}  # (1, G·H, H)
    if spec.bias:
        recurrent = np.zeros_like(params[f"b_h{s}"])
        if cell == "gru":  # n's hidden bias sits inside r * (h R_n + Rb_n), as in torch
            recurrent[2 * spec.hidden:] = params[f"b_hn{s}"]
        out["B"] = np.concatenate([reorder(params[f"b_h{s}"], cell, gates), reorder(recurrent, cell, gates)])[None]
    return {name: value.astype(np.float32) for name, value in out.items()}


def build(model: ExportModel):  # -> onnx.ModelProto
    onnx = deps.need("onnx", "onnx", "exporting to onnx")
    from onnx import TensorProto, helper, numpy_helper

    spec, p = model.spec, model.params
    lstm = spec.cell == "lstm"
    inits, nodes = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], outputs: list[str], **attrs) -> None:
        nodes.append(helper.make_node(op, inputs, outputs, name=f"{op}_{len(nodes)}", **attrs))

    node("Transpose", ["x"], ["x_time_major"], perm=[1, 0, 2])  # (time, batch, D)
    seq, finals_h, finals_c = "x_time_major", [], []
    for k in range(spec.layers):
        w = {name: const(f"{name}_l{k}", value) for name, value in layer_tensors(spec, p, k).items()}
        starts, ends, axes = (const(f"{n}_l{k}", np.array([v], np.int64)) for n, v in
                              (("slice_start", k), ("slice_end", k + 1), ("slice_axis", 0)))
        node("Slice", ["h0", starts, ends, axes], [f"h0_l{k}"])  # (1, batch, H)
        inputs = [seq, w["W"], w["R"], w.get("B", ""), "", f"h0_l{k}"]
        outputs = [f"y_l{k}", f"h_n_l{k}"]
        if lstm:
            node("Slice", ["c0", starts, ends, axes], [f"c0_l{k}"])
            inputs.append(f"c0_l{k}")
            outputs.append(f"c_n_l{k}")
        attrs = {"hidden_size": spec.hidden}
        if spec.cell == "elman":
            attrs["activations"] = [spec.activation.capitalize()]
        if spec.cell == "gru":
            attrs["linear_before_reset"] = 1
        node(_OPERATOR[spec.cell], inputs, outputs, **attrs)  # y_l (time, 1, batch, H)
        node("Squeeze", [f"y_l{k}", const(f"direction_axis_l{k}", np.array([1], np.int64))], [f"seq_l{k}"])
        seq = f"seq_l{k}"
        finals_h.append(f"h_n_l{k}")
        finals_c.append(f"c_n_l{k}")
    if spec.readout == "every":
        node("Transpose", [seq], ["top"], perm=[1, 0, 2])  # (batch, time, H)
    else:
        node("Squeeze", [finals_h[-1], const("layer_axis", np.array([0], np.int64))], ["top"])  # (batch, H)
    y = "y" if not spec.readout_bias else "y_no_bias"
    node("MatMul", ["top", const("W_hy", p["W_hy"].astype(np.float32))], [y])
    if spec.readout_bias:
        node("Add", [y, const("b_y", p["b_y"].astype(np.float32))], ["y"])
    node("Concat", finals_h, ["h_n"], axis=0)
    if lstm:
        node("Concat", finals_c, ["c_n"], axis=0)

    def value(name: str, *dims) -> object:
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))

    h, layers = spec.hidden, spec.layers
    graph_inputs = [value("x", "batch", "time", spec.input_size), value("h0", layers, "batch", h)]
    y_dims = ("batch", "time", spec.output_size) if spec.readout == "every" else ("batch", spec.output_size)
    graph_outputs = [value("y", *y_dims), value("h_n", layers, "batch", h)]
    if lstm:
        graph_inputs.append(value("c0", layers, "batch", h))
        graph_outputs.append(value("c_n", layers, "batch", h))
    graph = helper.make_graph(nodes, "rnnlab", graph_inputs, graph_outputs, inits,
                              doc_string=f"rnnlab {describe(spec)} from {model.label}")
    proto = helper.make_model(graph, producer_name="rnnlab", opset_imports=[helper.make_opsetid("", OPSET)])
    proto.ir_version = 8  # the IR of opset 17: readable by older runtimes too
    helper.set_model_props(proto, {"rnnlab.source": model.label, "rnnlab.model": describe(spec)})
    onnx.checker.check_model(proto, full_check=True)
    return proto


def write(model: ExportModel, folder: Path) -> list[Path]:
    path = folder / FILE
    path.write_bytes(build(model).SerializeToString())
    return [path]


def load(folder: Path, spec: ModelSpec) -> Callable[[Inputs], Outputs]:
    """The exported file on onnxruntime's CPU provider, the graph checked with onnx.checker first."""
    onnx = deps.need("onnx", "onnx", "verifying an onnx export")
    ort = deps.need("onnxruntime", "onnx", "verifying an onnx export")
    path = folder / FILE
    onnx.checker.check_model(str(path), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    def run(inputs: Inputs) -> Outputs:
        feeds = {"x": inputs.x.astype(np.float32), "h0": inputs.h0.astype(np.float32)}
        if spec.cell == "lstm":
            feeds["c0"] = inputs.c0.astype(np.float32)
        out = session.run(None, feeds)
        return Outputs(out[0], out[1], out[2] if spec.cell == "lstm" else None)

    return run
