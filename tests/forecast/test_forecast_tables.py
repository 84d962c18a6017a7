"""The forecasting tables of README.md and docs/forecasting.md are benchmarks/forecast_seeds.py's
formatting of the committed results JSON, and a rerun of one series reproduces it.

The full rerun (5 seeds of every bundled series, with exponential smoothing and SARIMA)
takes minutes; here one series and one seed are rerun: its MASE must agree within 2 %
(float32 training: the last digits depend on the CPU's kernels) and its choice exactly.
The quality bar of the defaults is checked on the committed results: on every bundled
series and every seed the model beats naive, seasonal naive and mean (the Nile's mean
excepted, below), each run in under a minute; the rerun must beat them too."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.doc_blocks import find_blocks  # noqa: E402
from benchmarks.forecast_seeds import BASELINE_NAMES, RESULTS, run_one, tables  # noqa: E402
from rnnlab.data.bundled import DATASETS  # noqa: E402


@pytest.fixture(scope="module")
def results():
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_the_committed_tables_are_the_script_s_formatting_of_the_results(results):
    found = find_blocks()
    for name, body in tables(results).items():
        assert found[name][1] == body, f"{found[name][0].name}: rerun `python -m benchmarks.forecast_seeds --tables-only`"


def test_every_bundled_series_is_measured(results):
    assert set(results["series"]) == set(DATASETS) and results["seeds"] >= 5
    assert results["settings"] == "defaults"


# The Nile's test part (1947-1970) favours the mean of all past values by chance: even the
# mean since the 1898 change point, or of the last 10 to 50 years, forecasts it worse
# (docs/forecasting.md). There the model must stay within 10 % of the mean forecast.
NEAR_THE_MEAN = {"nile": 1.10}


@pytest.mark.parametrize("baseline", BASELINE_NAMES)
def test_the_model_beats_every_baseline_on_every_series_and_seed(results, baseline):
    for name, r in results["series"].items():
        bar = r["baselines"][baseline] * (NEAR_THE_MEAN.get(name, 1.0) if baseline == "mean" else 1.0)
        for run in r["runs"]:
            assert run["mase"] < bar, (name, baseline, run)


def test_on_seasonal_series_the_model_beats_exponential_smoothing_and_sarima(results):
    for name, r in results["series"].items():
        if r["season"] > 1:
            for other in ("ets", "sarima"):
                if r[other] is not None:
                    assert max(run["mase"] for run in r["runs"]) < r[other], (name, other)


def test_every_run_takes_under_a_minute(results):
    slow = [(name, run["seed"], run["seconds"]) for name, r in results["series"].items() for run in r["runs"]
            if run["seconds"] >= 60]
    assert not slow


def test_one_series_reproduces(results, tmp_path):
    summary, seconds = run_one("sunspots", 0, [], tmp_path / "run")
    committed = results["series"]["sunspots"]["runs"][0]
    metrics = summary["metrics"]
    assert metrics["model"]["mase"] == pytest.approx(committed["mase"], rel=0.02)
    assert summary["chosen"] == committed["chosen"]
    assert all(metrics["model"]["mase"] < metrics[b]["mase"] for b in BASELINE_NAMES), metrics
    assert seconds < 60


def test_the_nile_s_test_part_favours_the_mean_of_all_past_values():
    """Why NEAR_THE_MEAN: no level estimate that ignores the early high years does better on
    the test part, and the validation part, where every choice is made, says the opposite:
    there the mean of everything is the worst of these estimates, so no choice made on
    validation can move a forecast toward it."""
    from rnnlab.config import Config, override
    from rnnlab.forecasting.problem import prepare_forecast
    from rnnlab.forecasting.splits import backtest_origins, future, val_origins

    problem = prepare_forecast(override(Config(), ["forecast.series=nile"]), {"forecast.series"})
    fc, (split,), v = problem.config.forecast, problem.splits, problem.values

    def mae(origins, start):  # the mean of the values from start(o) to the origin o, repeated
        actual = future(v, origins, fc.horizon)
        return float(np.mean(np.abs(actual - np.array([[v[start(o):o + 1].mean()] for o in origins]))))

    change_point = 1898 - 1871
    for origins, everything_is_best in ((backtest_origins(split, fc.horizon, fc.backtest), True),
                                        (val_origins(split, problem.context, fc.horizon), False)):
        everything = mae(origins, lambda o: 0)
        others = [mae(origins, lambda o: change_point)] + [mae(origins, lambda o, y=y: o + 1 - y)
                                                            for y in (10, 20, 30, 40, 50)]
        assert (everything < min(others)) if everything_is_best else (everything > max(others)), (everything, others)
