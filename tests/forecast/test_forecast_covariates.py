"""Covariates known in advance: read over the horizon in the backtest and the future
forecast, taken from --future-features after the data, and a clear line when missing."""

import csv
import json

import numpy as np
import pytest

from rnnlab.cli import main

QUICK = ["--horizon", "4", "--epochs", "40", "--ensemble", "1", "--normalise", "standard", "--log-transform", "off",
         "--no-plots", "--quiet", "--backtest", "10"]


def _series(n=240, seed=0):
    """Sales that jump by 8 on promotion days (random, known in advance) over a level with noise."""
    rng = np.random.default_rng(seed)
    promo = (rng.random(n) < 0.25).astype(int)
    units = 20 + 8 * promo + rng.normal(0, 0.5, n)
    return promo, units


@pytest.fixture
def sales(tmp_path):
    promo, units = _series()
    path = tmp_path / "sales.csv"
    path.write_text("day,units,promo\n" + "".join(f"{i},{float(u)!r},{p}\n" for i, (u, p) in enumerate(zip(units, promo))))
    future = tmp_path / "future.csv"
    future.write_text("day,promo\n240,1\n241,0\n242,0\n243,1\n")
    return path, future


def test_known_future_features_feed_backtest_and_future(sales, tmp_path):
    path, future = sales
    base = ["forecast", str(path), "--column", "units", "--time-column", "day", *QUICK]
    assert main([*base, "--features", "promo", "--future-features", str(future), "--out", str(tmp_path / "f")]) == 0
    assert main([*base, "--out", str(tmp_path / "plain")]) == 0
    with_promo = json.loads((tmp_path / "f" / "metrics.json").read_text())["model"]["mase"]
    without = json.loads((tmp_path / "plain" / "metrics.json").read_text())["model"]["mase"]
    assert with_promo < 0.5 * without  # the promotions ahead are what the forecast needed
    with open(tmp_path / "f" / "future.csv", newline="") as fh:
        ahead = [float(r["forecast"]) for r in csv.DictReader(fh)]
    assert min(ahead[0], ahead[3]) > max(ahead[1], ahead[2]) + 4  # the promotion days in future.csv


def _fails(capsys, args, *expected):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    for text in expected:
        assert text in err[0], err[0]


def test_missing_future_values_are_one_clear_line(sales, tmp_path, capsys):
    path, future = sales
    base = ["forecast", str(path), "--column", "units", "--time-column", "day", "--features", "promo", *QUICK]
    _fails(capsys, [*base, "--out", str(tmp_path / "a")], "future values of promo", "--future-features FILE",
           "--set forecast.future=false")
    future.write_text("day,promo\n240,1\n241,0\n243,1\n")
    _fails(capsys, [*base, "--future-features", str(future), "--out", str(tmp_path / "b")],
           "no row for 242 (step 3)", "promo at each of the 4 steps after 239")
    future.write_text("day,promo\n240,1\n241,\n242,0\n243,1\n")
    _fails(capsys, [*base, "--future-features", str(future), "--out", str(tmp_path / "c")], "line 3", "'promo' is empty")
    assert not any((tmp_path / d).exists() for d in "abc")  # refused before the folder is claimed
