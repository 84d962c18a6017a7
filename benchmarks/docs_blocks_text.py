"""The text of each marked block in README.md and docs/, its figures measured
(benchmarks.docs_measure) and marked with their kind (benchmarks.doc_blocks.KINDS)."""

from __future__ import annotations

import contextlib
from statistics import median

import numpy as np

from benchmarks import docs_measure as m
from benchmarks.doc_blocks import fig, mark_all, wrap
from rnnlab.checks.report import report

SEEDS = (1, 2, 3, 4, 5)
RMSE_COLUMNS = (("primer-torch", ()), ("sine-recurrent", ()), ("sine-recurrent", ("optim.lr=0.3",)))
RANGE_NOTE = ("A figure with a range depends on the CPU's kernels: that run passes through a stretch of "
              "training that amplifies rounding, and the range is the spread of three runs whose rounding "
              "differs (from the start, and from the start scaled by 1 + 4 eps and by 1 - 4 eps), as another "
              "CPU's kernels make it differ.")


def _spread(s: m.Spread, fmt: str) -> str:
    """The figure, with its range when rounding moves it at the printed precision."""
    if len({format(v, fmt) for v in s.values}) == 1:
        return fig(s.value, fmt, "digits")
    return f"{fig(s.value, fmt, 'cpu')} ({fig(s.low, fmt, 'cpu')}–{fig(s.high, fmt, 'cpu')})"


def primer_vs_recurrent() -> str:
    jobs = [(recipe, (*settings, f"run.seed={seed}")) for seed in SEEDS for recipe, settings in RMSE_COLUMNS]
    results = dict(zip(jobs, m.in_parallel(m.outcome, jobs)))
    rows = ["| seed | primer-torch test RMSE | sine-recurrent test RMSE | sine-recurrent, `--set optim.lr=0.3` |",
            "|---|---|---|---|"]
    columns = []
    for recipe, settings in RMSE_COLUMNS:
        spreads = [results[(recipe, (*settings, f"run.seed={seed}"))].test_rmse for seed in SEEDS]
        columns.append(spreads + [m.Spread(tuple(median(v) for v in zip(*(s.values for s in spreads))))])
    for label, cells in zip([*SEEDS, "median"], zip(*columns)):
        rows.append(f"| {label} | " + " | ".join(_spread(c, ".4f") for c in cells) + " |")
    return "\n".join(rows) + "\n\n" + wrap(
        "(NumPy engine, float32, 20,000 full-batch steps: `rnnlab run primer-torch --seed S`, `rnnlab run "
        "sine-recurrent --seed S`; `test_rmse` in each `summary.json`.) " + RANGE_NOTE) + "\n"


def _growth_sentence(result: m.Comparison) -> str:
    growth = result.growth
    diffs = result.differences
    if growth is None:
        return (f"loss differences stay at rounding level (at most {fig(max(d.losses for d in diffs), '.1e', 'cpu')}) "
                "for all the epochs")
    starts = [e for e in (result.grows_from(d) for d in (*diffs, *result.nudged)) if e is not None]
    return (f"loss differences stay at rounding level until epoch {fig(min(starts), 'd', 'cpu')}, then grow by up to "
            f"{fig(growth.rate, '.2g', 'cpu')} per epoch until the runs differ by up to "
            f"{fig(max(d.losses for d in diffs), '.2g', 'cpu')} in loss; one engine's runs from starts 4 ulps apart "
            f"differ by up to {fig(max(d.losses for d in result.nudged), '.2g', 'cpu')}")


def _engines_agree(result: m.Comparison) -> str:
    worst = max(s.worst for s in result.steps)
    return ("every engine computes the same steps (the one-step check's largest difference is "
            f"{fig(worst, '.2g', 'cpu')} of the rounding tolerance)" if result.ok else "`compare` FAILS")


def recurrent_stability() -> str:
    cases = (("float32", (), "at the recipe's learning rate, 0.05, in float32"), ("float64", (), "in float64"),
             ("float32", ("optim.lr=0.3",), "with `--set optim.lr=0.3` (float32)"))
    results = m.comparisons([("sine-recurrent", dtype, settings, m.ENGINES) for dtype, settings, _ in cases])
    parts = [f"{what}, {_engines_agree(r)}, and {_growth_sentence(r)}" for (_, _, what), r in zip(cases, results)]
    return wrap("Measured with `rnnlab compare sine-recurrent` (engines numpy, torch, jax and numba, 20,000 "
                "epochs; [docs/engines.md](docs/engines.md#comparing-engines)): " + "; ".join(parts) + ".") + "\n"


def compare_defaults() -> str:
    configs = [(recipe, dtype) for dtype in ("float32", "float64")
               for recipe in ("elman-sine", "primer-torch", "primer-numpy", "sine-recurrent")]
    results = dict(zip(configs, m.comparisons([(r, d, (), m.ENGINES) for r, d in configs])))
    engines = " / ".join(m.ENGINES[1:])
    rows = [f"| recipe | dtype | one step: largest difference / tolerance ({engines}) | whole run: largest loss "
            f"difference ({engines}) | nudged runs (+4 / -4 ulps) | growth | verdict |", "|---|---|---|---|---|---|---|"]
    rows += [defaults_row(recipe, dtype, r) for (recipe, dtype), r in results.items()]
    ratio = max(m.envelope_ratio(r) for r in results.values())
    return "\n".join(rows) + "\n\n" + wrap(
        f"The largest ratio of an engine's loss difference to the nudged runs' at the same epoch (both as "
        f"running maxima, the nudged runs' at least one step's rounding) was {fig(ratio, '.2g', 'cpu')}; the "
        f"envelope allows 10. Measured on {_cpu_name()}: the figures depend on its kernels, the verdicts must "
        "not.") + "\n"


def defaults_row(recipe: str, dtype: str, r: m.Comparison) -> str:
    """One recipe's row of the compare-defaults table."""
    steps = " / ".join(fig(s.worst, ".2g", "cpu") for s in r.steps)
    runs = " / ".join(fig(d.losses, ".2g", "cpu") for d in r.differences)
    nudged = " / ".join(fig(d.losses, ".2g", "cpu") for d in r.nudged)
    g = r.growth
    growth = "none" if g is None else f"from epoch {fig(g.start, 'd', 'cpu')}, {fig(g.rate, '.2g', 'cpu')} per epoch"
    return f"| `{recipe}` | {dtype} | {steps} | {runs} | {nudged} | {growth} | {'PASS' if r.ok else 'FAILED'} |"


def _cpu_name() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "an unnamed CPU"


def compare_example() -> str:
    result = m.comparison("sine-recurrent", "float32", ("train.epochs=2000", "optim.lr=0.3"), ("numpy", "torch"))
    out = "\n".join(report(result))
    return "```\n$ rnnlab compare sine-recurrent --epochs 2000 --set optim.lr=0.3\n" + mark_all(out, "cpu") + "\n```\n"


def fidelity() -> str:
    torch1 = _rnnlab("primer-torch", ("run.engine=torch", "run.seed=1"))
    oracle1 = _primer_oracle(1)
    elman = _rnnlab("elman-sine", ("run.engine=torch",))
    oracle_elman = _elman_oracle()
    same = _bit_for_bit(torch1, oracle1["printed"], "snapshots", oracle1["test_predictions"])
    same_elman = _bit_for_bit(elman, oracle_elman["printed"], "final", oracle_elman["predictions"])
    return wrap(f"Measured against the oracles (`tests/oracles`, float32): `rnnlab run primer-torch --engine torch "
            f"--seed 1` prints the original's losses {same} at all {fig(len(oracle1['printed']), 'd')} logged "
            f"steps of {fig(20000, ',d')}, with the same test-window predictions at each; `rnnlab run elman-sine "
            f"--engine torch` prints the tutorial's {fig(len(oracle_elman['printed']), 'd')} epoch losses "
            f"{same_elman}, with the same final predictions (`tests/engines/test_torch_fidelity.py`, seeds 7 "
            "and 2024 too, over 600 steps).") + "\n"


def _bit_for_bit(run: dict, printed: list, key: str, predictions: np.ndarray) -> str:
    """'bit for bit' when the logged losses and predictions equal the original's."""
    got, want = np.array([v for _, v in run["logged"]]), np.array([v for _, v in printed])
    if np.array_equal(got, want) and np.array_equal(run["predictions"][key], predictions):
        return "bit for bit"
    return f"within {fig(float(np.max(np.abs(got - want) / np.abs(want))), '.1e', 'rounding')} relative"


def _rnnlab(recipe: str, settings: tuple[str, ...]) -> dict:
    from tests.fidelity_runs import rnnlab_run

    return rnnlab_run(recipe, settings)


def _primer_oracle(seed: int) -> dict:
    from tests.fidelity_runs import primer_torch_oracle

    return primer_torch_oracle(seed, 20000)


def _elman_oracle() -> dict:
    from tests.fidelity_runs import elman_sine_oracle

    return elman_sine_oracle(1, 200)


def fidelity_table() -> str:
    rows = ["| recipe, seed | logged point | original prints | `--engine torch` | NumPy engine, `--set init.rng=torch` |",
            "|---|---|---|---|---|"]
    worst = 0.0
    for recipe, oracle, points in (("elman-sine", _elman_oracle(), (0, 190)),
                                   ("primer-torch", _primer_oracle(1), (0, 19900))):
        torch_run = _rnnlab(recipe, ("run.engine=torch",) + (("run.seed=1",) if recipe == "primer-torch" else ()))
        numpy_run = _rnnlab(recipe, ("run.engine=numpy", "init.rng=torch"))
        printed, torch_losses, numpy_losses = dict(oracle["printed"]), dict(torch_run["logged"]), dict(numpy_run["logged"])
        worst = max(worst, max(abs(numpy_losses[e] - v) / abs(v) for e, v in printed.items()))
        unit = "epoch" if recipe == "elman-sine" else "step"
        for point in points:
            same = "identical" if torch_losses[point] == printed[point] else fig(torch_losses[point], ".6g", "float32")
            rows.append(f"| `{recipe}`, 1 | {unit} {fig(point, 'd')} | {fig(printed[point], '.6g', 'float32')} | "
                        f"{same} | {fig(numpy_losses[point], '.6g', 'float32')} |")
    return "\n".join(rows) + "\n\n" + wrap(
        "The torch engine computes with the same torch operations in the same order as the originals, so its "
        "float32 losses are theirs bit for bit (at every logged point, on any CPU: both run the same kernels); the "
        "NumPy engine does the same arithmetic in another order and agrees to float32 rounding: at most "
        f"{fig(worst, '.1e', 'rounding')} relative over the logged points. Figures are float32, shown to 6 "
        "significant digits; the digits after depend on the CPU's kernels.") + "\n"


def primer_numpy_approx() -> str:
    from tests.fidelity_runs import primer_numpy_oracle

    epochs = 600
    oracle = {e: v for e, v, _ in primer_numpy_oracle(epochs)["printed"]}
    ours = dict(_rnnlab("primer-numpy", (f"train.epochs={epochs}", "train.gradient=primer_approx"))["logged"])
    worst = max(abs(ours[e] - v) / abs(v) for e, v in oracle.items())
    rows = ["| epoch | primer program | rnnlab (NumPy engine) |", "|---|---|---|"]
    rows += [f"| {fig(e, 'd')} | {fig(oracle[e], '.12g', 'float64')} | {fig(ours[e], '.12g', 'float64')} |"
             for e in (0, 99, 299, 599)]
    return "\n".join(rows) + "\n\n" + wrap(
        f"Over the first {fig(epochs, 'd')} epochs the two agree to {fig(worst, '.1e', 'rounding')} relative at "
        "every printed epoch (float64, shown to 12 digits: the digits after depend on the CPU's kernels).") + "\n"


def primer_numpy_long() -> str:
    approx = m.outcome("primer-numpy", ("train.gradient=primer_approx",))
    exact = m.outcome("primer-numpy")
    return wrap(f"After 10,000 epochs the primer's gradient reaches a reported loss of {_spread(approx.final_loss, '.3g')} "
            f"and a test RMSE of {_spread(approx.test_rmse, '.2g')}; the exact gradient (the recipe's default) "
            f"{_spread(exact.final_loss, '.3g')} and {_spread(exact.test_rmse, '.2g')}. " + RANGE_NOTE) + "\n"
