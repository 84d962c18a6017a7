"""What the report reads from run folders, the command `rnnlab report`, the live files,
and the sweep's best value (no browser needed)."""

from __future__ import annotations

import csv
import json
import shutil

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.report import run_data, write_report
from rnnlab.report.build import folder_data
from rnnlab.report.compare import compare_data, config_diff
from rnnlab.report.group_data import best
from rnnlab.report.live import LiveReport, watch
from rnnlab.report.page import embed_json
from rnnlab.report.sample import keep_extremes, plain
from rnnlab.runs.folder import read_npz
from rnnlab.runs.records import LogRecord
from rnnlab.train.callbacks import Callback


def test_downsampling_keeps_every_extreme_and_both_ends():
    rng = np.random.default_rng(0)
    x = np.arange(20000)
    y = np.exp(-x / 5000) + 0.01 * rng.normal(size=x.size)
    y[12345] = 5.0  # a spike
    y[777] = -3.0  # a dip
    xs, ys = keep_extremes(x, y, 1000)
    assert len(xs) <= 1002 and xs[0] == 0 and xs[-1] == 19999
    assert 12345 in xs and 777 in xs and np.all(np.diff(xs) > 0)
    np.testing.assert_array_equal(ys, y[xs])
    small = np.arange(5.0)
    assert keep_extremes(small, small, 1000)[0] is small


def test_plain_json_has_no_nan_and_scripts_cannot_be_closed():
    assert plain({"a": np.array([1.0, np.nan, np.inf]), "b": np.float32(0.1234567891)}) == {"a": [1.0, None, None], "b": 0.123457}
    assert "</script>" not in embed_json({"text": "</script><script>alert(1)</script>"})


def test_a_run_folder_report_data(folders):
    data = folder_data(folders["windows"])
    assert data["kind"] == "run" and data["complete"] and data["title"] == "sine-recurrent"
    saved = read_npz(folders["windows"] / "predictions.npz")
    p = data["predictions"]
    assert len(p["frames"]) == len(saved["epochs"]) + 1 and p["labels"][-1] == "after training"
    np.testing.assert_allclose(p["frames"][-1], saved["final"], rtol=1e-5)
    ins = data["inspection"]
    assert ins["epochs"][0] == 0 and ins["layers"] == 1 and len(ins["hidden"][0][0]) == 6
    radius, eig = ins["radius"]["y"][0][-1], np.array(ins["eig"][-1][0])
    assert radius == pytest.approx(np.hypot(eig[:, 0], eig[:, 1]).max(), rel=1e-3)
    assert data["curves"][0]["name"] == "train loss" and data["curves"][1]["name"] == "test loss"
    nxt = folder_data(folders["next_step"])["predictions"]
    assert nxt["kind"] == "next_step" and len(nxt["time"]) == len(nxt["frames"][0]) + 1


def test_the_best_swept_value_is_the_lowest_median_not_the_best_member():
    members = [{"member": i, "value": v, "test_rmse": e} for i, (v, e) in
               enumerate([("0.1", 0.01), ("0.1", 0.9), ("0.1", 0.8), ("0.05", 0.2), ("0.05", 0.3), ("0.05", np.nan)])]
    out = best(members, "optim.lr")
    assert out["best_member"] == 0 and out["best_value"] == "0.05"
    assert out["values"][1] == {"value": "0.05", "median_rmse": 0.25, "members": 3, "diverged": 1}


def test_the_sweep_command_names_the_best_value(tmp_path, capsys):
    assert main(["run", "elman-sine", "--epochs", "5", "--sweep", "optim.lr=0.1,0.05", "--ensemble", "2",
                 "--no-plots", "--out", str(tmp_path / "s")]) == 0
    lines = capsys.readouterr().out.splitlines()
    with open(tmp_path / "s" / "members.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    medians = {v: float(np.median([float(r["test_rmse"]) for r in rows if r["optim.lr"] == v])) for v in ("0.1", "0.05")}
    winner = min(medians, key=medians.get)
    assert f"best optim.lr: {winner} (median test RMSE {medians[winner]:.4g} over its seeds)" in lines


def test_comparison_data_names_differing_keys_and_the_best(folders):
    diff = config_diff([folders["windows"], folders["sweep"]])
    keys = {d["key"] for d in diff}
    assert {"run.name", "train.epochs", "model.input"} <= keys and "data.window" not in keys
    data = compare_data([folders["windows"], folders["plain"], folders["sweep"]])
    assert data["color_key"] == "optim.lr" and data["color_values"] == ["0.05", "0.1", "0.2"]
    rmse = [r[6] for r in data["table"]["rows"]]
    assert data["table"]["best"] == int(np.argmin(rmse))



def test_forecasts_are_compared_by_validation_not_by_their_test_scores(folders, tmp_path):
    luckier = tmp_path / "luckier-on-test"
    shutil.copytree(folders["forecast"], luckier)
    summary = json.loads((luckier / "summary.json").read_text())
    metrics = json.loads((luckier / "metrics.json").read_text())
    summary["ensemble_validation_mae"] *= 1.5  # worse where the choice is made...
    metrics["model"]["rmse"] /= 2  # ...better on the test part
    metrics["model"]["mase"] /= 2
    (luckier / "summary.json").write_text(json.dumps(summary))
    (luckier / "metrics.json").write_text(json.dumps(metrics))
    table = compare_data([luckier, folders["forecast"]])["table"]
    assert table["scored_by"] == "validation MAE" and table["best"] == 1
    header = table["header"]
    rmse = [row[header.index("test RMSE")] for row in table["rows"]]
    assert rmse[0] == pytest.approx(rmse[1] / 2, rel=1e-4)  # shown beside (the page rounds), not chosen by

def test_report_command(folders, tmp_path, capsys):
    run_dir = tmp_path / "r"
    shutil.copytree(folders["windows"], run_dir)
    assert main(["report", str(run_dir)]) == 0
    assert capsys.readouterr().out.strip() == str(run_dir / "report.html")
    html = (run_dir / "report.html").read_text()
    assert "<script src=" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert main(["report", str(run_dir), str(folders["sweep"]), "--out", str(tmp_path / "c.html")]) == 0
    assert (tmp_path / "c.html").is_file()
    assert main(["report", str(run_dir), "--live"]) == 0  # complete: the final page at once


@pytest.mark.parametrize("setup,needle", [
    (lambda p: None, "no such run folder"),
    (lambda p: p.mkdir(), "not an rnnlab run folder"),
    (lambda p: p.write_text("x"), "not a folder"),
])
def test_report_of_something_else_is_one_line(tmp_path, capsys, setup, needle):
    target = tmp_path / "x"
    setup(target)
    assert main(["report", str(target)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and needle in err[0]


def test_a_damaged_file_is_one_line(folders, tmp_path, capsys):
    run_dir = tmp_path / "r"
    shutil.copytree(folders["windows"], run_dir)
    (run_dir / "predictions.npz").write_bytes(b"not a zip")
    assert main(["report", str(run_dir)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "damaged" in err[0]


def _live_payload(run_dir):
    text = (run_dir / "live.js").read_text()
    assert text.startswith("rnnlabLive(") and text.endswith(");\n")
    return json.loads(text[len("rnnlabLive("):-3])


def test_live_report_while_training_then_final(folders, tmp_path):
    run_dir = tmp_path / "r"
    shutil.copytree(folders["windows"], run_dir)
    (run_dir / "summary.json").unlink()
    live = LiveReport(run_dir, epochs=400, seconds=60)
    records = [LogRecord(e, e, 1.0 / (e + 1), 2.0 / (e + 1)) for e in (0, 100)]
    assert live.update(101, records)
    assert not live.update(201, records)  # within `seconds`: nothing written
    payload = _live_payload(run_dir)
    assert payload["progress"] == {"epoch": 101, "epochs": 400} and not payload["complete"]
    assert payload["curves"][0]["x"] == [0, 100]
    assert '"live":{"src":"live.js"' in (run_dir / "report.html").read_text()
    shutil.copy(folders["windows"] / "summary.json", run_dir / "summary.json")
    live.finish()
    assert _live_payload(run_dir)["complete"]
    assert '"live":' not in (run_dir / "report.html").read_text()


def test_watch_follows_a_folder_alone(folders, tmp_path):
    run_dir = tmp_path / "r"
    shutil.copytree(folders["windows"], run_dir)
    (run_dir / "summary.json").unlink()
    seen = []
    calls = iter([False, True])
    watch(run_dir, every=0.01, on_change=seen.append, until=lambda: next(calls))
    assert len(seen) == 1 and not seen[0]["complete"] and _live_payload(run_dir)["name"] == "r"
    shutil.copy(folders["windows"] / "summary.json", run_dir / "summary.json")
    assert watch(run_dir, every=0.01) == run_dir / "report.html"
    assert _live_payload(run_dir)["complete"]


def test_report_reads_a_checkpoint_while_training(tmp_path):
    from rnnlab.config import override
    from rnnlab.errors import Interrupted
    from rnnlab.recipes import resolve
    from rnnlab.train.runner import run
    from rnnlab.train.stop import StopRequest

    class StopAt200(Callback):
        def on_progress(self, state, losses):
            if state.epoch >= 200:
                stop.set()

    out, stop = tmp_path / "r", StopRequest()
    with pytest.raises(Interrupted):  # stopped mid-run: its checkpoint and the rows written so far
        run(override(resolve("sine-recurrent"), ["train.epochs=300"]), out, argv=[], callbacks=[StopAt200()],
            plots=False, checkpoint_every=100, stop=stop)
    data = folder_data(out)
    progress = data["progress"]
    assert progress["epochs"] == 300 and 200 <= progress["epoch"] < 300
    curve = data["curves"][0]
    assert curve["name"] == "train loss" and curve["x"][0] == 0 and 100 <= curve["x"][-1] < progress["epoch"]
    latest = run_data.checkpoint_progress(out)["latest"]
    assert latest["epoch"] == curve["x"][-1] and len(latest["values"]) > 0
    write_report(out, live=True)
    assert '"live":' in (out / "report.html").read_text()


def test_open_without_a_browser_says_so(folders, tmp_path, capsys, monkeypatch):
    import webbrowser

    def no_browser(*args, **kwargs):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    run_dir = tmp_path / "r"
    shutil.copytree(folders["windows"], run_dir)
    assert main(["report", str(run_dir), "--open"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(run_dir / "report.html")
    assert "no web browser found" in captured.err


def test_report_flags_that_do_not_fit_are_one_line(folders, capsys):
    assert main(["report", str(folders["windows"]), str(folders["plain"]), "--live"]) == 2
    assert main(["report", str(folders["windows"]), "--out", "x.html"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 2 and "--live" in err[0] and "--out" in err[1]
