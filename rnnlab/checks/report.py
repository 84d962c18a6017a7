"""What `rnnlab compare` prints: the one-step agreement, the whole runs beside the rounding
envelope, where differences grow and why, and the verdict."""

from __future__ import annotations

import numpy as np

from rnnlab.checks import envelope
from rnnlab.checks.compare import Comparison, Difference
from rnnlab.checks.onestep import QUANTITIES

NUDGE_LABELS = (f"+{envelope.NUDGE_ULPS} ulp start", f"-{envelope.NUDGE_ULPS} ulp start")


def report(result: Comparison, sensitivity: bool = False) -> list[str]:
    ref = result.runs[0]
    lines = [f"compare {result.recipe}: {result.epochs} epochs, {result.dtype}, the same initial parameters and "
             "data on every engine", "",
             f"One step from the same state, at {len(result.step_epochs)} epochs of {ref.engine}'s run "
             f"({_span(result.step_epochs)}): the largest relative difference (its ratio to the rounding "
             "tolerance there; up to 1 agrees)",
             f"{'engine':<10} " + "  ".join(f"{q:<20}" for q in QUANTITIES)]
    for s in result.steps:
        cells = "  ".join(f"{s.differences[q]:.2e} ({s.ratios[q]:.2g})".ljust(20) for q in QUANTITIES)
        lines.append(f"{s.engine:<10} {cells}  {'ok' if s.ok else 'DIFFERS'}")
    lines += ["", f"The whole run: max relative difference from {ref.engine}",
              f"{'run':<24} {'device':<7} {'train s':>8}  {'loss history':>12}  {'parameters':>10}  "
              f"{'predictions':>11}",
              f"{ref.engine:<24} {ref.device:<7} {ref.seconds:>8.2f}  {'(reference)':>12}"]
    rows = [(run.engine, run, d, result.within_envelope(d)) for run, d in zip(result.runs[1:], result.differences)]
    rows += [(f"{ref.engine}, {label}", run, d, None)
             for label, run, d in zip(NUDGE_LABELS, result.nudged_runs, result.nudged)]
    for label, run, d, within in rows:
        verdict = "" if within is None else ("  within the rounding envelope" if within else "  OUTSIDE the envelope")
        lines.append(f"{label:<24} {run.device:<7} {run.seconds:>8.2f}  {d.losses:>12.2e}  {d.params:>10.2e}  "
                     f"{d.predictions:>11.2e}{verdict}")
    lines += ["", *_growth_lines(result)]
    if sensitivity:
        lines += ["", *_sensitivity_table(result)]
    return lines + ["", *_verdict(result)]


def _span(epochs: tuple[int, ...]) -> str:
    return f"epoch {epochs[0]}" if len(epochs) == 1 else f"epochs {epochs[0]} to {epochs[-1]}"


def _growth_lines(result: Comparison) -> list[str]:
    ref = result.runs[0].engine
    labelled = [(d.label, d) for d in result.differences]
    labelled += [(f"{ref}, {lab}", d) for lab, d in zip(NUDGE_LABELS, result.nudged)]
    growth = result.growth
    if growth is None:
        worst = max(d.losses for _, d in labelled)
        return [f"Loss differences stay at rounding level: at most {worst:.1e}, with no tenfold growth in "
                f"{result.epochs} epochs. The training dynamics do not amplify rounding here."]
    starts = [f"{epoch} ({label})" for label, epoch in ((lab, result.grows_from(d)) for lab, d in labelled)
              if epoch is not None]
    return [f"Loss differences grow beyond rounding ({result.threshold:.0e}) from epoch {', '.join(starts)}: rounding "
            f"amplified by the training dynamics. Largest growth rate (Lyapunov-style, from the nudged runs): "
            f"{growth.rate:.3g} per epoch, a difference doubles every {growth.doubling_epochs:.3g} epochs "
            f"(epochs {growth.start}-{growth.end})."]


def _sensitivity_table(result: Comparison) -> list[str]:
    """Running max of each run's loss difference at a dozen epochs, beside the envelope."""
    marks = sorted({0, *np.unique(np.geomspace(1, result.epochs, 12).astype(int) - 1)})
    runs: list[tuple[str, Difference]] = [(d.label, d) for d in result.differences]
    runs += [(lab, d) for lab, d in zip(NUDGE_LABELS, result.nudged)]
    env = result.envelope
    lines = ["Loss difference so far (running max) by epoch, and the envelope: "
             f"max({envelope.MARGIN:g} x the nudged runs', one step's rounding)",
             f"{'epoch':>7}  " + "  ".join(f"{label[:16]:>16}" for label, _ in runs) + f"  {'envelope':>10}"]
    peaks = [envelope.running_max(d.curve) for _, d in runs]
    for m in marks:
        lines.append(f"{m:>7}  " + "  ".join(f"{p[m]:>16.2e}" for p in peaks) + f"  {env[m]:>10.2e}")
    return lines


def _verdict(result: Comparison) -> list[str]:
    ref = result.runs[0].engine
    if result.ok:
        return [f"PASS: every engine's step agrees with {ref}'s to rounding, and every run stays within the rounding "
                "envelope"]
    lines = []
    for s in result.steps:
        for q in QUANTITIES:
            if s.ratios[q] > 1:
                lines.append(f"FAILED: one step from epoch {s.epochs[q]}, {s.engine}'s {q} differs from {ref}'s by "
                             f"{s.differences[q]:.2e}, {s.ratios[q]:.3g} times what rounding explains: a porting "
                             "difference")
    env = result.envelope
    for d in result.differences:
        if not result.within_envelope(d):
            out = envelope.first_above(envelope.running_max(d.curve) - env, 0.0)
            where = (f"its loss history leaves the envelope at epoch {out} ({d.curve[out]:.2e} > {env[out]:.2e})"
                     if out is not None else "its final parameters or predictions differ by more than the envelope")
            lines.append(f"FAILED: {d.label}'s run differs from {ref}'s by more than rounding explains: {where}")
    return lines
