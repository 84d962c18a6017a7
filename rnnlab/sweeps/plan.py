"""What a sweep trains: its trials (the base recipe with one value per swept key and a
seed), their folders' names, and the groups that one batched program can train."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, replace

from rnnlab.config import Config, ConfigError, override, to_toml

# keys whose values one vectorised ensemble can give each member its own of
BATCHABLE = ("run.seed", "optim.lr")


@dataclass(frozen=True)
class Trial:
    """One run of the sweep: the base recipe with `values` (swept key -> value as given) and
    its seed; `name` is its folder under the sweep's folder."""

    index: int
    values: tuple[tuple[str, str], ...]
    seed: int
    config: Config

    @property
    def name(self) -> str:
        parts = [f"{key.rpartition('.')[2]}={value}" for key, value in self.values]
        return "-".join([f"{self.index:03d}", *parts, f"seed={self.seed}"])


def grid_trials(base: Config, grid: list[tuple[str, list[str]]], seeds: int) -> list[Trial]:
    """Every combination of the grid's values (the first key outermost), each with seeds
    S..S+seeds-1; each trial's config is validated, so a bad value fails before anything runs."""
    keys = [key for key, _ in grid]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"grid: a key is given twice ({', '.join(keys)}); give each key once with all its values")
    if "run.seed" in keys:
        raise ConfigError("grid: run.seed is swept by seeds (the number of seeds per setting), not by a grid")
    trials = []
    for combination in itertools.product(*(values for _, values in grid)):
        values = tuple(zip(keys, combination))
        for s in range(seeds):
            seed = base.run.seed + s
            cfg = override(base, [f"{k}={v}" for k, v in values] + [f"run.seed={seed}"])
            trials.append(Trial(len(trials), values, seed, cfg))
    return trials


def batches(trials: list[Trial]) -> list[list[Trial]]:
    """Trials whose configs differ only in the seed and the learning rate, together (in
    order of their first trial); each group is one batched program."""
    groups: dict[str, list[Trial]] = {}
    for trial in trials:
        run, optim = replace(trial.config.run, seed=0), replace(trial.config.optim, lr=1.0)
        key = to_toml(replace(trial.config, run=run, optim=optim))
        groups.setdefault(key, []).append(trial)
    return list(groups.values())


def plan_id(base: Config, grid: list[tuple[str, list[str]]], seeds: int, extra: str = "") -> str:
    """A short fingerprint of what a sweep trains: the same command gives the same folder,
    so running it again continues it."""
    text = to_toml(base) + repr(grid) + f"seeds={seeds}" + extra
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
