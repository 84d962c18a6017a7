"""Reading, splitting, filling, season detection and normalisation of forecast data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlab.data import bundled
from rnnlab.data.csv_source import parse_csv, read_table, sniff_delimiter
from rnnlab.data.timeaxis import parse_time
from rnnlab.forecasting.scaling import MODES, fit_normaliser
from rnnlab.forecasting.season import detect_season
from rnnlab.forecasting.splits import (
    Split,
    backtest_origins,
    chronological_split,
    fill_missing,
    future,
    history,
    train_origins,
    val_origins,
)


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(sep):
    text = sep.join(["t", "value", "other"]) + "\n" + "\n".join(sep.join([str(i), f"{i}.5", "1"]) for i in range(5))
    assert sniff_delimiter(text) == sep
    table = parse_csv(text.encode(), "x.csv")
    assert table.columns == ["t", "value", "other"]
    np.testing.assert_array_equal(table.numbers("value"), np.arange(5) + 0.5)


def test_semicolon_files_may_use_a_decimal_comma_and_quotes_are_respected():
    table = parse_csv(b'month;units\n2020-01;"1,5"\n2020-02;2,25\n', "s.csv")
    np.testing.assert_array_equal(table.numbers("units"), [1.5, 2.25])
    comma = parse_csv(b'a,b\n"1,5",2\n', "c.csv")
    assert comma.cells["a"] == ["1,5"]  # a comma file never reads "1,5" as a number
    assert np.isnan(parse_csv(b"a,b\n,2\nNA,3\n", "n.csv").numbers("a")).all()


def test_bundled_series_are_listed_and_readable():
    assert {"sunspots", "nile", "co2", "elnino"} <= set(bundled.DATASETS)
    for ds in bundled.DATASETS.values():
        assert ds.licence == "public domain" and ds.source
        table = read_table(bundled.path_of(ds.name))
        values = table.numbers(ds.column)
        assert values.shape[0] >= 100
        assert np.isnan(values).any() == (ds.fill != "none")


def test_time_axis_reads_years_months_weeks():
    assert parse_time(["1700", "1701", "1702"]).step == "year"
    assert parse_time(["2001-01", "2001-02", "2001-03", "2001-04"]).step == "month"
    weeks = parse_time(["1958-03-29", "1958-04-05", "1958-04-12"])
    assert weeks.is_date and weeks.step == "week" and weeks.x[1] - weeks.x[0] == 7
    assert parse_time(["a", "b", "c"]).x.tolist() == [0, 1, 2]


def test_season_is_detected_from_the_data_or_the_calendar():
    rng = np.random.default_rng(0)
    t = np.arange(300)
    assert detect_season(np.sin(2 * np.pi * t / 11) + 0.1 * rng.normal(size=300)) == 11
    assert detect_season(rng.normal(size=300)) == 1  # noise has no season
    monthly = np.sin(2 * np.pi * t / 12) + 0.02 * t + 0.2 * rng.normal(size=300)
    assert detect_season(monthly, "month") == 12
    assert detect_season(np.full(50, 3.0)) == 1  # constant: no division by zero


@settings(max_examples=60, deadline=None)
@given(n=st.integers(60, 300), h=st.integers(1, 12), w=st.integers(2, 20), count=st.integers(1, 25))
def test_no_example_crosses_a_split_boundary(n, h, w, count):
    val, test = max(h + 2, n // 6), max(h + 2, n // 5)
    if n - val - test - w - h + 1 < 8:
        return
    split = chronological_split(n, val, test, w, h)
    tr = train_origins(split, w, h)
    assert tr.min() - w + 1 >= 0 and tr.max() + h <= split.train_end - 1
    va = val_origins(split, w, h)
    assert va.min() + 1 >= split.train_end and va.max() + h <= split.val_end - 1
    bt = backtest_origins(split, h, count)
    assert bt.min() + 1 >= split.val_end and bt.max() + h <= n - 1 and len(bt) <= count


def test_history_and_future_windows():
    v = np.arange(10.0)
    o = np.array([3, 5])
    np.testing.assert_array_equal(history(v, o, 3), [[1, 2, 3], [3, 4, 5]])
    np.testing.assert_array_equal(future(v, o, 2), [[4, 5], [6, 7]])


def test_gaps_are_filled_part_by_part():
    v = np.array([1.0, np.nan, 3.0, np.nan, np.nan, 10.0, np.nan, 8.0])
    split = Split(8, 4, 6)  # train [0,4), val [4,6), test [6,8)
    np.testing.assert_array_equal(fill_missing(v, split, "interpolate"), [1, 2, 3, 3, 10, 10, 8, 8])
    np.testing.assert_array_equal(fill_missing(v, split, "ffill"), [1, 1, 3, 3, 10, 10, 8, 8])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("log", [False, True])
def test_normalisation_round_trips_and_uses_training_data_only(mode, log):
    rng = np.random.default_rng(1)
    values = 50 + np.cumsum(rng.normal(size=200)) + 5 * np.sin(np.arange(200) / 2)
    w, s, h = 8, 12, 4
    ctx = w + (s if mode == "seasonal" else 0)
    o = np.arange(ctx - 1, 140 - h)
    hist, fut = history(values, o, ctx), future(values, o, h)
    level = np.cumsum(values)[o] / (o + 1)  # the history normalisation's reference: the mean up to each origin
    norm = fit_normaliser(mode, log, w, s, hist, fut, values[:140], np.zeros((140, 0)), level=level)
    z = norm.targets(hist, fut, level=level)
    np.testing.assert_allclose(norm.invert(hist, z, level=level), fut, rtol=1e-10)
    x = norm.inputs(hist, level=level)
    assert x.shape == (len(o), w, norm.channels) and np.isfinite(x).all()
    assert 0.2 < float(np.std(z)) < 5  # targets come out near unit scale


def test_normalisers_never_divide_by_zero_on_flat_windows():
    flat = np.ones((4, 10))
    level = np.ones(4)
    for mode in MODES:
        norm = fit_normaliser(mode, False, 5, 3, flat, flat[:, :2], flat[0], np.zeros((10, 0)), level=level)
        assert np.isfinite(norm.inputs(flat, level=level)).all()
        assert np.isfinite(norm.invert(flat, np.ones((4, 2)), level=level)).all()
