"""Bad input everywhere: one line on stderr, exit code 2, no traceback (--debug shows
one), and nothing of earlier runs lost."""

from __future__ import annotations

import errno
import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from reliability_support import call, error_lines, interrupted_run

from rnnlab.cli import main
from rnnlab.config import override
from rnnlab.errors import UserError
from rnnlab.recipes import resolve
from rnnlab.runs import checkpoint
from rnnlab.runs.folder import WORKING, load_params

QUICK = ["--no-plots", "--quiet"]


def _one_line_exit_2(capsys, argv: list[str], needle: str) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = error_lines(captured.err)
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith("rnnlab: error: ") and needle in lines[0], lines[0]
    return lines[0]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def stopped(tmp_path: Path) -> Path:
    """An incomplete run folder: stopped with a checkpoint at epoch 20 of 60."""
    out = tmp_path / "stopped"
    interrupted_run(override(resolve("elman-sine"), ["train.epochs=60"]), out, 20)
    return out


@pytest.fixture
def complete(tmp_path: Path) -> Path:
    out = tmp_path / "complete"
    assert main(["run", "elman-sine", "--epochs", "5", *QUICK, "--out", str(out)]) == 0
    return out


# -- damaged files -------------------------------------------------------------------

@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "not-a-checkpoint"])
def test_a_damaged_checkpoint_is_one_line_and_stays_where_it_is(capsys, stopped, damage):
    path = stopped / checkpoint.NAME
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x00garbage" * 100)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        np.savez(path, W=np.zeros(3))
    before = _digest(stopped)
    line = _one_line_exit_2(capsys, ["resume", str(stopped), *QUICK], "checkpoint.npz")
    assert "damaged" in line or "format" in line or "not a readable checkpoint" in line
    assert _digest(stopped) == before


def test_a_checkpoint_from_another_run_is_refused(capsys, tmp_path, stopped):
    other = tmp_path / "other"
    interrupted_run(override(resolve("elman-sine"), ["train.epochs=60", "model.hidden=5"]), other, 20)
    (stopped / checkpoint.NAME).write_bytes((other / checkpoint.NAME).read_bytes())
    _one_line_exit_2(capsys, ["resume", str(stopped)], "belongs to another run")


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 half a zip", b"\x93NUMPY nonsense"])
def test_a_damaged_params_npz_is_a_user_error(tmp_path, complete, damage):
    path = complete / "params.npz"
    assert set(load_params(path)) >= {"W_xh", "W_hh", "W_hy"}
    path.write_bytes(damage)
    with pytest.raises(UserError, match="params.npz: cannot read parameters"):
        load_params(path)
    with pytest.raises(UserError, match="cannot read parameters"):
        load_params(tmp_path / "missing.npz")


def test_params_npz_holds_no_pickles(complete):
    with zipfile.ZipFile(complete / "params.npz") as z:
        assert all(name.endswith(".npy") for name in z.namelist())
    with np.load(complete / "params.npz", allow_pickle=False) as npz:
        assert all(npz[name].dtype == np.float32 for name in npz.files)


# -- recipes and values --------------------------------------------------------------

@pytest.mark.parametrize("text,needle", [
    ("[model]\nhidden = 16\n[train\nepochs = 3\n", "line 3"),
    ("[model]\nhidden = 16\nbias = \n", "line 3"),
    ('[model]\nhidden = "many"\n', "model.hidden: 'many' is not allowed; expected an integer"),
    ("[train]\nepochs = 2.5\n", "train.epochs"),
    ("[data]\npoints = -4\n", "data.points: must be positive"),
    ("[optim]\nlr = 0\n", "optim.lr: must be positive"),
    ("[loss]\ndelta = 0\n", "loss.delta: must be positive"),
    ("[model]\nhidden = 0\n", "model.hidden: must be positive"),
    ("[data]\nwindow = 500\n", "data.points: 146 points give 0 windows"),
    ("[data]\nstart = 3.0\nstop = 1.0\n", "data.stop: must be greater than data.start"),
    ("train = 3\n", "train: expected a table"),
])
def test_a_bad_recipe_file_is_one_line(capsys, tmp_path, text, needle):
    recipe = tmp_path / "my.toml"
    recipe.write_text(text)
    line = _one_line_exit_2(capsys, ["run", str(recipe), *QUICK, "--out", str(tmp_path / "r")], needle)
    if "line" in needle:
        assert "my.toml" in line and "column" in line
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("argv,needle", [
    (["--seed", "-1"], "run.seed: must be between 0 and 4294967295"),
    (["--seed", str(2**32)], "run.seed"),
    (["--epochs", "0"], "must be positive"),
    (["--set", "init.std=-1"], "init.std: must be zero or positive"),
    (["--set", "loss.mix=2"], "loss.mix: must be between 0.0 and 1.0"),
    (["--set", "train.max_loss_factor=-1"], "train.max_loss_factor: must be zero or positive"),
    (["--set", "train.max_loss_factor=nan"], "must be a finite number"),
    (["--set", "data.points=1"], "at least 2 points"),
    (["--checkpoint-every", "-3"], "--checkpoint-every: must be 0 or more"),
    (["--checkpoint-every", "often"], "--checkpoint-every: expected a number of epochs"),
])
def test_bad_values_are_one_line(capsys, tmp_path, argv, needle):
    assert main(["run", "elman-sine", *argv, *QUICK, "--out", str(tmp_path / "r")]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and needle in lines[0], lines
    assert not (tmp_path / "r").exists()


# -- output folders ------------------------------------------------------------------

def test_an_output_path_under_a_file_is_one_line(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    _one_line_exit_2(capsys, ["run", "elman-sine", *QUICK, "--out", str(blocker / "run")], "cannot write there")
    _one_line_exit_2(capsys, ["run", "elman-sine", *QUICK, "--out", str(blocker)], "exists and is not a folder")
    assert blocker.read_text() == "not a folder"


def _disk_full_on(monkeypatch, name: str) -> None:
    """os.replace onto `name` fails as on a full disk (works as root, unlike chmod)."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("name", ["config.toml", "params.npz", "summary.json", checkpoint.NAME])
def test_a_full_disk_is_one_line_and_loses_nothing(capsys, monkeypatch, tmp_path, complete, name):
    earlier = _digest(complete)
    _disk_full_on(monkeypatch, name)
    line = _one_line_exit_2(capsys, ["run", "elman-sine", "--epochs", "30", "--checkpoint-every", "10", *QUICK,
                                     "--out", str(tmp_path / "new")], "No space left on device")
    assert name in line or "new" in line
    assert _digest(complete) == earlier
    new = tmp_path / "new"
    assert not (new / name).exists() and not (new / "summary.json").exists()
    left = [p.name for p in new.glob(".*")]
    assert left in ([], [WORKING]), "a temporary file was left behind"  # the metrics rows stay for resume
    assert bool(left) == (new / "config.toml").exists()


def test_a_plot_that_cannot_be_written_is_one_line_and_the_run_is_complete(capsys, monkeypatch, tmp_path):
    _disk_full_on(monkeypatch, "loss.png")
    new = tmp_path / "new"
    line = _one_line_exit_2(capsys, ["run", "elman-sine", "--epochs", "30", "--checkpoint-every", "10", "--quiet",
                                     "--out", str(new)], "No space left on device")
    assert "loss.png" in line and "the run is complete" in line
    assert not (new / "loss.png").exists() and not (new / checkpoint.NAME).exists()
    assert {"summary.json", "metrics.csv", "params.npz", "predictions.npz"} <= {p.name for p in new.iterdir()}
    assert not list(new.glob(".*")), "a temporary file was left behind"


def test_a_full_disk_while_resuming_keeps_the_checkpoint(capsys, monkeypatch, stopped):
    before = (stopped / checkpoint.NAME).read_bytes()
    _disk_full_on(monkeypatch, checkpoint.NAME)
    _one_line_exit_2(capsys, ["resume", str(stopped), "--checkpoint-every", "5", *QUICK], "No space left on device")
    assert (stopped / checkpoint.NAME).read_bytes() == before
    monkeypatch.undo()
    assert main(["resume", str(stopped), *QUICK]) == 0


# -- resuming what cannot be resumed -------------------------------------------------

def test_resuming_a_complete_run_changes_nothing(capsys, complete):
    before = _digest(complete)
    _one_line_exit_2(capsys, ["resume", str(complete)], "the run is complete")
    assert _digest(complete) == before


@pytest.mark.parametrize("kind,needle", [("missing", "no such run folder"), ("file", "not a folder"),
                                         ("empty", "not an rnnlab run folder"),
                                         ("foreign", "not an rnnlab run folder")])
def test_resuming_what_is_not_a_run_folder(capsys, tmp_path, kind, needle):
    path = tmp_path / kind
    if kind == "file":
        path.write_text("x")
    elif kind == "empty":
        path.mkdir()
    elif kind == "foreign":
        path.mkdir()
        (path / "notes.txt").write_text("mine")
    _one_line_exit_2(capsys, ["resume", str(path)], needle)
    if kind == "foreign":
        assert (path / "notes.txt").read_text() == "mine"


def test_a_broken_config_in_a_run_folder_is_one_line(capsys, stopped):
    (stopped / "config.toml").write_text("[train]\nepochs = \n")
    _one_line_exit_2(capsys, ["resume", str(stopped)], "config.toml")


def test_debug_shows_the_traceback(tmp_path):
    done = call("--debug", "resume", str(tmp_path / "nothing"))
    assert done.returncode != 0 and "Traceback" in done.stderr and "no such run folder" in done.stderr
    done = call("resume", str(tmp_path / "nothing"))
    assert done.returncode == 2 and error_lines(done.stderr) == [
        f"rnnlab: error: {tmp_path / 'nothing'}: no such run folder"]
