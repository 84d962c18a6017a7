"""Choose how to present the series on the validation part, and build the ensemble.

Each candidate normalisation (and then log, for the best of them) is trained from two
seeds and scored by their mean forecast's validation MAE. The best candidate gets the
ensemble's remaining seeds; a runner-up within COMBINE_WITHIN of it is averaged in as
well: when validation cannot tell two ways apart, a forecast combination hedges between
them instead of betting on the noise (on sunspots, the global scaler and RevIN tie on
validation but not on the test part's larger cycles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from rnnlab.forecasting.fit import (
    Candidate,
    FittedModel,
    fit_member,
    member_forecast,
    member_future,
    validation_windows,
)
from rnnlab.errors import UserError
from rnnlab.forecasting.problem import ForecastProblem

SELECTION_SEEDS = 2  # models per candidate while choosing (all kept in the ensemble if chosen)
COMBINE_WITHIN = 0.05  # a runner-up this close (relative validation MAE) joins the forecast


@dataclass
class Fitted:
    """The chosen candidates' models and the record of the choice."""

    chosen: list[Candidate]  # best first
    members: dict[Candidate, list[FittedModel]]
    selection: dict[str, float]  # candidate label -> validation MAE of its models' mean
    validation_mae: float  # of the final combined forecast
    trained: list[FittedModel]  # every model trained, in order

    @property
    def first(self) -> FittedModel:
        return self.members[self.chosen[0]][0]

    @property
    def label(self) -> str:
        return " + ".join(c.label for c in self.chosen)


def candidate_modes(problem: ForecastProblem) -> list[str]:
    fc = problem.config.forecast
    if fc.normalise != "auto":
        return [fc.normalise]
    return ["standard", "last", "revin"] + (["seasonal"] if problem.season > 1 else [])


def candidate_logs(problem: ForecastProblem) -> list[bool]:
    """Log off first; "auto" then tries it on for the best mode (setup turns "auto" into
    "off" for series with values <= 0)."""
    setting = problem.config.forecast.log_transform
    return [False, True] if setting == "auto" else [setting == "on"]


def validation_score(forecasts: list[np.ndarray], actual: np.ndarray) -> float:
    """Validation MAE of the mean of `forecasts`; not a number (an overflow) scores infinity,
    so it is never chosen over a finite candidate."""
    with np.errstate(all="ignore"):
        value = float(np.mean(np.abs(np.mean(forecasts, axis=0) - actual)))
    return value if math.isfinite(value) else math.inf


def fit_forecaster(problem: ForecastProblem, test_origins: np.ndarray,
                   on_member: Callable[[FittedModel], None] | None = None) -> Fitted:
    """Try the candidates, keep the best (and a close runner-up), fill up the ensemble."""
    fc, seed = problem.config.forecast, problem.config.run.seed
    trained: list[FittedModel] = []
    actual = validation_windows(problem, problem.context).fut  # (M, horizon)

    def fit(cand: Candidate, k: int) -> FittedModel:
        member = fit_member(problem, cand, seed + k, test_origins)
        trained.append(member)
        if on_member is not None:
            on_member(member)
        return member

    def score(members: list[FittedModel]) -> float:
        return validation_score([m.val_forecast for m in members], actual)

    per_cand = min(SELECTION_SEEDS, fc.ensemble)
    logs = candidate_logs(problem)
    tried = {c: [fit(c, k) for k in range(per_cand)] for c in (Candidate(m, logs[0]) for m in candidate_modes(problem))}
    best = min(tried, key=lambda c: score(tried[c]))
    if not math.isfinite(score(tried[best])):
        raise UserError(f"{problem.series.label}: every model's validation forecast overflowed or is not a number; "
                        "the values may be too large or too irregular to forecast: rescale the column")
    for log_values in logs[1:]:
        tried[Candidate(best.mode, log_values)] = [fit(Candidate(best.mode, log_values), k) for k in range(per_cand)]
    ranked = sorted(tried, key=lambda c: score(tried[c]))
    chosen = ranked[:1] + [c for c in ranked[1:2] if score(tried[c]) <= (1 + COMBINE_WITHIN) * score(tried[ranked[0]])]
    selection = {c.label: score(ms) for c, ms in tried.items()}  # what the choice saw: SELECTION_SEEDS models each
    tried[chosen[0]] += [fit(chosen[0], k) for k in range(per_cand, fc.ensemble)]
    members = {c: tried[c] for c in chosen}
    combined = np.mean([np.mean([m.val_forecast for m in ms], axis=0) for ms in members.values()], axis=0)
    return Fitted(chosen, members, selection, float(np.mean(np.abs(combined - actual))), trained)


def ensemble_forecast(problem: ForecastProblem, models: dict[Candidate, list[FittedModel]],
                      origins: np.ndarray) -> np.ndarray:
    """The mean over chosen candidates of their members' mean forecast: (N,) -> (N, horizon)."""
    means = [np.mean([member_forecast(problem, m, origins) for m in ms], axis=0) for ms in models.values()]
    return np.mean(means, axis=0)


def refit_forecaster(problem: ForecastProblem, fitted: Fitted, upto: str = "all",
                     on_member: Callable[[FittedModel], None] | None = None) -> dict[Candidate, list[FittedModel]]:
    """Every chosen member trained again on the data up to `upto` ("validation": the
    backtest's models; "all": the future's), same candidate and seed, for the epochs
    validation chose for it (its best epoch)."""
    out: dict[Candidate, list[FittedModel]] = {}
    for cand, members in fitted.members.items():
        out[cand] = []
        for m in members:
            model = fit_member(problem, cand, m.seed, np.zeros(0, dtype=np.int64), refit_epochs=m.best_epoch,
                               upto=upto)
            out[cand].append(model)
            if on_member is not None:
                on_member(model)
    return out


def future_forecast(problem: ForecastProblem, models: dict[Candidate, list[FittedModel]]) -> np.ndarray:
    """The refitted ensemble's forecast after each series' end: (S, horizon)."""
    return np.mean([np.mean([member_future(problem, m) for m in ms], axis=0) for ms in models.values()], axis=0)
