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


class _Killed(BaseException):
    """A SIGKILL's stand-in: nothing after it runs, not even cleanup."""


def test_a_kill_just_after_the_end_leaves_working_files_that_runs_names_and_resume_removes(
        capsys, tmp_path, monkeypatch):
    from rnnlab.train import completion

    def write_then_die(path, data):
        written(path, data)
        if path.name == "summary.json":
            raise _Killed

    written = completion.rf.write_json
    out = tmp_path / "runs" / "late"
    monkeypatch.setattr(completion.rf, "write_json", write_then_die)
    try:
        main(["run", "elman-sine", "--epochs", "30", "--checkpoint-every", "10", "--no-plots", "--quiet",
              "--out", str(out)])
    except _Killed:
        pass
    else:
        raise AssertionError("the run was not stopped after summary.json")
    monkeypatch.undo()
    assert (out / "summary.json").exists() and (out / checkpoint.NAME).exists() and (out / ".metrics.csv.rows").exists()
    kept = {p.name: p.read_bytes() for p in out.iterdir() if p.name not in (checkpoint.NAME, ".metrics.csv.rows")}

    assert main(["runs", str(out.parent)]) == 0
    line = capsys.readouterr().out.strip()
    assert "complete" in line and f"left checkpoint.npz, .metrics.csv.rows: rnnlab resume {out} removes them" in line

    assert main(["resume", str(out)]) == 2
    err = error_lines(capsys.readouterr().err)
    assert len(err) == 1 and "nothing to resume (removed checkpoint.npz, .metrics.csv.rows" in err[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == kept  # the results untouched, the leftovers gone
    assert main(["runs", str(out.parent)]) == 0
    assert "left" not in capsys.readouterr().out
