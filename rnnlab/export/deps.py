"""Optional packages an export needs, imported only when asked for, with the extra that installs them."""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType

from rnnlab.errors import UserError

KERAS_BACKEND = "jax"  # the backend rnnlab[keras] installs; a KERAS_BACKEND the user set wins


def need(module: str, extra: str, purpose: str) -> ModuleType:
    """Import `module`, or say in one line which extra provides it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if not err.name or not module.startswith(err.name.split(".")[0]):
            raise
        raise UserError(f'{purpose} needs {err.name.split(".")[0]}: pip install "rnnlab[{extra}]"') from None


def keras(purpose: str) -> ModuleType:
    """Keras on the backend rnnlab[keras] installs (jax, CPU), unless the user chose one.

    Keras reads KERAS_BACKEND once, when it is first imported; the variable is set only
    for that import and removed again, so the process's environment is left as it was."""
    if "keras" in sys.modules or os.environ.get("KERAS_BACKEND"):
        return need("keras", "keras", purpose)
    need(KERAS_BACKEND, "keras", purpose)
    os.environ["KERAS_BACKEND"] = KERAS_BACKEND
    try:
        return need("keras", "keras", purpose)
    finally:
        del os.environ["KERAS_BACKEND"]
