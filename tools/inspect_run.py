"""inspection.npz for a finished run folder written before runs recorded it: the folder's
config trained again through the training loop with the inspection recorded as a run
records it, checked against the folder's params.npz, then written."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnlab.config import load
from rnnlab.runs.folder import load_params
from rnnlab.runs.inspection import NAME, write_inspection
from rnnlab.runs.records import TrainState
from rnnlab.train.experiment import build_engine, initial_params, prepare
from rnnlab.train.inspection import RecordInspection
from rnnlab.train.loop import train
from rnnlab.train.members import OneEngine
from rnnlab.train.runner import inspector
from rnnlab.train.schedule import LogSchedule


def record_inspection(run_dir: Path) -> Path:
    """Train the folder's config again, recording the inspection at its log points as
    `rnnlab run` does; the final parameters must be the folder's params.npz (so the records
    are this run's), then write inspection.npz."""
    exp = prepare(load(run_dir / "config.toml"))
    cfg = exp.config
    engine = build_engine(exp, initial_params(cfg, exp.spec))
    views = inspector(exp)
    train(OneEngine(engine), TrainState(), LogSchedule.of(cfg.log, cfg.train.epochs),
          callbacks=[RecordInspection(views, cfg.train.epochs)])
    final, saved = engine.get_params(), load_params(run_dir / "params.npz")
    assert all(np.array_equal(final[k], saved[k]) for k in saved), "retraining did not reproduce params.npz"
    write_inspection(run_dir / NAME, views.arrays())
    return run_dir / NAME
