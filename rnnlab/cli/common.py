"""Arguments shared by commands that load a recipe, their translation to overrides, and of
config keys in messages back to flags."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
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
    p.set_defaults(flag_keys=FLAG_KEYS)


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
    from rnnlab.config import override
    from rnnlab.recipes import resolve

    cfg = resolve(args.recipe)
    flags = [f"{key}={getattr(args, attr)}" for attr, key in FLAG_KEYS.items()
             if getattr(args, attr, None) is not None]
    return override(override(cfg, flags), args.overrides)


def in_flags(message: str, args: argparse.Namespace) -> str:
    """The library names config keys (its Python callers have no flags); say them as this
    command's flags. A message about a key the user set with a flag starts with that flag
    ('--epochs: train.epochs: must be positive'); keys in its advice become flags
    ('shorten forecast.window' -> 'shorten --window', 'run.device=cpu' -> '--device cpu'),
    and any other 'key=value' becomes '--set key=value' where the command has --set."""
    from rnnlab.config import keys

    flag_keys = getattr(args, "flag_keys", {})
    flag_of = {key: "--" + attr.replace("_", "-") for attr, key in flag_keys.items()}
    has_set = hasattr(args, "overrides")
    subject = re.match(r"([a-z_]+\.[a-z_]+): ", message)
    given = {key for attr, key in flag_keys.items() if getattr(args, attr, None) is not None}
    if subject and subject.group(1) in given:
        head, message = f"{flag_of[subject.group(1)]}: {subject.group(0)}", message[subject.end():]
    elif subject:
        head, message = subject.group(0), message[subject.end():]
    else:
        head = ""

    def say(match: re.Match[str]) -> str:
        key, assigned = match.group(1), match.group(2)
        if key in flag_of:
            return flag_of[key] + (" " if assigned else "")
        return f"--set {key}=" if assigned and has_set else match.group(0)

    pattern = r"(?<![\w.-])(?<!--set )(" + "|".join(re.escape(k) for k in sorted(keys(), key=len, reverse=True)) + r")\b(=)?"
    return head + re.sub(pattern, say, message)


@contextmanager
def run_folder(args: argparse.Namespace, name: str) -> Iterator[Path]:
    """--out, or a new folder runs/<name>-<UTC time>[-N] claimed now; a claimed folder is
    removed again when the command fails before writing anything into it."""
    from rnnlab.runs.folder import default_run_dir

    if args.out:
        yield Path(args.out)
        return
    out = default_run_dir(name)
    try:
        yield out
    except BaseException:
        with suppress(OSError):
            out.rmdir()  # only when still empty
        raise
