"""Train one forecasting model honestly: scalers fitted on the training part, mini-batch
Adam on training windows only, early stopping on the validation part keeping the best
parameters. The test part is only forecast (frames of the GIF), never scored here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rnnlab.core import init
from rnnlab.engines import Engine, create_engine
from rnnlab.forecast.problem import ForecastProblem
from rnnlab.forecast.scaling import Normaliser, fit_normaliser
from rnnlab.forecast.splits import future, history, train_origins, val_origins
from rnnlab.runs.records import TrainState
from rnnlab.spec import ModelSpec
from rnnlab.train.batches import MiniBatches
from rnnlab.train.callbacks import AtLogPoints, EarlyStopping
from rnnlab.train.experiment import training_spec
from rnnlab.train.memory import check_memory, needed_bytes
from rnnlab.train.guard import divergence_guard
from rnnlab.train.loop import train
from rnnlab.train.members import Members, OneEngine
from rnnlab.train.schedule import LogSchedule

Params = dict[str, np.ndarray]
MAX_TRAIN_EXAMPLES = 600  # overlapping windows beyond this add time, little information
MAX_VAL_ORIGINS = 64


@dataclass(frozen=True)
class Candidate:
    """A way to present the series to the network: normalisation mode, on log values or not."""

    mode: str
    log_values: bool

    @property
    def label(self) -> str:
        return f"{self.mode}{'+log' if self.log_values else ''}"


@dataclass
class FittedModel:
    """One trained model: its candidate, scaler, best parameters and how training went."""

    candidate: Candidate
    seed: int
    normaliser: Normaliser
    spec: ModelSpec
    params: Params = field(default_factory=dict)
    val_mae: float = math.inf
    best_epoch: int = 0
    epochs_run: int = 0
    history: list[tuple[int, float, float]] = field(default_factory=list)  # (epochs done, train loss, val MAE)
    snapshots: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (epochs done, test forecasts)
    val_forecast: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (M, horizon), best parameters


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


def windows_at(problem: ForecastProblem, origins: np.ndarray, context: int, k: int) -> Windows:
    window, feats = problem.config.forecast.window, problem.features
    f = history(feats, origins, window) if feats.shape[1] else np.zeros((origins.shape[0], window, 0))
    fut = future(problem.values, origins, k) if k else np.zeros((origins.shape[0], 0))
    return Windows(origins, history(problem.values, origins, context), f, fut)


def validation_windows(problem: ForecastProblem, context: int) -> Windows:
    """Up to MAX_VAL_ORIGINS origins whose whole horizon lies in the validation part."""
    origins = val_origins(problem.split, problem.context, problem.horizon)
    if origins.shape[0] > MAX_VAL_ORIGINS:
        origins = origins[np.linspace(0, origins.shape[0] - 1, MAX_VAL_ORIGINS).round().astype(int)]
    return windows_at(problem, origins, context, problem.horizon)


def fit_member(problem: ForecastProblem, cand: Candidate, seed: int, test_origins: np.ndarray) -> FittedModel:
    """Fit the scaler of `cand` on the training part, then train one network from `seed`."""
    cfg, fc = problem.config, problem.config.forecast
    k = 1 if fc.strategy == "recursive" else fc.horizon
    origins = train_origins(problem.split, problem.context, k)  # the same for every candidate
    if origins.shape[0] > MAX_TRAIN_EXAMPLES:  # thin evenly, first and latest kept
        origins = origins[np.linspace(0, origins.shape[0] - 1, MAX_TRAIN_EXAMPLES).round().astype(int)]
    ctx = fc.window + (problem.season if cand.mode == "seasonal" else 0)
    train = windows_at(problem, origins, ctx, k)
    end = problem.split.train_end
    norm = fit_normaliser(cand.mode, cand.log_values, fc.window, problem.season, train.hist, train.fut,
                          problem.values[:end], problem.features[:end])
    m = cfg.model
    spec = ModelSpec(m.cell, m.activation, norm.channels + problem.features.shape[1], m.hidden, k, m.bias,
                     m.readout_bias, "last", m.layers)
    member = FittedModel(cand, seed, norm, spec)
    x = norm.inputs(train.hist, train.feats)
    check_memory(needed_bytes(spec, training_spec(cfg), x.shape, np.dtype(cfg.run.dtype).itemsize),
                 f"make model.hidden (now {m.hidden}) or model.layers smaller")
    _train(problem, member, x, norm.targets(train.hist, train.fut), validation_windows(problem, ctx),
           windows_at(problem, test_origins, ctx, 0))
    return member


def _train(problem: ForecastProblem, member: FittedModel, x: np.ndarray, y: np.ndarray, val: Windows,
           test: Windows) -> None:
    """Mini-batch epochs in the one training loop (order shuffled by the member's seed);
    every `eval_every` epochs the validation MAE, in the series' units, decides whether
    these are the best parameters, and `patience` checks without improvement stop it."""
    cfg, fc, s = problem.config, problem.config.forecast, member.spec
    engine = create_engine(cfg.run.engine, s, training_spec(cfg), cfg.run.dtype)
    engine.set_params(init.torch_default_stacked(member.seed, s.cell, s.input_size, s.hidden, s.output_size,
                                                 s.layers, s.bias, s.readout_bias))
    predict = Forecaster(engine, member.normaliser, fc.strategy, fc.horizon)

    def val_mae(members: Members) -> list[float]:
        return [float(np.mean(np.abs(predict(val.hist, val.feats) - val.fut)))]

    stopping = EarlyStopping(val_mae, fc.patience)
    snapshots = AtLogPoints(lambda done: member.snapshots.append((done, predict(test.hist, test.feats))))
    state = train(OneEngine(engine), TrainState(), LogSchedule(cfg.train.epochs, fc.eval_every, "end"),
                  callbacks=[stopping, snapshots], batches=MiniBatches([x], [y], fc.batch_size, [member.seed]),
                  guard=divergence_guard(cfg), on_divergence="stop")
    member.history = stopping.history[0]
    member.epochs_run = state.epoch
    member.best_epoch, member.val_mae = stopping.best_epoch[0], stopping.best_score[0]
    if stopping.best[0]:
        engine.set_params(stopping.best[0])
    member.params = engine.get_params()  # the best seen; the last when no score was ever finite
    member.val_forecast = predict(val.hist, val.feats)


def member_forecast(problem: ForecastProblem, member: FittedModel, origins: np.ndarray) -> np.ndarray:
    """One member's forecasts at `origins`: (N,) -> (N, horizon), in the series' units."""
    cfg, fc = problem.config, problem.config.forecast
    w = windows_at(problem, origins, member.normaliser.context, 0)
    engine = create_engine(cfg.run.engine, member.spec, training_spec(cfg), cfg.run.dtype)
    engine.set_params(member.params)
    return Forecaster(engine, member.normaliser, fc.strategy, fc.horizon)(w.hist, w.feats)
