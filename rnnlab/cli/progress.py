"""Training progress for people: a live bar on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import shutil
import time
from typing import Callable, TextIO

import numpy as np

from rnnlab.runs.records import TrainState
from rnnlab.train.callbacks import Callback
from rnnlab.train.members import Members


PLAIN_SECONDS = 30.0  # off a terminal, a line at least this often (a tenth of a long run is days)


class Progress(Callback):
    """On a terminal it redraws one line at most 10 times a second; elsewhere (CI logs,
    pipes) it prints a line at every tenth of the run and at least every PLAIN_SECONDS,
    each with the time left. The loss shown is the median over the members still training
    (a single run's own loss). When the stream goes away (a closed pipe, a lost terminal)
    it falls silent and training goes on."""

    def __init__(self, label: str, stream: TextIO, *, live: bool,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.label, self.stream, self.live, self.clock = label, stream, live, clock
        self.first = self.total = 0
        self.started = self.last_draw = 0.0
        self.next_line = 0
        self.silent = False

    def on_start(self, state: TrainState, members: Members, total: int) -> None:
        self.first, self.total = state.epoch, total
        self.started = self.last_draw = self.clock()
        self.next_line = state.epoch + max(1, (total - state.epoch) // 10)

    def on_progress(self, state: TrainState, losses: np.ndarray) -> None:
        done, now = state.epoch, self.clock()
        last = losses[:, -1]
        loss = float(np.median(last[np.isfinite(last)])) if np.isfinite(last).any() else float("nan")
        finished = done >= self.total
        if self.live:
            if finished or now - self.last_draw >= 0.1:
                self.last_draw = now
                width = min(shutil.get_terminal_size().columns, 120) - 1
                self._write("\r" + self._line(done, loss, now, width=width) + CLEAR_TO_END)
        elif finished or done >= self.next_line or now - self.last_draw >= PLAIN_SECONDS:
            while self.next_line <= done:
                self.next_line += max(1, (self.total - self.first) // 10)
            self.last_draw = now
            self._write(self._line(done, loss, now) + "\n")

    def on_end(self, state: TrainState) -> None:
        if self.live:
            self._write("\n")

    def _write(self, text: str) -> None:
        if self.silent:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the reader is gone (EPIPE, EIO) or the stream closed: train on
            self.silent = True

    def _line(self, done: int, loss: float, now: float, *, width: int | None = None) -> str:
        """One progress line; with `width` (a terminal's), a bar that fills what is left of
        it, the elapsed time dropped and then the end cut where even that does not fit."""
        frac = done / self.total if self.total else 1.0
        elapsed = now - self.started
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        numbers = f"{100 * frac:3.0f}%  epoch {done}/{self.total}  loss {loss:.6g}  "
        times = f"{duration(elapsed)} elapsed, {duration(eta)} left"
        if width is None:
            return f"{self.label} {numbers}{times}"
        room = width - len(self.label) - len(numbers) - len(times) - 4  # the bar's: its [] and spaces
        if room < MIN_BAR:
            times = f"{duration(eta)} left"
            room = width - len(self.label) - len(numbers) - len(times) - 4
        room = min(24, room)
        bar = "[" + "#" * round(room * frac) + "." * (room - round(room * frac)) + "] " if room >= MIN_BAR else ""
        return f"{self.label} {bar}{numbers}{times}"[:width]


MIN_BAR = 8  # a narrower bar says nothing the percentage does not
CLEAR_TO_END = "\x1b[K"  # what a shorter line leaves of a longer one is erased


def duration(seconds: float) -> str:
    """12.3s, 4m05s, 3h20m, 2.4 days: readable at any run length."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, hours = int(seconds // 60), int(seconds // 3600)
    if hours < 1:
        return f"{minutes}m{int(seconds % 60):02d}s"
    if hours < 48:
        return f"{hours}h{minutes % 60:02d}m"
    return f"{seconds / 86400:.1f} days"
