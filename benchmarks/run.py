"""Run the benchmark suite and write benchmarks/results.md.

    python -m benchmarks.run            # the whole table, about 4-5 minutes on 2 cores
    python -m benchmarks.run --quick    # 3 repeats instead of 5, a smaller scaling table
    python -m benchmarks.run --full     # the originals' whole step counts (about 20 minutes)

Every case runs in its own process (benchmarks.worker), so each figure comes with that
process's peak memory; each row's baseline runs in the same invocation as the engines it
is compared with. Figures are medians of the repeats (5 by default).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from benchmarks.cases import HIDDENS, SCALING_ENGINES, SEQS, median

HERE = Path(__file__).resolve().parent
SCALING_TIMEOUT = 45.0  # seconds per scaling-table cell (its process: imports, warm-up, timings)
Result = dict[str, Any]


@dataclass(frozen=True)
class Row:
    label: str
    baseline: str  # case name
    engines: dict[str, str]  # column -> case name
    unit: str  # "s" or "ms"
    target: str
    met: Callable[[dict[str, float]], bool]  # figures by column ("baseline", "numpy", "compiled"...) -> met
    baseline_scale: float = 1.0  # the baseline figure is this many times its case's


ROWS = [
    Row("elman-sine: 4,000 online SGD steps (training loop)", "elman/torch",
        {"numpy": "elman/numpy", "jax": "elman/jax"}, "ms", "compiled <= 1 ms", lambda f: f["compiled"] <= 1e-3),
    Row("primer-torch: 20,000 full-batch steps, H=32", "primer/torch",
        {"numpy": "primer/numpy", "jax": "primer/jax", "numba": "primer/numba"}, "s",
        "compiled >= 30x original, <= 0.3 s", lambda f: f["baseline"] / f["compiled"] >= 30 and f["compiled"] <= 0.3),
    Row("sine-recurrent: 20,000 steps, T=6, H=32, full BPTT", "sine/torch",
        {"numpy": "sine/numpy", "jax": "sine/jax", "numba": "sine/numba"}, "s",
        "compiled <= 2.0 s (2x the 1.0 s floor)", lambda f: f["compiled"] <= 2.0),
    Row("one training step, T=512, H=256, N=128 (original: torch.nn.RNN)", "rnn/512x256/torch.nn.RNN",
        {"numpy": "rnn/512x256/numpy", "jax": "rnn/512x256/jax", "numba": "rnn/512x256/numba"}, "ms",
        "compiled >= 1.5x torch.nn.RNN", lambda f: f["baseline"] / f["compiled"] >= 1.5),
    Row("1,000 elman-sine models (original: 1,000 x the tutorial's run)", "elman/torch",
        {"numpy": "ensemble/numpy", "jax": "ensemble/jax"}, "s", "compiled <= 0.5 s",
        lambda f: f["compiled"] <= 0.5, baseline_scale=1000),
    Row("whole `rnnlab run primer-torch` (numpy engine, plots + 200-frame GIF); original with its plots",
        "whole/torch", {"numpy": "whole/numpy"}, "s", "<= 3 s wall", lambda f: f["numpy"] <= 3.0),
    Row("`import rnnlab`", "", {"numpy": "import"}, "s", "<= 0.1 s", lambda f: f["numpy"] <= 0.1),
    Row("`rnnlab --help`", "", {"numpy": "help"}, "s", "<= 0.3 s", lambda f: f["numpy"] <= 0.3),
]
COLUMNS = ("numpy", "jax", "numba")
COMPILED = ("jax", "numba")  # "compiled" in a target: the faster of these two


def run_worker(case: str, repeats: int, full: bool, timeout: float | None) -> Result:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "benchmarks.worker", case, "--repeats", str(repeats),
                               *(["--full"] if full else [])], cwd=HERE.parent, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(HERE.parent)}, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s", "wall": timeout}
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def fmt(seconds: float | None, unit: str) -> str:
    if seconds is None:
        return "—"
    value = seconds * 1e3 if unit == "ms" else seconds
    return f"{value:.3g} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def cell(result: Result | None, unit: str, show_compile: bool = False, scale: float = 1.0) -> str:
    if result is None:
        return "—"
    if "error" in result:
        return f"failed: {result['error'][:60]}" if "stopped" not in result["error"] else result["error"]
    text = fmt(median(result) * scale, unit) + (" †" if result["scale"] * scale > 1 else "")
    if len(result["times"]) < 5:
        text += f" ({len(result['times'])} runs)"
    if show_compile and result.get("compile") is not None:
        text += f" (+{result['compile']:.2f} s compile)"
    return text


def machine() -> list[str]:
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = [f"Python {platform.python_version()}", f"NumPy {numpy.__version__}"]
    for pkg in ("torch", "jax", "numba"):
        try:
            from importlib.metadata import version

            versions.append(f"{pkg} {version(pkg)}")
        except Exception:  # noqa: BLE001 - not installed
            pass
    return [f"- CPU: {cpu}, {os.cpu_count()} logical cores", f"- {', '.join(versions)}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 repeats, scaling table for H=32 and T=512 only")
    parser.add_argument("--full", action="store_true", help="the whole step counts for the baselines too")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 5
    started, load_before = time.perf_counter(), load()
    results: dict[str, Result] = {}

    def get(case: str, timeout: float | None = None) -> Result:
        if case not in results:
            print(f"  {case} ...", end="", flush=True, file=sys.stderr)
            results[case] = run_worker(case, repeats, args.full, timeout)
            print(f" {results[case].get('wall', 0):.1f} s", file=sys.stderr)
        return results[case]

    lines = ["| experiment | original (PyTorch, 1 thread) | numpy engine | jax engine | numba engine "
             "| compiled vs original | target | met | peak RSS MB (orig / numpy / jax / numba) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in ROWS:
        base = get(row.baseline) if row.baseline else None
        got = {col: get(case) for col, case in row.engines.items()}
        figures = {col: median(r) for col, r in got.items() if "error" not in r}
        compiled = [figures[c] for c in COMPILED if c in figures]
        if compiled:
            figures["compiled"] = min(compiled)
        if base and "error" not in base:
            figures["baseline"] = median(base) * row.baseline_scale
        ratio = (f"{figures['baseline'] / figures['compiled']:,.0f}x" if {"baseline", "compiled"} <= set(figures)
                 else "—")
        try:
            met = "yes" if row.met(figures) else "no"
        except KeyError:
            met = "—"
        rss = " / ".join(f"{r['rss_mb']:.0f}" if r and "rss_mb" in r else "—"
                         for r in (base, *(got.get(c) for c in COLUMNS)))
        engines = " | ".join(cell(got.get(c), row.unit, show_compile=c in COMPILED) for c in COLUMNS)
        lines.append(f"| {row.label} | {cell(base, row.unit, scale=row.baseline_scale)} | {engines} | {ratio} "
                     f"| {row.target} | {met} | {rss} |")
        print(lines[-1], file=sys.stderr)

    seqs, hiddens = ((512,), (32, 256)) if args.quick else (SEQS, HIDDENS)
    scaling = ["| T | H | " + " | ".join(["torch.nn.RNN", *SCALING_ENGINES]) + " | fastest rnnlab engine |",
               "|---|---|" + "---|" * (len(SCALING_ENGINES) + 2)]
    for t in seqs:
        for h in hiddens:
            # a scaling cell gets SCALING_TIMEOUT seconds: an engine needing more is far off the pace
            res = {e: get(f"rnn/{t}x{h}/{e}", None if args.full else SCALING_TIMEOUT)
                   for e in ("torch.nn.RNN", *SCALING_ENGINES)}
            ok = {e: median(r) for e, r in res.items() if "error" not in r and e in SCALING_ENGINES}
            best = min(ok, key=ok.get) if ok else "—"
            scaling.append(f"| {t} | {h} | " + " | ".join(cell(res[e], "ms") for e in res) + f" | {best} |")

    total = time.perf_counter() - started
    command = "python -m benchmarks.run" + (" --quick" if args.quick else "") + (" --full" if args.full else "")
    text = "\n".join([
        "# rnnlab benchmark results", "",
        f"Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {total:.0f} s.",
        "", *machine(),
        f"- Load average (1, 5, 15 min) before: {load_before}; after: {load()}. The machine was shared: "
        "figures are medians of "
        f"{repeats} runs, and each row's baseline ran in this same invocation.", "",
        "Times are for the training loop only (data, model set-up and the compile excluded, the compile "
        "shown apart; \"compiled\" in a target is the faster of jax and numba) unless the row says "
        "`rnnlab run`/`import`. † = measured on part of the work (a tenth or less of the steps, or of "
        "the models) and scaled up: these loops cost the same every step; `--full` "
        "measures everything. Peak RSS is each measuring process's own, libraries included.", "",
        "## The issue's table", "", *lines, "",
        "## Scaling: milliseconds per full-batch training step (N = 128 windows, Elman tanh, full BPTT)", "",
        "Pick the engine by size: per-step overhead dominates small models (jax compiles it away), "
        "arithmetic dominates large ones.", "", *scaling, "",
    ])
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
