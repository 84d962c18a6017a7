"""Train forecasting models honestly: early stopping on the validation part keeps the best
parameters, the normalisation (and log) is chosen on the validation part, and a few
seeds are averaged. The test part is only ever forecast (for the GIF), never scored here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rnnlab.core import init
from rnnlab.data.scaling import Normaliser, fit_normaliser
from rnnlab.data.splits import future, history, train_origins, val_origins
from rnnlab.engines import Engine, create_engine
from rnnlab.engines.base import NumericalError
from rnnlab.experiment.forecast_setup import ForecastProblem
from rnnlab.model import ModelSpec, TrainingSpec, training_spec

Params = dict[str, np.ndarray]
MAX_TRAIN_EXAMPLES = 600  # overlapping windows beyond this add time, little information
MAX_VAL_ORIGINS = 64


@dataclass(frozen=True)
class Candidate:
    mode: str
    log: bool

    @property
    def label(self) -> str:
        return f"{self.mode}{'+log' if self.log else ''}"


@dataclass
class Member:
    """One trained model: its best parameters and how training went."""

    seed: int
    params: Params
    val_mae: float
    best_epoch: int
    epochs_run: int
    log: list[tuple[int, float, float]] = field(default_factory=list)  # (epoch, train loss, val MAE)
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (epoch, test forecasts)
    val_forecast: np.ndarray | None = None  # (M, horizon) at the best parameters


@dataclass
class Fitted:
    """The chosen candidate's ensemble."""

    candidate: Candidate
    normaliser: Normaliser
    spec: ModelSpec
    members: list[Member]
    selection: dict[str, float]  # candidate label -> validation MAE of its first member
    ensemble_val_mae: float
    trained: list[tuple[str, Member]]  # every model trained, candidates included


class Forecaster:
    """Forecasts in the series' units from raw histories, with one engine's parameters."""

    def __init__(self, engine: Engine, norm: Normaliser, strategy: str, horizon: int) -> None:
        self.engine, self.norm, self.strategy, self.horizon = engine, norm, strategy, horizon

    def __call__(self, hist: np.ndarray, feats: np.ndarray | None) -> np.ndarray:
        """hist (N, C) past values, feats (N, W, F) -> forecasts (N, horizon)."""
        if self.strategy == "direct":
            return self.norm.invert(hist, self.engine.predict(self.norm.inputs(hist, feats)))
        hist = hist.copy()
        out = np.empty((hist.shape[0], self.horizon))
        for k in range(self.horizon):  # one step, fed back: the Elman tutorial's prediction loop
            out[:, k] = self.norm.invert(hist, self.engine.predict(self.norm.inputs(hist)))[:, 0]
            hist = np.concatenate([hist[:, 1:], out[:, k:k + 1]], axis=1)
        return out


@dataclass(frozen=True)
class Windows:
    """Raw histories, features and futures at a set of origins."""

    origins: np.ndarray  # (N,)
    hist: np.ndarray  # (N, C)
    feats: np.ndarray  # (N, W, F)
    fut: np.ndarray  # (N, K)


def windows_at(problem: ForecastProblem, origins: np.ndarray, context: int, window: int, k: int) -> Windows:
    feats = problem.features
    f = history(feats, origins, window) if feats.shape[1] else np.zeros((origins.shape[0], window, 0))
    fut = future(problem.values, origins, k) if k else np.zeros((origins.shape[0], 0))
    return Windows(origins, history(problem.values, origins, context), f, fut)


def candidate_modes(problem: ForecastProblem) -> list[str]:
    fc = problem.config.forecast
    if fc.normalise != "auto":
        return [fc.normalise]
    return ["standard", "last", "revin"] + (["seasonal"] if problem.season > 1 else [])


def candidate_logs(problem: ForecastProblem) -> list[bool]:
    """Log off first; "auto" then tries it on for the best mode (setup turns it off for
    series with values <= 0)."""
    log = problem.config.forecast.log
    return [False, True] if log == "auto" else [log == "on"]


def fit_forecaster(problem: ForecastProblem, test_origins: np.ndarray,
                   on_member: Callable[[str, Member], None] | None = None) -> Fitted:
    """Choose the normalisation on validation, then train the ensemble of the winner."""
    fc, seed = problem.config.forecast, problem.config.run.seed
    trained: list[tuple[str, Member]] = []

    def fit(cand: Candidate, member_seed: int) -> tuple[Member, Normaliser, ModelSpec, np.ndarray]:
        result = _fit_candidate(problem, cand, member_seed, test_origins)
        trained.append((cand.label, result[0]))
        if on_member is not None:
            on_member(cand.label, result[0])
        return result

    logs = candidate_logs(problem)
    tried = {cand: fit(cand, seed) for cand in (Candidate(m, logs[0]) for m in candidate_modes(problem))}
    best = min(tried, key=lambda c: tried[c][0].val_mae)
    for log in logs[1:]:
        cand = Candidate(best.mode, log)
        tried[cand] = fit(cand, seed)
    best = min(tried, key=lambda c: tried[c][0].val_mae)
    member, norm, spec, val_actual = tried[best]
    members = [member] + [fit(best, seed + k)[0] for k in range(1, fc.ensemble)]
    mean_val = np.mean([m.val_forecast for m in members], axis=0)
    return Fitted(best, norm, spec, members, {c.label: r[0].val_mae for c, r in tried.items()},
                  float(np.mean(np.abs(mean_val - val_actual))), trained)


def _fit_candidate(problem: ForecastProblem, cand: Candidate, seed: int, test_origins: np.ndarray
                   ) -> tuple[Member, Normaliser, ModelSpec, np.ndarray]:
    """Train one model of candidate `cand`; also returns the validation actuals (M, horizon)."""
    cfg, fc = problem.config, problem.config.forecast
    k = 1 if fc.strategy == "recursive" else fc.horizon
    season = problem.season
    origins = train_origins(problem.split, problem.context, k)
    if origins.shape[0] > MAX_TRAIN_EXAMPLES:  # thin evenly, first and latest kept
        origins = origins[np.linspace(0, origins.shape[0] - 1, MAX_TRAIN_EXAMPLES).round().astype(int)]
    ctx = fc.window + (season if cand.mode == "seasonal" else 0)
    train = windows_at(problem, origins, ctx, fc.window, k)
    tv = problem.values[:problem.split.train_end]
    norm = fit_normaliser(cand.mode, cand.log, fc.window, season, train.hist, train.fut, tv,
                          problem.features[:problem.split.train_end])
    v_orig = val_origins(problem.split, problem.context, fc.horizon)
    if v_orig.shape[0] > MAX_VAL_ORIGINS:
        v_orig = v_orig[np.linspace(0, v_orig.shape[0] - 1, MAX_VAL_ORIGINS).round().astype(int)]
    val = windows_at(problem, v_orig, ctx, fc.window, fc.horizon)
    test = windows_at(problem, test_origins, ctx, fc.window, 0)
    spec = ModelSpec(cfg.model.cell, cfg.model.activation, norm.channels + problem.features.shape[1],
                     cfg.model.hidden, k, cfg.model.bias, cfg.model.readout_bias, "last", cfg.model.layers)
    x, y = norm.inputs(train.hist, train.feats), norm.targets(train.hist, train.fut)
    member = train_member(problem, spec, training_spec(cfg), norm, seed, x, y, val, test)
    return member, norm, spec, val.fut


def train_member(problem: ForecastProblem, spec: ModelSpec, training: TrainingSpec, norm: Normaliser, seed: int,
                 x: np.ndarray, y: np.ndarray, val: Windows, test: Windows) -> Member:
    """Mini-batch epochs (order shuffled by `seed`); every `eval_every` epochs the validation
    MAE, in the series' units, decides whether these are the best parameters so far."""
    cfg, fc = problem.config, problem.config.forecast
    engine = create_engine(cfg.run.engine, spec, training, cfg.run.dtype)
    s = spec
    engine.set_params(init.torch_default_stacked(seed, s.cell, s.input_size, s.hidden, s.output_size, s.layers,
                                                 s.bias, s.readout_bias))
    predict = Forecaster(engine, norm, fc.strategy, fc.horizon)
    member = Member(seed, {}, math.inf, 0, 0)
    rng = np.random.default_rng(seed)
    n, batch = x.shape[0], fc.batch_size or x.shape[0]
    stale, loss = 0, math.nan

    def evaluate(epoch: int) -> bool:
        """Log the epoch; True when it is the best so far."""
        val_forecast = predict(val.hist, val.feats)
        val_mae = float(np.mean(np.abs(val_forecast - val.fut)))
        member.log.append((epoch, loss, val_mae))
        member.snapshots.append((epoch, predict(test.hist, test.feats)))
        if val_mae < member.val_mae:
            member.params, member.val_mae, member.best_epoch = engine.get_params(), val_mae, epoch
            member.val_forecast = val_forecast
            return True
        return False

    evaluate(0)
    for epoch in range(1, cfg.train.epochs + 1):
        order = rng.permutation(n)
        losses = []
        try:
            for start in range(0, n, batch):
                idx = order[start:start + batch]
                engine.set_data(x[idx], y[idx])
                losses.append(float(engine.train(1)[0]))
        except NumericalError:
            break  # diverged: keep the best parameters seen
        member.epochs_run, loss = epoch, float(np.mean(losses))
        if not math.isfinite(loss):
            break
        if epoch % fc.eval_every and epoch != cfg.train.epochs:
            continue
        stale = 0 if evaluate(epoch) else stale + 1
        if stale >= fc.patience:
            break
    return member


def ensemble_forecast(problem: ForecastProblem, fitted: Fitted, origins: np.ndarray) -> np.ndarray:
    """The members' mean forecast at `origins`: (N,) -> (N, horizon), in the series' units."""
    cfg, fc = problem.config, problem.config.forecast
    norm = fitted.normaliser
    w = windows_at(problem, origins, norm.context, fc.window, 0)
    engine = create_engine(cfg.run.engine, fitted.spec, training_spec(cfg), cfg.run.dtype)
    total = np.zeros((origins.shape[0], fc.horizon))
    for m in fitted.members:
        engine.set_params(m.params)
        total += Forecaster(engine, norm, fc.strategy, fc.horizon)(w.hist, w.feats)
    return total / len(fitted.members)
