"""Fixtures for the reliability tests: each engine present, and one uninterrupted
reference run per engine, made once per session in a separate process."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from reliability_support import call, engine_params, long_run_args


@pytest.fixture(params=engine_params())
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


@dataclass(frozen=True)
class Reference:
    out: Path
    train_seconds: float
    wall_seconds: float


_references: dict[str, Reference] = {}


@pytest.fixture
def reference(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The uninterrupted long run of `engine` (reliability_support.long_run_args)."""
    if engine not in _references:
        out = tmp_path_factory.mktemp(f"reference-{engine}") / "run"
        started = time.perf_counter()
        done = call(*long_run_args(engine), "--out", str(out))
        assert done.returncode == 0, done.stderr
        summary = json.loads((out / "summary.json").read_text())
        _references[engine] = Reference(out, summary["train_seconds"], time.perf_counter() - started)
    return _references[engine]
