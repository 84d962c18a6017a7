"""Typed, frozen configuration: one dataclass per component, loaded from TOML.

A recipe is a TOML file whose tables mirror these dataclasses. Values are checked
once, here, against each field's type (``Literal`` choices, positive sizes), so the
rest of the package can trust them. ``--set data.points=50`` style overrides go
through the same checks and name the offending key on failure.
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from rnnlab.errors import UserError


class ConfigError(UserError):
    """A recipe or override is invalid; the message names the key and what is allowed."""


@dataclass(frozen=True)
class RunConfig:
    name: str = "custom"
    description: str = ""
    seed: int = 0
    engine: Literal["numpy", "torch", "jax", "numba", "auto"] = "numpy"
    dtype: Literal["float32", "float64"] = "float64"
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    threads: int = 0  # CPU threads for engines that take them (torch); 0: chosen from the model's size


@dataclass(frozen=True)
class DataConfig:
    source: Literal["sine"] = "sine"
    start: float = 0.0
    stop: float = 12.566370614359172  # 4 * pi
    points: int = 146
    framing: Literal["next_step", "windows"] = "windows"
    window: int = 6  # input values per window (windows framing)
    horizon: int = 8  # target values per window (windows framing)
    test_windows: int = 4
    shuffle: bool = True


@dataclass(frozen=True)
class ModelConfig:
    cell: Literal["elman", "lstm", "gru"] = "elman"
    activation: Literal["tanh", "sigmoid"] = "tanh"
    hidden: int = 32
    bias: bool = False
    readout_bias: bool = False
    # How a window enters the cell: one value per step, the primer's position-coded
    # vector per step, or the whole window as one vector in a single step.
    input: Literal["stepwise", "positional", "window"] = "stepwise"
    layers: int = 1  # stacked recurrent layers, each reading the one below


@dataclass(frozen=True)
class InitConfig:
    scheme: Literal["normal", "torch_default", "primer"] = "torch_default"
    # Whose random generator draws the initial weights: the engine's own ("engine"),
    # NumPy's, or torch's (the original programs' draws, needs torch).
    rng: Literal["engine", "numpy", "torch"] = "engine"
    std: float = 0.4  # normal: cell weights
    readout_std: float = 0.3  # normal: readout weights


@dataclass(frozen=True)
class LossConfig:
    name: Literal["sse_half", "mse", "l1", "elastic_net", "huber", "soft_l1", "clip"] = "mse"
    reduction: Literal["sum", "mean"] = "mean"
    delta: float = 1.0  # huber: quadratic zone; soft_l1: cutoff alpha
    mix: float = 0.5  # elastic_net: weight of the L1 part
    # The quantity logged as "loss"; "" logs the objective itself. The primer's NumPy
    # program trains on one loss gradient but reports sum(0.5 dy^2).
    report: Literal["", "sse_half", "mse", "l1", "huber"] = ""


@dataclass(frozen=True)
class OptimConfig:
    name: Literal["sgd", "momentum", "adam"] = "sgd"
    lr: float = 0.1
    momentum: float = 0.9  # momentum: v = momentum * v + g
    beta1: float = 0.9  # adam
    beta2: float = 0.999  # adam
    clip: float = 0.0  # max global gradient norm before each update; 0: no clipping


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 1000
    # online: one sequence, hidden state carried, an update every `truncate` steps;
    # full_batch: every window at once, one update per epoch.
    schedule: Literal["online", "full_batch"] = "full_batch"
    truncate: int = 1
    gradient: Literal["exact", "primer_approx"] = "exact"
    # Divergence guard: stop when an epoch's loss exceeds this many times the loss at the
    # initial parameters (NaN or infinity always stops); 0 turns the bound off. Why 1000:
    # rnnlab.train.guard.
    max_loss_factor: float = 1e3


@dataclass(frozen=True)
class LogConfig:
    every: int = 100
    # "start": epochs e with e % every == 0 (the torch programs);
    # "end": e == 0 and (e + 1) % every == 0 (the primer's NumPy program).
    at: Literal["start", "end"] = "start"


@dataclass(frozen=True)
class ForecastConfig:
    """`rnnlab forecast`: a real series in, honest forecasts out. 0 / "auto" are resolved
    from the series (length, season) when the run starts and saved resolved."""

    series: str = ""  # a CSV/Parquet path or a bundled dataset name (`rnnlab datasets`)
    column: str = ""  # the target column; "" for a bundled dataset's own
    time_column: str = ""  # optional: labels the plot's axis and hints the season
    features: str = ""  # comma-separated numeric columns known in advance (direct strategy): fed over window and horizon
    future_features: str = ""  # a CSV/Parquet with the features' values after the series' end (the future forecast)
    id_column: str = ""  # a long-format panel: the column naming each row's series; one global model for all
    fill: Literal["none", "interpolate", "ffill", "drop"] = "none"  # what to do with empty/NaN cells
    duplicates: Literal["none", "mean", "sum", "last"] = "none"  # rows sharing a timestamp: refuse, or combine
    decimal: Literal["auto", "point", "comma"] = "auto"  # the decimal mark of number cells; auto: per column
    horizon: int = 0  # steps ahead; 0: auto
    window: int = 0  # past values per input window; 0: auto
    strategy: Literal["direct", "recursive"] = "direct"
    season: int = 0  # 0: detect on the training part; 1: no season
    test_size: int = 0  # points in the test part; 0: auto
    val_size: int = 0  # points in the validation part; 0: auto
    backtest: int = 20  # rolling origins over the test part
    normalise: Literal["auto", "standard", "last", "mean", "revin", "seasonal", "history"] = "auto"
    log_transform: Literal["auto", "on", "off"] = "auto"  # forecast log values; auto: chosen on validation
    ensemble: int = 3  # models from consecutive seeds, averaged
    batch_size: int = 0  # training windows per update (shuffled each epoch); 0: auto
    patience: int = 0  # validation checks without improvement before stopping; 0: auto
    eval_every: int = 0  # epochs between validation checks; 0: auto
    interval: str = "0.8,0.95"  # prediction interval levels (conformal), comma-separated; "" for none
    future: bool = True  # refit on the whole series and forecast `horizon` steps beyond its end


@dataclass(frozen=True)
class Config:
    run: RunConfig = field(default_factory=RunConfig)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    init: InitConfig = field(default_factory=InitConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    log: LogConfig = field(default_factory=LogConfig)
    forecast: ForecastConfig = field(default_factory=ForecastConfig)


_SECTION_TYPES = typing.get_type_hints(Config)
POSITIVE = {"data.points", "data.window", "data.horizon", "model.hidden", "train.epochs",
            "train.truncate", "log.every", "model.layers", "optim.lr", "forecast.backtest", "forecast.ensemble",
            "loss.delta"}
NON_NEGATIVE = {"data.test_windows", "optim.clip", "forecast.horizon", "forecast.window", "forecast.season",
                "forecast.test_size", "forecast.val_size", "forecast.patience", "forecast.eval_every",
                "init.std", "init.readout_std", "train.max_loss_factor", "run.threads"}
UNIT_INTERVAL = {"optim.momentum", "optim.beta1", "optim.beta2"}  # [0, 1)
CLOSED_RANGES = {"run.seed": (0, 2**32 - 1), "loss.mix": (0.0, 1.0)}  # the seed: what NumPy's generators take


def _describe(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) if a else "'' (empty)" for a in typing.get_args(tp))
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}[tp]


def _check_value(key: str, tp: Any, value: Any) -> Any:
    """Return `value` coerced to the field type, or raise ConfigError naming `key`."""
    if typing.get_origin(tp) is Literal:
        if value in typing.get_args(tp) and isinstance(value, str):
            return value
    elif tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return _check_range(key, value)
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _check_range(key, float(value))
    elif tp is str:
        if isinstance(value, str):
            return value
    raise ConfigError(f"{key}: {value!r} is not allowed; expected {_describe(tp)}")


def _check_range(key: str, value: int | float) -> int | float:
    if key in POSITIVE and value <= 0:
        raise ConfigError(f"{key}: must be positive, got {value}")
    if key in NON_NEGATIVE and value < 0:
        raise ConfigError(f"{key}: must be zero or positive, got {value}")
    if key in UNIT_INTERVAL and not 0 <= value < 1:
        raise ConfigError(f"{key}: must be in [0, 1), got {value}")
    if key in CLOSED_RANGES and not CLOSED_RANGES[key][0] <= value <= CLOSED_RANGES[key][1]:
        low, high = CLOSED_RANGES[key]
        raise ConfigError(f"{key}: must be between {low} and {high}, got {value}")
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"{key}: must be a finite number, got {value}")
    return value


def _field_types(section: str) -> dict[str, Any]:
    return typing.get_type_hints(_SECTION_TYPES[section])


def keys() -> list[str]:
    """Every dotted key a config has, e.g. 'optim.lr'."""
    return [f"{section}.{name}" for section in _SECTION_TYPES for name in _field_types(section)]


def _unknown_key(key: str, known: typing.Iterable[str]) -> ConfigError:
    return ConfigError(f"unknown key '{key}'; known keys: {', '.join(known)}")


def from_dict(raw: dict[str, Any]) -> Config:
    """Build a validated Config from nested TOML-style tables."""
    sections = {}
    for section, table in raw.items():
        if section not in _SECTION_TYPES:
            raise _unknown_key(section, _SECTION_TYPES)
        if not isinstance(table, dict):
            raise ConfigError(f"{section}: expected a table [{section}], got {table!r}")
        types = _field_types(section)
        values = {}
        for key, value in table.items():
            dotted = f"{section}.{key}"
            if key not in types:
                raise _unknown_key(dotted, (f"{section}.{k}" for k in types))
            values[key] = _check_value(dotted, types[key], value)
        sections[section] = _SECTION_TYPES[section](**values)
    return validate(Config(**sections))


def load(path: Path) -> Config:
    """Read a recipe file; syntax errors name the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read recipe {path}: {err}") from err
    return parse(text, path)


def parse(text: str, source: Path) -> Config:
    """A recipe from its TOML text; errors name `source`."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source}: TOML syntax error: {err}") from err
    return from_dict(raw)


def parse_scalar(key: str, tp: Any, text: str) -> Any:
    """Parse a command-line value for `key` according to its type."""
    if tp is bool or typing.get_origin(tp) is Literal or tp is str:
        if tp is bool:
            lowered = text.strip().lower()
            if lowered in ("true", "1", "yes", "on"):
                return True
            if lowered in ("false", "0", "no", "off"):
                return False
            raise ConfigError(f"{key}: {text!r} is not allowed; expected true or false")
        return _check_value(key, tp, text)
    try:
        number = int(text) if tp is int else float(text)
    except ValueError:
        raise ConfigError(f"{key}: {text!r} is not allowed; expected {_describe(tp)}") from None
    return _check_value(key, tp, number)


def override(config: Config, assignments: typing.Iterable[str]) -> Config:
    """Apply `section.key=value` strings, each checked against the schema."""
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        key = key.strip()
        if not sep:
            raise ConfigError(f"{assignment!r}: expected section.key=value, e.g. model.hidden=16")
        section, _, name = key.partition(".")
        if section not in _SECTION_TYPES or not name:
            raise _unknown_key(key, (f"{s}.<key>" for s in _SECTION_TYPES))
        types = _field_types(section)
        if name not in types:
            raise _unknown_key(key, (f"{section}.{k}" for k in types))
        value = parse_scalar(key, types[name], text.strip())
        config = replace(config, **{section: replace(getattr(config, section), **{name: value})})
    return validate(config)


def validate(config: Config) -> Config:
    """Cross-field checks that no single field type can express."""
    d, m, t = config.data, config.model, config.train
    if not d.stop > d.start:
        raise ConfigError(f"data.stop: must be greater than data.start ({d.start}), got {d.stop}")
    if d.framing == "windows":
        n_windows = d.points - d.window - d.horizon
        if n_windows <= d.test_windows:
            raise ConfigError(
                f"data.points: {d.points} points give {max(n_windows, 0)} windows of "
                f"{d.window}+{d.horizon} values, not more than data.test_windows={d.test_windows}; "
                "add points or shorten the window"
            )
        if t.schedule == "online":
            raise ConfigError("train.schedule: 'online' needs data.framing='next_step'")
    else:
        if d.points < 2:
            raise ConfigError(f"data.points: next-step prediction needs at least 2 points, got {d.points}")
        if t.schedule != "online":
            raise ConfigError("train.schedule: data.framing='next_step' trains 'online'")
        if m.input != "stepwise":
            raise ConfigError("model.input: next-step prediction feeds one value per step ('stepwise')")
    if t.gradient == "primer_approx" and (t.schedule != "full_batch" or m.bias):
        raise ConfigError("train.gradient: 'primer_approx' is defined for the primer's model only "
                          "(full_batch, model.bias=false)")
    if config.init.scheme == "primer" and m.bias:
        raise ConfigError("init.scheme: 'primer' has no rule for biases; set model.bias=false")
    if (m.cell != "elman" or m.layers > 1) and config.init.scheme != "torch_default":
        raise ConfigError(f"init.scheme: '{config.init.scheme}' is defined for one Elman layer only; "
                          "use init.scheme=torch_default for lstm, gru or model.layers > 1")
    if t.gradient == "primer_approx" and (m.cell != "elman" or m.layers > 1):
        raise ConfigError("train.gradient: 'primer_approx' is defined for one Elman layer only")
    interval_levels(config.forecast.interval)
    return config


def interval_levels(text: str) -> list[float]:
    """forecast.interval as sorted levels, each strictly between 0 and 1 ("" for none)."""
    levels = []
    for part in (p.strip() for p in text.split(",")):
        if not part or part.lower() == "none":
            continue
        try:
            level = float(part)
        except ValueError:
            raise ConfigError(f"forecast.interval: {part!r} is not a level; give levels such as 0.8,0.95") from None
        if level >= 1 and level < 100:  # 80,95: percent
            level /= 100
        if not 0 < level < 1:
            raise ConfigError(f"forecast.interval: {part} is not a level between 0 and 1 (e.g. 0.8,0.95)")
        levels.append(level)
    return sorted(set(levels))


def to_toml(config: Config, sections: typing.Iterable[str] | None = None) -> str:
    """Serialise the resolved config (every key of `sections`, default all, so a run
    folder is self-describing)."""
    lines: list[str] = []
    wanted = set(_SECTION_TYPES if sections is None else sections)
    for section in dataclasses.fields(config):
        if section.name not in wanted:
            continue
        lines.append(f"[{section.name}]")
        for f in dataclasses.fields(getattr(config, section.name)):
            lines.append(f"{f.name} = {_toml_value(getattr(getattr(config, section.name), f.name))}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
