"""The data of an ensemble's report (rnnlab.train.ensemble_files documents the folder):
every member's loss curve, their final numbers, and the best member or swept value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.report.reading import read_csv_rows, to_float
from rnnlab.report.sample import keep_extremes, plain

FIXED_COLUMNS = {"member", "seed", "final_loss", "test_rmse", "diverged_epoch"}
MAX_POINTS_PER_MEMBER = 400


def ensemble(run_dir: Path) -> dict[str, Any] | None:
    members_path, metrics_path = run_dir / "members.csv", run_dir / "metrics.csv"
    if not members_path.is_file():
        return None
    rows = read_csv_rows(members_path)
    key = next((c for c in (rows[0] if rows else {}) if c not in FIXED_COLUMNS), None)
    members = [{"member": int(r["member"]), "seed": int(r["seed"]), "value": r.get(key) if key else None,
                "final_loss": to_float(r.get("final_loss")), "test_rmse": to_float(r.get("test_rmse")),
                "diverged_epoch": r.get("diverged_epoch") or None} for r in rows]
    curves: dict[int, list[tuple[int, float]]] = {}
    if metrics_path.is_file():
        for r in read_csv_rows(metrics_path):
            curves.setdefault(int(r["member"]), []).append((int(float(r["epoch"])), to_float(r.get("loss"))))
    for m in members:
        points = curves.get(m["member"], [])
        x, y = keep_extremes(np.array([p[0] for p in points]), np.array([p[1] for p in points], dtype=np.float64),
                             MAX_POINTS_PER_MEMBER)
        m["curve"] = {"x": plain(x), "y": plain(y)}
    return {"key": key, "members": plain(members), **best(members, key)}


def best(members: list[dict[str, Any]], key: str | None) -> dict[str, Any]:
    """The member with the lowest test RMSE and, for a sweep, the swept value whose
    members' median test RMSE is lowest (each value's median over its seeds)."""
    scored = [m for m in members if np.isfinite(m["test_rmse"])]
    out: dict[str, Any] = {"best_member": min(scored, key=lambda m: m["test_rmse"])["member"] if scored else None}
    if key:
        out["values"] = value_medians(members)
        finite = [v for v in out["values"] if v["median_rmse"] is not None]
        out["best_value"] = min(finite, key=lambda v: v["median_rmse"])["value"] if finite else None
    return out


def value_medians(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each swept value in the order swept: its members' median test RMSE (None when every
    member of it diverged) and how many diverged."""
    order = list(dict.fromkeys(m["value"] for m in members))
    out = []
    for value in order:
        errs = np.array([m["test_rmse"] for m in members if m["value"] == value])
        good = errs[np.isfinite(errs)]
        out.append({"value": value, "median_rmse": float(np.median(good)) if good.size else None,
                    "members": int(errs.size), "diverged": int(errs.size - good.size)})
    return out
