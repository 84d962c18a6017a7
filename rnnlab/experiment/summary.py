"""summary.json: the final numbers, and everything a byte-identical rerun depends on
(recipe, seed, engine, dtype, library versions, thread counts)."""

from __future__ import annotations

import os
import platform
import sys
import time
from typing import Any

import numpy as np

from rnnlab.engines.base import Engine
from rnnlab.experiment.setup import Experiment
from rnnlab.experiment.trainer import TrainState


def summarise(exp: Experiment, state: TrainState, final: np.ndarray, argv: list[str], engine: Engine,
              wall_seconds: float, resumed_from: int | None) -> dict[str, Any]:
    cfg, records = exp.config, state.records
    truth = np.asarray(exp.eval_y, dtype=np.float64).reshape(final.shape)
    return {
        "recipe": cfg.run.name,
        "final_loss": records[-1].loss if records else None,
        "final_epoch": records[-1].epoch if records else None,
        "test_rmse": float(np.sqrt(np.mean((final.astype(np.float64) - truth) ** 2))),
        "evaluated_on": "test windows" if exp.has_test else "the training sequence, from h = 0",
        "epochs": cfg.train.epochs,
        "engine": cfg.run.engine,
        "device": engine.device(),
        "engine_info": engine.info(),
        "dtype": cfg.run.dtype,
        "seed": cfg.run.seed,
        "train_seconds": round(state.train_seconds, 4),
        "wall_seconds": round(wall_seconds, 4),
        "resumed_from_epoch": resumed_from,
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
