"""Every metric and baseline against values worked out by hand."""

import math

import numpy as np
import pytest

from rnnlab.forecasting.baselines import all_baselines, history_mean, naive, seasonal_naive
from rnnlab.forecasting.metrics import accuracy, mase_scale


def test_metrics_match_hand_computed_values():
    actual = np.array([[10.0, 12.0], [8.0, 0.0]])
    forecast = np.array([[11.0, 9.0], [8.0, 2.0]])
    # errors |e| = 1, 3, 0, 2
    m = accuracy(actual, forecast, scale=2.0)
    assert m["mae"] == pytest.approx((1 + 3 + 0 + 2) / 4)
    assert m["rmse"] == pytest.approx(math.sqrt((1 + 9 + 0 + 4) / 4))
    smape_terms = [200 * 1 / 21, 200 * 3 / 21, 0.0, 200 * 2 / 2]
    assert m["smape"] == pytest.approx(sum(smape_terms) / 4)
    assert m["mase"] == pytest.approx(1.5 / 2.0)


def test_smape_counts_zero_over_zero_as_zero_and_mase_without_scale_is_nan():
    m = accuracy(np.array([0.0, 1.0]), np.array([0.0, 1.0]), scale=0.0)
    assert m["smape"] == 0.0 and m["mae"] == 0.0
    assert math.isnan(m["mase"])  # no division by zero: undefined, reported as null


def test_unscored_entries_are_left_out():
    m = accuracy(np.array([1.0, np.nan, 3.0]), np.array([2.0, 100.0, 3.0]), scale=1.0)
    assert m["mae"] == pytest.approx(0.5) and m["rmse"] == pytest.approx(math.sqrt(0.5))


def test_mase_scale_is_the_in_sample_seasonal_naive_mae():
    train = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    assert mase_scale(train, 1) == pytest.approx((1 + 2 + 3 + 4) / 4)
    assert mase_scale(train, 2) == pytest.approx((3 + 5 + 7) / 3)
    assert math.isnan(mase_scale(train[:2], 2))


def test_baselines_by_hand():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    origins = np.array([3, 4])  # last seen values 4 and 5
    np.testing.assert_array_equal(naive(values, origins, 3), [[4, 4, 4], [5, 5, 5]])
    # season 2: the last two values repeated: from origin 3 -> 3, 4, 3
    np.testing.assert_array_equal(seasonal_naive(values, origins, 3, 2), [[3, 4, 3], [4, 5, 4]])
    np.testing.assert_array_equal(seasonal_naive(values, origins, 3, 1), naive(values, origins, 3))
    np.testing.assert_allclose(history_mean(values, origins, 2), [[2.5, 2.5], [3.0, 3.0]])
    assert set(all_baselines(values, origins, 2, 2)) == {"naive", "seasonal_naive", "mean"}
