"""From `rnnlab forecast` settings to a concrete problem: the series read and checked, its
parts, its season, and every "auto" setting resolved from the series (saved resolved).

Defaults depend on the series, so they are applied only to keys the user left alone
(`explicit` names the keys given on the command line or in a config file).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.config import Config, ConfigError, override
from rnnlab.data import bundled
from rnnlab.data.series import Series, check_values, is_bundled, load_series
from rnnlab.errors import UserError
from rnnlab.forecast.season import CALENDAR_SEASONS, detect_season
from rnnlab.forecast.splits import Split, chronological_split, fill_missing


@dataclass(frozen=True)
class ForecastProblem:
    """A resolved forecasting task. `values` (n,) and `features` (n, F) have their gaps
    filled part by part; `series.missing` marks the filled targets, which are never scored."""

    config: Config
    series: Series
    values: np.ndarray
    features: np.ndarray
    split: Split
    season: int
    explicit: frozenset[str]  # the keys the user set

    @property
    def horizon(self) -> int:
        return self.config.forecast.horizon

    @property
    def context(self) -> int:
        """Past values every origin must have: the window, plus a season when seasonal
        normalisation may be used (the same origins for every candidate compared)."""
        return context_of(self.config, self.season)


def context_of(cfg: Config, season: int) -> int:
    fc = cfg.forecast
    return fc.window + (season if season > 1 and fc.normalise in ("auto", "seasonal") else 0)


def prepare_forecast(cfg: Config, explicit: set[str]) -> ForecastProblem:
    """Read the series, resolve every auto setting, split, fill and check."""
    fc = cfg.forecast
    if is_bundled(fc.series):
        ds = bundled.DATASETS[fc.series]
        given = {"forecast.column": ds.column, "forecast.time_column": ds.time_column,
                 "forecast.fill": ds.fill, "forecast.horizon": str(ds.horizon)}
        cfg = _apply_defaults(cfg, explicit, given)
        fc = cfg.forecast
    features = [f.strip() for f in fc.features.split(",") if f.strip()]
    if features and fc.strategy == "recursive":
        raise UserError("forecast.features needs forecast.strategy=direct: a recursive forecast feeds its own predictions back "
                        "and has no future values of the other columns")
    series = load_series(fc.series, fc.column, fc.time_column, features, fc.fill)
    n = len(series)
    horizon = fc.horizon or _auto_horizon(n, series.time.step)
    test_size = fc.test_size or max(horizon + fc.backtest - 1, round(0.2 * n))
    val_size = fc.val_size or max(horizon + 4, round(0.15 * n))
    split = _split_for_season(n, val_size, test_size, horizon)
    values = fill_missing(series.values, split, fc.fill)
    features = np.stack([fill_missing(f, split, fc.fill) for f in series.features.T], axis=1) \
        if series.features.shape[1] else series.features
    if np.isnan(values).any() or np.isnan(features).any():
        first = int(np.argmax(np.isnan(values) | np.isnan(features).any(axis=1)))
        part = ("training", "validation", "test")[int(np.searchsorted([split.train_end, split.val_end], first,
                                                                      "right"))]
        raise UserError(f"{series.name}: the {part} part has no observed values to fill from; use a longer series")
    check_values(series, split.train_end)
    train = values[:split.train_end]
    season = fc.season or detect_season(train, series.time.step)
    auto = default_settings(split.train_end, season, horizon)
    auto.update({"forecast.horizon": str(horizon), "forecast.test_size": str(test_size),
                 "forecast.val_size": str(val_size), "forecast.season": str(season)})
    if not np.all(values > 0):  # whether logs exist is a property of the quantity, not a fit
        auto["forecast.log_transform"] = "off"
        if cfg.forecast.log_transform == "on":
            raise UserError(f"forecast.log_transform=on needs positive values; '{series.column}' has values <= 0")
    if cfg.run.engine == "auto":  # mini-batches of small windows: NumPy has no compile to repay
        auto["run.engine"] = "numpy"
    cfg = _apply_defaults(cfg, explicit - {"run.engine"} if cfg.run.engine == "auto" else explicit, auto)
    _check_model(cfg)
    fc = cfg.forecast
    if season > 1 and 2 * season >= split.train_end:
        raise UserError(f"season {season} needs a training part of more than two seasons (it has "
                        f"{split.train_end} points); set a smaller forecast.season, or forecast.season=1 for none")
    split = chronological_split(n, fc.val_size, fc.test_size, context_of(cfg, season), fc.horizon,
                                fc.strategy == "recursive")
    return ForecastProblem(cfg, series, values, features, split, season, frozenset(explicit))


def _auto_horizon(n: int, step: str | None) -> int:
    season = CALENDAR_SEASONS.get(step or "", 0)
    return season if 1 < season <= n // 10 else max(1, min(10, n // 20))


def _split_for_season(n: int, val_size: int, test_size: int, horizon: int) -> Split:
    """The split before the window is known (only its sizes matter for the season)."""
    if n - val_size - test_size < 16 or min(val_size, test_size) < horizon:
        raise UserError(f"the series has {n} points, too few for horizon {horizon} with validation {val_size} and "
                        f"test {test_size} points and a training part; shorten forecast.horizon or use a longer series")
    return Split(n, n - val_size - test_size, n - test_size)


def default_settings(n_train: int, season: int, horizon: int) -> dict[str, str]:
    """Settings chosen from the series: the window covers a season (or twice the horizon),
    the network is small, Adam with early stopping on the validation part does the rest."""
    if season > 1:
        window = 2 * season if season <= 12 else season + 1
    else:
        window = max(2 * horizon, 8)
    window = max(2, min(window, n_train // 4))
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
