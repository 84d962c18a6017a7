"""When training stops to log: the log points, found by arithmetic rather than listed, so
a run of 10^9 epochs costs no memory before its first epoch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rnnlab.config import LogConfig


@dataclass(frozen=True)
class LogSchedule:
    """Epochs (0-based) whose loss is logged, with the predictions after them.

    at "start": e % every == 0, what the torch programs print; "end": (e + 1) % every == 0,
    and e == 0 when `first` (the primer's NumPy program prints both). `last` adds the
    final epoch, so the last epoch trained always has its row in metrics.csv.
    """

    total: int
    every: int
    at: Literal["start", "end"] = "start"
    first: bool = False
    last: bool = True

    @classmethod
    def of(cls, log: LogConfig, total: int) -> LogSchedule:
        """The recipe's own log points ([log] every and at), plus the last epoch."""
        return cls(total, log.every, log.at, first=log.at == "end")

    def __contains__(self, epoch: int) -> bool:
        if not 0 <= epoch < self.total:
            return False
        offset = 0 if self.at == "start" else self.every - 1
        return ((epoch - offset) % self.every == 0 and epoch >= offset) or (self.first and epoch == 0) \
            or (self.last and epoch == self.total - 1)

    def next(self, epoch: int) -> int | None:
        """The first log point at or after `epoch`, or None."""
        if epoch >= self.total:
            return None
        if self.first and epoch <= 0:
            return 0
        offset = 0 if self.at == "start" else self.every - 1
        regular = offset if epoch <= offset else offset + -(-(epoch - offset) // self.every) * self.every
        candidates = [regular] + ([self.total - 1] if self.last else [])
        found = [e for e in candidates if e < self.total]
        return min(found) if found else None
