"""`--engine auto`: pick the engine from the run's size and what is installed.

The rule (measured on a 2-core x86 CPU, see docs/speed.md and benchmarks/README.md): a
compiled engine costs an import and a compile (jax 1-3 s, numba 0.3-0.5 s from its disk
cache, 10-15 s the very first time) and then runs each update 2-50x faster than NumPy;
NumPy starts at once. So auto takes numpy when its estimated time is under AUTO_SECONDS,
and always for the primer's approximate gradient, which only NumPy has. Above that: the
numba engine when its fused kernel covers the model (full-batch SGD of one Elman layer:
3x faster than jax there), else jax; any ensemble of several members goes to jax
(vectorised). Torch is never chosen: on a CPU it is slower than all three at these sizes.
"""

from __future__ import annotations

import importlib.util
from dataclasses import replace

from rnnlab.config import Config
from rnnlab.engines.numba.scope import unfused_reason
from rnnlab.train.experiment import model_spec, training_spec

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


def numba_installed() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("numba", "scipy"))


def numba_fuses(cfg: Config) -> bool:
    """Whether the numba engine's fused kernel covers `cfg` (its scope, not its install)."""
    return unfused_reason(model_spec(cfg), training_spec(cfg)) is None


def choose_engine(cfg: Config, members: int = 1) -> tuple[str, str]:
    """(engine, why) for `cfg`; an explicit engine is kept."""
    if cfg.run.engine != "auto":
        return cfg.run.engine, "asked for"
    if cfg.train.gradient != "exact":
        return "numpy", "the primer's approximate gradient exists in the numpy engine only"
    if members > 1:
        if jax_installed():
            return "jax", f"an ensemble of {members} members is vectorised on jax"
        return "numpy", "jax is not installed (pip install \"rnnlab[jax]\"): the ensemble is batched on numpy"
    estimate = numpy_seconds(cfg)
    if estimate <= AUTO_SECONDS:
        return "numpy", f"numpy takes about {estimate:.1f} s, less than a compile"
    if numba_installed() and numba_fuses(cfg):
        return "numba", f"numpy would take about {estimate:.1f} s; numba's fused kernel covers this model"
    if jax_installed():
        return "jax", f"numpy would take about {estimate:.1f} s, more than jax's compile"
    return "numpy", (f"numpy takes about {estimate:.1f} s; no compiled engine is installed "
                     "(pip install \"rnnlab[jax]\" or \"rnnlab[numba]\")")


def resolve_engine(cfg: Config, members: int = 1, engine: str | None = None) -> Config:
    """`cfg` with run.engine made concrete (config.toml records the engine actually used);
    `engine` replaces the config's own first. Every job resolves "auto" here, once."""
    if engine is not None and engine != cfg.run.engine:
        cfg = replace(cfg, run=replace(cfg.run, engine=engine))
    chosen, _ = choose_engine(cfg, members)
    return cfg if chosen == cfg.run.engine else replace(cfg, run=replace(cfg.run, engine=chosen))
