"""Ahead-of-time compilation with the time it took kept apart from the training time.

Each program is lowered and compiled once per argument signature (shapes and dtypes);
JAX's persistent cache (rnnlab.engines.jax.runtime) makes the next process's compile a
disk read.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import jax


def _signature(args: tuple) -> tuple:
    leaves, tree = jax.tree.flatten(args)
    return tree, tuple((getattr(a, "shape", ()), str(getattr(a, "dtype", type(a)))) for a in leaves)


class CompiledPrograms:
    """`call(name, fn, *args)` runs jit(fn) compiled for these arguments' signature."""

    def __init__(self) -> None:
        self._compiled: dict[tuple, Any] = {}
        self.seconds = 0.0  # tracing + compiling (or loading from the disk cache)
        self.count = 0

    def call(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        key = (name, _signature(args))
        program = self._compiled.get(key)
        if program is None:
            started = time.perf_counter()
            program = jax.jit(fn).lower(*args).compile()
            self.seconds += time.perf_counter() - started
            self.count += 1
            self._compiled[key] = program
        return program(*args)
