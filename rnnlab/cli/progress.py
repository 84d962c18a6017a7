"""Training progress for people: a live bar on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import time
from typing import TextIO

import numpy as np

from rnnlab.runs.records import TrainState
from rnnlab.train.callbacks import Callback
from rnnlab.train.members import Members


class Progress(Callback):
    """On a terminal it redraws one line at most 10 times a second; elsewhere (CI logs,
    pipes) it prints a line at every tenth of the run. The loss shown is the median over
    the members still training (a single run's own loss)."""

    def __init__(self, label: str, stream: TextIO, *, live: bool) -> None:
        self.label, self.stream, self.live = label, stream, live
        self.first = self.total = 0
        self.started = self.last_draw = 0.0
        self.next_line = 0

    def on_start(self, state: TrainState, members: Members, total: int) -> None:
        self.first, self.total = state.epoch, total
        self.started = time.perf_counter()
        self.next_line = state.epoch + max(1, (total - state.epoch) // 10)

    def on_progress(self, state: TrainState, losses: np.ndarray) -> None:
        done, now = state.epoch, time.perf_counter()
        last = losses[:, -1]
        loss = float(np.median(last[np.isfinite(last)])) if np.isfinite(last).any() else float("nan")
        finished = done >= self.total
        if self.live:
            if finished or now - self.last_draw >= 0.1:
                self.last_draw = now
                self.stream.write("\r" + self._line(done, loss, now, bar=True))
                self.stream.flush()
        elif finished or done >= self.next_line:
            while self.next_line <= done:
                self.next_line += max(1, (self.total - self.first) // 10)
            self.stream.write(self._line(done, loss, now, bar=False) + "\n")
            self.stream.flush()

    def on_end(self, state: TrainState) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, done: int, loss: float, now: float, *, bar: bool) -> str:
        frac = done / self.total if self.total else 1.0
        elapsed = now - self.started
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else 0.0
        head = f"{self.label} "
        if bar:
            filled = int(round(24 * frac))
            head += "[" + "#" * filled + "." * (24 - filled) + "] "
        return (f"{head}{100 * frac:3.0f}%  epoch {done}/{self.total}  loss {loss:.6g}  "
                f"{elapsed:.1f}s elapsed, {eta:.1f}s left")
