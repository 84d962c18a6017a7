"""`rnnlab run --ensemble N` / `--sweep KEY=V1,V2,...` as a job: members made, the folder
created, the members trained together (rnnlab.train.ensemble), the files written
(rnnlab.train.ensemble_files)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rnnlab.config import Config
from rnnlab.runs import folder as rf
from rnnlab.runs.metrics_log import MetricsLog
from rnnlab.train import ensemble_files
from rnnlab.train.auto import resolve_engine
from rnnlab.train.ensemble import make_members, train_ensemble
from rnnlab.train.experiment import check_fits, prepare
from rnnlab.train.loop import Callback


def run_ensemble(cfg: Config, out: Path, *, seeds: int, sweep: tuple[str, list[str]] | None, argv: list[str],
                 callbacks: list[Callback], plots: bool = True) -> dict[str, Any]:
    """Train the ensemble into the new run folder `out`; returns summary.json's contents."""
    started = time.perf_counter()
    count = seeds * (len(sweep[1]) if sweep else 1)
    cfg = resolve_engine(cfg, count)
    check_fits(prepare(cfg), count)  # before a million members are set up
    members = make_members(cfg, seeds, sweep)
    rf.create_run_dir(out)
    log = MetricsLog(out, member_column=True)
    try:
        result = train_ensemble(cfg, members, callbacks, log)
        log.publish()
        return ensemble_files.write(out, cfg, result, sweep, argv, plots, started)
    finally:  # an ensemble cannot be resumed: its working rows go, finished or not
        log.discard()
