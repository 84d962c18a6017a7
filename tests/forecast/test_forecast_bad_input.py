"""Bad input to `rnnlab forecast` is one line on stderr and exit code 2, never a traceback,
and never costs an earlier run its files."""

import json
import math

import pytest

from rnnlab.cli import main
from rnnlab.errors import UserError

FAST = ["--epochs", "2", "--ensemble", "1", "--normalise", "last", "--log-transform", "off", "--no-plots", "--quiet"]


def _csv(path, rows, header="t,value", sep=","):
    path.write_text("\n".join([header, *(sep.join(map(str, r)) for r in rows)]) + "\n", encoding="utf-8")
    return path


def _series(n=120):
    return [(i, round(10 + math.sin(i / 3) + 0.01 * i, 4)) for i in range(n)]


def _fails(capsys, args, *expected):
    code = main(["forecast", *args])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_missing_file(tmp_path, capsys):
    _fails(capsys, [str(tmp_path / "nope.csv"), "--column", "value", "--out", str(tmp_path / "o")], "no such file")
    assert not (tmp_path / "o").exists()


def test_missing_column_lists_the_columns(tmp_path, capsys):
    f = _csv(tmp_path / "s.csv", _series())
    _fails(capsys, [str(f), "--column", "units", "--out", str(tmp_path / "o")], "no column 'units'", "t, value")


def test_non_numeric_cell_names_line_and_column(tmp_path, capsys):
    rows = _series()
    rows[5] = (5, "12,x")
    f = _csv(tmp_path / "s.csv", rows, sep=";", header="t;value")
    _fails(capsys, [str(f), "--column", "value"], "line 7", "column 'value'", "'12,x' is not a number")


@pytest.mark.parametrize("cell", ["", "NaN"])
def test_empty_or_nan_cells_give_count_and_first_position(tmp_path, capsys, cell):
    rows = _series()
    rows[3], rows[40] = (3, cell), (40, cell)
    f = _csv(tmp_path / "s.csv", rows)
    _fails(capsys, [str(f), "--column", "value"], "2 empty or NaN cell(s)", "line 5", "--fill")


@pytest.mark.parametrize("fill", ["interpolate", "ffill", "drop"])
def test_fill_accepts_gaps(tmp_path, capsys, fill):
    rows = _series()
    rows[3], rows[40] = (3, ""), (40, "nan")
    f = _csv(tmp_path / "s.csv", rows)
    out = tmp_path / "o"
    assert main(["forecast", str(f), "--column", "value", "--horizon", "4", "--fill", fill, "--out", str(out),
                 *FAST]) == 0
    assert (out / "metrics.json").is_file()


def test_infinity(tmp_path, capsys):
    rows = _series()
    rows[10] = (10, "inf")
    _fails(capsys, [str(_csv(tmp_path / "s.csv", rows)), "--column", "value"], "line 12", "infinite")


def test_ragged_row(tmp_path, capsys):
    f = _csv(tmp_path / "s.csv", _series())
    text = f.read_text().splitlines()
    text[8] += ",7"
    f.write_text("\n".join(text) + "\n")
    _fails(capsys, [str(f), "--column", "value"], "line 9", "3 fields", "header has 2")


def test_binary_file(tmp_path, capsys):
    f = tmp_path / "s.csv"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _fails(capsys, [str(f), "--column", "value"], "binary")


def test_not_utf8(tmp_path, capsys):
    f = tmp_path / "s.csv"
    f.write_bytes("t,value\n1,2\n2,\xe9\n".encode("latin-1"))
    _fails(capsys, [str(f), "--column", "value"], "line 3", "UTF-8")


@pytest.mark.parametrize("text,expected", [("", "is empty"), ("t,value\n", "no rows"), ("1,2\n3,4\n", "header")])
def test_empty_headerless_files(tmp_path, capsys, text, expected):
    f = tmp_path / "s.csv"
    f.write_text(text)
    _fails(capsys, [str(f), "--column", "value"], expected)


def test_series_too_short(tmp_path, capsys):
    f = _csv(tmp_path / "s.csv", _series(40))
    _fails(capsys, [str(f), "--column", "value", "--horizon", "8", "--window", "12"], "the series has 40 points",
           "shorten")


def test_constant_series(tmp_path, capsys):
    f = _csv(tmp_path / "s.csv", [(i, 5) for i in range(100)])
    _fails(capsys, [str(f), "--column", "value", "--horizon", "4"], "constant")


def test_bad_flag_value_names_the_flag(tmp_path, capsys):
    f = _csv(tmp_path / "s.csv", _series())
    _fails(capsys, [str(f), "--column", "value", "--horizon", "soon"], "--horizon")
    _fails(capsys, [str(f), "--column", "value", "--strategy", "sideways"], "--strategy")


def test_features_need_the_direct_strategy(tmp_path, capsys):
    f = _csv(tmp_path / "s.csv", [(i, v, i % 7) for i, v in _series()], header="t,value,dow")
    _fails(capsys, [str(f), "--column", "value", "--features", "dow", "--strategy", "recursive"], "--strategy direct")
    _fails(capsys, [str(f), "--column", "value", "--features", "nope"], "no column 'nope'")


def test_parquet_without_pyarrow(tmp_path, capsys):
    try:
        import pyarrow  # noqa: F401
    except ModuleNotFoundError:
        f = tmp_path / "s.parquet"
        f.write_bytes(b"PAR1")
        _fails(capsys, [str(f), "--column", "value"], "pip install pyarrow")
    else:
        pytest.skip("pyarrow is installed")


def test_an_earlier_run_is_never_overwritten(tmp_path, capsys):
    f = _csv(tmp_path / "s.csv", _series())
    out = tmp_path / "run"
    out.mkdir()
    (out / "metrics.json").write_text("earlier")
    _fails(capsys, [str(f), "--column", "value", "--horizon", "4", "--out", str(out)], "not empty")
    assert (out / "metrics.json").read_text() == "earlier"


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(UserError):
        main(["forecast", str(tmp_path / "nope.csv"), "--column", "value", "--debug"])
    with pytest.raises(UserError):
        main(["--debug", "forecast", str(tmp_path / "nope.csv"), "--column", "value"])


def test_gaps_in_feature_columns_are_filled_too(tmp_path):
    rows = [(i, v, "" if i in (7, 90) else i % 7) for i, v in _series()]
    f = _csv(tmp_path / "s.csv", rows, header="t,value,dow")
    out = tmp_path / "o"
    assert main(["forecast", str(f), "--column", "value", "--features", "dow", "--horizon", "4",
                 "--fill", "interpolate", "--out", str(out), "--no-future", *FAST]) == 0
    assert json.loads((out / "metrics.json").read_text())["model"]["mae"] is not None
