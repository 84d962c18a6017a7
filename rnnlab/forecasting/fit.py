"""Train one forecasting model honestly: scalers fitted on the training part, mini-batch
Adam on training windows only, early stopping on the validation part keeping the best
parameters. The test part is only forecast (frames of the GIF), never scored here.

A refit (the model behind the forecast beyond the data) trains the same way on every
window of the whole series, for the epochs validation chose, with nothing held out.
Training windows are cut a batch at a time from the series, so memory follows the batch,
not the number of windows (a long panel has many).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from rnnlab.core import init
from rnnlab.engines import Engine, create_engine
from rnnlab.forecasting.problem import ForecastProblem
from rnnlab.forecasting.scaling import Normaliser, fit_normaliser
from rnnlab.forecasting.splits import Split, future, history, origin_range, train_origins, val_origins
from rnnlab.runs.records import TrainState
from rnnlab.spec import ModelSpec
from rnnlab.train.batches import MiniBatches
from rnnlab.train.callbacks import AtLogPoints, EarlyStopping
from rnnlab.train.experiment import training_spec
from rnnlab.train.guard import divergence_guard
from rnnlab.train.memory import check_memory, needed_bytes
from rnnlab.train.loop import train
from rnnlab.train.members import Members, OneEngine
from rnnlab.train.schedule import LogSchedule

Params = dict[str, np.ndarray]
MAX_TRAIN_EXAMPLES = 600  # per series: overlapping windows beyond this add time, little information
MAX_TRAIN_STEPS = 32_000  # per series: window steps per epoch (fewer windows when they are long)
MAX_PANEL_EXAMPLES = 4000  # all series together
MAX_VAL_ORIGINS = 64  # per series, up to four series' worth
PREDICT_ROWS = 4096  # windows per prediction call
FIT_SAMPLE = 1024  # training windows the scaler is fitted on (evenly spread; every window up to this)


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
    refit: bool = False  # trained on the whole series (for the forecast beyond it)


class Forecaster:
    """Forecasts in the series' units from raw histories, with one engine's parameters."""

    def __init__(self, engine: Engine, norm: Normaliser, strategy: str, horizon: int) -> None:
        self.engine, self.norm, self.strategy, self.horizon = engine, norm, strategy, horizon

    def __call__(self, w: Windows) -> np.ndarray:
        """The windows' forecasts (N, horizon), PREDICT_ROWS at a time."""
        if w.hist.shape[0] > PREDICT_ROWS:
            return np.concatenate([self(w.rows(slice(i, i + PREDICT_ROWS)))
                                   for i in range(0, w.hist.shape[0], PREDICT_ROWS)])
        n = self.norm
        if self.strategy == "direct":
            return n.invert(w.hist, self.engine.predict(n.inputs(w.hist, w.feats, w.sid, w.level)), w.sid, w.level)
        hist, level, count = w.hist.copy(), w.level.copy(), w.count.astype(np.float64)
        out = np.empty((hist.shape[0], self.horizon))
        for k in range(self.horizon):  # one step, fed back: the Elman tutorial's prediction loop
            out[:, k] = n.invert(hist, self.engine.predict(n.inputs(hist, None, w.sid, level)), w.sid, level)[:, 0]
            hist = np.concatenate([hist[:, 1:], out[:, k:k + 1]], axis=1)
            level, count = (level * count + out[:, k]) / (count + 1), count + 1
        return out


@dataclass(frozen=True)
class Windows:
    """Raw histories, features, series and futures at a set of (global) origins."""

    origins: np.ndarray  # (N,)
    sid: np.ndarray  # (N,) the series of each
    hist: np.ndarray  # (N, C)
    feats: np.ndarray  # (N, W + lead, F)
    fut: np.ndarray  # (N, K)
    level: np.ndarray  # (N,) the mean of the series up to the origin (the history normalisation's reference)
    count: np.ndarray  # (N,) how many values that mean is of

    def rows(self, index: slice | np.ndarray) -> Windows:
        return Windows(self.origins[index], self.sid[index], self.hist[index], self.feats[index], self.fut[index],
                       self.level[index], self.count[index])


def levels_at(problem: ForecastProblem, origins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean of each origin's series up to and including it, and its count: (N,), (N,)."""
    sums = np.concatenate([[0.0], np.cumsum(problem.values)])
    first = problem.starts[problem.series_of(origins)]
    count = origins + 1 - first
    return (sums[origins + 1] - sums[first]) / count, count


def windows_at(problem: ForecastProblem, origins: np.ndarray, context: int, k: int) -> Windows:
    """The windows at `origins`, whose features (window and lead) lie inside their series."""
    window, feats, lead = problem.config.forecast.window, problem.features, problem.lead
    if feats.shape[1]:
        f = feats[origins[:, None] + np.arange(1 - window, lead + 1)[None, :]]
    else:
        f = np.zeros((origins.shape[0], window, 0))
    fut = future(problem.values, origins, k) if k else np.zeros((origins.shape[0], 0))
    level, count = levels_at(problem, origins)
    return Windows(origins, problem.series_of(origins), history(problem.values, origins, context), f, fut, level,
                   count)


def future_windows(problem: ForecastProblem, context: int) -> Windows:
    """The window at each series' last value, its lead features from the future features."""
    origins = problem.starts[1:] - 1
    w = windows_at(problem, origins, context, 0) if not problem.lead else None
    if w is not None:
        return w
    window = problem.config.forecast.window
    past = problem.features[origins[:, None] + np.arange(1 - window, 1)[None, :]]
    assert problem.future_features is not None  # prepare_forecast loads them whenever there are features
    feats = np.concatenate([past, problem.future_features], axis=1)
    level, count = levels_at(problem, origins)
    return Windows(origins, np.arange(problem.count), history(problem.values, origins, context), feats,
                   np.zeros((origins.shape[0], 0)), level, count)


class Examples:
    """Encoded inputs or targets of the windows at `origins`, made a batch at a time when
    indexed (what rnnlab.train.batches.MiniBatches takes from an array)."""

    def __init__(self, origins: np.ndarray, make: Callable[[np.ndarray], np.ndarray]) -> None:
        self.origins, self.make = origins, make

    @property
    def shape(self) -> tuple[int]:
        return (self.origins.shape[0],)

    def __getitem__(self, index: np.ndarray) -> np.ndarray:
        return self.make(self.origins[index])


def _thin(origins: np.ndarray, most: int) -> np.ndarray:
    """At most `most` origins, evenly spread, first and latest kept."""
    if origins.shape[0] <= most:
        return origins
    return origins[np.linspace(0, origins.shape[0] - 1, most).round().astype(int)]


def validation_windows(problem: ForecastProblem, context: int) -> Windows:
    """Up to MAX_VAL_ORIGINS origins per series (four series' worth in all) whose whole
    horizon lies in the validation part."""
    local = [_thin(val_origins(sp, problem.context, problem.horizon), MAX_VAL_ORIGINS) for sp in problem.splits]
    origins = _thin(problem.origins(local), MAX_VAL_ORIGINS * min(problem.count, 4))
    return windows_at(problem, origins, context, problem.horizon)


def part_end(sp: Split, upto: str) -> int:
    """Where the data a model learns from ends: the training part ("train"), the validation
    part too ("validation": the backtest's refit), or the whole series ("all": the future's)."""
    return {"train": sp.train_end, "validation": sp.val_end, "all": sp.n}[upto]


def training_origins(problem: ForecastProblem, k: int, upto: str) -> np.ndarray:
    """Origins of the training windows (targets `k` steps) whose targets end before
    part_end(upto) in each series; the same for every candidate."""
    ctx, lead = problem.context, problem.lead
    local = []
    for s, sp in enumerate(problem.splits):
        end = part_end(sp, upto)
        o = origin_range(ctx - 1, end - max(k, lead)) if upto != "train" else train_origins(sp, ctx, max(k, lead))
        local.append(_thin(o, min(MAX_TRAIN_EXAMPLES, MAX_TRAIN_STEPS // problem.config.forecast.window)))
    return _thin(problem.origins(local), max(MAX_TRAIN_EXAMPLES, MAX_PANEL_EXAMPLES if problem.count > 1 else 0))


def fit_member(problem: ForecastProblem, cand: Candidate, seed: int, snapshot_origins: np.ndarray,
               refit_epochs: int | None = None, upto: str = "train") -> FittedModel:
    """Fit the scaler of `cand` on the training part, then train one network from `seed`.
    With `refit_epochs`, on the data up to `upto` instead (rnnlab.forecasting.fit.part_end),
    for that many epochs, nothing held out."""
    cfg, fc = problem.config, problem.config.forecast
    k = 1 if fc.strategy == "recursive" else fc.horizon
    whole = refit_epochs is not None
    upto = upto if whole else "train"
    origins = training_origins(problem, k, upto)
    ctx = fc.window + (problem.season if cand.mode == "seasonal" else 0)
    sample = windows_at(problem, _thin(origins, FIT_SAMPLE), ctx, k)
    ends = [part_end(sp, upto) for sp in problem.splits]
    part_values = [problem.values[a:a + e] for a, e in zip(problem.starts, ends)]
    part_feats = np.concatenate([problem.features[a:a + e] for a, e in zip(problem.starts, ends)])
    norm = fit_normaliser(cand.mode, cand.log_values, fc.window, problem.season, sample.hist, sample.fut,
                          part_values, part_feats, sid=sample.sid, lead=problem.lead, level=sample.level)
    m = cfg.model
    spec = ModelSpec(m.cell, m.activation, norm.input_size(problem.features.shape[1]), m.hidden, k, m.bias,
                     m.readout_bias, "last", m.layers)
    member = FittedModel(cand, seed, norm, spec, refit=whole)

    def inputs(o: np.ndarray) -> np.ndarray:
        w = windows_at(problem, o, ctx, 0)
        return norm.inputs(w.hist, w.feats, w.sid, w.level)

    def targets(o: np.ndarray) -> np.ndarray:
        w = windows_at(problem, o, ctx, k)
        return norm.targets(w.hist, w.fut, w.sid, w.level)

    x, y = Examples(origins, inputs), Examples(origins, targets)
    batch = (min(x.shape[0], fc.batch_size or x.shape[0]), *inputs(origins[:1]).shape[1:])  # what one update holds
    check_memory(needed_bytes(spec, training_spec(cfg), batch, np.dtype(cfg.run.dtype).itemsize),
                 f"make model.hidden (now {m.hidden}) or model.layers smaller")
    if whole:
        _refit(problem, member, x, y, max(1, refit_epochs or 0))
    else:
        _train(problem, member, x, y, validation_windows(problem, ctx), windows_at(problem, snapshot_origins, ctx, 0))
    return member


def _engine(problem: ForecastProblem, member: FittedModel) -> tuple[Engine, Forecaster]:
    cfg, fc, s = problem.config, problem.config.forecast, member.spec
    engine = create_engine(cfg.run.engine, s, training_spec(cfg), cfg.run.dtype)
    params = init.torch_default_stacked(member.seed, s.cell, s.input_size, s.hidden, s.output_size, s.layers, s.bias,
                                        s.readout_bias)
    engine.set_params(params)
    return engine, Forecaster(engine, member.normaliser, fc.strategy, fc.horizon)


def _train(problem: ForecastProblem, member: FittedModel, x: Examples, y: Examples, val: Windows,
           test: Windows) -> None:
    """Mini-batch epochs in the one training loop (order shuffled by the member's seed);
    every `eval_every` epochs the validation MAE, in the series' units, decides whether
    these are the best parameters, and `patience` checks without improvement stop it."""
    cfg, fc = problem.config, problem.config.forecast
    engine, predict = _engine(problem, member)

    def val_mae(members: Members) -> list[float]:
        return [float(np.mean(np.abs(predict(val) - val.fut)))]

    stopping = EarlyStopping(val_mae, fc.patience)
    snapshots = AtLogPoints(lambda done: member.snapshots.append((done, predict(test))))
    state = train(OneEngine(engine), TrainState(), LogSchedule(cfg.train.epochs, fc.eval_every, "end"),
                  callbacks=[stopping, snapshots], batches=MiniBatches([x], [y], fc.batch_size, [member.seed]),
                  guard=divergence_guard(cfg), on_divergence="stop")
    member.history = stopping.history[0]
    member.epochs_run = state.epoch
    member.best_epoch, member.val_mae = stopping.best_epoch[0], stopping.best_score[0]
    if stopping.best[0]:
        engine.set_params(stopping.best[0])
    member.params = engine.get_params()  # the best seen; the last when no score was ever finite
    member.val_forecast = predict(val)


def _refit(problem: ForecastProblem, member: FittedModel, x: Examples, y: Examples, epochs: int) -> None:
    """`epochs` mini-batch epochs on every window, nothing held out; a divergence keeps the
    parameters of the last good chunk's end (the guard stops training there)."""
    cfg, fc = problem.config, problem.config.forecast
    engine, _ = _engine(problem, member)
    state = train(OneEngine(engine), TrainState(), LogSchedule(epochs, epochs, "end"),
                  batches=MiniBatches([x], [y], fc.batch_size, [member.seed]), guard=divergence_guard(cfg),
                  on_divergence="stop")
    member.epochs_run = member.best_epoch = state.epoch
    member.params = engine.get_params()


def forecaster_of(problem: ForecastProblem, member: FittedModel) -> Forecaster:
    """A trained member ready to forecast."""
    cfg, fc = problem.config, problem.config.forecast
    engine = create_engine(cfg.run.engine, member.spec, training_spec(cfg), cfg.run.dtype)
    engine.set_params(member.params)
    return Forecaster(engine, member.normaliser, fc.strategy, fc.horizon)


def member_forecast(problem: ForecastProblem, member: FittedModel, origins: np.ndarray) -> np.ndarray:
    """One member's forecasts at `origins`: (N,) -> (N, horizon), in the series' units;
    windows cut PREDICT_ROWS at a time."""
    predict = forecaster_of(problem, member)
    out = np.empty((origins.shape[0], problem.horizon))
    for i in range(0, origins.shape[0], PREDICT_ROWS):
        out[i:i + PREDICT_ROWS] = predict(windows_at(problem, origins[i:i + PREDICT_ROWS], member.normaliser.context, 0))
    return out


def member_future(problem: ForecastProblem, member: FittedModel) -> np.ndarray:
    """One member's forecast after each series' end: (S, horizon)."""
    return forecaster_of(problem, member)(future_windows(problem, member.normaliser.context))
