"""Conformal prediction intervals: the quantile rule, the interval score by hand, errors
calibrating only later forecasts, and coverage near the nominal level on a series whose
noise is known."""

import json
import math

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.forecasting.intervals import conformal_quantile, coverage, rolling_widths, winkler


def test_the_conformal_quantile_is_the_ceil_m_plus_1_q_th_smallest():
    scores = np.array([5.0, 1.0, 4.0, 2.0, 3.0, np.nan])  # 5 finite: rank ceil(6 * 0.5) = 3
    assert conformal_quantile(scores, 0.5) == 3.0
    assert conformal_quantile(scores, 0.8) == 5.0  # ceil(4.8) = 5
    assert conformal_quantile(scores, 0.99) == 5.0  # too few for the level: the largest
    assert math.isnan(conformal_quantile(np.array([np.nan]), 0.9))


def test_winkler_score_and_coverage_by_hand():
    y = np.array([1.0, 5.0, -2.0, np.nan])
    lo, hi = np.array([0.0, 0.0, 0.0, 0.0]), np.array([2.0, 2.0, 2.0, 2.0])
    # width 2 each; the second is 3 above, the third 2 below: 2 / (1 - 0.8) = 10 per unit outside
    assert winkler(y, lo, hi, 0.8) == pytest.approx((2 + (2 + 30) + (2 + 20)) / 3)
    assert coverage(y, lo, hi) == pytest.approx(1 / 3)


def test_only_errors_already_observed_calibrate_a_forecast():
    scores = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    clock = np.array([-4, -3, -2])  # origins 4, 3 and 2 steps before the last
    widths = rolling_widths(scores, clock, np.array([-2, 0]), [0.5])
    # at clock -2, step 1 (k = 0) knows origins with clock + 1 <= -2: the first two
    assert widths[0, 0, 0] == 2.0 and widths[0, 0, 1] == 10.0  # step 2 knows only the first
    assert widths[0, 1, 0] == 2.0 and widths[0, 1, 1] == 20.0  # the future knows all three


def test_a_perfect_forecast_of_gaussian_noise_gets_the_gaussian_quantile():
    rng = np.random.default_rng(3)
    errors = np.abs(rng.normal(0.0, 2.0, (4000, 1)))
    width = rolling_widths(errors, -np.arange(4000, 0, -1), np.zeros(1), [0.9])[0, 0, 0]
    assert width == pytest.approx(1.6449 * 2.0, rel=0.05)


def test_coverage_over_many_origins_is_near_the_nominal_level(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(900)
    y = 10 + 2 * np.sin(2 * np.pi * t / 20) + rng.normal(0, 0.5, t.shape[0])  # known noise, sd 0.5
    f = tmp_path / "s.csv"
    f.write_text("t,v\n" + "".join(f"{i},{float(v)!r}\n" for i, v in enumerate(y)))
    out = tmp_path / "run"
    assert main(["forecast", str(f), "--column", "v", "--horizon", "3", "--interval", "0.9", "--test-size", "360",
                 "--val-size", "180", "--backtest", "300", "--season", "20", "--epochs", "15", "--ensemble", "1",
                 "--normalise", "standard", "--log-transform", "off", "--no-future", "--no-plots", "--quiet",
                 "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    for name, m in metrics.items():  # 300 origins x 3 steps; the baselines get intervals the same way
        assert 0.85 <= m["coverage_90"] <= 0.95, (name, m["coverage_90"])
    assert metrics["model"]["winkler_90"] < metrics["seasonal_naive"]["winkler_90"]


def _counts_csv(path, shift=0.0):
    rng = np.random.default_rng(3)
    values = rng.poisson(1.5 + np.sin(np.arange(240) / 3.0) + 1.0, size=240) + shift
    path.write_text("t,count\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)))
    return path


def _columns(path, prefix):
    import csv

    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return np.array([[float(r[c]) for c in r if c.startswith(prefix)] for r in rows])


def test_a_series_that_never_went_below_zero_is_not_forecast_below_it(tmp_path, capsys):
    """Counts near 0: the conformal bounds (forecast - width) would go negative; they are cut
    at 0, in the backtest, the future and `rnnlab predict`, and coverage is unchanged (the
    counts are never negative). A series with negative values is left as it is."""
    run = tmp_path / "counts"
    args = ["--column", "count", "--horizon", "6", "--epochs", "5", "--ensemble", "1", "--no-plots", "--quiet"]
    assert main(["forecast", str(_counts_csv(tmp_path / "c.csv")), *args, "--out", str(run)]) == 0
    state = json.loads((run / "forecaster.json").read_text())
    assert state["floor"] == 0.0
    lowers = _columns(run / "forecast.csv", "model_lower")
    future = _columns(run / "future.csv", "lower")
    assert lowers.min() == 0.0 and future.min() == 0.0  # cut: there was something to cut
    assert (_columns(run / "forecast.csv", "model") >= 0).all()
    assert main(["predict", str(run)]) == 0
    said = capsys.readouterr().out.split("max difference from the run's own forecast beyond its data: ")[1]
    assert float(said.split()[0]) < 1e-9

    shifted = tmp_path / "shifted"
    assert main(["forecast", str(_counts_csv(tmp_path / "s.csv", shift=-1.0)), *args, "--out", str(shifted)]) == 0
    assert json.loads((shifted / "forecaster.json").read_text())["floor"] is None
    assert _columns(shifted / "forecast.csv", "model_lower").min() < -1.0


def test_the_floor_is_decided_on_the_training_part():
    from rnnlab.config import Config, override
    from rnnlab.forecasting.problem import prepare_forecast

    problem = prepare_forecast(override(Config(), ["forecast.series=sunspots"]), {"forecast.series"})
    assert problem.floor == 0.0
    cut = problem.split.train_end
    negative_later = problem.values.copy()
    negative_later[cut:] -= 1000.0  # the validation and test parts go negative: not seen when deciding
    from dataclasses import replace

    assert replace(problem, values=negative_later).floor == 0.0
    negative_early = problem.values.copy()
    negative_early[cut - 1] = -1.0
    assert replace(problem, values=negative_early).floor is None
