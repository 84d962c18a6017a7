"""From `rnnlab forecast` settings to a concrete problem: the series read and checked (one,
or a panel of several), their parts, the season, and every "auto" setting resolved from
the data (saved resolved).

Defaults depend on the data, so they are applied only to keys the user left alone
(`explicit` names the keys given on the command line or in a config file). A panel's
series are stored one after another; an origin is an index into that concatenation, so
windows of every series are cut the same way (rnnlab.forecasting.splits).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from rnnlab.config import Config, ConfigError, interval_levels, override
from rnnlab.data import bundled
from rnnlab.data.future_features import load_future_features
from rnnlab.data.series import Reading, Series, check_values, is_bundled, load_panel
from rnnlab.data.timeaxis import TimeAxis, future_axis
from rnnlab.errors import UserError
from rnnlab.forecasting.season import CALENDAR_SEASONS, detect_season
from rnnlab.forecasting.splits import Split, chronological_split, fill_missing


@dataclass(frozen=True)
class ForecastProblem:
    """A resolved forecasting task over S series. `values` (n,) and `features` (n, F) are
    the series one after another (series s at `starts[s]:starts[s + 1]`), gaps filled part
    by part; `missing` marks the filled targets, never scored. `splits[s]` is series s's
    split in its own positions; `future_features` (S, horizon, F) the known features after
    each end (None without features or future forecast)."""

    config: Config
    panel: list[Series]
    values: np.ndarray
    features: np.ndarray
    missing: np.ndarray
    starts: np.ndarray  # (S + 1,)
    splits: list[Split]
    season: int
    explicit: frozenset[str]  # the keys the user set
    notes: tuple[str, ...] = ()
    future_features: np.ndarray | None = None

    @property
    def horizon(self) -> int:
        return self.config.forecast.horizon

    @property
    def count(self) -> int:
        return len(self.panel)

    @property
    def series(self) -> Series:
        """The first series (the one a lone-series run has; the one the plot shows)."""
        return self.panel[0]

    @property
    def split(self) -> Split:
        return self.splits[0]

    @property
    def lead(self) -> int:
        """Steps of known features after each origin the model reads: the horizon with features."""
        return self.horizon if self.features.shape[1] else 0

    @property
    def context(self) -> int:
        """Past values every origin must have: the window, plus a season when seasonal
        normalisation may be used (the same origins for every candidate compared)."""
        return context_of(self.config, self.season)

    @property
    def levels(self) -> list[float]:
        return interval_levels(self.config.forecast.interval)

    @property
    def floor(self) -> float | None:
        """0 when no observed value of any training part is negative (counts, amounts,
        concentrations): forecasts and interval bounds below it are cut to it, as the
        quantity cannot go there. None otherwise. Decided on the training parts, so the test
        part never shapes it."""
        train = [self.values[a:a + sp.train_end][~self.missing[a:a + sp.train_end]]
                 for a, sp in zip(self.starts, self.splits)]
        return 0.0 if all(t.size and t.min() >= 0 for t in train) else None

    def floored(self, values: np.ndarray) -> np.ndarray:
        """`values` (forecasts or bounds) cut at the floor, when the series has one."""
        return values if self.floor is None else np.maximum(values, self.floor)

    def series_of(self, origins: np.ndarray) -> np.ndarray:
        """The series each (global) origin belongs to: (N,) -> (N,) int."""
        return np.searchsorted(self.starts, origins, side="right") - 1

    def origins(self, local: list[np.ndarray]) -> np.ndarray:
        """Per-series origins (in each series' own positions) as one array of global origins."""
        return np.concatenate([o + self.starts[s] for s, o in enumerate(local)]).astype(np.int64)

    def future_axes(self) -> list[TimeAxis]:
        """Each series' `horizon` steps after its end."""
        return [future_axis(s.time, self.horizon) for s in self.panel]


def context_of(cfg: Config, season: int) -> int:
    fc = cfg.forecast
    return fc.window + (season if season > 1 and fc.normalise in ("auto", "seasonal") else 0)


def reading_of(cfg: Config) -> Reading:
    fc = cfg.forecast
    return Reading(fc.column, fc.time_column, tuple(f.strip() for f in fc.features.split(",") if f.strip()),
                   fc.fill, fc.id_column, fc.duplicates, fc.decimal)


def prepare_forecast(cfg: Config, explicit: set[str]) -> ForecastProblem:
    """Read the series, resolve every auto setting, split, fill and check."""
    fc = cfg.forecast
    if is_bundled(fc.series):
        ds = bundled.DATASETS[fc.series]
        given = {"forecast.column": ds.column, "forecast.time_column": ds.time_column, "forecast.fill": ds.fill,
                 "forecast.horizon": str(ds.horizon), "forecast.id_column": ds.id_column}
        cfg = _apply_defaults(cfg, explicit, {k: v for k, v in given.items() if v})
        fc = cfg.forecast
    reading = reading_of(cfg)
    if reading.features and fc.strategy == "recursive":
        raise UserError("forecast.features needs forecast.strategy=direct: a recursive forecast feeds its own predictions back "
                        "and reads no features over the horizon")
    panel, notes = load_panel(fc.series, reading)
    n = min(len(s) for s in panel)
    step = panel[0].time.step
    horizon = fc.horizon or _auto_horizon(n, step)
    test_size = fc.test_size or max(horizon + fc.backtest - 1, round(0.2 * n))
    val_size = fc.val_size or max(horizon + 4, round(0.15 * n))
    first = [_split_for_season(s, val_size, test_size, horizon) for s in panel]
    filled = [_fill(s, sp, fc.fill) for s, sp in zip(panel, first)]
    for s, sp in zip(panel, first):
        check_values(s, sp.train_end)
    season = fc.season or _panel_season([v[:sp.train_end] for (v, _), sp in zip(filled, first)], step)
    auto = default_settings(min(sp.train_end for sp in first), season, horizon)
    auto.update({"forecast.horizon": str(horizon), "forecast.test_size": str(test_size),
                 "forecast.val_size": str(val_size), "forecast.season": str(season)})
    values = np.concatenate([v for v, _ in filled])
    if not np.all(values > 0):  # whether logs exist is a property of the quantity, not a fit
        auto["forecast.log_transform"] = "off"
        if cfg.forecast.log_transform == "on":
            raise UserError(f"forecast.log_transform=on needs positive values; '{fc.column}' has values <= 0")
    if cfg.run.engine == "auto":  # mini-batches of small windows: NumPy has no compile to repay
        auto["run.engine"] = "numpy"
    cfg = _apply_defaults(cfg, explicit - {"run.engine"} if cfg.run.engine == "auto" else explicit, auto)
    _check_model(cfg)
    fc = cfg.forecast
    short = min(sp.train_end for sp in first)
    if season > 1 and 2 * season >= short:
        raise UserError(f"season {season} needs a training part of more than two seasons (it has "
                        f"{short} points); set a smaller forecast.season, or forecast.season=1 for none")
    splits = [_split(s, fc.val_size, fc.test_size, context_of(cfg, season), fc.horizon, fc.strategy == "recursive")
              for s in panel]
    starts = np.concatenate([[0], np.cumsum([len(s) for s in panel])]).astype(np.int64)
    problem = ForecastProblem(cfg, panel, values, np.concatenate([f for _, f in filled]),
                              np.concatenate([s.missing for s in panel]), starts, splits, season,
                              frozenset(explicit), tuple(notes))
    if reading.features and fc.future:
        if not fc.future_features:
            raise UserError(f"forecast.features: the forecast beyond the data needs the future values of "
                            f"{', '.join(reading.features)}; give them with forecast.future_features=FILE "
                            "(or set forecast.future=false for the backtest alone)")
        futures = load_future_features(fc.future_features, reading, panel, problem.future_axes())
        problem = replace(problem, future_features=futures)
    return problem


def _split(series: Series, val_size: int, test_size: int, context: int, horizon: int, one_step: bool) -> Split:
    try:
        return chronological_split(len(series), val_size, test_size, context, horizon, one_step)
    except UserError as err:
        raise UserError(f"{series.label}: {err}" if series.key else str(err)) from None


def _fill(series: Series, split: Split, method: str) -> tuple[np.ndarray, np.ndarray]:
    values = fill_missing(series.values, split, method)
    feats = np.stack([fill_missing(f, split, method) for f in series.features.T], axis=1) \
        if series.features.shape[1] else series.features
    if np.isnan(values).any() or np.isnan(feats).any():
        first = int(np.argmax(np.isnan(values) | np.isnan(feats).any(axis=1)))
        part = ("training", "validation", "test")[int(np.searchsorted([split.train_end, split.val_end], first,
                                                                      "right"))]
        raise UserError(f"{series.label}: the {part} part has no observed values to fill from; use a longer series")
    return values, feats


def _panel_season(trains: list[np.ndarray], step: str | None) -> int:
    """The season most of the series show (their own training parts' detection)."""
    votes = Counter(detect_season(t, step) for t in trains)
    return max(votes, key=lambda m: (votes[m], m))


def _auto_horizon(n: int, step: str | None) -> int:
    season = CALENDAR_SEASONS.get(step or "", 0)
    return season if 1 < season <= n // 10 else max(1, min(10, n // 20))


def _split_for_season(series: Series, val_size: int, test_size: int, horizon: int) -> Split:
    """The split before the window is known (only its sizes matter for the season)."""
    n = len(series)
    if n - val_size - test_size < 16 or min(val_size, test_size) < horizon:
        raise UserError(f"{series.label}: the series has {n} points, too few for horizon {horizon} with validation "
                        f"{val_size} and test {test_size} points and a training part; shorten forecast.horizon or "
                        "use a longer series")
    return Split(n, n - val_size - test_size, n - test_size)


def default_settings(n_train: int, season: int, horizon: int) -> dict[str, str]:
    """Settings chosen from the series: the window covers two seasons (or twice the horizon),
    the network is small, Adam with early stopping on the validation part does the rest."""
    window = 2 * season if season > 1 else max(2 * horizon, 8)
    window = max(2, min(window, n_train // 3))
    return {
        "forecast.window": str(window),
        "model.cell": "elman",
        "model.hidden": "32" if n_train > 400 else "16",
        "model.bias": "true",
        "model.readout_bias": "true",
        "optim.name": "adam",
        "optim.lr": "0.01",
        "optim.clip": "1.0",
        "train.epochs": "100",
        "forecast.batch_size": "64",
        "forecast.patience": "5",
        "forecast.eval_every": "1",
        "run.dtype": "float32",
    }


def _apply_defaults(cfg: Config, explicit: set[str], values: dict[str, str]) -> Config:
    """Set `values` for the keys the user left alone, or set to 0 ("auto")."""
    def is_auto(key: str) -> bool:
        section, _, name = key.partition(".")
        return section == "forecast" and getattr(cfg.forecast, name) == 0

    return override(cfg, [f"{key}={value}" for key, value in values.items() if key not in explicit or is_auto(key)])


def _check_model(cfg: Config) -> None:
    if cfg.model.input != "stepwise":
        raise ConfigError("model.input: forecasting feeds one time step per cell step; use 'stepwise'")
    if cfg.init.scheme != "torch_default" or cfg.init.rng == "torch":
        raise ConfigError("init: forecasting draws torch's default initialisation from NumPy; "
                          "leave init.scheme=torch_default and init.rng=engine")
    if cfg.train.schedule != "full_batch":
        raise ConfigError("train.schedule: forecasting trains on all training windows at once ('full_batch')")
