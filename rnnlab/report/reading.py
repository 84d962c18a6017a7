"""What every report reads first: a run folder's kind, title, config and summary.

Kinds follow summary.json's "kind" ("run", "ensemble", "forecast"); a folder without
one is still training (or stopped), and its kind is read off its files.
"""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path
from typing import Any

from rnnlab.errors import UserError


def read_summary(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / "summary.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: cannot be read ({err}); the run folder is damaged") from err
    return data if isinstance(data, dict) else None


def read_config(run_dir: Path) -> tuple[str, dict[str, Any]]:
    """config.toml's text and its tables ('' and {} when absent or unreadable)."""
    path = run_dir / "config.toml"
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except (OSError, ValueError):
        return "", {}


def folder_kind(run_dir: Path, summary: dict[str, Any] | None) -> str:
    if summary and summary.get("kind") in ("run", "ensemble", "forecast"):
        return str(summary["kind"])
    if (run_dir / "members.csv").is_file():
        return "ensemble"
    if (run_dir / "forecast.npz").is_file() or (run_dir / "metrics.json").is_file():
        return "forecast"
    return "run"


def check_run_folder(run_dir: Path) -> None:
    """A one-line UserError unless `run_dir` is a folder rnnlab wrote."""
    if not run_dir.exists():
        raise UserError(f"{run_dir}: no such run folder")
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: not a folder; give a run folder written by `rnnlab run` or `rnnlab forecast`")
    if not (run_dir / "config.toml").is_file() and not (run_dir / "summary.json").is_file():
        raise UserError(f"{run_dir}: not an rnnlab run folder (no config.toml or summary.json)")


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def to_float(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else float("nan")
    except ValueError:
        return float("nan")


def flat_config(tables: dict[str, Any]) -> dict[str, Any]:
    """{'optim': {'lr': 0.1}} -> {'optim.lr': 0.1}: the keys `--set` takes."""
    return {f"{section}.{key}": value for section, table in tables.items() if isinstance(table, dict)
            for key, value in table.items()}
