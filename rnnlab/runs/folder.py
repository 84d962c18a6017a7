"""The run folder: the interface between training and everything that reads results.

Files (each written atomically; summary.json last, so its presence means complete):
  config.toml      the resolved recipe
  checkpoint.npz   while training: the state to resume from (rnnlab.runs.checkpoint);
                   removed once summary.json is written
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
import io
import json
import os
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.errors import UserError, WriteError
from rnnlab.runs.atomic import atomic_path, atomic_write_bytes
from rnnlab.runs.records import LogRecord

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
    """Make an empty run folder, refusing to touch an existing non-empty one."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: exists and is not a folder; choose another path for the run folder")
    if path.is_dir() and any(path.iterdir()):
        raise UserError(f"{path}: folder is not empty; choose a new folder so no earlier run is overwritten")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
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


def write_metrics(path: Path, records: list[LogRecord]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(METRIC_COLUMNS)
    for r in records:
        writer.writerow([r.epoch, r.step, repr(r.loss), "" if r.test_loss is None else repr(r.test_loss)])
    write_text(path, buf.getvalue())


def read_metrics(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# What reading a missing, truncated or foreign npz file raises.
NPZ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile)


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """Every array of an npz file, without pickle. The file is closed even when damaged
    (np.load given a path leaves it open when the zip cannot be read)."""
    with open(path, "rb") as fh:
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


def remove_temporaries(run_dir: Path) -> None:
    """Delete the temporary files a killed process left behind (rnnlab.runs.atomic names them)."""
    for tmp in run_dir.glob(".*.tmp-*"):
        tmp.unlink(missing_ok=True)
