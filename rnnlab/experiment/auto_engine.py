"""`--engine auto`: pick the engine from the run's size and what is installed.

The rule (measured on a 2-core x86 CPU, see docs/speed.md and benchmarks/README.md): the
jax engine costs an import and a compile of 1-3 s (less when its disk cache has the
program) and then runs each update 2-50x faster than NumPy; NumPy starts at once. So auto
takes jax when it is installed and the work is large enough to repay that -- an
estimated NumPy time over AUTO_SECONDS, or any ensemble of several members (vectorised
on jax) -- and numpy otherwise, and always for the primer's approximate gradient, which
only NumPy has. Torch is never chosen: on a CPU it is slower than both at these sizes.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace

from rnnlab.config import Config
from rnnlab.model import model_spec

AUTO_SECONDS = 3.0
# NumPy engine cost model: per update, a fixed cost per time step and layer (Python and
# small-array overhead) plus the arithmetic; it matches the four recipes' measured times
# within about 10 %.
_NUMPY_STEP_SECONDS = 40e-6
_NUMPY_FLOPS_PER_SECOND = 2e10


def numpy_seconds(cfg: Config) -> float:
    """A rough estimate of the NumPy engine's training time for `cfg`."""
    spec, d = model_spec(cfg), cfg.data
    if d.framing == "next_step":
        n, steps = 1, d.points - 1
        updates = cfg.train.epochs * -(-steps // cfg.train.truncate)
        per_update_steps = min(cfg.train.truncate, steps)
    else:
        n = d.points - d.window - d.horizon - d.test_windows
        steps = 1 if cfg.model.input == "window" else d.window
        updates, per_update_steps = cfg.train.epochs, steps
    gates = {"elman": 1, "lstm": 4, "gru": 3}[spec.cell] * spec.hidden
    flops = 6 * n * per_update_steps * spec.layers * (spec.input_size + spec.hidden) * gates
    per_update = per_update_steps * spec.layers * _NUMPY_STEP_SECONDS + flops / _NUMPY_FLOPS_PER_SECOND
    return updates * per_update


def jax_installed() -> bool:
    return importlib.util.find_spec("jax") is not None


def choose_engine(cfg: Config, members: int = 1) -> tuple[str, str]:
    """(engine, why) for `cfg`; an explicit engine is kept."""
    if cfg.run.engine != "auto":
        return cfg.run.engine, "asked for"
    if cfg.train.gradient != "exact":
        return "numpy", "the primer's approximate gradient exists in the numpy engine only"
    if not jax_installed():
        return "numpy", "jax is not installed (pip install \"rnnlab[jax]\")"
    if members > 1:
        return "jax", f"an ensemble of {members} members is vectorised on jax"
    estimate = numpy_seconds(cfg)
    if estimate > AUTO_SECONDS:
        return "jax", f"numpy would take about {estimate:.1f} s, more than jax's compile"
    return "numpy", f"numpy takes about {estimate:.1f} s, less than jax's compile"


def resolve_engine(cfg: Config, members: int = 1) -> Config:
    """`cfg` with run.engine made concrete (config.toml records the engine actually used)."""
    engine, _ = choose_engine(cfg, members)
    return cfg if engine == cfg.run.engine else replace(cfg, run=replace(cfg.run, engine=engine))
