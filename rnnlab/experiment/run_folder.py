"""The run folder: the interface between training and everything that reads results.

Files (each written atomically; summary.json last, so its presence means complete):
  config.toml      the resolved recipe
  metrics.csv      epoch, step, loss, test_loss at every log point
  params.npz       final parameters by name (rnnlab.core.init layout)
  predictions.npz  logged predictions, read by rnnlab.viz (its docstring has the keys)
  summary.json     final numbers, engine, dtype, seed, argv, versions
  loss.png, predictions.png, training.gif   drawn from the files above
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.atomic import atomic_path, atomic_write_bytes
from rnnlab.errors import UserError
from rnnlab.experiment.trainer import LogRecord

METRIC_COLUMNS = ("epoch", "step", "loss", "test_loss")


def default_run_dir(recipe: str, root: Path = Path("runs")) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return root / f"{recipe}-{stamp}"


def create_run_dir(path: Path) -> Path:
    """Make an empty run folder, refusing to touch an existing non-empty one."""
    if path.exists() and not path.is_dir():
        raise UserError(f"--out {path}: exists and is not a folder; choose another path")
    if path.is_dir() and any(path.iterdir()):
        raise UserError(f"--out {path}: folder is not empty; choose a new folder so no earlier run is overwritten")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise UserError(f"--out {path}: cannot write there ({err.strerror or err}); choose a writable folder") from None
    return path


def write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_text(path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic_path(path) as tmp:
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


def load_params(path: Path) -> dict[str, np.ndarray]:
    """params.npz as a dict; a damaged file is a UserError, not a traceback."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError) as err:
        raise UserError(f"{path}: cannot read parameters ({err}); the file is missing or damaged") from None
