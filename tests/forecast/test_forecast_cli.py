"""`rnnlab datasets` and `rnnlab forecast` end to end: the run folder and what it holds."""

import csv
import json
import math
import tomllib

import numpy as np
import pytest

from rnnlab.cli import main

QUICK = ["--epochs", "4", "--ensemble", "2"]


@pytest.fixture
def series_csv(tmp_path):
    path = tmp_path / "series.csv"
    rows = [f"{i},{10 + math.sin(i / 4) + 0.01 * i:.4f},{i % 5}" for i in range(200)]
    path.write_text("t,value,phase\n" + "\n".join(rows) + "\n")
    return path


def test_datasets_lists_source_and_licence(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in ("sunspots", "nile", "co2", "elnino"):
        assert name in out
    assert "public domain" in out and "source:" in out


def test_forecast_writes_the_run_folder(series_csv, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["forecast", str(series_csv), "--column", "value", "--time-column", "t", "--horizon", "8",
                 "--backtest", "5", "--out", str(out), *QUICK])
    assert code == 0
    printed = capsys.readouterr().out
    for name in ("model", "naive", "seasonal_naive", "mean", "MASE", "run folder"):
        assert name in printed
    for f in ("config.toml", "metrics.json", "forecast.csv", "future.csv", "forecast.png", "training.gif",
              "params.npz", "metrics.csv", "forecaster.json", "summary.json"):
        assert (out / f).stat().st_size > 0, f
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"model", "naive", "seasonal_naive", "mean"}
    assert all(set(m) == {"mae", "rmse", "smape", "mase", "coverage_80", "winkler_80", "coverage_95", "winkler_95"}
               for m in metrics.values())
    with open(out / "forecast.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["origin", "step", "time", "actual", "model", "naive", "seasonal_naive", "mean",
                             "model_lower_80", "model_upper_80", "model_lower_95", "model_upper_95"]
    assert all(float(r["model_lower_95"]) <= float(r["model_lower_80"]) <= float(r["model"])
               <= float(r["model_upper_80"]) <= float(r["model_upper_95"]) for r in rows)
    assert len(rows) == 5 * 8 and rows[0]["step"] == "1" and rows[7]["step"] == "8"
    assert int(rows[0]["time"]) == int(rows[0]["origin"]) + 1
    resolved = tomllib.loads((out / "config.toml").read_text())["forecast"]
    assert resolved["window"] > 0 and resolved["season"] > 1 and resolved["horizon"] == 8
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metrics"]["model"]["mase"] == pytest.approx(metrics["model"]["mase"])
    assert summary["chosen"] and set(summary["validation_mae"]) >= {"standard", "last", "revin", "seasonal"}


def test_a_run_repeats_from_its_config(series_csv, tmp_path, capsys):
    first, again = tmp_path / "a", tmp_path / "b"
    base = ["forecast", str(series_csv), "--column", "value", "--horizon", "6", "--no-plots", "--quiet", *QUICK]
    assert main([*base, "--out", str(first)]) == 0
    assert main(["forecast", "--config", str(first / "config.toml"), "--out", str(again), "--no-plots",
                 "--quiet"]) == 0
    assert (first / "metrics.json").read_text() == (again / "metrics.json").read_text()


def test_print_config_shows_resolved_defaults(series_csv, capsys):
    assert main(["forecast", str(series_csv), "--column", "value", "--horizon", "8", "--print-config"]) == 0
    cfg = tomllib.loads(capsys.readouterr().out)
    assert cfg["forecast"]["window"] > 0 and cfg["model"]["hidden"] > 0 and cfg["optim"]["name"] == "adam"
    assert "data" not in cfg  # the sine recipes' section does not apply


@pytest.mark.parametrize("extra", [["--strategy", "recursive", "--model", "gru"],
                                   ["--features", "phase", "--model", "lstm", "--layers", "2", "--no-future"],
                                   ["--optimizer", "momentum", "--lr", "0.01", "--normalise", "seasonal",
                                    "--log-transform", "on"]])
def test_strategies_cells_and_options_run(series_csv, tmp_path, extra):
    out = tmp_path / "run"
    assert main(["forecast", str(series_csv), "--column", "value", "--horizon", "5", "--backtest", "5",
                 "--out", str(out), "--no-plots", "--quiet", "--epochs", "3", "--ensemble", "1", *extra]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert math.isfinite(metrics["model"]["mase"])


def test_torch_engine_gives_the_numpy_engine_s_forecast(series_csv, tmp_path):
    pytest.importorskip("torch")
    results = []
    for engine in ("numpy", "torch"):
        out = tmp_path / engine
        assert main(["forecast", str(series_csv), "--column", "value", "--horizon", "5", "--model", "lstm",
                     "--engine", engine, "--dtype", "float64", "--out", str(out), "--no-plots", "--quiet",
                     "--normalise", "last", "--log-transform", "off", *QUICK]) == 0
        results.append(json.loads((out / "metrics.json").read_text())["model"])
    assert results[0]["mae"] == pytest.approx(results[1]["mae"], rel=1e-6)


def test_the_recorded_validation_scores_are_those_the_choice_saw(tmp_path):
    """summary.json's validation_mae is what chose: the chosen candidate scores lowest there
    (recorded before its extra ensemble members are trained; on the Nile, seed 0, the
    chosen candidate's 3-model mean scores worse than the runner-up it beat with 2)."""
    out = tmp_path / "nile"
    assert main(["forecast", "nile", "--seed", "0", "--no-future", "--interval", "none", "--no-plots", "--quiet",
                 "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    chosen = summary["chosen"].split(" + ")
    ranked = sorted(summary["validation_mae"], key=summary["validation_mae"].get)
    assert ranked[:len(chosen)] == chosen


@pytest.mark.parametrize("seasonal", [False, True])
def test_a_detection_that_overrides_the_calendar_says_how_to_use_the_calendar(tmp_path, capsys, seasonal):
    rng = np.random.default_rng(0)
    n = 160
    values = 10 + rng.normal(size=n) + (3 * np.sin(np.arange(n) * np.pi / 2) if seasonal else 0)
    path = tmp_path / "q.csv"
    path.write_text("quarter,v\n" + "".join(f"{1970 + i // 4}Q{i % 4 + 1},{x:.4f}\n" for i, x in enumerate(values)))
    assert main(["forecast", str(path), "--column", "v", "--time-column", "quarter", "--no-future", "--no-plots",
                 "--epochs", "2", "--ensemble", "1", "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["calendar_season"] == 4 and summary["selection_models"] == 1
    assert "MAE of 1 model:" in out
    if seasonal:
        assert summary["season"] == 4 and "calendar" not in out
    else:
        assert summary["season"] == 1
        assert "note: no season detected in the training part's autocorrelation; the calendar's season 4 does not " \
               "show there (--season 4 uses it)" in out
