"""One page comparing several run folders: loss curves overlaid, the config keys that
differ, a table of final numbers with the best folder named. Ensembles and sweeps show
every member, coloured by the swept value."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from rnnlab.report.build import folder_data
from rnnlab.report.reading import flat_config, read_config

MISSING = "(absent)"


def compare_data(run_dirs: list[Path]) -> dict[str, Any]:
    runs = [folder_data(d) for d in run_dirs]
    names = _unique_names(run_dirs)
    for run, name in zip(runs, names):
        run["name"] = name
    key = _sweep_key(runs)
    table = _table(runs)
    return {"page": "compare", "runs": runs, "curves": _curves(runs, key), "color_key": key,
            "color_values": _sweep_values(runs) if key else None,
            "diff": config_diff(run_dirs), "table": table, "best": _best_sentence(runs, table)}


def _unique_names(run_dirs: list[Path]) -> list[str]:
    """Folder names, with their parents where two are the same."""
    names = [d.name for d in run_dirs]
    return [str(d) if names.count(d.name) > 1 else d.name for d in run_dirs]


def config_diff(run_dirs: list[Path]) -> list[dict[str, Any]]:
    """The config keys whose values are not the same in every folder, in config order."""
    flats = [flat_config(read_config(d)[1]) for d in run_dirs]
    keys = list(dict.fromkeys(k for f in flats for k in f))
    out = []
    for key in keys:
        values = [f.get(key, MISSING) for f in flats]
        if any(v != values[0] for v in values[1:]):
            out.append({"key": key, "values": [v if isinstance(v, (int, float, str, bool)) else str(v) for v in values]})
    return out


def _sweep_key(runs: list[dict[str, Any]]) -> str | None:
    keys = {r["ensemble"]["key"] for r in runs if r["kind"] == "ensemble" and r.get("ensemble") and r["ensemble"]["key"]}
    return keys.pop() if len(keys) == 1 else None


def _sweep_values(runs: list[dict[str, Any]]) -> list[str]:
    values = list(dict.fromkeys(m["value"] for r in runs if r["kind"] == "ensemble" and r.get("ensemble")
                                for m in r["ensemble"]["members"]))
    try:  # by number where every value is one (the page orders them the same way)
        return sorted(values, key=float)
    except (TypeError, ValueError):
        return values


def _curves(runs: list[dict[str, Any]], key: str | None) -> list[dict[str, Any]]:
    out = []
    for i, run in enumerate(runs):
        if run["kind"] == "run" and run.get("curves"):
            for c in run["curves"]:
                out.append({"name": f"{run['name']}: {c['name']}", "x": c["x"], "y": c["y"], "run": i,
                            "test": c["name"] == "test loss", "value": None})
        elif run["kind"] == "ensemble" and run.get("ensemble"):
            for m in run["ensemble"]["members"]:
                label = f"{run['name']}: member {m['member']}" + (f" ({key} = {m['value']})" if key else "")
                out.append({"name": label, "x": m["curve"]["x"], "y": m["curve"]["y"], "run": i, "test": False,
                            "value": m["value"]})
    return out


def _table(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Every folder's final numbers; the best named by test RMSE where any recipe's folder has
    one, else by validation MAE (forecasts: what each chose by; ranking forecasts by their
    backtest would pick the luckiest on the part that then reports it), else by MASE."""
    header = ["folder", "kind", "recipe", "epochs", "engine", "final loss", "test RMSE", "validation MAE", "MASE",
              "wall s"]
    rows, scores = [], []
    for run in runs:
        s = run.get("summary") or {}
        final, rmse = s.get("final_loss"), s.get("test_rmse")
        if isinstance(final, dict):
            final = final.get("median")
        if isinstance(rmse, dict):
            rmse = rmse.get("median")
        model = (run.get("metrics") or {}).get("model") or {}
        val, mase = s.get("ensemble_validation_mae"), model.get("mase")
        forecast = run["kind"] == "forecast"
        if forecast:
            rmse = model.get("rmse")
        rows.append([run["name"], run["kind"], run["title"], s.get("epochs"), s.get("engine"), final, rmse, val, mase,
                     s.get("wall_seconds")])
        scores.append(tuple(v if isinstance(v, (int, float)) else math.inf
                            for v in (None if forecast else rmse, val, mase)))
    by = next((i for i in range(3) if any(math.isfinite(sc[i]) for sc in scores)), 2)
    finite = [sc[by] for sc in scores if math.isfinite(sc[by])]
    best = [sc[by] for sc in scores].index(min(finite)) if finite else None
    return {"header": header, "rows": rows, "best": best, "best_score": min(finite) if finite else None,
            "scored_by": ("test RMSE", "validation MAE", "MASE")[by]}


def _best_sentence(runs: list[dict[str, Any]], table: dict[str, Any]) -> str:
    parts = []
    if table["best"] is not None:
        parts.append(f"Lowest {table['scored_by']}: {runs[table['best']]['name']} ({table['best_score']:.4g}).")
        if table["scored_by"] == "validation MAE":
            parts.append("Forecasts are compared by the score they chose their normalisation by; the test "
                         "part's RMSE and MASE are shown beside it, not used to choose.")
    for run in runs:
        ens = run.get("ensemble") if run["kind"] == "ensemble" else None
        if ens and ens.get("key") and ens.get("best_value") is not None:
            parts.append(f"{run['name']}: best {ens['key']} = {ens['best_value']} (lowest median test RMSE over its seeds).")
    return " ".join(parts)
