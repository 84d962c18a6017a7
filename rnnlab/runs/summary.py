"""summary.json, written last into every run folder: one builder for every kind of run.

Its presence means the run is complete. Every summary has the same frame: the kind of
run ("run", "ensemble", "forecast", "sweep", or "imported": a model trained elsewhere),
the recipe, the results the job reports, and everything a byte-identical rerun depends
on (engine, dtype, seed, library versions, thread counts), with the timings and the
command line.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from typing import Any, Literal

from rnnlab.config import Config

Kind = Literal["run", "ensemble", "forecast", "imported", "sweep"]


def build_summary(kind: Kind, cfg: Config, results: dict[str, Any], *, argv: list[str], train_seconds: float,
                  wall_seconds: float, engine_info: dict[str, object] | None = None) -> dict[str, Any]:
    """The summary of a finished run of `kind`: `results` (the job's own numbers) inside
    the frame every run folder shares."""
    return {
        "kind": kind,
        "recipe": cfg.run.name,
        **results,
        "epochs": cfg.train.epochs,
        "engine": cfg.run.engine,
        **({"engine_info": engine_info} if engine_info is not None else {}),
        "dtype": cfg.run.dtype,
        "seed": cfg.run.seed,
        "train_seconds": round(train_seconds, 4),
        "wall_seconds": round(wall_seconds, 4),
        "argv": argv,
        "versions": versions(),
        "threads": threads(),
        "completed_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for pkg in ("rnnlab", "numpy", "matplotlib", "pillow", "torch"):
        if pkg == "torch" and "torch" not in sys.modules:
            continue
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def threads() -> dict[str, int | str]:
    """What decides how many threads the math libraries use (results can depend on it)."""
    out: dict[str, int | str] = {"cpus": os.cpu_count() or 0}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            out[var] = os.environ[var]
    torch = sys.modules.get("torch")
    if torch is not None:
        out["torch"] = torch.get_num_threads()
    return out
