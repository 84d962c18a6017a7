"""Cross-engine agreement that holds on a chaotic trajectory too.

Every engine gets the same initial parameters (drawn once, with NumPy's generator unless
the recipe names one) and the same data, and trains the recipe's epochs. Two checks:

- one step from the same state (rnnlab.checks.onestep): at evenly spaced epochs of the
  reference engine's run, every engine computes the loss, the gradient and one epoch of
  training from the reference's parameters there; they must agree to the rounding
  tolerance derived from the dtype and the work (rnnlab.checks.tolerance). Chaos cannot
  hide or fake a porting difference here.
- the whole run (rnnlab.checks.envelope): each engine's loss history, final parameters and
  predictions against the reference's, within the envelope that rounding alone produces,
  measured in the same call by the reference from two starts a few ulps away.

Used by `rnnlab compare` and the test suite to guard a port.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from rnnlab.checks import envelope
from rnnlab.checks.difference import relative_differences, scaled_difference
from rnnlab.checks.onestep import State, StepAgreement, check_steps, sample_epochs, take_state
from rnnlab.config import Config
from rnnlab.engines.base import Engine
from rnnlab.errors import UserError
from rnnlab.train.auto import resolve_engine
from rnnlab.train.experiment import Experiment, build_engine, initial_params, prepare

Params = dict[str, np.ndarray]
STEP_POINTS = 16  # states sampled along the reference run for the one-step check


@dataclass(frozen=True)
class EngineRun:
    engine: str
    device: str
    losses: np.ndarray  # (epochs,) reported loss per epoch
    params: Params
    predictions: np.ndarray  # on the evaluation data, as the engine returns them
    seconds: float  # training only


@dataclass(frozen=True)
class Difference:
    """One run against the reference run: max relative differences, and the loss's per epoch."""

    label: str
    curve: np.ndarray  # per epoch, relative to that epoch's loss
    params: float  # per parameter, relative to its largest entry; the worst parameter
    predictions: float  # relative to the largest prediction

    @property
    def losses(self) -> float:
        return float(self.curve.max(initial=0.0))

    @property
    def worst(self) -> float:
        return max(self.losses, self.params, self.predictions)


@dataclass(frozen=True)
class Comparison:
    recipe: str
    dtype: str
    epochs: int
    runs: tuple[EngineRun, ...]  # the first is the reference
    differences: tuple[Difference, ...]  # one per run after the first
    steps: tuple[StepAgreement, ...]  # one per run after the first
    step_epochs: tuple[int, ...]  # the reference's epochs the one-step check started from
    nudged_runs: tuple[EngineRun, ...]  # the reference from its start scaled by 1 + 4 eps and 1 - 4 eps
    nudged: tuple[Difference, ...]  # each nudged run against the reference run
    rounding: float  # the largest loss difference one step's rounding explains (over the sampled states)

    @property
    def envelope(self) -> np.ndarray:
        """Per epoch: the largest loss difference rounding alone explains."""
        return envelope.envelope([d.curve for d in self.nudged], self.rounding)

    def within_envelope(self, diff: Difference) -> bool:
        """The run's loss history, final parameters and predictions within the rounding envelope."""
        if not np.all(envelope.running_max(diff.curve) <= self.envelope):
            return False
        final = max(max(n.params, n.predictions) for n in self.nudged)
        return max(diff.params, diff.predictions) <= max(envelope.MARGIN * final, self.rounding)

    @property
    def threshold(self) -> float:
        """A loss difference beyond this has grown from the rounding it started as."""
        return envelope.growth_threshold([d.curve for d in self.nudged], float(np.finfo(self.dtype).eps))

    def grows_from(self, diff: Difference) -> int | None:
        """The first epoch whose loss difference has grown beyond rounding (`threshold`)."""
        return envelope.first_above(diff.curve, self.threshold)

    @property
    def growth(self) -> envelope.Growth | None:
        """The fastest growth of the nudged runs' loss differences (from the reference, and
        from each other): the largest Lyapunov-style rate of the training dynamics."""
        up, down = self.nudged_runs
        curves = [d.curve for d in self.nudged] + [relative_differences(up.losses, down.losses)]
        rates = [g for g in (envelope.growth(c, self.threshold) for c in curves) if g is not None]
        return max(rates, key=lambda g: g.rate, default=None)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps) and all(self.within_envelope(d) for d in self.differences)


def compare(cfg: Config, engines: Sequence[str], *, points: int = STEP_POINTS) -> Comparison:
    """Train `cfg` on every engine in `engines` from the same start and compare with the
    first: one step from `points` states of its run, and the whole runs."""
    if len(engines) < 2:
        raise UserError(f"comparing needs at least two engines, e.g. numpy,torch (got {','.join(engines) or 'none'})")
    if cfg.init.rng == "engine":  # one draw for all: NumPy's generator needs nothing installed
        cfg = replace(cfg, init=replace(cfg.init, rng="numpy"))
    names = [resolve_engine(cfg, engine=name).run.engine for name in engines]
    exp = prepare(cfg)
    start = initial_params(cfg, exp.spec)
    epochs = sample_epochs(cfg.train.epochs, points)
    states: list[State] = []
    reference, first = _train(exp, start, names[0], states, epochs)
    others = [_train(exp, start, name) for name in names[1:]]
    nudge = envelope.NUDGE_ULPS * float(np.finfo(cfg.run.dtype).eps)
    nudged = [_train(exp, {k: v * (1 + sign * nudge) for k, v in start.items()}, names[0])[1] for sign in (1, -1)]
    check = check_steps(exp, states, reference, [engine for engine, _ in others])
    runs = (first, *(run for _, run in others))
    return Comparison(cfg.run.name, cfg.run.dtype, cfg.train.epochs, runs,
                      tuple(_difference(run, first) for run in runs[1:]), check.agreements, tuple(epochs),
                      tuple(nudged), tuple(_difference(run, first) for run in nudged), check.rounding)


def _train(exp: Experiment, start: Params, name: str, states: list[State] | None = None,
           at: Sequence[int] = ()) -> tuple[Engine, EngineRun]:
    """Train engine `name` from `start`; with `states`, keep its state at the epochs `at`."""
    engine = build_engine(exp, start, name)
    epochs = exp.config.train.epochs
    stops = [e for e in at if e < epochs] if states is not None else []
    losses, done, seconds = [], 0, 0.0
    for stop in [*stops, epochs]:
        began = time.perf_counter()
        try:
            losses.append(engine.train(stop - done) if stop > done else np.zeros(0))
        except FloatingPointError as err:
            raise UserError(f"the {name} engine diverged ({err}); lower optim.lr or compare fewer "
                            "train.epochs") from err
        seconds += time.perf_counter() - began
        done = stop
        if states is not None and stop < epochs:
            states.append(take_state(engine, stop))
    run = EngineRun(name, engine.device(), np.concatenate(losses), engine.get_params(), engine.predict(exp.eval_x),
                    seconds)
    return engine, run


def _difference(run: EngineRun, ref: EngineRun) -> Difference:
    params = max((scaled_difference(run.params[k], ref.params[k]) for k in ref.params), default=0.0)
    return Difference(run.engine, relative_differences(run.losses, ref.losses), params,
                      scaled_difference(run.predictions, ref.predictions))
