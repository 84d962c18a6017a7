"""A search instead of a grid: Optuna proposes settings (TPE by default) from a space file,
each setting is trained with the sweep's seeds, and the median of their metric is the
setting's value. The study lives in a journal file in the sweep's folder, so an
interrupted search continues where it stopped, and several processes can share it.

space.toml, one table per config key:

    ["optim.lr"]
    low = 0.001
    high = 0.3
    log = true          # a float between low and high, on a log scale

    ["model.hidden"]
    choices = [8, 16, 32, 64]

    ["model.layers"]
    low = 1
    high = 3            # an integer key: integers from low to high
"""

from __future__ import annotations

import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlab.config import Config, ConfigError, keys

SIGNIFICANT = 4  # proposed floats are rounded to this many digits: readable folder names, exact configs


@dataclass(frozen=True)
class Dimension:
    key: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    integer: bool = False

    def suggest(self, trial: Any) -> str:
        """A value proposed by an Optuna trial, as the text a config override takes."""
        if self.choices:
            return self.text(trial.suggest_categorical(self.key, list(self.choices)))
        if self.integer:
            return self.text(trial.suggest_int(self.key, int(self.low), int(self.high), log=self.log))
        return self.text(trial.suggest_float(self.key, self.low, self.high, log=self.log))

    def text(self, value: Any) -> str:
        return str(value) if self.choices or self.integer else f"{value:.{SIGNIFICANT}g}"


def read_space(path: Path, base: Config) -> list[Dimension]:
    """The dimensions of a space file, each checked against the config's keys and types."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the search space {path}: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: TOML syntax error: {err}") from None
    known = set(keys())
    dims = []
    for key, table in raw.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown key '{key}' (write it as a quoted table, e.g. [\"optim.lr\"])")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [\"{key}\"] must be a table with low/high or choices")
        section, _, name = key.partition(".")
        tp = typing.get_type_hints(type(getattr(base, section)))[name]
        dims.append(_dimension(path, key, table, tp))
    if not dims:
        raise ConfigError(f"{path}: the search space is empty; give at least one key, e.g. [\"optim.lr\"] low = 0.01 high = 0.3")
    return dims


def _dimension(path: Path, key: str, table: dict[str, Any], tp: Any) -> Dimension:
    unknown = set(table) - {"low", "high", "log", "choices"}
    if unknown:
        raise ConfigError(f"{path}: [\"{key}\"] has unknown entries {sorted(unknown)}; use low, high, log or choices")
    if "choices" in table:
        choices = table["choices"]
        if not isinstance(choices, list) or not choices:
            raise ConfigError(f"{path}: [\"{key}\"] choices must be a non-empty list")
        return Dimension(key, choices=tuple(choices))
    if tp not in (int, float):
        raise ConfigError(f"{path}: {key} is not a number; give its values as choices = [...]")
    try:
        low, high = float(table["low"]), float(table["high"])
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"{path}: [\"{key}\"] needs numbers low and high (or choices)") from None
    log = bool(table.get("log", False))
    if not low < high or (log and low <= 0):
        raise ConfigError(f"{path}: [\"{key}\"] needs low < high{' and low > 0 on a log scale' if log else ''}")
    return Dimension(key, low, high, log, integer=tp is int)


def open_study(folder: Path, name: str, seed: int) -> Any:
    """The study of the sweep in `folder`, created or continued (a journal file: no server).
    Its sampler is seeded by `seed` and the trials it already has, so a continued search
    draws new settings, and the same command draws the same ones."""
    try:
        import optuna
    except ModuleNotFoundError:
        raise ConfigError('a search needs optuna: pip install ".[optuna]"') from None
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = JournalStorage(JournalFileBackend(str(folder / "optuna.log")))
    study = optuna.create_study(study_name=name, storage=storage, direction="minimize", load_if_exists=True)
    study.sampler = optuna.samplers.TPESampler(seed=seed + len(study.trials))
    return study
