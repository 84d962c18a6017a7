"""`rnnlab.checks.compare`: one start, several engines, and the differences measured fairly."""

from dataclasses import replace

import numpy as np
import pytest

from rnnlab.checks.compare import compare, default_tolerance, relative_differences, scaled_difference
from rnnlab.config import override
from rnnlab.errors import UserError
from rnnlab.recipes import resolve


def test_relative_differences_measure_each_entry_against_itself():
    np.testing.assert_allclose(relative_differences(np.array([1.0, 0.0, -2.0]), np.array([1.1, 0.0, -2.0])),
                               [0.1 / 1.1, 0.0, 0.0])
    assert np.isinf(relative_differences(np.array([np.nan, 1.0]), np.array([1.0, 1.0]))[0])
    assert np.isinf(relative_differences(np.ones(2), np.ones(3))).all()


def test_scaled_difference_measures_against_the_arrays_scale():
    assert scaled_difference(np.array([1e-20, 2.0]), np.array([2e-20, 2.0])) == pytest.approx(5e-21)
    assert scaled_difference(np.zeros(3), np.zeros(3)) == 0.0
    assert scaled_difference(np.array([np.inf]), np.array([1.0])) == np.inf
    assert scaled_difference(np.zeros((0, 2)), np.zeros((0, 2))) == 0.0


def test_default_tolerances():
    assert default_tolerance("float64") == 1e-9 and default_tolerance("float32") == 1e-5


def test_the_same_engine_twice_agrees_exactly():
    cfg = override(resolve("primer-numpy"), ["train.epochs=20"])
    result = compare(cfg, ["numpy", "numpy"])
    assert result.ok and result.tolerance == 1e-9 and result.epochs == 20
    assert result.differences[0].worst == 0.0 and result.differences[0].first_epoch is None
    assert result.runs[0].losses.shape == (20,) and result.runs[0].predictions.shape == (4, 8)


def test_numpy_and_torch_agree_on_a_recipe_and_a_tiny_tolerance_fails():
    pytest.importorskip("torch")
    cfg = override(resolve("primer-numpy"), ["train.epochs=50"])
    result = compare(cfg, ["numpy", "torch"])
    assert result.ok, result.differences
    assert result.runs[1].losses[0] == pytest.approx(result.runs[0].losses[0], rel=1e-14)  # one start for all
    strict = compare(replace(cfg, run=replace(cfg.run, dtype="float32")), ["numpy", "torch"], tolerance=1e-12)
    assert not strict.ok and strict.differences[0].first_epoch is not None


def test_sensitivity_runs_the_reference_from_a_nudged_start():
    cfg = override(resolve("elman-sine"), ["train.epochs=5", "run.dtype=float64"])
    result = compare(cfg, ["numpy", "numpy"], sensitivity=True)
    assert result.sensitivity is not None and 0.0 < result.sensitivity.worst < 1e-12
    assert result.ok


def test_bad_engine_lists_are_user_errors():
    cfg = override(resolve("elman-sine"), ["train.epochs=2"])
    with pytest.raises(UserError, match="at least two engines"):
        compare(cfg, ["numpy"])
    with pytest.raises(UserError, match="unknown engine 'nope'"):
        compare(cfg, ["numpy", "nope"])
