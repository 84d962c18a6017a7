"""Every model rnnlab can train, exported to every target and run in that target's own
runtime (onnxruntime, torch, keras on jax, safetensors), agrees with rnnlab to float32 rounding."""

import numpy as np
import pytest

from rnnlab.errors import UserError
from rnnlab.export import to_keras, to_onnx
from rnnlab.export.targets import TARGETS, target
from rnnlab.export.verify import ONNX_SIZES, TOLERANCE, relative_error, verify

from export_models import GRID, case_id, tiny_model


@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("case", GRID, ids=case_id)
def test_every_model_exports_and_agrees_in_its_own_runtime(tmp_path, name, case):
    model = tiny_model(*case)
    if name == "torch" and model.spec.activation == "sigmoid":
        with pytest.raises(UserError, match="torch.nn.RNN has no sigmoid"):
            target(name).write(model, tmp_path)
        return
    files = target(name).write(model, tmp_path)
    assert all(f.is_file() and f.stat().st_size > 0 for f in files)
    checks = verify(model, name, tmp_path)
    assert [c.inputs for c in checks][:2] == ["test inputs, state = 0", "random, state != 0"]
    bad = [c for c in checks if not c.ok]
    assert not bad, bad
    assert max(c.y_error for c in checks) > 0 or name == "safetensors"  # float32 files: not bit-identical


def test_onnx_runs_at_batch_1_and_37_and_time_1_and_500(tmp_path):
    model = tiny_model("lstm", "tanh", 2, True, "every")
    to_onnx.write(model, tmp_path)
    sizes = {(c.batch, c.time) for c in verify(model, "onnx", tmp_path) if c.ok}
    assert set(ONNX_SIZES) <= sizes


def test_the_onnx_graph_has_named_inputs_and_dynamic_batch_and_time(tmp_path):
    import onnx

    to_onnx.write(tiny_model("lstm", "tanh", 2, True, "every"), tmp_path)
    graph = onnx.load(tmp_path / "model.onnx").graph

    def dims(values):
        return {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] for v in values}

    assert dims(graph.input) == {"x": ["batch", "time", 3], "h0": [2, "batch", 5], "c0": [2, "batch", 5]}
    assert dims(graph.output) == {"y": ["batch", "time", 2], "h_n": [2, "batch", 5], "c_n": [2, "batch", 5]}
    onnx.checker.check_model(onnx.load(tmp_path / "model.onnx"), full_check=True)


@pytest.mark.parametrize("module,cell,wrong", [
    (to_onnx, "lstm", ("i", "f", "g", "o")),  # rnnlab's order where ONNX wants i,o,f,c
    (to_onnx, "gru", ("r", "z", "n")),  # rnnlab's order where ONNX wants z,r,h
    (to_keras, "gru", ("r", "z", "n")),  # rnnlab's order where Keras wants z,r,h
])
def test_a_wrong_gate_order_is_caught(tmp_path, monkeypatch, module, cell, wrong):
    monkeypatch.setitem(module.GATES, cell, wrong)
    model = tiny_model(cell, "tanh", 1, True, "last")
    module.write(model, tmp_path)
    worst = max(c.y_error for c in verify(model, module.__name__.rpartition("_")[2], tmp_path))
    assert worst > 100 * TOLERANCE


def test_relative_error_is_relative_to_the_largest_reference_value():
    want = np.array([[2.0, -4.0], [0.0, 1.0]])
    assert relative_error(want + np.array([[0.0, 0.0], [0.004, 0.0]]), want) == pytest.approx(0.001)
    assert relative_error(np.ones(2), np.zeros(2)) == 1.0


def test_keras_exports_while_jax_computes_in_float64(tmp_path):
    """rnnlab's jax engine turns JAX's float64 on for the whole process; Keras's fused GRU
    without biases would then fail, so the export turns it off around Keras and back on."""
    import jax

    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        model = tiny_model("gru", "tanh", 1, False, "last")
        to_keras.write(model, tmp_path)
        assert all(c.ok for c in verify(model, "keras", tmp_path))
        assert jax.config.jax_enable_x64
    finally:
        jax.config.update("jax_enable_x64", before)
