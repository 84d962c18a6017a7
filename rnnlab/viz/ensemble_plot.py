"""ensemble.png: every member's loss curve, and the spread of the final test error.

Reads an ensemble run folder (rnnlab.train.ensemble_files): ``metrics.csv`` with a
``member`` column, and ``members.csv`` (member, seed, optionally the swept key, ...,
``test_rmse``). Left: the loss of each member against epoch (one LineCollection, so a
thousand members draw as fast as one), the median in black. Right: each member's final
test RMSE, jittered, over a box of their spread; against the swept value for a sweep.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.runs.atomic import atomic_write_bytes
from rnnlab.viz.loss_plot import plain_log_formatter

__all__ = ["render_ensemble"]

_FIXED = {"member", "seed", "final_loss", "test_rmse", "diverged_epoch"}


def _float(text: str | None) -> float:
    try:
        return float(text) if text else math.nan
    except ValueError:
        return math.nan


def _curves(path: Path) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """member -> (epochs, losses)."""
    rows: dict[int, list[tuple[int, float]]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.setdefault(int(r["member"]), []).append((int(r["epoch"]), _float(r["loss"])))
    return {m: (np.array([e for e, _ in v]), np.array([x for _, x in v])) for m, v in rows.items()}


def _members(path: Path) -> tuple[str | None, list[str], np.ndarray]:
    """(swept key or None, each member's group label, each member's test RMSE)."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        key = next((c for c in reader.fieldnames or () if c not in _FIXED), None)
        rows = list(reader)
    labels = [r[key] if key else "" for r in rows]
    return key, labels, np.array([_float(r.get("test_rmse")) for r in rows])


def render_ensemble(run_dir: Path) -> Path:
    """Draw ensemble.png into `run_dir` and return its path."""
    from PIL import Image

    run_dir = Path(run_dir)
    canvas = ensemble_figure(run_dir)
    canvas.draw()
    buf = io.BytesIO()
    Image.frombytes("RGB", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBX").save(
        buf, format="PNG", compress_level=3)
    atomic_write_bytes(run_dir / "ensemble.png", buf.getvalue())
    return run_dir / "ensemble.png"


def ensemble_figure(run_dir: Path) -> Any:
    """The figure of ensemble.png, on its Agg canvas (returned), not yet drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    curves = _curves(run_dir / "metrics.csv")
    key, labels, rmse = _members(run_dir / "members.csv")

    fig = Figure(figsize=(9.6, 3.6), dpi=100)
    canvas = FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.88, wspace=0.28)
    ax, bx = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)

    segments = [np.column_stack(c) for c in curves.values() if len(c[0])]
    values = np.concatenate([c[1] for c in curves.values()]) if curves else np.zeros(0)
    log_y = bool(values.size) and bool(np.all(np.isfinite(values) & (values > 0)))
    alpha = max(0.05, min(0.8, 8.0 / max(1, len(segments))))
    ax.add_collection(LineCollection(segments, colors="C0", alpha=alpha, linewidths=0.8))
    same_epochs = segments and all(len(s) == len(segments[0]) for s in segments)
    if same_epochs:
        ax.plot(segments[0][:, 0], np.nanmedian(np.stack([s[:, 1] for s in segments]), axis=0), "k", lw=1.5,
                label="median")
        ax.legend(loc="upper right", fontsize=8)
    ax.autoscale()
    if log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain_log_formatter(label_only_base=True))
        ax.yaxis.set_minor_formatter(plain_log_formatter(label_only_base=False))
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    ax.set_title(f"{len(curves)} members", fontsize=10)

    groups = list(dict.fromkeys(labels))
    rng = np.random.default_rng(0)
    for g, name in enumerate(groups):
        vals = rmse[[i for i, lab in enumerate(labels) if lab == name]]
        vals = vals[np.isfinite(vals)]
        if vals.size:
            bx.boxplot([vals], positions=[g], widths=0.5, showfliers=False)
            bx.plot(g + rng.uniform(-0.15, 0.15, vals.size), vals, "o", color="C1", ms=3, alpha=0.6)
    bx.set_xticks(range(len(groups)), groups if key else [""])
    if key and _crowded(groups, fig.get_figwidth() * fig.dpi * (bx.get_position().width)):
        fig.subplots_adjust(bottom=0.26)
        for label in bx.get_xticklabels():  # slanted, so neighbouring values never overprint
            label.set(rotation=40, ha="right", rotation_mode="anchor", fontsize=8)
    bx.set_xlim(-0.6, len(groups) - 0.4)
    bx.set_xlabel(key or "all members")
    bx.set_ylabel("final test RMSE")
    diverged = int(np.sum(~np.isfinite(rmse)))
    bx.set_title("spread of the final error" + (f" ({diverged} diverged)" if diverged else ""), fontsize=10)

    return canvas


def _crowded(labels: list[str], axis_pixels: float) -> bool:
    """Whether tick labels written level (about 7 pixels a character at 10 pt) would touch."""
    return sum(len(label) + 2 for label in labels) * 7.0 > axis_pixels
