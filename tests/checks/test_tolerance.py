"""The one-step rounding tolerance (rnnlab.checks.tolerance): its parts on known inputs, and
the bound itself against an independent reference: float32 steps of the NumPy engine,
whose exact values the same engine computes in float64."""

from dataclasses import replace

import numpy as np
import pytest

from rnnlab.checks.onestep import State, check_steps, step
from rnnlab.checks.tolerance import ELEMENTWISE_OPS, batch_conditioning, conditioning, op_counts
from rnnlab.config import override
from rnnlab.core.losses import Loss
from rnnlab.recipes import resolve
from rnnlab.train.experiment import build_engine, initial_params, prepare


def test_op_counts_follow_the_shapes():
    exp = prepare(resolve("sine-recurrent"))  # 128 windows, 6 steps of 1 value, 32 units, 8 outputs
    ops = op_counts(exp.spec, exp.training, exp.x.shape)
    per_step = 1 + 32 + 1 + ELEMENTWISE_OPS
    assert ops.forward == 6 * per_step + 32 + 2 and ops.backward == 6 * per_step + 8 + 2
    assert (ops.loss_terms, ops.gradient_terms, ops.updates) == (128 * 8, 128 * 6, 1)
    online = prepare(resolve("elman-sine"))  # one sequence of 20 steps, an update after each
    ops = op_counts(online.spec, online.training, online.x.shape)
    assert (ops.loss_terms, ops.gradient_terms, ops.updates) == (20, 20, 20)


def test_conditioning_is_the_values_over_the_residuals():
    y = np.array([1.0, -1.0, 0.5, -0.5])
    assert conditioning(Loss("mse"), y + 0.01, y) == pytest.approx((2.01 + 1.99 + 1.01 + 0.99) / 0.04)
    assert conditioning(Loss("mse"), -y, y) == 1.0  # residuals as large as the values: no cancellation
    assert conditioning(Loss("mse"), y, y) == 1.0  # a perfect fit: no residual to lose


def test_batch_conditioning_is_the_terms_over_their_sum():
    terms = [{"w": np.array([1.0, 2.0])}, {"w": np.array([-0.9, 2.0])}]
    assert batch_conditioning({"w": np.array([0.1, 4.0])}, terms) == {"w": pytest.approx(1.0)}
    assert batch_conditioning({"w": np.array([0.1, 0.0])}, terms) == {"w": pytest.approx(40.0)}
    assert batch_conditioning({"w": np.zeros(2)}, terms) == {"w": 1.0}
    assert batch_conditioning({"w": np.ones(2)}, []) == {"w": 1.0}


@pytest.mark.parametrize("recipe,epochs", [("primer-torch", 300), ("sine-recurrent", 300), ("elman-sine", 100)])
def test_float32_steps_are_within_the_bound_of_their_exact_values(recipe, epochs):
    """A float32 step from a state against the same step in float64 from the same (float32)
    state: the float32 error of the loss and gradient alone is within half the two-engine
    tolerance, at a state late enough that the residuals are small (kappa > 1); the new
    parameters, rounded to float32 once more, within all of it."""
    cfg = override(resolve(recipe), [f"train.epochs={epochs}", "init.rng=numpy"])
    exp32 = prepare(cfg)
    engine = build_engine(exp32, initial_params(cfg, exp32.spec), "numpy")
    engine.train(epochs)
    state = State(epochs, engine.get_params(), engine.optimizer_state())
    exp64 = prepare(replace(cfg, run=replace(cfg.run, dtype="float64")))
    exact = build_engine(exp64, state.params, "numpy")
    agreement = check_steps(exp32, [state], build_engine(exp32, state.params, "numpy"), [exact]).agreements[0]
    assert agreement.ok and max(agreement.ratios["loss"], agreement.ratios["gradient"]) < 0.5, agreement
    assert step(exact, state, exp64.x, exp64.y).objective != step(engine, state, exp32.x, exp32.y).objective
