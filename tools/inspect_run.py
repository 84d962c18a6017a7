"""inspection.npz for a finished run folder: its config trained again in chunks between its
log points, the Inspector called at each, as the training loop does. For folders written
before the loop recorded the inspection itself, and for the report's tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnlab.config import load
from rnnlab.runs.folder import load_params
from rnnlab.runs.inspection import NAME, write_inspection
from rnnlab.train.experiment import build_engine, initial_params, prepare
from rnnlab.train.inspection import Inspector, first_window
from rnnlab.train.loop import log_epochs


def record_inspection(run_dir: Path) -> Path:
    """Train the folder's config again in chunks between its log points, calling the
    Inspector at each, as the training loop does; the final parameters must be the
    folder's params.npz (so the records are this run's), then write inspection.npz."""
    exp = prepare(load(run_dir / "config.toml"))
    cfg = exp.config
    engine = build_engine(exp, initial_params(cfg, exp.spec))
    inspector = Inspector(exp.spec, first_window(exp.eval_x, exp.eval_y), exp.training.loss)
    done = 0
    for epoch in log_epochs(cfg.train.epochs, cfg.log.every, cfg.log.at):
        engine.train(epoch + 1 - done)
        done = epoch + 1
        inspector.record(epoch, engine.get_params())
    if cfg.train.epochs > done:
        engine.train(cfg.train.epochs - done)
    final, saved = engine.get_params(), load_params(run_dir / "params.npz")
    assert all(np.array_equal(final[k], saved[k]) for k in saved), "retraining did not reproduce params.npz"
    write_inspection(run_dir / NAME, inspector.arrays())
    return run_dir / NAME
