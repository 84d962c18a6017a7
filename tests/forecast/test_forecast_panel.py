"""Many series: a long-format panel read by id, one global model across them, metrics per
series and together, and memory that follows the batch rather than the panel."""

import csv
import json

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.forecasting import fit

COMMON = ["--column", "units", "--time-column", "week", "--horizon", "6", "--test-size", "20", "--val-size", "10",
          "--window", "8", "--season", "13", "--epochs", "30", "--ensemble", "1", "--normalise", "revin",
          "--log-transform", "off", "--no-plots", "--quiet"]


def _panel(count=8, n=64, seed=0):
    """Series of different levels and phases sharing their dynamics: a 13-week season and an
    AR(2) cycle, too short each to learn them alone."""
    rng = np.random.default_rng(seed)
    out = {}
    t = np.arange(n)
    for s in range(count):
        level, phase = rng.uniform(50, 500), rng.uniform(0, 2 * np.pi)
        e = np.zeros(n)
        for i in range(2, n):
            e[i] = 1.5 * e[i - 1] - 0.8 * e[i - 2] + rng.normal()
        out[f"s{s}"] = level * (1 + 0.2 * np.sin(2 * np.pi * t / 13 + phase) + 0.02 * e)
    return out


def _write(path, panel):
    rows = [f"{key},{i},{float(v)!r}" for key, y in panel.items() for i, v in enumerate(y)]
    path.write_text("store,week,units\n" + "\n".join(rows) + "\n")


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_one_global_model_beats_one_model_per_series(tmp_path):
    panel = _panel()
    _write(tmp_path / "panel.csv", panel)
    assert main(["forecast", str(tmp_path / "panel.csv"), "--id-column", "store", "--out", str(tmp_path / "g"),
                 "--no-future", *COMMON]) == 0
    per_series = {r["series"]: float(r["mase"]) for r in _rows(tmp_path / "g" / "series_metrics.csv")
                  if r["forecast"] == "model"}
    local = {}
    for key, y in panel.items():
        f = tmp_path / f"{key}.csv"
        f.write_text("week,units\n" + "".join(f"{i},{float(v)!r}\n" for i, v in enumerate(y)))
        assert main(["forecast", str(f), "--out", str(tmp_path / key), "--no-future", *COMMON]) == 0
        local[key] = json.loads((tmp_path / key / "metrics.json").read_text())["model"]["mase"]
    assert set(per_series) == set(local)
    assert np.mean(list(per_series.values())) < 0.95 * np.mean(list(local.values())), (per_series, local)
    together = json.loads((tmp_path / "g" / "metrics.json").read_text())["model"]["mase"]
    assert together == pytest.approx(np.mean(list(per_series.values())))  # a panel's MASE: its series' mean


def test_a_panel_s_files_name_every_series(tmp_path, capsys):
    _write(tmp_path / "panel.csv", _panel(count=3))
    out = tmp_path / "run"
    assert main(["forecast", str(tmp_path / "panel.csv"), "--id-column", "store", "--out", str(out),
                 "--backtest", "4", *COMMON]) == 0
    future = _rows(out / "future.csv")
    assert [r["series"] for r in future] == ["s0"] * 6 + ["s1"] * 6 + ["s2"] * 6
    assert [r["time"] for r in future[:6]] == [str(i) for i in range(64, 70)]
    backtest = _rows(out / "forecast.csv")
    assert len(backtest) == 3 * 4 * 6 and {r["series"] for r in backtest} == {"s0", "s1", "s2"}
    summary = json.loads((out / "summary.json").read_text())
    assert [p["series"] for p in summary["panel"]] == ["s0", "s1", "s2"]
    assert main(["predict", str(out)]) == 0
    assert "max difference from the run's own forecast beyond its data: 0" in capsys.readouterr().out


def test_training_windows_are_cut_a_batch_at_a_time(tmp_path, monkeypatch):
    _write(tmp_path / "panel.csv", _panel(count=12, n=120))
    seen = []
    cut = fit.windows_at

    def spy(problem, origins, context, k):
        seen.append(origins.shape[0])
        return cut(problem, origins, context, k)

    monkeypatch.setattr(fit, "windows_at", spy)
    monkeypatch.setattr(fit, "PREDICT_ROWS", 50)
    monkeypatch.setattr(fit, "FIT_SAMPLE", 100)
    assert main(["forecast", str(tmp_path / "panel.csv"), "--id-column", "store", "--out", str(tmp_path / "run"),
                 "--column", "units", "--horizon", "6", "--test-size", "20", "--val-size", "10", "--window", "8",
                 "--season", "13", "--epochs", "2", "--ensemble", "1", "--normalise", "last", "--log-transform", "off",
                 "--set", "forecast.batch_size=16", "--no-plots", "--quiet"]) == 0
    windows = 12 * (120 - 20 - 10 - 8 - 6 + 1)  # every series' training windows
    assert windows not in seen and sum(1 for s in seen if s == 16) > 2 * windows // 16
    # the most cut at once: a prediction chunk, the scaler's sample, the validation windows (4 series' worth)
    assert max(seen) <= max(50, 100, fit.MAX_VAL_ORIGINS * 4)
