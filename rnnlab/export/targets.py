"""The export targets by name, each a module imported only when asked for.

A target module has FILE (its main file), check(spec) (UserError when the target cannot
express the model), write(model, folder) -> files, and load(folder, spec) -> a function
from Inputs to Outputs (the written files loaded in the target's own runtime)."""

from __future__ import annotations

import importlib
from types import ModuleType

from rnnlab.errors import UserError

TARGETS = {"onnx": "rnnlab.export.to_onnx", "torch": "rnnlab.export.to_torch", "keras": "rnnlab.export.to_keras",
           "safetensors": "rnnlab.export.to_safetensors"}


def target(name: str) -> ModuleType:
    return importlib.import_module(TARGETS[name])


def parse_targets(text: str) -> list[str]:
    """'all', one name, or names separated by commas -> the names, in TARGETS' order."""
    names = {part.strip() for part in text.split(",") if part.strip()}
    if "all" in names:
        return list(TARGETS)
    unknown = sorted(names - set(TARGETS))
    if unknown or not names:
        raise UserError(f"export target {', '.join(unknown) or repr(text)}: unknown; choose from "
                        f"{', '.join(TARGETS)} or all")
    return [name for name in TARGETS if name in names]
