"""rnnlab: train small recurrent networks on sequences, from the first hand-written
backpropagation through time to forecasts of real series.

In a notebook or a script (every call returns an object, prints nothing unless asked, and
raises the command line's one-line errors as exceptions: rnnlab.errors):

    import rnnlab
    run = rnnlab.run("primer-torch", epochs=2000, seed=3)   # a recipe name, a .toml path or a Config
    run.summary["test_rmse"]; run.metrics; run.predict(window); run.plot()
    rnnlab.load("runs/x")                                     # any run folder
    rnnlab.sweep("sine-recurrent", grid={"optim.lr": [0.01, 0.1]}, seeds=3).best
    rnnlab.recipes()                                          # the built-in recipes
    rnnlab.predict("runs/x", engine="torch")                  # a finished run on its own data, any engine
    rnnlab.compare(rnnlab.configure("primer-torch"), ["numpy", "torch"])   # engines against each other

Keyword overrides: epochs=, seed=, engine=, dtype=, and any key as set={"optim.lr": 0.1}.
The API is loaded lazily, so `import rnnlab` stays light (no torch, no matplotlib).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = {
    "run": ("rnnlab.api", "run"),
    "load": ("rnnlab.api", "load"),
    "sweep": ("rnnlab.api", "sweep"),
    "configure": ("rnnlab.api", "configure"),
    "Run": ("rnnlab.api", "Run"),
    "Sweep": ("rnnlab.api", "Sweep"),
    "RunFolder": ("rnnlab.api", "RunFolder"),
    "recipes": ("rnnlab.recipes", "builtin_names"),
    "predict": ("rnnlab.train.predict", "predict_run"),
    "compare": ("rnnlab.checks.compare", "compare"),
    "gradcheck": ("rnnlab.checks.gradcheck", "gradcheck"),
    "Config": ("rnnlab.config", "Config"),
    "UserError": ("rnnlab.errors", "UserError"),
    "Diverged": ("rnnlab.errors", "Diverged"),
    "Interrupted": ("rnnlab.errors", "Interrupted"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    import importlib

    if name not in _API:
        raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")
    module, attr = _API[name]
    return getattr(importlib.import_module(module), attr)


def __dir__() -> list[str]:
    return sorted(__all__)
