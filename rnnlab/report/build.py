"""A run folder's report data: what every kind of folder shows, read from its files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnnlab.report import forecast_data, group_data, run_data
from rnnlab.report.reading import (
    check_run_folder,
    folder_kind,
    read_config,
    read_summary,
)
from rnnlab.report.sample import plain


def folder_data(run_dir: Path) -> dict[str, Any]:
    """Everything the page draws for `run_dir`, complete or still training. A present but
    malformed file raises ValueError naming it."""
    check_run_folder(run_dir)
    summary = read_summary(run_dir)
    kind = folder_kind(run_dir, summary)
    text, tables = read_config(run_dir)
    title = str((summary or {}).get("recipe") or tables.get("run", {}).get("name") or run_dir.name)
    if kind == "forecast" and summary and summary.get("series"):
        title = f"forecast: {summary['series']}, {summary.get('column', '')}".rstrip(", ")
    data: dict[str, Any] = {"name": run_dir.name, "kind": kind, "title": title, "complete": summary is not None,
                            "config": text, "summary": plain(summary) if summary else None}
    if kind == "run":
        data["curves"] = run_data.metrics_curves(run_dir)
        if summary is None:
            progress = run_data.checkpoint_progress(run_dir)
            if progress is not None:
                data["progress"] = {"epoch": progress["epoch"], "epochs": progress["epochs"]}
                data["curves"] = data["curves"] or progress["curves"]
        data["predictions"] = run_data.predictions(run_dir)
        data["inspection"] = run_data.inspection(run_dir)
    elif kind == "ensemble":
        data["ensemble"] = group_data.ensemble(run_dir)
    else:
        data["forecast"] = forecast_data.forecast(run_dir)
        data["metrics"] = plain(forecast_data.metrics(run_dir))
        data["training"] = forecast_data.training_curves(run_dir)
    return data
