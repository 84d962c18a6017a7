"""Engine registry. Engines are imported only when asked for, so `import rnnlab`
stays light and never pulls in torch or a compiler."""

from __future__ import annotations

import importlib

from rnnlab.engines.base import Engine
from rnnlab.errors import UserError
from rnnlab.spec import ModelSpec, TrainingSpec

# name -> (module, class, pip extra that provides its dependency)
_ENGINES: dict[str, tuple[str, str, str | None]] = {
    "numpy": ("rnnlab.engines.numpy", "NumpyEngine", None),
    "torch": ("rnnlab.engines.torch", "TorchEngine", "torch"),
    "jax": ("rnnlab.engines.jax", "JaxEngine", "jax"),
    "numba": ("rnnlab.engines.numba.engine", "NumbaEngine", "numba"),
}
ENGINE_NAMES = tuple(_ENGINES)
# name -> the keyword options (run settings) its constructor takes; others take none
ENGINE_OPTIONS: dict[str, tuple[str, ...]] = {"torch": ("device", "threads")}


def create_engine(name: str, model: ModelSpec, training: TrainingSpec, dtype: str, **options: object) -> Engine:
    """Instantiate engine `name`; a missing optional dependency is a UserError saying what to install."""
    if name not in _ENGINES:
        raise UserError(f"unknown engine '{name}'; available: {', '.join(_ENGINES)}")
    module_name, class_name, extra = _ENGINES[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if extra is None or not err.name or err.name.split(".")[0] == "rnnlab":
            raise
        raise UserError(f"the {name} engine needs {err.name.split('.')[0]}: pip install \"rnnlab[{extra}]\"") from err
    return getattr(module, class_name)(model, training, dtype, **options)
