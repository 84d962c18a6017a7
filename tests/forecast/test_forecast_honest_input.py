"""Honest input: decimal marks decided per column (never 2,019 and 2.019 both read as 2.019),
rows put in time order or refused, duplicates combined only when asked, values near the
float limits and giant cells refused in one line."""

import math

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.data.csv_source import parse_csv
from rnnlab.data.series import Reading, load_panel
from rnnlab.errors import UserError
from rnnlab.forecasting.select import validation_score

FAST = ["--epochs", "2", "--ensemble", "1", "--normalise", "last", "--log-transform", "off", "--no-plots", "--quiet",
        "--no-future"]


def _numbers(text, column="v", decimal="auto"):
    return parse_csv(text.encode(), "f.csv").numbers(column, decimal)


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_a_thousands_separator_is_not_a_decimal_comma(sep):
    # a decimal comma elsewhere in the column: "2.019" is then two thousand and nineteen
    np.testing.assert_array_equal(_numbers(f"t{sep}v\n1{sep}2,5\n2{sep}2.019\n3{sep}1.234,5\n"), [2.5, 2019, 1234.5])
    # a decimal point elsewhere: "2,019" is two thousand and nineteen
    np.testing.assert_array_equal(_numbers(f"t{sep}v\n1{sep}2.5\n2{sep}2,019\n3{sep}1,234.5\n"), [2.5, 2019, 1234.5])


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_a_column_that_could_be_read_both_ways_is_refused_in_one_line(sep):
    with pytest.raises(UserError, match=r"line 2: '2,019' could be a decimal or a thousands separator.*decimal=point"):
        _numbers(f"t{sep}v\n1{sep}2,019\n2{sep}2.019\n3{sep}7\n")
    with pytest.raises(UserError, match="could be a decimal or a thousands"):
        _numbers(f"t{sep}v\n1{sep}2,019\n2{sep}1,500\n")
    np.testing.assert_array_equal(_numbers(f"t{sep}v\n1{sep}2,019\n2{sep}1,500\n", decimal="point"), [2019, 1500])
    np.testing.assert_array_equal(_numbers(f"t{sep}v\n1{sep}2,019\n2{sep}1,500\n", decimal="comma"), [2.019, 1.5])


def test_both_marks_as_decimals_in_one_column_are_refused():
    with pytest.raises(UserError, match=r"decimal commas \(line 2: '2,5'\) and decimal points \(line 3: '3.25'\)"):
        _numbers("t;v\n1;2,5\n2;3.25\n")


def test_a_comma_file_reads_decimal_points():
    np.testing.assert_array_equal(_numbers('t,v\n1,100.000\n2,"2,019"\n3,2.5\n'), [100, 2019, 2.5])


def _panel(text, tmp_path, **reading):
    f = tmp_path / "s.csv"
    f.write_text(text)
    return load_panel(str(f), Reading("v", "t", **reading))


def test_newest_first_is_sorted_with_a_note(tmp_path):
    (series,), notes = _panel("t,v\n2024-03,3\n2024-02,2\n2024-01,1\n", tmp_path)
    assert series.time.labels == ["2024-01", "2024-02", "2024-03"] and list(series.values) == [1, 2, 3]
    assert series.places == ["line 4", "line 3", "line 2"]
    assert notes == ["s.csv: rows were newest first; sorted oldest first"]


def test_shuffled_rows_are_refused(tmp_path):
    with pytest.raises(UserError, match=r"not in time order: line 4 \('2024-02'\) follows line 3 \('2024-03'\); sort"):
        _panel("t,v\n2024-01,1\n2024-03,3\n2024-02,2\n2024-04,4\n", tmp_path)


def test_duplicate_timestamps_are_refused_or_combined(tmp_path):
    text = "t,v\n2024-01,1\n2024-02,2\n2024-02,4\n2024-03,3\n"
    with pytest.raises(UserError, match=r"1 row\(s\) repeat a timestamp, the first '2024-02' \(line 3 and line 4\)"):
        _panel(text, tmp_path)
    for how, value in (("mean", 3), ("sum", 6), ("last", 4)):
        (series,), _ = _panel(text, tmp_path, duplicates=how)
        assert list(series.values) == [1, value, 3] and series.time.labels == ["2024-01", "2024-02", "2024-03"]


def test_the_cli_says_time_order_problems_in_one_line(tmp_path, capsys):
    rows = [f"{2000 + i},{math.sin(i / 3) + 5:.4f}" for i in range(120)]
    rows[50], rows[51] = rows[51], rows[50]
    f = tmp_path / "s.csv"
    f.write_text("year,v\n" + "\n".join(rows) + "\n")
    assert main(["forecast", str(f), "--column", "v", "--time-column", "year", *FAST]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not in time order" in err[0] and "Traceback" not in err[0]
    f.write_text("year,v\n" + "\n".join(reversed([f"{2000 + i},{math.sin(i / 3) + 5:.4f}" for i in range(120)])))
    assert main(["forecast", str(f), "--column", "v", "--time-column", "year", "--horizon", "4",
                 "--out", str(tmp_path / "o"), *FAST[:-2]]) == 0
    assert "rows were newest first" in capsys.readouterr().out


@pytest.mark.parametrize("scale,expected", [(1e300, "too near the float limit"), (1e-310, "too near the float limit")])
def test_values_near_the_float_limits_are_one_line(tmp_path, capsys, scale, expected):
    f = tmp_path / "s.csv"
    f.write_text("t,v\n" + "".join(f"{i},{(5 + math.sin(i / 3)) * scale!r}\n" for i in range(120)))
    assert main(["forecast", str(f), "--column", "v", *FAST]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0] and "rescale" in err[0], err


def test_a_candidate_that_is_not_a_number_is_never_chosen():
    actual = np.ones((3, 2))
    nan, finite = [np.full((3, 2), np.nan)], [np.full((3, 2), 1e6)]
    assert validation_score(nan, actual) == math.inf
    assert min([nan, finite], key=lambda f: validation_score(f, actual)) is finite


def test_a_giant_cell_is_one_line(tmp_path, capsys):
    f = tmp_path / "s.csv"
    f.write_text("t,v\n1,2\n2," + "9" * 140_000 + "\n3,4\n")
    assert main(["forecast", str(f), "--column", "v", *FAST]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "more than 131,072 characters" in err[0] and "Traceback" not in err[0]
    f.write_text("t;v\n1;2\n2;\"" + "x" * 140_000 + "\n")  # an unclosed quote swallowing the rest
    assert main(["forecast", str(f), "--column", "v", *FAST]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
