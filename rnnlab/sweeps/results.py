"""A sweep's results: sweep.csv (one row per trial) and the best setting with its spread
over seeds. A setting is what a trial tries apart from its seed; the best is the lowest
median of the sweep's metric over its seeds (trials that diverged or failed are counted, not
scored). A sweep of recipes ranks by test RMSE (a recipe's test data is drawn apart from its
training data); a sweep of forecasts ranks by the validation MAE, the score each forecast
chose its own normalisation by: ranking by the backtest would pick the luckiest setting on
the very part it then reports, and the test RMSE and MASE are reported beside it instead.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from rnnlab.sweeps.plan import Trial

COLUMNS = {"recipe": ("test_rmse", "final_loss", "diverged_epoch"),  # the ranking metric first; lower is better
           "forecast": ("val_mae", "test_rmse", "mase")}
LABELS = {"test_rmse": "test RMSE", "val_mae": "validation MAE"}


def metric_of(kind: str) -> str:
    """What settings are ranked by in a sweep of `kind` ("recipe" or "forecast")."""
    return COLUMNS[kind][0]


@dataclass(frozen=True)
class Setting:
    values: tuple[tuple[str, str], ...]
    scores: tuple[float, ...]  # of the trials that completed
    trials: int

    @property
    def median(self) -> float:
        return float(np.median(self.scores)) if self.scores else math.inf

    def spread(self) -> dict[str, Any]:
        s = np.array(self.scores)
        return {"median": self.median, "min": float(s.min()), "max": float(s.max()), "std": float(s.std()),
                "seeds": len(self.scores), "trials": self.trials} if s.size else {"trials": self.trials, "seeds": 0}

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values) or "the recipe as it is"


def settings(trials: list[Trial], results: dict[str, dict[str, Any]], metric: str) -> list[Setting]:
    """Every setting with its trials' scores (`metric`), best first."""
    grouped: dict[tuple[tuple[str, str], ...], list[float]] = {}
    counts: dict[tuple[tuple[str, str], ...], int] = {}
    for trial in trials:
        counts[trial.values] = counts.get(trial.values, 0) + 1
        grouped.setdefault(trial.values, [])
        r = results.get(trial.name)
        if r is not None and r["status"] == "complete" and r.get(metric) is not None and math.isfinite(r[metric]):
            grouped[trial.values].append(float(r[metric]))
    out = [Setting(values, tuple(scores), counts[values]) for values, scores in grouped.items()]
    return sorted(out, key=lambda s: s.median)


def sweep_csv(trials: list[Trial], results: dict[str, dict[str, Any]], kind: str) -> str:
    keys = [k for k, _ in trials[0].values] if trials else []
    columns = (*COLUMNS[kind], "train_seconds", "reason")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["trial", *keys, "seed", "status", *columns])
    for trial in trials:
        r = results.get(trial.name, {"status": "pending"})
        writer.writerow([trial.name, *(v for _, v in trial.values), trial.seed, r["status"],
                         *(_cell(r.get(k)) for k in columns)])
    return buf.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)
