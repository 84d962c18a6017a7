"""Predict with a finished run's parameters on any engine: parameters are portable.

The run folder's config.toml rebuilds the same data (the same test windows, or the
training sequence for next-step recipes); its params.npz loads into the chosen engine,
which need not be the one that trained it. An imported model (`rnnlab import`) has no
data of its own: its config.toml describes a sine task of its shape, and the predictions
say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rnnlab.config import Config, parse
from rnnlab.errors import UserError
from rnnlab.runs.folder import NPZ_ERRORS, load_params, read_npz, read_text
from rnnlab.runs.status import run_status
from rnnlab.spec import encode_inputs
from rnnlab.train.auto import resolve_engine
from rnnlab.train.experiment import build_engine, flatten_predictions, prepare


@dataclass(frozen=True)
class RunPrediction:
    run_dir: Path
    engine: str  # the engine that predicted
    trained_on: str  # the engine the run was trained on
    device: str
    dtype: str
    evaluated_on: str
    predictions: np.ndarray  # (M, O) test windows, or (L,) next values
    truth: np.ndarray  # the same shape
    rmse: float
    saved_difference: float | str  # max |predictions - the run's own final predictions|, or why there is none


def predict_run(run_dir: Path, engine: str | None = None, *, device: str | None = None,
                threads: int | None = None) -> RunPrediction:
    """Predict the evaluation data of the finished run in `run_dir` with `engine`
    (default: the run's own), optionally on another device or thread count."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: no such run folder" if not run_dir.exists() else f"{run_dir}: not a folder")
    status = run_status(run_dir)
    if status.state != "complete":
        hint = {"incomplete": f"finish it first: rnnlab resume {run_dir}", "diverged": status.problem,
                "damaged": status.problem}.get(status.state, "give a folder written by `rnnlab run`")
        raise UserError(f"{run_dir}: not a finished run (no summary.json); {hint}")
    missing = [name for name in ("params.npz", "config.toml") if not (run_dir / name).is_file()]
    if missing:
        raise UserError(f"{run_dir}: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing, though "
                        "summary.json says the run is complete: the folder was damaged after the run")
    cfg = _config(run_dir / "config.toml")
    run = cfg.run
    cfg = replace(cfg, run=replace(run, device=run.device if device is None else device,
                                   threads=run.threads if threads is None else threads))
    exp = prepare(cfg)
    params = load_params(run_dir / "params.npz")
    try:
        eng = build_engine(exp, params, resolve_engine(cfg, engine=engine).run.engine)
    except ValueError as err:
        raise UserError(f"{run_dir}/params.npz does not fit its config.toml ({err}); the folder is damaged") from err
    pred = flatten_predictions(exp, eng.predict(exp.eval_x)).astype(np.float64)
    truth = np.asarray(exp.eval_y, dtype=np.float64).reshape(pred.shape)
    evaluated_on = "test windows" if exp.has_test else "the training sequence, from h = 0"
    if _kind(run_dir) == "imported":
        evaluated_on = (f"a sine task of the model's shape ({evaluated_on}; an imported model: not the data it "
                        "was trained on)")
    return RunPrediction(run_dir, eng.name, run.engine, eng.device(), run.dtype, evaluated_on,
                         pred, truth, float(np.sqrt(np.mean((pred - truth) ** 2))), _saved_difference(run_dir, pred))


def _kind(run_dir: Path) -> str:
    """summary.json's "kind" ("run" when it cannot be read: predict needs only config and params)."""
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "run"
    return str(summary.get("kind", "run")) if isinstance(summary, dict) else "run"


def _config(path: Path) -> Config:
    try:
        return parse(read_text(path), path)
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot be read ({err.strerror if isinstance(err, OSError) else err}); "
                        "the run folder is damaged") from err


def _saved_difference(run_dir: Path, pred: np.ndarray) -> float | str:
    """How far `pred` is from the predictions the run saved at its end (predictions.npz),
    or why they cannot be compared."""
    path = run_dir / "predictions.npz"
    try:
        final = np.asarray(read_npz(path)["final"], dtype=np.float64)
    except (*NPZ_ERRORS, KeyError) as err:
        if isinstance(err, FileNotFoundError):
            return f"{path.name} is missing"
        return f"{path.name} cannot be read ({type(err).__name__}: {' '.join(str(err).split())})"
    if final.size != pred.size:
        return f"{path.name} holds {final.size} final predictions, not {pred.size}"
    return float(np.abs(final.reshape(pred.shape) - pred).max())


def predict_inputs(run_dir: Path, x: np.ndarray, engine: str | None = None) -> np.ndarray:
    """The finished run's predictions for new inputs, in the run's own task: windows of its
    window length (W,) or (N, W) give (O,) or (N, O); for a next-step run a sequence (L,)
    or (N, L) gives the next value after each step, (L,) or (N, L), from a zero state."""
    run_dir = Path(run_dir)
    cfg = _config(run_dir / "config.toml")
    exp = prepare(cfg)
    x = np.asarray(x, dtype=np.float64)
    one = x.ndim == 1
    batch = x[None, :] if one else x
    if batch.ndim != 2 or not np.isfinite(batch).all():
        raise UserError(f"inputs of shape {x.shape}: give one sequence (L,) or a batch (N, L) of finite numbers")
    if exp.dataset.framing == "windows" and batch.shape[1] != cfg.data.window:
        raise UserError(f"inputs of length {batch.shape[1]}: this run's model reads windows of data.window="
                        f"{cfg.data.window} values")
    encoded = batch[:, :, None] if exp.dataset.framing == "next_step" else encode_inputs(batch, cfg.model.input)
    params = load_params(run_dir / "params.npz")
    eng = build_engine(exp, params, resolve_engine(cfg, engine=engine).run.engine)
    out = eng.predict(encoded.astype(cfg.run.dtype))
    out = out[..., 0] if exp.dataset.framing == "next_step" else out
    return out[0] if one else out
