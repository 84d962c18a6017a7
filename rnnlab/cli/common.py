"""Arguments shared by commands that load a recipe, and their translation to overrides."""

from __future__ import annotations

import argparse
from typing import Callable

from rnnlab.config import Config

# flag attribute -> config key it sets
FLAG_KEYS = {"engine": "run.engine", "seed": "run.seed", "epochs": "train.epochs", "dtype": "run.dtype",
             "device": "run.device", "threads": "run.threads"}


def add_recipe_arguments(p: argparse.ArgumentParser, *, engine: bool = True) -> None:
    p.add_argument("recipe", help="a built-in recipe name (see `rnnlab recipes`) or a path to a .toml file")
    if engine:
        p.add_argument("--engine", metavar="NAME", help="numpy (default), torch, jax, numba, or auto (chosen from the "
                       "run's size and what is installed)")
    p.add_argument("--seed", metavar="S", help="seeds the data shuffle and the initial weights")
    p.add_argument("--epochs", metavar="N", help="epochs as the original program counts them: a pass of "
                   "online steps (elman-sine) or one full-batch step (primer recipes)")
    p.add_argument("--dtype", metavar="TYPE", help="float32 or float64")
    add_device_arguments(p)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override any recipe key, e.g. --set model.hidden=16 (repeatable)")


def add_device_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"), metavar="DEV",
                   help="torch engine: auto (CUDA, then MPS, then CPU; the default), cpu, cuda or mps; "
                   "the numpy engine always computes on the CPU")
    p.add_argument("--threads", type=int_at_least(0, "threads", "0 (auto)"), metavar="N", help="torch engine: CPU threads; 0 (default) "
                   "chooses from the model's size (one thread for small models, where it is fastest)")


def int_at_least(minimum: int, unit: str, floor: str | None = None) -> Callable[[str], int]:
    """An argparse type: an integer >= `minimum`, counting `unit` (named in its errors)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number of {unit}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {floor or minimum} or more, got {value}")
        return value

    return parse


def load_config(args: argparse.Namespace) -> Config:
    """The recipe with flags and --set overrides applied, validated (ConfigError on bad input)."""
    from rnnlab.config import ConfigError, override
    from rnnlab.recipes import resolve

    cfg = resolve(args.recipe)
    flags = [f"{key}={getattr(args, attr)}" for attr, key in FLAG_KEYS.items()
             if getattr(args, attr, None) is not None]
    try:
        cfg = override(cfg, flags)
    except ConfigError as err:  # name the flag the user typed, not only the key behind it
        flag = next((f"--{a}" for a, k in FLAG_KEYS.items() if str(err).startswith(k)), None)
        raise ConfigError(f"{flag}: {err}" if flag else str(err)) from None
    return override(cfg, args.overrides)
