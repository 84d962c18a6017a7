"""The commands under README.md's "Forecast your own series" run as shown, on files of the
shapes they name (sales.csv, future.csv, panel.csv, newer_sales.csv), with flags that only
make training short appended."""

import csv
import datetime as dt
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from rnnlab.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHORT = ["--epochs", "3", "--ensemble", "1", "--normalise", "last", "--log-transform", "off", "--backtest", "4",
         "--no-plots", "--quiet"]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Forecast your own series\n\n```\n(.*?)```", text, re.S)
    assert block is not None
    lines = [line.partition("#")[0].strip() for line in block[1].splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith(("rnnlab forecast", "rnnlab predict"))
            and ".csv" in line]


def _months(start: int, count: int) -> list[str]:
    return [f"{2015 + (start + i) // 12}-{(start + i) % 12 + 1:02d}" for i in range(count)]


@pytest.fixture
def user_files(tmp_path, monkeypatch):
    """Ten years of monthly sales with price and promotions, a year of them ahead, the same
    sales six months longer, and a weekly panel of five stores."""
    rng = np.random.default_rng(0)
    n = 126
    t = np.arange(n + 12)
    price = np.round(10 + 0.5 * np.sin(t / 7), 2)
    promo = (rng.random(n + 12) < 0.2).astype(int)
    units = np.round(200 + t + 30 * np.sin(2 * np.pi * t / 12) - 15 * (price - 10) + 40 * promo
                     + rng.normal(0, 5, n + 12), 1)
    month = _months(0, n + 12)

    def write(name, header, rows):
        with open(tmp_path / name, "w", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])

    write("sales.csv", ["month", "units", "price", "promo"], zip(month[:120], units, price, promo))
    write("newer_sales.csv", ["month", "units", "price", "promo"], zip(month[:n], units, price, promo))
    write("future.csv", ["month", "price", "promo"], zip(month[120:132], price[120:], promo[120:]))
    week0 = dt.date(2021, 1, 4)
    write("panel.csv", ["store", "week", "units"],
          [(f"store{s}", (week0 + dt.timedelta(weeks=w)).isoformat(), round(50 * s + 10 * np.sin(w / 8 + s)
                                                                              + rng.normal(), 2))
           for s in range(1, 6) for w in range(120)])
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_commands_run_as_shown(user_files, capsys):
    commands = readme_commands()
    assert [c[0] for c in commands] == ["forecast"] * 4 + ["predict"]
    outs = []
    for k, args in enumerate(commands[:4]):
        out = user_files / "runs" / f"forecast-{k}"
        assert main([*args, *SHORT, "--out", str(out)]) == 0, args
        outs.append(out)
        with open(out / "future.csv", newline="") as fh:
            future = list(csv.DictReader(fh))
        assert len(future) == int(args[args.index("--horizon") + 1]) * (5 if "--id-column" in args else 1)
    with open(outs[0] / "future.csv", newline="") as fh:
        assert [r["time"] for r in csv.DictReader(fh)] == _months(120, 12)  # 2025-01 .. 2025-12
    predict = commands[4]
    predict[1] = str(outs[0])  # runs/forecast-sales-... : the first forecast's folder
    capsys.readouterr()
    assert main(predict) == 0
    printed = capsys.readouterr().out
    assert "2025-07" in printed and "2026-06" in printed  # the 12 months after newer_sales.csv's end
