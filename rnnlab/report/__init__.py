"""A self-contained HTML report of a run folder, drawn from its files alone (like rnnlab.viz).

``write_report(run_dir)`` writes ``report.html`` into a run folder of any kind ("run",
"ensemble", "forecast"; summary.json's "kind"): one file with its data embedded as JSON
and its drawing code (plain JavaScript, SVG and canvas, in assets/) inlined, so it opens
offline, without a server. A run folder shows its loss curves, the predictions at every
logged epoch under a slider, and, when it has inspection.npz (rnnlab.runs.inspection),
the hidden states, the gradient reaching each step and the recurrent matrix's spectrum;
an ensemble its members; a forecast its metrics against the baselines, backtest, error
by horizon step and (optional keys, rnnlab.report.forecast_data) intervals and the
forecast beyond the data. ``write_comparison(run_dirs, out)`` writes one page comparing
several folders. A report written while the run trains refreshes itself (rnnlab.report.live).

Curves and frames are cut down to what a page can draw at once (rnnlab.report.sample),
so the page opens quickly however long the run. Imports only rnnlab.runs and rnnlab.errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

NAME = "report.html"
__all__ = ["NAME", "write_comparison", "write_page", "write_report"]


def write_page(run_dir: Path, data: dict[str, Any], *, live: bool = False) -> Path:
    """report.html in `run_dir` for `data` (rnnlab.report.build.folder_data's form); with
    `live`, the page reloads live.js until the run is complete."""
    from rnnlab.report.live import NAME as LIVE, POLL_MS
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
    from rnnlab.report.live import NAME as LIVE, write_live

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
