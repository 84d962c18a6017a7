"""`rnnlab runs`: complete, incomplete (resumable, from which epoch), empty, or not a run."""

from __future__ import annotations

from reliability_support import error_lines, interrupted_run

from rnnlab.cli import main
from rnnlab.config import override
from rnnlab.recipes import resolve
from rnnlab.runs import checkpoint
from rnnlab.runs.status import list_runs


def test_runs_lists_every_state(capsys, tmp_path):
    root = tmp_path / "runs"
    assert main(["run", "elman-sine", "--epochs", "5", "--no-plots", "--quiet", "--out", str(root / "a-done")]) == 0
    stopped = interrupted_run(override(resolve("elman-sine"), ["train.epochs=60"]), root / "b-stopped", 20).epoch
    interrupted_run(override(resolve("elman-sine"), ["train.epochs=60"]), root / "c-early", 20)
    (root / "c-early" / checkpoint.NAME).unlink()
    interrupted_run(override(resolve("elman-sine"), ["train.epochs=60"]), root / "d-damaged", 20)
    (root / "d-damaged" / checkpoint.NAME).write_bytes(b"junk")
    (root / "e-empty").mkdir()
    (root / "f-other").mkdir()
    (root / "f-other" / "notes.txt").write_text("x")

    states = {s.path.name: (s.state, s.epoch) for s in list_runs(root)}
    assert states == {"a-done": ("complete", 5), "b-stopped": ("incomplete", stopped), "c-early": ("incomplete", 0),
                      "d-damaged": ("incomplete", None), "e-empty": ("empty", None),
                      "f-other": ("not a run", None)}

    assert main(["runs", str(root)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "complete" in lines["a-done"] and "elman-sine" in lines["a-done"]
    assert stopped >= 20 and f"checkpoint at epoch {stopped} of 60" in lines["b-stopped"]
    assert f"rnnlab resume {root / 'b-stopped'}" in lines["b-stopped"]
    assert "no checkpoint yet" in lines["c-early"] and "not a readable checkpoint" in lines["d-damaged"]
    assert "empty" in lines["e-empty"] and "not a run" in lines["f-other"]


def test_runs_on_a_missing_folder_is_one_line(capsys, tmp_path):
    assert main(["runs", str(tmp_path / "nope")]) == 2
    assert len(error_lines(capsys.readouterr().err)) == 1
