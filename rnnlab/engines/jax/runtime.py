"""Starting JAX the way the engine needs it: float64 available, small loops fused, and
compiled programs cached on disk between runs.

Everything here must happen before XLA starts its CPU backend, so the engine's package
calls `configure()` before importing anything else of JAX. It is never run by
`import rnnlab`: only by asking for the jax engine.
"""

from __future__ import annotations

import os
from pathlib import Path

# XLA:CPU runs each operation of a loop body as a separate task ("thunk"); a loop whose
# working set is below this many bytes is instead compiled into one function. Tiny
# models (elman-sine: 4,000 updates of 6x6 matrices) are all per-operation overhead, and
# run 2-4x faster fused; larger bodies contain library matrix products (not fusable), so
# the pass leaves them alone whatever the threshold.
SMALL_LOOP_BYTES = 1_000_000_000
_SMALL_LOOP_OPTION = f"xla_cpu_small_while_loop_byte_threshold={SMALL_LOOP_BYTES}"

CACHE_ENV = "RNNLAB_JAX_CACHE"  # a folder, or "off"; default ~/.cache/rnnlab/jax


def xla_flags(existing: str) -> str:
    """XLA_FLAGS with the small-loop option added, unless the user set backend options."""
    if "xla_backend_extra_options" in existing:
        return existing
    return f"{existing} --xla_backend_extra_options={_SMALL_LOOP_OPTION}".strip()


def cache_dir() -> Path | None:
    """Where compiled programs are kept between runs (None: not kept)."""
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rnnlab" / "jax"


def configure() -> Path | None:
    """Set XLA_FLAGS (only effective if XLA has not started yet), enable float64, and turn
    on the persistent compilation cache. Returns the cache folder in use, if any."""
    os.environ["XLA_FLAGS"] = xla_flags(os.environ.get("XLA_FLAGS", ""))
    import jax

    jax.config.update("jax_enable_x64", True)  # float64 on request; float32 arrays stay float32
    folder = cache_dir()
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        jax.config.update("jax_compilation_cache_dir", str(folder))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return folder
