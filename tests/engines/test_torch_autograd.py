"""A second, independent gradient oracle: torch.autograd (float64) against the NumPy
engine's hand-written backpropagation, for every cell x input mode x loss, to the rounding
tolerance derived from the dtype and the work (rnnlab.checks.tolerance)."""

from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("torch")

from engine_grid import CELLS, config  # noqa: E402
from grid import INPUT_MODES, LOSSES  # noqa: E402

from rnnlab.checks.difference import relative_difference, scaled_difference  # noqa: E402
from rnnlab.checks.onestep import State, rounding_tolerance  # noqa: E402
from rnnlab.train.experiment import build_engine, initial_params, prepare  # noqa: E402


def assert_same_gradients(cfg, seed=0):
    exp = prepare(cfg)
    rng = np.random.default_rng(seed)  # away from the initial point, where nothing is special
    params = {k: v + rng.normal(0.0, 0.3, v.shape) for k, v in initial_params(cfg, exp.spec).items()}
    if exp.dataset.framing != "next_step":
        exp = replace(exp, x=exp.x[:6], y=exp.y[:6])
    numpy_engine = build_engine(exp, params, "numpy")
    value_np, grads_np = numpy_engine.gradients(exp.x, exp.y)
    value_t, grads_t = build_engine(exp, params, "torch").gradients(exp.x, exp.y)
    tol = rounding_tolerance(exp, numpy_engine, State(0, params, {}))
    assert relative_difference(value_t, value_np) <= tol.loss
    assert list(grads_t) == list(grads_np)
    for name, g in grads_np.items():
        assert scaled_difference(grads_t[name], g) <= tol.gradients[name], name


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("mode", INPUT_MODES)
@pytest.mark.parametrize("loss,reduction", LOSSES)
def test_autograd_equals_hand_written_gradients(cell, mode, loss, reduction):
    assert_same_gradients(config(cell, mode, loss, reduction, epochs=1))


@pytest.mark.parametrize("mode", ["online3", "positional"])
@pytest.mark.parametrize("model", [dict(cell="lstm"), dict(cell="gru"), dict(cell="gru", layers=2),
                                   dict(layers=3)], ids=["lstm", "gru", "gru-2-layers", "elman-3-layers"])
@pytest.mark.parametrize("bias", [False, True])
def test_autograd_equals_hand_written_gradients_for_gated_cells_and_stacks(mode, model, bias):
    cfg = config("tanh-bias" if bias else "tanh", mode, "huber", "mean", epochs=1, **model)
    assert_same_gradients(replace(cfg, init=replace(cfg.init, scheme="torch_default")))
