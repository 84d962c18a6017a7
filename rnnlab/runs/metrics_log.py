"""metrics.csv while training writes it: each log point's rows are appended to a working
file in the run folder as they come, so memory does not grow with the run's length (10^9
epochs logged every 100 are 10^7 rows). At the end the working file is copied to
metrics.csv atomically, like every final file.

A checkpoint records how many bytes of the working file belong to it and their CRC-32;
resuming cuts the file back to that length, after checking it, and appends from there,
so the resumed run's metrics.csv is byte for byte the uninterrupted one's. The working
file is flushed to disk before each checkpoint that counts on it is written.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import zlib
from collections.abc import Sequence
from pathlib import Path

from rnnlab.errors import UserError
from rnnlab.runs.atomic import atomic_path
from rnnlab.runs.folder import METRIC_COLUMNS, WORKING, reporting_write_errors, write_text
from rnnlab.runs.records import LogRecord


def csv_line(values: Sequence[object]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def row(record: LogRecord, member_column: bool) -> list[object]:
    """A record as metrics.csv writes it: floats by repr (exact), no test loss as ''."""
    values: list[object] = [record.epoch, record.step, repr(record.loss),
                            "" if record.test_loss is None else repr(record.test_loss)]
    return [record.member, *values] if member_column else values


def write_metrics(path: Path, records: Sequence[LogRecord]) -> None:
    """metrics.csv of rows kept in memory (a few: a sweep's batched trial), atomically."""
    write_text(path, csv_line(METRIC_COLUMNS) + "".join(csv_line(row(r, False)) for r in records))


class MetricsLog:
    """The rows of `run_dir`/metrics.csv, appended to its working file. `member_column`:
    an ensemble's rows start with the member. `size`/`crc` continue from a checkpoint's
    count (0: a new file with its header)."""

    def __init__(self, run_dir: Path, *, member_column: bool = False, size: int = 0, crc: int = 0) -> None:
        self.final, self.path, self.member_column = run_dir / "metrics.csv", run_dir / WORKING, member_column
        with reporting_write_errors(self.path):
            if size == 0:
                header = csv_line(["member", *METRIC_COLUMNS] if member_column else METRIC_COLUMNS).encode()
                self.file = open(self.path, "wb")  # noqa: SIM115 - held open while training
                self.file.write(header)
                self.size, self.crc = len(header), zlib.crc32(header)
            else:
                self._check(size, crc)
                self.file = open(self.path, "r+b")  # noqa: SIM115
                self.file.truncate(size)
                self.file.seek(size)
                self.size, self.crc = size, crc

    def _check(self, size: int, crc: int) -> None:
        """The working file holds the checkpoint's `size` bytes, unchanged."""
        advice = f"{self.path}: {{}}; remove checkpoint.npz to start the run over"
        try:
            if not self.path.is_file() or self.path.stat().st_size < size:
                raise UserError(advice.format(f"holds fewer than the {size} bytes of metrics rows the checkpoint "
                                              "counts on"))
            got, left = 0, size
            with open(self.path, "rb") as fh:
                while left:
                    block = fh.read(min(left, 1 << 20))
                    if not block:
                        break
                    got, left = zlib.crc32(block, got), left - len(block)
        except OSError as err:
            raise UserError(advice.format(f"cannot be read ({err.strerror or err})")) from err
        if left or got != crc:
            raise UserError(advice.format("its metrics rows differ from those the checkpoint was written with"))

    def append(self, records: Sequence[LogRecord]) -> None:
        data = "".join(csv_line(row(r, self.member_column)) for r in records).encode()
        with reporting_write_errors(self.path):
            self.file.write(data)
        self.size, self.crc = self.size + len(data), zlib.crc32(data, self.crc)

    def sync(self) -> None:
        """Make the rows written so far durable (before a checkpoint that counts on them)."""
        with reporting_write_errors(self.path):
            self.file.flush()
            os.fsync(self.file.fileno())

    def publish(self) -> None:
        """metrics.csv, atomically: a copy of the working file, which stays until `discard`."""
        with reporting_write_errors(self.final):
            self.file.flush()
            with atomic_path(self.final) as tmp, open(self.path, "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)

    def close(self) -> None:
        self.file.close()

    def discard(self) -> None:
        """Close and delete the working file (once the run is complete, or abandoned)."""
        self.close()
        self.path.unlink(missing_ok=True)
