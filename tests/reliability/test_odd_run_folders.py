"""Run folders in odd states: a FIFO under a run file's name, only the temporary file of a
start killed at its first write, a damaged config.toml beside a good checkpoint, a
checkpoint missing an optimizer entry, a run that diverged, a finished run missing a
file. Each is one clear line (or just works), never a hang, a traceback or a wrong reason."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from reliability_support import call, error_lines, interrupted_run

from rnnlab.cli import main
from rnnlab.config import override
from rnnlab.recipes import resolve
from rnnlab.runs import checkpoint
from rnnlab.runs.folder import read_npz, write_npz
from rnnlab.runs.status import run_status

QUICK = ("--no-plots", "--quiet")


def _stopped(tmp_path, name: str = "stopped", *overrides: str):
    out = tmp_path / name
    interrupted_run(override(resolve("sine-recurrent"), ["train.epochs=60", *overrides]), out, 20, checkpoint_every=10)
    return out


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _one_line(capsys, argv: list[str], code: int = 2) -> str:
    assert main(argv) == code
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_checkpoint_npz_neither_hangs_resume_nor_the_listing(tmp_path):
    out = _stopped(tmp_path)
    (out / checkpoint.NAME).unlink()
    os.mkfifo(out / checkpoint.NAME)
    (tmp_path / "other").mkdir()
    os.mkfifo(tmp_path / "other" / "config.toml")
    listed = call("runs", str(tmp_path), timeout=30)  # a hang fails here, by the timeout
    assert listed.returncode == 0, listed.stderr
    assert "not a regular file" in listed.stdout and "other" in listed.stdout
    resumed = call("resume", str(out), *QUICK, timeout=30)
    assert resumed.returncode == 2 and "not a regular file" in resumed.stderr, resumed.stderr


def test_a_folder_holding_only_a_killed_first_write_is_reused_by_run(capsys, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / f".config.toml.tmp-{_dead_pid()}").write_bytes(b"[run]\nname = ")  # killed mid-write
    assert run_status(out).state == "empty"
    line = _one_line(capsys, ["resume", str(out)])
    assert "stopped before its run began" in line and "rnnlab run" in line
    assert main(["run", "elman-sine", "--epochs", "5", *QUICK, "--out", str(out)]) == 0
    assert (out / "summary.json").exists() and not list(out.glob(".*"))


def test_a_temporary_file_of_a_live_process_is_not_taken_for_a_leftover(capsys, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / f".config.toml.tmp-{os.getppid()}").write_bytes(b"")  # a process that is still running
    assert "not empty" in _one_line(capsys, ["run", "elman-sine", "--epochs", "5", *QUICK, "--out", str(out)])


def test_a_damaged_config_beside_a_good_checkpoint_is_named_as_such(capsys, tmp_path):
    out = _stopped(tmp_path)
    (out / "config.toml").write_text("[run\nname = 'x'\n")
    status = run_status(out)
    assert status.state == "damaged" and "config.toml: cannot be read" in status.problem
    line = _one_line(capsys, ["resume", str(out)])
    assert "config.toml: cannot be read" in line and "no config.toml" not in line


@pytest.mark.parametrize("damage", ["missing", "shape", "dtype", "step"])
def test_a_checkpoint_with_a_bad_optimizer_entry_is_refused(capsys, tmp_path, damage):
    out = _stopped(tmp_path, "r", "optim.name=adam", "optim.lr=0.01")
    arrays = read_npz(out / checkpoint.NAME)
    key = "optimizer/m/W_hh"
    if damage == "missing":
        del arrays[key]
    elif damage == "shape":
        arrays[key] = arrays[key][:-1]
    elif damage == "dtype":
        arrays[key] = arrays[key].astype(np.float64)  # the run computes in float32
    else:
        arrays["optimizer/step"] = arrays["optimizer/step"] + 1
    write_npz(out / checkpoint.NAME, arrays)
    line = _one_line(capsys, ["resume", str(out)])
    assert "does not fit the model" in line
    assert {"missing": "lacks m/W_hh", "shape": "m/W_hh is float32 (31, 32)", "dtype": "m/W_hh is float64",
            "step": "step count"}[damage] in line


def test_a_diverged_run_offers_a_new_run_and_resumes_only_with_a_larger_bound(capsys, tmp_path):
    out = tmp_path / "runs" / "d"
    assert main(["run", "primer-torch", "--set", "optim.lr=1e6", "--epochs", "300", "--checkpoint-every", "1",
                 *QUICK, "--out", str(out)]) == 3
    capsys.readouterr()
    assert main(["runs", str(tmp_path / "runs")]) == 0
    listed = capsys.readouterr().out
    assert "diverged" in listed and f"rnnlab run {out / 'config.toml'} --set optim.lr=100000" in listed
    assert "resume" not in listed.split("raise the bound")[0]  # resuming as it is would diverge again
    line = _one_line(capsys, ["resume", str(out)])
    assert "resuming would repeat it" in line and "--set optim.lr=100000" in line and "--set --set" not in line
    assert "cannot change when resuming" in _one_line(capsys, ["resume", str(out), "--set", "optim.lr=0.1"])
    assert main(["resume", str(out), "--set", "train.max_loss_factor=0", *QUICK]) == 0
    assert run_status(out).state == "complete" and "max_loss_factor = 0.0" in (out / "config.toml").read_text()


def test_predict_names_what_is_missing_or_damaged(capsys, tmp_path):
    out = tmp_path / "r"
    assert main(["run", "elman-sine", "--epochs", "5", *QUICK, "--out", str(out)]) == 0
    good = (out / "predictions.npz").read_bytes()
    (out / "predictions.npz").write_bytes(good[: len(good) // 2])  # truncated
    assert main(["predict", str(out)]) == 0
    assert "not compared with the run's own final predictions: predictions.npz cannot be read" in \
        capsys.readouterr().out
    (out / "params.npz").unlink()
    line = _one_line(capsys, ["predict", str(out)])
    assert "params.npz is missing" in line and "summary.json" in line and "no summary.json" not in line
