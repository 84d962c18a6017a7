"""The forecasting tables of README.md and docs/forecasting.md are benchmarks/forecast_seeds.py's
formatting of the committed results JSON, and a rerun of one series reproduces it.

The full rerun (5 seeds of every bundled series, with exponential smoothing and SARIMA)
takes minutes; here one series and one seed are rerun: its MASE must agree within 2 %
(float32 training: the last digits depend on the CPU's kernels) and its choice exactly.
The quality bar is checked on the committed results: on every bundled series and every
seed the model beats naive and seasonal naive."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.forecast_seeds import RESULTS, TABLES, committed_block, run_one, tables  # noqa: E402
from rnnlab.data.bundled import DATASETS  # noqa: E402


@pytest.fixture(scope="module")
def results():
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_the_committed_tables_are_the_script_s_formatting_of_the_results(results):
    for name, body in tables(results).items():
        assert committed_block(TABLES[name], name) == body, f"{TABLES[name].name}: rerun " \
            "`python -m benchmarks.forecast_seeds --tables-only`"


def test_every_bundled_series_is_measured(results):
    assert set(results["series"]) == set(DATASETS) and results["seeds"] >= 5


def test_the_model_beats_the_naive_baselines_on_every_series_and_seed(results):
    for name, r in results["series"].items():
        for run in r["runs"]:
            assert run["mase"] < r["baselines"]["naive"], (name, run)
            assert run["mase"] < r["baselines"]["seasonal_naive"], (name, run)


def test_one_series_reproduces(results, tmp_path):
    summary, seconds = run_one("sunspots", 0, [], tmp_path / "run")
    committed = results["series"]["sunspots"]["runs"][0]
    assert summary["metrics"]["model"]["mase"] == pytest.approx(committed["mase"], rel=0.02)
    assert summary["chosen"] == committed["chosen"]
    assert seconds < 60
