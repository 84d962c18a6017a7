"""Training progress for people: a live bar on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """A trainer callback. On a terminal it redraws one line at most 10 times a second;
    elsewhere (CI logs, pipes) it prints a line at every tenth of the run."""

    def __init__(self, label: str, stream: TextIO, *, live: bool) -> None:
        self.label, self.stream, self.live = label, stream, live
        self.first = self.total = 0
        self.started = self.last_draw = 0.0
        self.next_line = 0

    def on_start(self, first_epoch: int, total_epochs: int) -> None:
        self.first, self.total = first_epoch, total_epochs
        self.started = time.perf_counter()
        self.next_line = first_epoch + max(1, (total_epochs - first_epoch) // 10)

    def on_progress(self, epochs_done: int, loss: float) -> None:
        now = time.perf_counter()
        finished = epochs_done >= self.total
        if self.live:
            if finished or now - self.last_draw >= 0.1:
                self.last_draw = now
                self.stream.write("\r" + self._line(epochs_done, loss, now, bar=True))
                self.stream.flush()
        elif finished or epochs_done >= self.next_line:
            while self.next_line <= epochs_done:
                self.next_line += max(1, (self.total - self.first) // 10)
            self.stream.write(self._line(epochs_done, loss, now, bar=False) + "\n")
            self.stream.flush()

    def on_log(self, record: object) -> None: ...

    def on_end(self) -> None:
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
