"""Built-in recipes: TOML files shipped with the package, found by name."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from rnnlab.config import Config, ConfigError, load


def builtin_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files(__name__).iterdir() if p.name.endswith(".toml"))


def describe() -> list[tuple[str, str]]:
    """(name, one-line description) of every built-in recipe."""
    out = []
    for name in builtin_names():
        raw = tomllib.loads(resources.files(__name__).joinpath(f"{name}.toml").read_text(encoding="utf-8"))
        out.append((name, raw.get("run", {}).get("description", "")))
    return out


def resolve(name_or_path: str) -> Config:
    """A built-in recipe by name, or a user's TOML file by path."""
    if name_or_path in builtin_names():
        with resources.as_file(resources.files(__name__).joinpath(f"{name_or_path}.toml")) as path:
            return load(path)
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ConfigError(f"recipe file {path} does not exist")
        return load(path)
    raise ConfigError(f"unknown recipe '{name_or_path}'; built-in recipes: {', '.join(builtin_names())} "
                      "(or give a path to a .toml file)")
