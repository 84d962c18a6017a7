"""live.js: the report data of a run in training, as a script a page opened from disk may
load (it may not fetch() a JSON file beside it). rnnlab.report.live explains the scheme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnnlab.report.page import embed_json
from rnnlab.runs.atomic import atomic_write_bytes

NAME = "live.js"
POLL_MS = 2000  # how often a live page reloads it


def write_live(run_dir: Path, data: dict[str, Any]) -> None:
    """live.js for the report data `data` (rnnlab.report.build.folder_data's form), atomically."""
    atomic_write_bytes(Path(run_dir) / NAME, f"rnnlabLive({embed_json(data)});\n".encode("utf-8"))
