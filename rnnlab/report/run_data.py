"""The data of a single run's report, read from its folder: loss curves (metrics.csv, or
the rows written so far while training), the logged predictions (predictions.npz) and
what the network did inside (inspection.npz), each cut down to what the page draws."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.report.reading import read_csv_rows, to_float
from rnnlab.report.sample import MAX_FRAMES, frame_indices, keep_extremes, plain
from rnnlab.runs import checkpoint
from rnnlab.runs.folder import WORKING, read_npz
from rnnlab.runs.inspection import NAME as INSPECTION
from rnnlab.runs.inspection import Inspection, read_inspection

MAX_HIDDEN_VALUES = 400_000  # hidden states embedded for the slider (K x layers x L x H)


def curves(epochs: np.ndarray, loss: np.ndarray, test_loss: np.ndarray) -> list[dict[str, Any]]:
    """The train and (where defined) test loss curves, extremes kept."""
    named = [("train loss", loss)] + ([("test loss", test_loss)] if np.isfinite(test_loss).any() else [])
    out = []
    for name, values in named:
        x, y = keep_extremes(epochs, values)
        out.append({"name": name, "x": plain(x), "y": plain(y)})
    return out


def metrics_curves(run_dir: Path) -> list[dict[str, Any]] | None:
    path = run_dir / "metrics.csv"
    if not path.is_file():
        return None
    rows = read_csv_rows(path)
    epochs = np.array([int(float(r["epoch"])) for r in rows], dtype=np.int64)
    return curves(epochs, np.array([to_float(r.get("loss")) for r in rows]),
                  np.array([to_float(r.get("test_loss")) for r in rows]))


def checkpoint_progress(run_dir: Path) -> dict[str, Any] | None:
    """Curves and the latest predictions of a run still training: the metrics rows written
    so far (rnnlab.runs.metrics_log's working file) and checkpoint.npz's latest frame."""
    path = run_dir / checkpoint.NAME
    if not path.is_file():
        return None
    ckpt = checkpoint.load(path)
    rows = read_csv_rows(run_dir / WORKING) if (run_dir / WORKING).is_file() else []
    mine = [r for r in rows if r.get("member", "0") == "0" and r.get("epoch")]
    epochs = np.array([int(float(r["epoch"])) for r in mine], dtype=np.int64)
    loss = np.array([to_float(r.get("loss")) for r in mine])
    test = np.array([to_float(r.get("test_loss")) for r in mine])
    logged, kept = ckpt.state.frames.all()
    latest = {"epoch": logged[-1], "values": plain(np.asarray(kept[-1]))} if logged else None
    return {"epoch": ckpt.state.epoch, "epochs": ckpt.epochs, "curves": curves(epochs, loss, test), "latest": latest}


def predictions(run_dir: Path) -> dict[str, Any] | None:
    """predictions.npz (rnnlab.viz documents it) as slider frames: the logged epochs, then
    the predictions after training."""
    path = run_dir / "predictions.npz"
    if not path.is_file():
        return None
    return predictions_data(read_npz(path))


def predictions_data(z: dict[str, np.ndarray]) -> dict[str, Any]:
    """Arrays in predictions.npz's layout as the page's frames and their labels."""
    kind = str(z["kind"])
    epochs, snaps = z["epochs"].astype(np.int64), z["snapshots"].astype(np.float64)
    idx = frame_indices(len(epochs), MAX_FRAMES - 1)
    labels = [f"epoch {int(e)}" for e in epochs[idx]] + ["after training"]
    frames = [snaps[i] for i in idx] + [z["final"].astype(np.float64)]
    out: dict[str, Any] = {"kind": kind, "labels": labels, "frames": plain(np.stack(frames))}
    if kind == "next_step":
        out.update(time=plain(z["time"]), actual=plain(z["actual"]))
    else:
        out.update(truth=plain(z["truth"]), dx=plain(z["grid_step"]))
    return out


def inspection(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / INSPECTION
    if not path.is_file():
        return None
    return inspection_data(read_inspection(path))


def inspection_data(ins: Inspection, max_values: int = MAX_HIDDEN_VALUES) -> dict[str, Any]:
    """The inspection's panels: per-record views for the slider (at most MAX_FRAMES
    records, fewer when their hidden states exceed `max_values` numbers) and the spectral
    radius over every record."""
    k, layers, steps, h = ins.hidden.shape
    per_frame = max(1, layers * steps * h)
    idx = frame_indices(k, max(2, min(MAX_FRAMES, max_values // per_frame)))
    hidden = ins.hidden[idx].astype(np.float64)
    projection, explained = _projections(hidden)
    eig = ins.eigenvalues[idx]
    return {
        "cell": ins.cell, "eigen_block": ins.eigen_block, "layers": layers, "steps": steps, "hidden_size": h,
        "epochs": plain(ins.epochs[idx]), "hidden": plain(hidden, 4), "projection": plain(projection, 4),
        "explained": plain(explained, 3), "grad_norm": plain(ins.grad_norm[idx], 4),
        "eig": plain(np.stack([eig.real, eig.imag], axis=-1), 4),
        "radius": {"x": plain(ins.epochs), "y": plain(ins.spectral_radius.T)},
        "w_hh": plain(ins.w_hh, 4), "gates": ins.w_hh.shape[2] // max(1, h),
    }


def _projections(hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each layer's states (K, L, H) projected on the two principal axes of all its states
    over every record, so the trajectories of different epochs share one frame.
    Returns (K, layers, L, 2) and each layer's share of the variance the two axes keep."""
    k, layers, steps, h = hidden.shape
    out = np.zeros((k, layers, steps, 2))
    shares = np.zeros((layers, 2))
    for y in range(layers):
        states = hidden[:, y].reshape(-1, h)
        good = np.all(np.isfinite(states), axis=1)
        if good.sum() < 2:
            out[:, y] = np.nan
            continue
        centre = states[good].mean(axis=0)
        _, s, vt = np.linalg.svd(states[good] - centre, full_matrices=False)
        axes = np.zeros((h, 2))
        axes[:, :min(2, vt.shape[0])] = vt[:2].T
        with np.errstate(invalid="ignore", over="ignore"):
            out[:, y] = (hidden[:, y] - centre) @ axes
        total = float((s ** 2).sum())
        shares[y, :min(2, len(s))] = (s[:2] ** 2) / total if total > 0 else 0.0
    return out, shares
