"""The live progress bar fits the terminal (an 80-column one above all) and erases what a
longer line left behind; durations stay short at any length of run."""

import io
import os

import numpy as np
import pytest

from rnnlab.cli.progress import CLEAR_TO_END, Progress, duration
from rnnlab.runs.records import TrainState


def _draws(monkeypatch, columns: int, label: str, total: int) -> list[str]:
    monkeypatch.setattr("shutil.get_terminal_size", lambda *a, **k: os.terminal_size((columns, 24)))
    stream = io.StringIO()
    bar = Progress(label, stream, live=True)
    state = TrainState(epoch=0)
    bar.on_start(state, None, total)
    for done in (1, total // 2, total):
        bar.last_draw = -1.0  # draw every call
        state.epoch = done
        bar.on_progress(state, np.array([[123.456789]]))
    return stream.getvalue().split("\r")[1:]


@pytest.mark.parametrize("columns", [40, 80, 200])
@pytest.mark.parametrize("label, total", [("elman-sine", 200), ("a-long-recipe-name-from-a-file", 10**9)])
def test_every_draw_fits_the_terminal_and_clears_the_rest(monkeypatch, columns, label, total):
    draws = _draws(monkeypatch, columns, label, total)
    assert len(draws) == 3
    for draw in draws:
        line = draw.rstrip("\n")
        assert line.endswith(CLEAR_TO_END)
        assert len(line) - len(CLEAR_TO_END) < columns


def test_on_80_columns_the_bar_and_the_eta_are_shown(monkeypatch):
    draws = _draws(monkeypatch, 80, "sine-recurrent", 20000)
    assert "[" in draws[1] and "#" in draws[1] and " left" in draws[1] and "epoch 10000/20000" in draws[1]


@pytest.mark.parametrize("seconds, text", [(5, "5.0s"), (65, "1m05s"), (3700, "1h01m"), (200000, "2.3 days")])
def test_durations_are_short(seconds, text):
    assert duration(seconds) == text
