"""Each exported file, loaded and run in its own runtime, against rnnlab's own outputs.

Inputs: the run's test inputs from the zero state (what `predict` computes) and random
sequences from a non-zero initial state; ONNX also at batch 1 and 37, time 1 and 500, its
dynamic axes. rnnlab computes in float64 and the exports in float32, so they agree to
float32 rounding: the check is the maximum relative error, max |export - rnnlab| / max |rnnlab|
over the outputs y and, separately, over the final states.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.export.reference import (
    Inputs,
    Outputs,
    random_inputs,
    rnnlab_outputs,
    zero_state,
)
from rnnlab.export.source import ExportModel
from rnnlab.export.targets import target

# About 84 float32 roundings (2**-23 each): the exports measured here stay below 1e-6.
TOLERANCE = 1e-5
ONNX_SIZES = ((1, 1), (37, 1), (1, 500), (37, 500))  # (batch, time): the graph's dynamic axes


@dataclass(frozen=True)
class Check:
    """One input set run through one export."""

    target: str
    inputs: str
    batch: int
    time: int
    y_error: float
    state_error: float
    problem: str = ""  # what went wrong when there are no errors to compare

    @property
    def ok(self) -> bool:
        return not self.problem and self.y_error <= TOLERANCE and self.state_error <= TOLERANCE


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """max |got - want| / max |want| (the plain maximum difference when want is all zero)."""
    scale = float(np.abs(want).max(initial=0.0))
    diff = float(np.abs(got.astype(np.float64) - want).max(initial=0.0))
    return diff / scale if scale > 0 else diff


def input_sets(model: ExportModel, name: str) -> list[Inputs]:
    spec = model.spec
    sets = [zero_state(spec, model.test_x, "test inputs, state = 0"), random_inputs(spec, 5, 20, seed=0)]
    if name == "onnx":
        sets += [random_inputs(spec, batch, steps, seed=i + 1) for i, (batch, steps) in enumerate(ONNX_SIZES)]
    return sets


def verify(model: ExportModel, name: str, folder: Path) -> list[Check]:
    """Run the export `name` written in `folder` on every input set and compare."""
    spec = model.spec
    run = target(name).load(folder, spec)
    checks = []
    for inputs in input_sets(model, name):
        want = rnnlab_outputs(spec, model.params, inputs)
        batch, steps = inputs.x.shape[:2]
        got = run(inputs)
        problem = _shape_problem(got, want)
        if problem:
            checks.append(Check(name, inputs.label, batch, steps, np.inf, np.inf, problem))
            continue
        state = relative_error(got.h, want.h)
        if want.c is not None:
            state = max(state, relative_error(got.c, want.c))
        checks.append(Check(name, inputs.label, batch, steps, relative_error(got.y, want.y), state))
    return checks


def _shape_problem(got: Outputs, want: Outputs) -> str:
    for what, a, b in (("y", got.y, want.y), ("h_n", got.h, want.h), ("c_n", got.c, want.c)):
        if b is not None and (a is None or a.shape != b.shape):
            return f"{what} has shape {None if a is None else a.shape}, rnnlab's is {b.shape}"
    return ""
