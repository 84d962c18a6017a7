"""The forecast beyond the data: its timestamps for every kind of time column, its length,
and the run folder's future.csv, plot arrays and printed table."""

import csv
import json
import math

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data.timeaxis import future_axis, parse_time

QUICK = ["--epochs", "3", "--ensemble", "1", "--normalise", "revin", "--log-transform", "off"]


@pytest.mark.parametrize("labels,expected", [
    (["2024-12-29", "2024-12-30", "2024-12-31"], ["2025-01-01", "2025-01-02", "2025-01-03"]),  # daily
    (["2024-12-17", "2024-12-24", "2024-12-31"], ["2025-01-07", "2025-01-14", "2025-01-21"]),  # weekly
    (["2024-10", "2024-11", "2024-12"], ["2025-01", "2025-02", "2025-03"]),  # monthly
    (["2024-01-31", "2024-02-29", "2024-03-31"], ["2024-04-30", "2024-05-31", "2024-06-30"]),  # month ends stay
    (["2024-11-15", "2024-12-15", "2025-01-15"], ["2025-02-15", "2025-03-15", "2025-04-15"]),  # mid-month stays
    (["Oct 2024", "Nov 2024", "Dec 2024"], ["Jan 2025", "Feb 2025", "Mar 2025"]),
    (["2024-04-01", "2024-07-01", "2024-10-01"], ["2025-01-01", "2025-04-01", "2025-07-01"]),  # quarterly dates
    (["2024Q2", "2024Q3", "2024Q4"], ["2025Q1", "2025Q2", "2025Q3"]),  # quarters
    (["2024-Q2", "2024-Q3", "2024-Q4"], ["2025-Q1", "2025-Q2", "2025-Q3"]),
    (["2022", "2023", "2024"], ["2025", "2026", "2027"]),  # yearly numbers
    (["2021-12-31", "2022-12-31", "2023-12-31"], ["2024-12-31", "2025-12-31", "2026-12-31"]),  # yearly dates
    (["2024-W51", "2024-W52", "2025-W01"], ["2025-W02", "2025-W03", "2025-W04"]),  # ISO weeks
    (["2020-W52", "2020-W53", "2021-W01"], ["2021-W02", "2021-W03", "2021-W04"]),  # a 53-week year
    (["2024-12-30T00:00:00Z", "2024-12-31T00:00:00Z", "2025-01-01T00:00:00Z"],
     ["2025-01-02T00:00:00Z", "2025-01-03T00:00:00Z", "2025-01-04T00:00:00Z"]),  # ISO with Z
    (["2024-12-30T09:00+02:00", "2024-12-31T09:00+02:00", "2025-01-01T09:00+02:00"],
     ["2025-01-02T09:00+02:00", "2025-01-03T09:00+02:00", "2025-01-04T09:00+02:00"]),  # with an offset
    (["2025-01-01 21:00", "2025-01-01 22:00", "2025-01-01 23:00"],
     ["2025-01-02 00:00", "2025-01-02 01:00", "2025-01-02 02:00"]),  # hourly
    (["0", "1", "2"], ["3", "4", "5"]),  # positions
])
def test_future_timestamps_continue_each_frequency(labels, expected):
    axis = parse_time(labels)
    later = future_axis(axis, 3)
    assert later.labels == expected
    assert (np.diff(np.concatenate([axis.x, later.x])) > 0).all()  # plotted after the data, in order


def test_an_offset_is_placed_in_utc_for_the_plot():
    a = parse_time(["2025-01-01T02:00:00+02:00", "2025-01-02T02:00:00+02:00", "2025-01-03T02:00:00+02:00"])
    assert a.x[0] == pytest.approx(parse_time(["2025-01-01", "2025-01-02", "2025-01-03"]).x[0])


@pytest.fixture
def monthly_csv(tmp_path):
    path = tmp_path / "sales.csv"
    rows = [f"{2015 + i // 12}-{i % 12 + 1:02d},{100 + 10 * math.sin(2 * math.pi * i / 12) + 0.5 * i:.3f}"
            for i in range(120)]
    path.write_text("month,units\n" + "\n".join(rows) + "\n")
    return path


def test_the_forecast_goes_beyond_the_last_observation(monthly_csv, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["forecast", str(monthly_csv), "--column", "units", "--time-column", "month", "--horizon", "12",
                 "--out", str(out), "--backtest", "5", *QUICK]) == 0
    printed = capsys.readouterr().out
    assert "evaluation: backtest over the test part" in printed
    assert "forecast beyond the data" in printed and "after 2024-12" in printed
    assert printed.index("evaluation") < printed.index("forecast beyond the data")
    with open(out / "future.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["time"] for r in rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert list(rows[0]) == ["step", "time", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    for r in rows:
        assert float(r["lower_95"]) < float(r["lower_80"]) < float(r["forecast"]) < float(r["upper_80"]) \
            < float(r["upper_95"])
    with np.load(out / "forecast.npz") as z:
        assert z["future_model"].shape == (12,) and list(z["future_labels"]) == [r["time"] for r in rows]
        np.testing.assert_allclose(z["future_model"], [float(r["forecast"]) for r in rows])
        assert z["model_lowers"].shape == (2, *z["model"].shape) and z["interval_level"] == 0.95
    summary = json.loads((out / "summary.json").read_text())
    assert summary["future"]["times"][0] == "2025-01" and summary["future"]["after"] == "2024-12"
    assert all(e >= 1 for e in summary["future"]["refit_epochs"])


def test_no_future_gives_the_backtest_alone(monthly_csv, tmp_path):
    out = tmp_path / "run"
    assert main(["forecast", str(monthly_csv), "--column", "units", "--horizon", "6", "--no-future",
                 "--out", str(out), "--no-plots", "--quiet", *QUICK]) == 0
    assert not (out / "future.csv").exists() and (out / "metrics.json").is_file()
    assert json.loads((out / "summary.json").read_text())["future"] is None
