"""The engine contract (rnnlab.engines.base), checked the same way on every engine.

To add an engine, add its name and the module it needs to ENGINES.
"""

from dataclasses import replace

import numpy as np
import pytest
from grid import small_config

from rnnlab.checks.onestep import State, rounding_tolerance
from rnnlab.core.gradcheck import finite_difference, relative_error
from rnnlab.engines import create_engine
from rnnlab.train.experiment import build_engine, initial_params, prepare

# engine name -> the optional module it needs (None: always there)
ENGINES = {"numpy": None, "torch": "torch", "jax": "jax", "numba": "numba"}

PROBLEMS = {  # one per schedule and readout
    "windows": ("tanh", "stepwise", "mse", "mean"),
    "online": ("tanh", "online3", "sse_half", "sum"),
}


@pytest.fixture(params=list(ENGINES))
def engine_name(request):
    if ENGINES[request.param]:
        pytest.importorskip(ENGINES[request.param])
    return request.param


def loss_rounding(exp, params) -> float:
    """How far two evaluations of the loss at `params` may differ by rounding alone
    (rnnlab.checks.tolerance: derived from the dtype and the work, not one machine)."""
    return rounding_tolerance(exp, build_engine(exp, params, "numpy"), State(0, params, {})).loss


def setup(engine_name, problem="windows", dtype="float64", **train):
    cfg = small_config(*PROBLEMS[problem], dtype=dtype, epochs=40)
    if train:
        cfg = replace(cfg, optim=replace(cfg.optim, **train))
    exp = prepare(cfg)
    params = initial_params(cfg, exp.spec)
    return exp, params, build_engine(exp, params, engine_name)


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_params_round_trip_and_copies(engine_name, problem):
    exp, params, engine = setup(engine_name, problem)
    got = engine.get_params()
    assert list(got) == list(params)
    for name in params:
        np.testing.assert_array_equal(got[name], params[name])
        assert got[name].dtype == np.float64
    got["W_xh"][...] = 7.0  # a copy: the engine is untouched
    assert not np.any(engine.get_params()["W_xh"] == 7.0)
    given = {k: v.copy() for k, v in params.items()}
    engine.train(2)  # and it trains its own copy, never the arrays it was given
    for name in params:
        np.testing.assert_array_equal(params[name], given[name])
    _, _, engine32 = setup(engine_name, problem, dtype="float32")
    for name, value in engine32.get_params().items():
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, params[name].astype(np.float32))


def test_set_params_checks_names_and_shapes(engine_name):
    exp, params, engine = setup(engine_name)
    with pytest.raises(ValueError, match="do not match"):
        engine.set_params({k: v for k, v in params.items() if k != "W_hh"})
    with pytest.raises(ValueError, match="parameter W_hh has shape"):
        engine.set_params({**params, "W_hh": np.zeros((2, 2))})


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_train_returns_losses_before_each_epoch_that_decrease(engine_name, problem):
    exp, params, engine = setup(engine_name, problem)
    first = engine.objective(params, exp.x, exp.y)
    losses = engine.train(30)
    assert losses.shape == (30,) and losses.dtype == np.float64
    if problem == "windows":  # full batch: the objective before the first update
        assert losses[0] == pytest.approx(first, rel=loss_rounding(exp, params))
    assert losses[-1] < 0.8 * losses[0] and np.all(np.isfinite(losses))


def test_train_in_chunks_equals_one_call(engine_name):
    _, _, one = setup(engine_name, "online")
    _, _, chunks = setup(engine_name, "online")
    np.testing.assert_array_equal(one.train(5), np.concatenate([chunks.train(2), chunks.train(3)]))
    for name, value in one.get_params().items():
        np.testing.assert_array_equal(value, chunks.get_params()[name])


@pytest.mark.parametrize("problem,shape", [("windows", (3, 3)), ("online", (1, 12, 1))])
def test_predict_shapes(engine_name, problem, shape):
    exp, _, engine = setup(engine_name, problem)
    pred = engine.predict(exp.eval_x)
    assert pred.shape == shape and np.all(np.isfinite(pred))


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_gradients_equal_finite_differences_and_do_not_update(engine_name, problem):
    exp, params, engine = setup(engine_name, problem)
    value, grads = engine.gradients(exp.x, exp.y)
    assert value == pytest.approx(engine.objective(params, exp.x, exp.y), rel=loss_rounding(exp, params))
    numeric = finite_difference(lambda p: engine.objective(p, exp.x, exp.y), params)
    for name, (idx, est) in numeric.items():
        assert grads[name].shape == params[name].shape
        assert relative_error(grads[name].reshape(-1)[idx], est) < 1e-6, name
    for name, value in engine.get_params().items():
        np.testing.assert_array_equal(value, params[name])


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_optimizer_state_continues_training_exactly(engine_name, optimizer):
    lr = {"sgd": 0.05, "momentum": 0.02, "adam": 0.01}[optimizer]
    _, _, straight = setup(engine_name, name=optimizer, lr=lr)
    expected = straight.train(6)
    exp, _, first = setup(engine_name, name=optimizer, lr=lr)
    head = first.train(3)
    state = first.optimizer_state()
    assert all(isinstance(v, np.ndarray) for v in state.values())
    assert (state == {}) == (optimizer == "sgd")
    second = build_engine(exp, first.get_params(), engine_name)
    second.load_optimizer_state(state)
    np.testing.assert_array_equal(np.concatenate([head, second.train(3)]), expected)


def test_device_and_info(engine_name):
    _, _, engine = setup(engine_name)
    assert isinstance(engine.device(), str) and engine.device()
    assert isinstance(engine.info(), dict)
    assert engine.name == engine_name


def test_registry_creates_every_engine(engine_name):
    exp, _, _ = setup(engine_name)
    assert create_engine(engine_name, exp.spec, exp.training, "float64").name == engine_name
