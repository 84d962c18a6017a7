"""The NumPy engine's hand-written gradients against central finite differences (float64)."""

from dataclasses import replace

import numpy as np
import pytest
from grid import grid, small_config

from rnnlab.checks.gradcheck import gradcheck
from rnnlab.recipes import resolve
from rnnlab.train.experiment import build_engine, initial_params, prepare


@pytest.mark.parametrize("cell,mode,loss,reduction", grid())
def test_exact_gradient_matches_finite_differences(cell, mode, loss, reduction):
    report = gradcheck(small_config(cell, mode, loss, reduction), examples=6)
    assert report.ok, report.errors


@pytest.mark.parametrize("recipe", ["elman-sine", "primer-torch", "primer-numpy", "sine-recurrent"])
def test_recipes_pass_gradcheck(recipe):
    assert gradcheck(resolve(recipe)).ok


def test_primer_approximation_is_exact_for_one_step_and_not_beyond():
    one_step = replace(small_config("tanh", "window", "sse_half", "sum"), train=replace(
        small_config("tanh", "window", "sse_half", "sum").train, gradient="primer_approx"))
    report = gradcheck(one_step)
    assert max(report.approx_errors.values()) < 1e-6 and report.approx_cosine == pytest.approx(1.0)
    cfg = resolve("primer-numpy")
    cfg = replace(cfg, train=replace(cfg.train, gradient="primer_approx"))
    report = gradcheck(cfg)
    assert report.ok  # the exact gradient, still checked
    assert report.approx_errors["W_hy"] < 1e-6  # the readout gradient is exact in the primer too
    assert report.approx_errors["W_hh"] > 1e-3  # the dropped off-diagonal terms show up
    assert 0.5 < report.approx_cosine < 1.0


def test_primer_approximation_matches_the_primer_program():
    from tests.oracles import primer_numpy as oracle

    cfg = resolve("primer-numpy")
    cfg = replace(cfg, train=replace(cfg.train, gradient="primer_approx"))
    exp = prepare(cfg)
    params = initial_params(cfg, exp.spec)
    engine = build_engine(exp, params)
    _, grads = engine.gradients(exp.x, exp.y)
    windows = np.concatenate([exp.dataset.train_x, exp.dataset.train_y], axis=1)
    _, dw, du, dv = oracle.gradients(params["W_hh"].T, params["W_xh"].T, params["W_hy"].T, windows,
                                     "soft_l1", "approx")
    np.testing.assert_allclose(grads["W_hh"], dw.T, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grads["W_xh"], du.T, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grads["W_hy"], dv.T, rtol=1e-10, atol=1e-13)
