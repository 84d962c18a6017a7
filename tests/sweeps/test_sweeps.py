"""`rnnlab sweep`: trials planned and batched, trained on local processes and on a real Dask
LocalCluster with the same bytes, never trained twice, surviving a killed worker, a
diverging trial and Ctrl-C, and a search with Optuna that continues where it stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import numpy as np
import pytest
from processes import children, communicate

import rnnlab
from rnnlab.config import ConfigError, override
from rnnlab.recipes import resolve
from rnnlab.sweeps.plan import batches, grid_trials
from rnnlab.train.runner import run

QUICK = {"epochs": 60}
GRID = {"optim.lr": [0.05, 0.1], "model.hidden": [4, 6]}


def _params(folder: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(folder.glob("*/params.npz"))}


def test_grid_plan_names_seeds_and_batches():
    base = resolve("primer-torch")
    trials = grid_trials(base, [("optim.lr", ["0.05", "0.1"]), ("model.hidden", ["4", "6"])], 2)
    assert len(trials) == 8 and trials[0].name == "000-lr=0.05-hidden=4-seed=1"
    assert [t.seed for t in trials[:2]] == [1, 2] and trials[1].config.run.seed == 2
    assert trials[2].config.model.hidden == 6 and trials[4].config.optim.lr == 0.1
    groups = batches(trials)  # lr and seed vary inside a program; hidden sizes do not
    assert sorted(len(g) for g in groups) == [4, 4]
    assert all(len({t.config.model.hidden for t in g}) == 1 for g in groups)
    with pytest.raises(ConfigError, match="model.hidden"):
        grid_trials(base, [("model.hidden", ["0"])], 1)
    with pytest.raises(ConfigError, match="run.seed"):
        grid_trials(base, [("run.seed", ["1", "2"])], 1)


def test_a_batched_trial_equals_its_single_run(tmp_path):
    sweep = rnnlab.sweep("primer-torch", grid={"optim.lr": [0.05, 0.1]}, seeds=2, out=tmp_path / "s",
                         set={"run.dtype": "float64"}, workers=1, **QUICK)
    trial = tmp_path / "s" / "003-lr=0.1-seed=2"
    assert json.loads((trial / "summary.json").read_text())["batched_with"] == 4
    alone = run(override(resolve("primer-torch"), ["optim.lr=0.1", "run.seed=2", "train.epochs=60",
                                                   "run.dtype=float64"]), tmp_path / "alone", argv=[],
                callbacks=[], plots=False)
    got = json.loads((trial / "summary.json").read_text())["test_rmse"]
    assert got == pytest.approx(alone["test_rmse"], rel=1e-9)
    assert sweep.best["setting"] in ({"optim.lr": 0.05}, {"optim.lr": 0.1}) and sweep.best["seeds"] == 2


def test_local_and_dask_give_the_same_bytes_and_a_rerun_trains_nothing(tmp_path):
    distributed = pytest.importorskip("distributed")
    local = rnnlab.sweep("primer-torch", grid=GRID, seeds=2, out=tmp_path / "local", workers=2, **QUICK)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        rnnlab.sweep("primer-torch", grid=GRID, seeds=2, out=tmp_path / "dask", scheduler=cluster.scheduler_address,
                     **QUICK)
    assert _params(tmp_path / "local") == _params(tmp_path / "dask") and len(_params(tmp_path / "local")) == 8
    rows = (tmp_path / "local" / "sweep.csv").read_text().splitlines()
    assert len(rows) == 9 and rows[0].startswith("trial,optim.lr,model.hidden,seed,status,test_rmse")
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "local").glob("*/params.npz")}
    again = rnnlab.sweep("primer-torch", grid=GRID, seeds=2, out=tmp_path / "local", workers=2, **QUICK)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps  # nothing trained again
    assert again.summary["complete"] == 8 and again.best == local.best


def test_a_diverging_trial_is_recorded_not_a_crash(tmp_path):
    sweep = rnnlab.sweep("sine-recurrent", grid=["model.hidden=4,5"], out=tmp_path / "s", workers=2,
                         set={"optim.lr": 50.0}, epochs=200)
    assert sweep.summary["diverged"] == 2 and sweep.best is None
    marker = json.loads((tmp_path / "s" / "000-hidden=4-seed=1" / "diverged.json").read_text())
    assert marker["diverged_epoch"] >= 0 and "loss" in marker["reason"]
    assert "diverged" in (tmp_path / "s" / "sweep.csv").read_text()


def _kill_when_started(out: Path, pids: Callable[[], list[int]], delay: float = 1.0) -> threading.Thread:
    """Kill one worker a moment after the first trial has begun writing its folder."""
    def kill() -> None:
        deadline = time.time() + 60
        while time.time() < deadline and not list(out.glob("*/config.toml")):
            time.sleep(0.05)
        time.sleep(delay)
        found = pids()
        if found:
            os.kill(found[0], signal.SIGKILL)
            killed.append(found[0])

    killed: list[int] = []
    thread = threading.Thread(target=kill, daemon=True)
    thread.killed = killed  # type: ignore[attr-defined]
    thread.start()
    return thread


def test_a_killed_local_worker_is_replaced_and_the_trial_continues_exactly(tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "rnnlab", "sweep", "sine-recurrent", "--grid", "model.hidden=8,10",
                             "--epochs", "1500", "--no-batch", "--workers", "2", "--quiet", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killer = _kill_when_started(out, lambda: _loky_children(proc.pid))
    stdout, stderr = communicate(proc, 300)
    killer.join()
    assert killer.killed and proc.returncode == 0, stderr
    assert "2 complete" in stdout
    rnnlab.sweep("sine-recurrent", grid=["model.hidden=8,10"], epochs=1500, batch=False, out=tmp_path / "whole",
                 workers=2)
    assert _params(out) == _params(tmp_path / "whole") and len(_params(out)) == 2


def test_a_killed_dask_worker_is_retried_elsewhere(tmp_path):
    distributed = pytest.importorskip("distributed")
    grid = ["model.hidden=8,10"]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            pids = list(client.run(os.getpid).values())
        killer = _kill_when_started(tmp_path / "s", lambda: pids, delay=0.5)
        sweep = rnnlab.sweep("sine-recurrent", grid=grid, epochs=1500, batch=False, out=tmp_path / "s",
                             scheduler=cluster.scheduler_address)
        killer.join()
    assert killer.killed and sweep.summary["complete"] == 2
    rnnlab.sweep("sine-recurrent", grid=grid, epochs=1500, batch=False, out=tmp_path / "whole", workers=2)
    assert _params(tmp_path / "s") == _params(tmp_path / "whole")


def _loky_children(pid: int) -> list[int]:
    found = []
    for kid in children(pid):
        with suppress(OSError):
            if b"loky" in Path(f"/proc/{kid}/cmdline").read_bytes():
                found.append(kid)
    return found


# As a shell starts a job with `&`: SIGINT ignored, then exec (an ignored signal stays ignored across exec).
# A launcher rather than preexec_fn, which would fork this multithreaded test process.
IGNORING_SIGINT = [sys.executable, "-c",
                   "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])"]


@pytest.mark.parametrize("started_in_the_background", [False, True])
def test_ctrl_c_stops_and_the_same_command_continues(tmp_path, started_in_the_background):
    out = tmp_path / "s"
    argv = [sys.executable, "-m", "rnnlab", "sweep", "sine-recurrent", "--grid", "model.hidden=4,5,6,7,8,9",
            "--epochs", "800", "--no-batch", "--workers", "1", "--out", str(out)]
    launch = IGNORING_SIGINT + argv if started_in_the_background else argv
    proc = subprocess.Popen(launch, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list(out.glob("*/summary.json")):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, stderr = communicate(proc, 60)
    assert proc.returncode == 130, stderr
    assert "running the same command again continues it" in stderr and "Traceback" not in stderr
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/summary.json")}
    assert 1 <= len(finished) < 6
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert {n: (out / n / "summary.json").stat().st_mtime_ns for n in finished} == finished
    assert len(list(out.glob("*/summary.json"))) == 6


def test_a_search_with_optuna_continues_where_it_stopped(tmp_path):
    pytest.importorskip("optuna")
    space = tmp_path / "space.toml"
    space.write_text('["optim.lr"]\nlow = 0.01\nhigh = 0.3\nlog = true\n\n["model.hidden"]\nchoices = [4, 8]\n')
    first = rnnlab.sweep("primer-torch", search=space, trials=3, seeds=2, out=tmp_path / "s", workers=2, **QUICK)
    assert first.summary["trials"] == 6 and first.summary["complete"] == 6
    more = rnnlab.sweep("primer-torch", search=space, trials=5, seeds=2, out=tmp_path / "s", workers=2, **QUICK)
    assert more.summary["trials"] == 10 and more.summary["complete"] == 10
    lrs = {row["optim.lr"] for row in more.table.to_dict("records")}
    assert len(lrs) >= 4 and all(0.01 <= float(lr) <= 0.3 for lr in lrs)
    best = more.best
    assert best["median"] == min(s["median"] for s in more.summary["settings"] if s["seeds"])


@pytest.mark.parametrize("space, needle", [('["model.nope"]\nlow = 1\nhigh = 2\n', "unknown key"),
                                           ('["optim.lr"]\nlow = 0.3\nhigh = 0.1\n', "low < high"),
                                           ('["optim.name"]\nlow = 1\nhigh = 2\n', "choices")])
def test_a_bad_space_is_one_line(tmp_path, capsys, space, needle):
    from rnnlab.cli import main

    (tmp_path / "space.toml").write_text(space)
    assert main(["sweep", "primer-torch", "--search", "optuna", "--space", str(tmp_path / "space.toml"),
                 "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_another_sweep_in_the_same_folder_is_refused(tmp_path, capsys):
    from rnnlab.cli import main

    args = ["sweep", "primer-torch", "--epochs", "20", "--quiet", "--out", str(tmp_path / "s")]
    assert main([*args, "--grid", "optim.lr=0.1"]) == 0
    assert main([*args, "--grid", "optim.lr=0.2"]) == 2
    assert "holds another sweep" in capsys.readouterr().err


def test_the_cli_names_the_best_setting(tmp_path, capsys):
    from rnnlab.cli import main

    assert main(["sweep", "primer-torch", "--grid", "optim.lr=0.02,0.2", "--seeds", "2", "--epochs", "200",
                 "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["kind"] == "sweep" and f"best: optim.lr={summary['best']['setting']['optim.lr']}" in out
    assert np.isfinite(summary["best"]["median"]) and summary["best"]["seeds"] == 2


def test_a_failed_trial_exits_1_and_a_rerun_retries_only_it(tmp_path, capsys):
    from rnnlab.cli import main

    args = ["sweep", "primer-torch", "--grid", "model.hidden=3,4", "--epochs", "10", "--workers", "1",
            "--quiet", "--out", str(tmp_path / "s")]
    assert main(args) == 0
    trials = sorted(p.parent for p in (tmp_path / "s").glob("*/summary.json"))
    kept = trials[1] / "summary.json"
    before = kept.stat().st_mtime_ns
    for p in trials[0].iterdir():  # a folder that is not a trial's any more: training refuses it
        p.unlink()
    (trials[0] / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "1 trial(s) failed" in err and "sweep.csv" in err and "Traceback" not in err
    assert "folder is not empty" in (tmp_path / "s" / "sweep.csv").read_text()
    assert kept.stat().st_mtime_ns == before
    (trials[0] / "notes.txt").unlink()
    assert main(args) == 0
    assert (trials[0] / "summary.json").is_file()


def test_forecast_flags_need_a_forecast_recipe(tmp_path, capsys):
    from rnnlab.cli import main

    assert main(["sweep", "primer-torch", "--column", "x", "--grid", "model.cell=gru", "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "--column is an option of forecasts" in err and "forecast:SERIES" in err and err.count("\n") == 1


def test_a_sweep_of_forecasts_is_ranked_on_validation_and_says_so(tmp_path, capsys):
    """The backtest's scores are reported beside each trial, never used to pick the best. On
    the Nile (docs/scale.md says so) the window that scores best on the test part is the one
    validation ranks last: ranking by the test part would report its luckiest setting."""
    from rnnlab.cli import main

    out = tmp_path / "s"
    assert main(["sweep", "forecast:nile", "--grid", "forecast.window=8,12,20", "--workers", "1",
                 "--set", "forecast.future=false", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    trials = {tomllib.loads((p.parent / "config.toml").read_text())["forecast"]["window"]: json.loads(p.read_text())
              for p in out.glob("*/summary.json")}
    val = {w: s["ensemble_validation_mae"] for w, s in trials.items()}
    mase = {w: s["metrics"]["model"]["mase"] for w, s in trials.items()}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["metric"] == "val_mae" and summary["best"]["setting"] == {"forecast.window": min(val, key=val.get)}
    assert min(mase, key=mase.get) == 8 == max(val, key=val.get)
    assert "settings ranked by validation MAE" in captured.out and "best: forecast.window=" in captured.out
    assert captured.err.count("validation MAE ") == 3 and "test RMSE " in captured.err and "MASE " in captured.err
