"""`rnnlab.checks.compare`: one start, several engines, one step from the same states, the
whole runs within the rounding envelope, and the differences measured fairly."""


import numpy as np
import pytest

from rnnlab.checks.compare import compare
from rnnlab.checks.difference import relative_differences, scaled_difference
from rnnlab.checks.onestep import sample_epochs
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


def test_sample_epochs_spread_from_the_first_to_the_last():
    assert sample_epochs(20000, 16)[:2] == [0, 1333] and sample_epochs(20000, 16)[-1] == 19999
    assert sample_epochs(3, 16) == [0, 1, 2] and sample_epochs(0, 16) == []


def test_the_same_engine_twice_agrees_exactly():
    cfg = override(resolve("primer-numpy"), ["train.epochs=20"])
    result = compare(cfg, ["numpy", "numpy"], points=4)
    assert result.ok and result.epochs == 20 and result.step_epochs == (0, 6, 13, 19)
    assert result.differences[0].worst == 0.0 and result.grows_from(result.differences[0]) is None
    assert all(r == 0.0 for r in result.steps[0].ratios.values())
    assert result.runs[0].losses.shape == (20,) and result.runs[0].predictions.shape == (4, 8)


def test_numpy_and_torch_agree_on_a_recipe():
    pytest.importorskip("torch")
    cfg = override(resolve("primer-numpy"), ["train.epochs=50"])
    result = compare(cfg, ["numpy", "torch"], points=4)
    assert result.ok, (result.steps, result.differences)
    assert result.runs[1].losses[0] == pytest.approx(result.runs[0].losses[0], rel=1e-14)  # one start for all
    assert 0.0 < result.steps[0].worst < 1.0


def test_the_nudged_runs_start_a_few_ulps_away():
    cfg = override(resolve("elman-sine"), ["train.epochs=5", "run.dtype=float64"])
    result = compare(cfg, ["numpy", "numpy"], points=2)
    assert [0.0 < d.worst < 1e-12 for d in result.nudged] == [True, True]
    assert result.ok and result.growth is None


def test_a_chaotic_stretch_is_measured_and_passes():
    """sine-recurrent at lr 0.3 amplifies rounding within a few hundred epochs: the runs part
    (differences far beyond rounding) and still every step agrees and the run stays within
    the envelope the nudged runs measure."""
    cfg = override(resolve("sine-recurrent"), ["train.epochs=600", "optim.lr=0.3", "run.dtype=float64"])
    result = compare(cfg, ["numpy", "numpy"], points=4)
    assert result.ok and result.growth is not None and result.growth.rate > 0.01
    assert max(d.losses for d in result.nudged) > 1e3 * result.rounding


def test_bad_engine_lists_are_user_errors():
    cfg = override(resolve("elman-sine"), ["train.epochs=2"])
    with pytest.raises(UserError, match="at least two engines"):
        compare(cfg, ["numpy"])
    with pytest.raises(UserError, match="unknown engine 'nope'"):
        compare(cfg, ["numpy", "nope"])
