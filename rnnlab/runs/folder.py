"""The run folder: the interface between training and everything that reads results.

Files (each written atomically, but for the rows appended while training; summary.json
last, so its presence means complete):
  config.toml      the resolved recipe
  checkpoint.npz   while training: the state to resume from (rnnlab.runs.checkpoint);
                   removed once summary.json is written (a kill in between leaves it:
                   `after_end` finds it, `rnnlab resume` removes it)
  .metrics.csv.rows  while training: metrics.csv's rows so far (rnnlab.runs.metrics_log)
  diverged.json    only when training diverged: where and why (the checkpoint before it stays)
  metrics.csv      epoch, step, loss, test_loss at every log point
  history.npz      the training loss of every epoch (rnnlab.runs.history)
  inspection.npz   the inside views at log points (rnnlab.runs.inspection)
  params.npz       final parameters by name (rnnlab.core.init layout)
  predictions.npz  logged predictions, read by rnnlab.viz (its docstring has the keys)
  summary.json     final numbers, engine, dtype, seed, argv, versions
  loss.png, predictions.png, training.gif   drawn from the files above
  report.html      the whole folder on one page, written after summary.json (rnnlab.report)
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import stat
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from rnnlab.errors import UserError, WriteError
from rnnlab.runs.atomic import atomic_path, atomic_write_bytes

METRIC_COLUMNS = ("epoch", "step", "loss", "test_loss")


def default_run_dir(recipe: str, root: Path = Path("runs")) -> Path:
    """A new, empty folder root/<recipe>-<UTC time>, claimed by creating it: runs started in
    the same second (or by several processes at once) get -2, -3, ... after the time."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{root}: cannot create the runs folder ({err.strerror or err}); choose another "
                        "folder for the run") from None
    for n in range(1, 10_000):
        path = root / (f"{recipe}-{stamp}" if n == 1 else f"{recipe}-{stamp}-{n}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
        except OSError as err:
            raise UserError(f"{path}: cannot create the run folder ({err.strerror or err})") from None
    raise UserError(f"{root}: no free run folder name for {recipe} at {stamp}; choose a folder for the run")


def create_run_dir(path: Path) -> Path:
    """Make an empty run folder, refusing to touch an existing non-empty one. A folder
    holding only what a killed rnnlab left behind (leftovers) counts as empty."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: exists and is not a folder; choose another path for the run folder")
    if path.is_dir():
        entries = list(path.iterdir())
        if not all(leftover(p) for p in entries):
            raise UserError(f"{path}: folder is not empty; choose a new folder so no earlier run is overwritten")
        for p in entries:
            p.unlink(missing_ok=True)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f"{PROBE}{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise UserError(f"{path}: cannot write there ({err.strerror or err}); choose a writable folder") from None
    return path


def claim_run_dir(path: Path, name: str, text: str) -> Path:
    """Make the run folder and claim it at once by creating its file `name` (config.toml)
    exclusively: of two jobs started into one folder at the same moment, the second is
    refused instead of both writing into it. The file appears whole (written aside, then
    linked into place, which fails if the name exists)."""
    create_run_dir(path)
    target = path / name
    tmp = path / f".{name}.claim-{os.getpid()}-{threading.get_ident()}"  # jobs in threads of one process too
    try:
        tmp.write_bytes(text.encode("utf-8"))
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise UserError(f"{path}: another job has just claimed this folder; choose a new folder so no run "
                            "is overwritten") from None
        except OSError:  # a file system without hard links: exclusive creation instead
            try:
                with open(target, "x", encoding="utf-8") as fh:
                    fh.write(text)
            except FileExistsError:
                raise UserError(f"{path}: another job has just claimed this folder; choose a new folder so no "
                                "run is overwritten") from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


PROBE = ".write-test-"  # create_run_dir's probe, then its pid
# rnnlab.runs.atomic's temporary files, create_run_dir's probe, claim_run_dir's claim (pid, then thread)
TEMPORARY = re.compile(r"\.(.+\.tmp|write-test|.+\.claim)-(\d+)(-\d+)?")
WORKING = ".metrics.csv.rows"  # the metrics rows of a run in progress (rnnlab.runs.metrics_log)
CHECKPOINT = "checkpoint.npz"  # the state to resume from, while training (rnnlab.runs.checkpoint)


def temporary(path: Path) -> bool:
    """A temporary file rnnlab wrote and a killed process left: its process is gone."""
    match = TEMPORARY.fullmatch(path.name)
    return bool(match) and path.is_file() and not _alive(int(match.group(2)))


def leftover(path: Path) -> bool:
    """What a killed rnnlab leaves in a folder that holds no run yet: temporary files, and
    the metrics rows of an ensemble that never finished."""
    return temporary(path) or (path.name == WORKING and path.is_file())


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours, from before: this process is not writing it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


@contextmanager
def reporting_write_errors(path: Path) -> Iterator[None]:
    """Turn a failed write (full disk, no permission) into a one-line WriteError."""
    try:
        yield
    except OSError as err:
        if isinstance(err, WriteError):
            raise
        raise WriteError(f"cannot write {path} ({err.strerror or err}); the files already there "
                         "are unchanged") from err


def write_text(path: Path, text: str) -> None:
    with reporting_write_errors(path):
        atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Arrays by name, loadable with allow_pickle=False. The same arrays give the same
    bytes: zip entries carry zipfile's fixed 1980 timestamp, not the time of writing."""
    pickled = [name for name, value in arrays.items() if np.asarray(value).dtype.hasobject]
    if pickled:
        raise ValueError(f"{path}: arrays {pickled} hold Python objects; they would need pickle to load")
    with reporting_write_errors(path), atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)


def read_metrics(path: Path) -> list[dict[str, str]]:
    with io.TextIOWrapper(open_regular(path), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def open_regular(path: Path) -> BinaryIO:
    """Open a run folder's file for reading, refusing anything but a regular file: a FIFO
    (or a device) under a run file's name would block the reader forever, or never end."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: Path) -> str:
    """A run folder's text file (config.toml, summary.json), regular files only."""
    with open_regular(path) as fh:
        return fh.read().decode("utf-8")


# What reading a missing, truncated or foreign npz file raises.
NPZ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an npz file, without pickle. The file is closed even when damaged
    (np.load given a path leaves it open when the zip cannot be read)."""
    with open_regular(path) as fh:
        loaded = np.load(fh, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("a single .npy array, not an npz archive")
        with loaded as npz:
            return {name: npz[name] for name in npz.files}


def load_params(path: Path) -> dict[str, np.ndarray]:
    """params.npz as a dict; a damaged file is a UserError, not a traceback."""
    try:
        return read_npz(path)
    except NPZ_ERRORS as err:
        raise UserError(f"{path}: cannot read parameters ({err}); the file is missing or damaged") from err


def after_end(run_dir: Path) -> list[str]:
    """The working files of a complete run (summary.json written) that a kill just after its
    end left: they are dropped after summary.json, so a kill in between keeps them."""
    working = [name for name in (CHECKPOINT, WORKING) if (run_dir / name).is_file()]
    return working + sorted(p.name for p in run_dir.iterdir() if temporary(p))


def remove_temporaries(run_dir: Path) -> None:
    """Delete the temporary files killed processes left behind (`temporary`)."""
    for path in run_dir.iterdir():
        if temporary(path):
            path.unlink(missing_ok=True)
