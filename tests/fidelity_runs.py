"""The oracles' runs and rnnlab's runs of the same recipes, each computed once per process:
the fidelity tests and `python -m benchmarks.docs_numbers` (and its test) share them, so
the full-length runs are paid for once. Callers must not modify what they get."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rnnlab.config import override
from rnnlab.recipes import resolve
from rnnlab.runs import folder as run_folder
from rnnlab.train.runner import run
from rnnlab.train.schedule import LogSchedule
from tests.oracles import elman_sine_torch, primer_numpy, primer_torch


def _one_thread(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
    """The oracles leave torch's thread count alone; one thread is fastest for these tiny
    models (docs/engines.md) and does not change their numbers."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return fn(*args, **kwargs)
    finally:
        torch.set_num_threads(before)


@cache
def primer_torch_oracle(seed: int, steps: int = 20000) -> dict[str, Any]:
    return _one_thread(primer_torch.run, seed=seed, n_epochs=steps)


@cache
def elman_sine_oracle(seed: int = 1, epochs: int = 200) -> dict[str, Any]:
    return _one_thread(elman_sine_torch.run, seed=seed, epochs=epochs)


@cache
def primer_numpy_oracle(epochs: int) -> dict[str, Any]:
    return primer_numpy.run(n_epochs=epochs)


@cache
def rnnlab_run(recipe: str, settings: tuple[str, ...]) -> dict[str, Any]:
    """`rnnlab run RECIPE --set KEY=VALUE...` (no plots): the (epoch, loss) pairs logged at
    the original program's print points, the predictions at those points (rnnlab adds a row
    and a frame for the last epoch, which the originals do not print), the parameters and
    summary.json."""
    cfg = override(resolve(recipe), list(settings))
    printed = replace(LogSchedule.of(cfg.log, cfg.train.epochs), last=False)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        summary = run(cfg, out, argv=[], callbacks=[], plots=False)
        rows = [(int(r["epoch"]), float(r["loss"])) for r in run_folder.read_metrics(out / "metrics.csv")]
        assert rows[-1][0] == cfg.train.epochs - 1, "metrics.csv has a row for the last epoch"
        at_print_points = [r[0] in printed for r in rows]
        with np.load(out / "predictions.npz") as pred:
            predictions = {k: pred[k].copy() for k in pred.files}
        if "snapshots" in predictions:
            predictions["snapshots"] = predictions["snapshots"][at_print_points]
        return {"logged": [r for r, keep in zip(rows, at_print_points) if keep], "predictions": predictions,
                "params": run_folder.load_params(out / "params.npz"), "summary": summary}
