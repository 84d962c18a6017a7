"""rnnlab: train small recurrent networks on sequences.

The public API is loaded lazily, so `import rnnlab` stays light (no torch, no matplotlib).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "Config": "rnnlab.config",
    "load_recipe": ("rnnlab.recipes", "resolve"),
    "run": ("rnnlab.train.runner", "run"),
    "resume": ("rnnlab.train.runner", "resume"),
    "gradcheck": ("rnnlab.checks.gradcheck", "gradcheck"),
    "compare": ("rnnlab.checks.compare", "compare"),
    "predict": ("rnnlab.train.predict", "predict_run"),
    "forecast": ("rnnlab.forecast.job", "run_forecast"),
    "create_engine": "rnnlab.engines",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    import importlib

    if name not in _API:
        raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")
    target = _API[name]
    module, attr = target if isinstance(target, tuple) else (target, name)
    return getattr(importlib.import_module(module), attr)
