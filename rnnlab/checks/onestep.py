"""One step from the same state: the check of a port that chaos cannot spoil.

Two correct engines trained from the same start can part ways on a chaotic stretch of
training, because it amplifies any rounding difference. Started from the *same* state,
their next step must still agree to rounding. So the reference engine's run is sampled at
evenly spaced epochs (parameters and optimizer state), and from each sample every engine
computes the objective and its gradient (`Engine.gradients`) and one epoch of training
(`Engine.train(1)`: one update, or one pass of updates for the online schedule). Each
difference from the reference is held against the rounding tolerance derived in
rnnlab.checks.tolerance at that state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from rnnlab.checks.difference import relative_difference, scaled_difference
from rnnlab.checks.tolerance import (StepTolerance, batch_conditioning, conditioning, op_counts,
                                     step_tolerance)
from rnnlab.engines.base import Engine
from rnnlab.train.experiment import Experiment, build_engine

Params = dict[str, np.ndarray]
QUANTITIES = ("loss", "gradient", "parameters")


@dataclass(frozen=True)
class State:
    """The reference run after `epoch` epochs."""

    epoch: int
    params: Params
    optimizer: dict[str, np.ndarray]


@dataclass(frozen=True)
class Step:
    """What one engine computes from a state."""

    objective: float
    gradients: Params
    reported: float  # the epoch's reported loss, measured before its updates
    params: Params  # after the epoch


@dataclass(frozen=True)
class StepAgreement:
    """One engine's steps against the reference's from every sampled state: per quantity
    the worst difference, its ratio to the tolerance there (<= 1 agrees) and the epoch."""

    engine: str
    differences: dict[str, float]
    ratios: dict[str, float]
    epochs: dict[str, int]

    @property
    def ok(self) -> bool:
        return all(r <= 1.0 for r in self.ratios.values())

    @property
    def worst(self) -> float:
        return max(self.ratios.values())


@dataclass(frozen=True)
class StepCheck:
    agreements: tuple[StepAgreement, ...]  # one per engine checked
    rounding: float  # the largest loss tolerance over the states: what one step's rounding explains


def sample_epochs(epochs: int, points: int) -> list[int]:
    """`points` evenly spaced epochs from the first to the last (fewer if the run is short)."""
    return sorted({int(round(e)) for e in np.linspace(0, epochs - 1, min(points, epochs))}) if epochs > 0 else []


def take_state(engine: Engine, epoch: int) -> State:
    return State(epoch, engine.get_params(), engine.optimizer_state())


def step(engine: Engine, state: State, x: np.ndarray, y: np.ndarray) -> Step:
    """One engine's objective, gradient and epoch of training from `state`."""
    engine.set_params(state.params)
    engine.load_optimizer_state(state.optimizer)
    objective, gradients = engine.gradients(x, y)
    reported = float(engine.train(1)[0])
    return Step(objective, gradients, reported, engine.get_params())


def tolerance_at(exp: Experiment, conditioner: Engine, state: State, ref_step: Step) -> StepTolerance:
    """The rounding tolerance of one step from `state`: the reference's step `ref_step`,
    conditioned by the values `conditioner` computes there (the condition numbers are the
    model's, not an engine's; check_steps uses the NumPy engine, which needs no compiling
    for each prefix of a sequence)."""
    dtype = exp.config.run.dtype
    conditioner.set_params(state.params)
    pred = conditioner.predict(exp.x)
    kappa = conditioning(exp.training.loss, pred, exp.y)
    kappa_report = conditioning(exp.training.report, pred, exp.y)
    kappa_batch = batch_conditioning(ref_step.gradients, gradient_terms(exp, conditioner))
    ratio = {name: scaled_ratio(ref_step.params[name] - value, ref_step.params[name])
             for name, value in state.params.items()}
    ops = op_counts(exp.spec, exp.training, exp.x.shape)
    return step_tolerance(float(np.finfo(dtype).eps), ops, kappa, kappa_report, kappa_batch, ratio)


def rounding_tolerance(exp: Experiment, engine: Engine, state: State) -> StepTolerance:
    """The rounding tolerance of one step from `state`, conditioned by `engine`'s values there."""
    return tolerance_at(exp, engine, state, step(engine, state, exp.x, exp.y))


def gradient_terms(exp: Experiment, engine: Engine) -> list[Params]:
    """The terms the objective's gradient sums at the engine's parameters: each sequence's
    share, and for readout 'every' each step's (from gradients of growing prefixes: the loss
    at a step depends only on the steps before it). Empty when there is one term."""
    n, steps = exp.x.shape[:2]
    mean = exp.training.loss.reduction == "mean"
    outputs = exp.y.shape[-1]
    if exp.spec.readout == "last":
        if n == 1:
            return []
        return [_scaled(engine.gradients(exp.x[i:i + 1], exp.y[i:i + 1])[1], 1.0 / n if mean else 1.0)
                for i in range(n)]
    terms = []
    for i in range(n):
        before = None
        for t in range(1, steps + 1):  # prefix sums of the step losses' gradients
            total = _scaled(engine.gradients(exp.x[i:i + 1, :t], exp.y[i:i + 1, :t])[1], t * outputs if mean else 1.0)
            terms.append(total if before is None else {k: v - before[k] for k, v in total.items()})
            before = total
    share = 1.0 / (n * steps * outputs) if mean else 1.0
    return [_scaled(term, share) for term in terms] if len(terms) > 1 else []


def _scaled(params: Params, factor: float) -> Params:
    return {name: value * factor for name, value in params.items()}


def scaled_ratio(a: np.ndarray, b: np.ndarray) -> float:
    """max|a| / max|b| (0 when b is all zeros)."""
    top = float(np.abs(b).max(initial=0.0))
    return float(np.abs(a).max(initial=0.0)) / top if top > 0 else 0.0


def check_steps(exp: Experiment, states: Sequence[State], reference: Engine, engines: Sequence[Engine]) -> StepCheck:
    """Every engine's step from every state against `reference`'s (engines with any parameters:
    each step loads the state)."""
    worst: list[dict[str, tuple[float, float, int]]] = [{q: (0.0, 0.0, 0) for q in QUANTITIES} for _ in engines]
    rounding = 0.0
    conditioner = build_engine(exp, states[0].params, "numpy") if states else reference
    for state in states:
        ref = step(reference, state, exp.x, exp.y)
        tol = tolerance_at(exp, conditioner, state, ref)
        rounding = max(rounding, tol.loss)
        for engine, record in zip(engines, worst):
            for quantity, (difference, ratio) in _measure(step(engine, state, exp.x, exp.y), ref, tol).items():
                if ratio > record[quantity][1] or (ratio == record[quantity][1] == 0.0 and difference > 0):
                    record[quantity] = (difference, ratio, state.epoch)
    agreements = tuple(StepAgreement(engine.name, {q: r[q][0] for q in QUANTITIES},
                                     {q: r[q][1] for q in QUANTITIES}, {q: r[q][2] for q in QUANTITIES})
                       for engine, r in zip(engines, worst))
    return StepCheck(agreements, rounding)


def _measure(got: Step, ref: Step, tol: StepTolerance) -> dict[str, tuple[float, float]]:
    """Per quantity: the largest difference and the largest difference-to-tolerance ratio."""
    loss = max(relative_difference(got.objective, ref.objective), relative_difference(got.reported, ref.reported))
    out = {"loss": (loss, _ratio(loss, tol.loss))}
    for quantity, mine, theirs, bound in (("gradient", got.gradients, ref.gradients, tol.gradients),
                                          ("parameters", got.params, ref.params, tol.params)):
        diffs = {name: scaled_difference(mine[name], theirs[name]) for name in theirs}
        out[quantity] = (max(diffs.values(), default=0.0),
                         max((_ratio(d, bound[name]) for name, d in diffs.items()), default=0.0))
    return out


def _ratio(difference: float, tolerance: float) -> float:
    if difference == 0.0:
        return 0.0
    return difference / tolerance if tolerance > 0 else float("inf")
