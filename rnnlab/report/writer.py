"""Writing the pages: report.html into a run folder, or a comparison page anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnnlab.report.live_file import NAME as LIVE
from rnnlab.report.live_file import POLL_MS, write_live

NAME = "report.html"


def write_page(run_dir: Path, data: dict[str, Any], *, live: bool = False) -> Path:
    """report.html in `run_dir` for `data` (rnnlab.report.build.folder_data's form); with
    `live`, the page reloads live.js until the run is complete."""
    from rnnlab.report.page import render_page
    from rnnlab.runs.folder import write_text

    page = {"page": "run", "run": data}
    if live and not data.get("complete"):
        page["live"] = {"src": LIVE, "every_ms": POLL_MS}
    path = Path(run_dir) / NAME
    write_text(path, render_page(f"{data['title']}: {data['name']}", page))
    return path


def write_report(run_dir: Path, *, live: bool = False) -> Path:
    """Write report.html into `run_dir` from its files; returns its path. A folder still
    training gets a page that refreshes itself when `live`; a complete one also gets a
    final live.js, so a live page left open reloads into this one."""
    from rnnlab.report.build import folder_data

    run_dir = Path(run_dir)
    data = folder_data(run_dir)
    path = write_page(run_dir, data, live=live)
    if data["complete"] and (live or (run_dir / LIVE).exists()):
        write_live(run_dir, data)
    return path


def write_comparison(run_dirs: list[Path], out: Path) -> Path:
    """One page comparing `run_dirs`, written to `out`."""
    from rnnlab.report.compare import compare_data
    from rnnlab.report.page import render_page
    from rnnlab.runs.folder import write_text

    data = compare_data([Path(d) for d in run_dirs])
    write_text(Path(out), render_page(f"rnnlab: comparing {len(run_dirs)} runs", data))
    return Path(out)
