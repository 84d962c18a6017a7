"""What one benchmark worker process measures: rnnlab's engines and the baselines, each
case a function of (repeats, full) returning raw timings.

A case returns {"times": [seconds, ...], "scale": k, "compile": s or None, "note": str}:
the reported figure is median(times) * scale. scale > 1 marks a figure measured on a
fraction of the work and scaled up (linear: every step of these loops costs the same);
`--full` runs the whole work instead.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

Result = dict[str, Any]
REPEATS = 5
COMPILED = ("jax", "numba")  # engines whose compile time is reported apart


def _engine(recipe: str, engine: str, sets: list[str]):
    from rnnlab.config import override
    from rnnlab.recipes import resolve
    from rnnlab.train.experiment import build_engine, initial_params, prepare

    cfg = override(resolve(recipe), [f"run.engine={engine}", *sets])
    exp = prepare(cfg)
    params = initial_params(cfg, exp.spec)
    return build_engine(exp, params, engine), params


def _train(recipe: str, engine: str, epochs: int, repeats: int, sets: list[str] = (), scale: float = 1.0,
           note: str = "") -> Result:
    """Time engine.train(epochs) from the recipe's first parameters; a first call to
    train(1) is timed apart (for jax and numba: compiling, or loading from the disk cache)."""
    eng, params = _engine(recipe, engine, list(sets))
    started = time.perf_counter()
    eng.train(1)
    first = time.perf_counter() - started
    compile_s = eng.info().get("compile_seconds", first) if engine in COMPILED else None
    times = []
    for _ in range(repeats):
        eng.set_params(params)
        started = time.perf_counter()
        eng.train(epochs)
        times.append(time.perf_counter() - started)
    return {"times": times, "scale": scale, "compile": compile_s, "note": note}


def _baseline(fn: Callable[..., float], repeats: int, scale: float = 1.0, note: str = "", **kw: Any) -> Result:
    import torch

    torch.set_num_threads(1)
    fn(**{**kw, **({"steps": 2} if "steps" in kw else {"epochs": 2} if "epochs" in kw else {})})  # warm-up
    return {"times": [fn(**kw) for _ in range(repeats)], "scale": scale, "compile": None, "note": note}


# -- the table ---------------------------------------------------------------
def elman_torch(repeats: int, full: bool) -> Result:
    from benchmarks import baselines

    return _baseline(baselines.elman_sine, repeats, epochs=200)


def elman_engine(engine: str) -> Callable[[int, bool], Result]:
    return lambda repeats, full: _train("elman-sine", engine, 200, repeats)


def primer_torch(repeats: int, full: bool) -> Result:
    from benchmarks import baselines

    steps = 20000 if full else 2000
    return _baseline(baselines.primer_torch, repeats, 20000 / steps, steps=steps)


def primer_engine(engine: str) -> Callable[[int, bool], Result]:
    return lambda repeats, full: _train("primer-torch", engine, 20000, repeats)


def sine_torch(repeats: int, full: bool) -> Result:
    from benchmarks import baselines

    steps = 20000 if full else 1000
    return _baseline(baselines.sine_recurrent, repeats, 20000 / steps, steps=steps)


def sine_engine(engine: str) -> Callable[[int, bool], Result]:
    def case(repeats: int, full: bool) -> Result:
        epochs = 20000 if full else 5000 if engine in COMPILED else 2000
        return _train("sine-recurrent", engine, epochs, repeats, scale=20000 / epochs)
    return case


def _scaling_sets(seq: int, hidden: int) -> list[str]:
    """sine-recurrent's model (tanh, biases, readout of the last state, MSE, full batch of
    128 windows) on windows of `seq` values and `hidden` units."""
    return [f"data.window={seq}", f"data.points={128 + 4 + seq + 8}", f"model.hidden={hidden}"]


def _per_step(run: Callable[[int], float], repeats: int, budget: float = 0.3) -> Result:
    """Seconds per step of `run(k)` (k steps, returns their seconds): a warm-up step, then
    enough steps per timing to fill about `budget` seconds. Steps over 2 s get 3 timings."""
    run(1)  # warm-up: allocations, jax's compile
    one = run(1)
    k = max(1, min(200, int(budget / max(one, 1e-9))))
    repeats = 3 if one > 2.0 else repeats
    return {"times": [run(k) / k for _ in range(repeats)], "scale": 1.0, "compile": None, "note": ""}


def step_engine(engine: str, seq: int, hidden: int) -> Callable[[int, bool], Result]:
    """Seconds per full-batch training step (N = 128 windows of `seq` steps, `hidden` units)."""
    def case(repeats: int, full: bool) -> Result:
        eng, _ = _engine("sine-recurrent", engine, _scaling_sets(seq, hidden))

        def run(k: int) -> float:
            started = time.perf_counter()
            eng.train(k)
            return time.perf_counter() - started

        result = _per_step(run, repeats)
        result["compile"] = eng.info().get("compile_seconds") if engine in COMPILED else None
        return result
    return case


def step_torch_rnn(seq: int, hidden: int) -> Callable[[int, bool], Result]:
    def case(repeats: int, full: bool) -> Result:
        import torch

        from benchmarks import baselines

        torch.set_num_threads(1)
        return _per_step(baselines.rnn_step(seq, hidden), repeats)
    return case


def ensemble_engine(engine: str) -> Callable[[int, bool], Result]:
    """1,000 elman-sine models (seeds 1..1000), 200 epochs each, as `rnnlab run --ensemble` trains them
    (both engines batch them: numpy over a leading member axis, jax in one vmapped program)."""
    def case(repeats: int, full: bool) -> Result:
        from rnnlab.config import override
        from rnnlab.engines.ensemble import create_ensemble
        from rnnlab.recipes import resolve
        from rnnlab.train.experiment import initial_params, prepare

        n = 1000
        cfgs = [override(resolve("elman-sine"), [f"run.seed={s}"]) for s in range(1, n + 1)]
        exps = [prepare(c) for c in cfgs]
        params = [initial_params(c, e.spec) for c, e in zip(cfgs, exps)]
        ens = create_ensemble(engine, [(e.spec, e.training) for e in exps], "float32")
        ens.set_params(params)
        ens.set_data([e.x for e in exps], [e.y for e in exps])
        ens.train(1)
        compile_s = ens.info().get("compile_seconds") if engine == "jax" else None
        times = []
        for _ in range(repeats):
            ens.set_params(params)
            started = time.perf_counter()
            ens.train(200)
            times.append(time.perf_counter() - started)
        return {"times": times, "scale": 1.0, "compile": compile_s, "note": ""}
    return case


def _command(argv: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            subprocess.run([a.replace("{tmp}", tmp) for a in argv], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
    return times


def whole_run(repeats: int, full: bool) -> Result:
    """`rnnlab run primer-torch` on the default engine, plots and the 200-frame GIF included."""
    argv = [sys.executable, "-m", "rnnlab", "run", "primer-torch", "--quiet", "--out", "{tmp}/run"]
    return {"times": _command(argv, repeats), "scale": 1.0, "compile": None, "note": ""}


def whole_torch(repeats: int, full: bool) -> Result:
    """The primer's program with its plot every 100 steps and the GIF (a twentieth: 1,000 steps)."""
    import torch

    from benchmarks import baselines

    torch.set_num_threads(1)
    steps = 20000 if full else 1000
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            times.append(baselines.primer_torch(steps, plots_dir=Path(tmp)))
    return {"times": times, "scale": 20000 / steps, "compile": None, "note": ""}


def import_time(repeats: int, full: bool) -> Result:
    return {"times": _command([sys.executable, "-c", "import rnnlab"], 2 * repeats), "scale": 1.0,
            "compile": None, "note": ""}


def help_time(repeats: int, full: bool) -> Result:
    return {"times": _command([sys.executable, "-m", "rnnlab", "--help"], 2 * repeats), "scale": 1.0,
            "compile": None, "note": ""}


SEQS, HIDDENS = (6, 64, 512), (32, 256)
SCALING_ENGINES = ("numpy", "torch", "jax", "numba")

CASES: dict[str, Callable[[int, bool], Result]] = {
    "elman/torch": elman_torch, "elman/numpy": elman_engine("numpy"), "elman/jax": elman_engine("jax"),
    "primer/torch": primer_torch, "primer/numpy": primer_engine("numpy"), "primer/jax": primer_engine("jax"),
    "primer/numba": primer_engine("numba"),
    "sine/torch": sine_torch, "sine/numpy": sine_engine("numpy"), "sine/jax": sine_engine("jax"),
    "sine/numba": sine_engine("numba"),
    "ensemble/numpy": ensemble_engine("numpy"),
    "ensemble/jax": ensemble_engine("jax"),
    "whole/torch": whole_torch, "whole/numpy": whole_run,
    "import": import_time, "help": help_time,
}
for _t in SEQS:
    for _h in HIDDENS:
        CASES[f"rnn/{_t}x{_h}/torch.nn.RNN"] = step_torch_rnn(_t, _h)
        for _e in SCALING_ENGINES:
            CASES[f"rnn/{_t}x{_h}/{_e}"] = step_engine(_e, _t, _h)


def median(result: Result) -> float:
    return statistics.median(result["times"]) * result["scale"]


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux and macOS report different units)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def run_case(name: str, repeats: int, full: bool) -> Result:
    result = CASES[name](repeats, full)
    result["rss_mb"] = round(peak_rss_mb(), 1)
    result["times"] = [float(np.round(t, 6)) for t in result["times"]]
    return result
