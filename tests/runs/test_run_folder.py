"""Running recipes end to end: the loss falls, the run folder is complete and written atomically."""

import csv
import json

import numpy as np
import pytest
from PIL import Image

from rnnlab.config import override, load
from rnnlab.errors import Interrupted, PlotError, UserError
from rnnlab.runs import checkpoint, folder as run_folder
from rnnlab.train.stop import StopRequest
from rnnlab.train.runner import run
from rnnlab.recipes import resolve
from rnnlab.viz import background
from rnnlab.viz.background import BackgroundRenderer, DrawingFailed

FILES = {"config.toml", "metrics.csv", "history.npz", "params.npz", "predictions.npz", "inspection.npz",
         "summary.json", "loss.png", "predictions.png", "training.gif", "report.html"}


def _short(recipe: str, epochs: int, every: int, *extra: str):
    return override(resolve(recipe), [f"train.epochs={epochs}", f"log.every={every}", *extra])


@pytest.mark.parametrize("recipe,epochs,every", [("elman-sine", 60, 10), ("primer-torch", 400, 50),
                                                 ("primer-numpy", 300, 50), ("sine-recurrent", 300, 50)])
def test_short_run_lowers_the_loss_and_writes_every_file(tmp_path, recipe, epochs, every):
    out = tmp_path / "run"
    summary = run(_short(recipe, epochs, every), out, argv=["test"], callbacks=[])
    assert {p.name for p in out.iterdir()} == FILES  # nothing else, no temporary files
    rows = run_folder.read_metrics(out / "metrics.csv")
    losses = [float(r["loss"]) for r in rows]
    assert losses[-1] < 0.9 * losses[0]
    assert list(rows[0]) == ["epoch", "step", "loss", "test_loss"]
    assert json.loads((out / "summary.json").read_text())["final_loss"] == summary["final_loss"]
    assert load(out / "config.toml") == _short(recipe, epochs, every)  # resolved config round-trips
    with Image.open(out / "training.gif") as gif:  # a frame per log point, then one after training
        ends_logged = int(rows[-1]["epoch"]) == epochs - 1  # unless the last log point shows it
        assert gif.n_frames == len(rows) + (0 if ends_logged else 1)


def test_metrics_follow_the_original_cadence(tmp_path):
    cfg = _short("primer-numpy", 300, 100)
    run(cfg, tmp_path / "a", argv=[], callbacks=[], plots=False)
    epochs = [int(r["epoch"]) for r in run_folder.read_metrics(tmp_path / "a" / "metrics.csv")]
    assert epochs == [0, 99, 199, 299]  # epoch 0, then (epoch + 1) % 100 == 0; the last is one of them
    cfg = _short("elman-sine", 35, 10)  # e % 10 == 0, then the last epoch trained
    run(cfg, tmp_path / "b", argv=[], callbacks=[], plots=False)
    rows = run_folder.read_metrics(tmp_path / "b" / "metrics.csv")
    assert [(int(r["epoch"]), int(r["step"])) for r in rows] == [(0, 0), (10, 200), (20, 400), (30, 600), (34, 680)]
    assert all(r["test_loss"] == "" for r in rows)  # no test part in the tutorial


@pytest.fixture
def workers(monkeypatch) -> list[BackgroundRenderer]:
    """Every plotting worker the runner starts, recorded."""
    started: list[BackgroundRenderer] = []

    class Recorded(BackgroundRenderer):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            started.append(self)

    monkeypatch.setattr(background, "BackgroundRenderer", Recorded)
    return started


def test_no_plots_skips_drawing_and_starts_no_worker(tmp_path, workers):
    run(_short("elman-sine", 5, 1), tmp_path / "r", argv=[], callbacks=[], plots=False)
    assert not list((tmp_path / "r").glob("*.png")) and not (tmp_path / "r" / "training.gif").exists()
    assert workers == []


def test_the_plotting_worker_has_ended_when_run_returns(tmp_path, workers):
    run(_short("primer-torch", 200, 50), tmp_path / "r", argv=[], callbacks=[])
    assert len(workers) == 1 and workers[0].process is not None
    assert workers[0].process.returncode == 0


def test_the_plotting_worker_is_stopped_when_training_stops(tmp_path, workers):
    stop = StopRequest()
    stop.set()
    with pytest.raises(Interrupted):
        run(_short("elman-sine", 5, 1), tmp_path / "r", argv=[], callbacks=[], stop=stop)
    assert len(workers) == 1 and workers[0].process is not None
    assert workers[0].process.returncode is not None


@pytest.mark.parametrize("failure", [DrawingFailed("ValueError: no good"), RuntimeError("no\n  good")])
def test_a_plot_failure_is_reported_once_the_run_is_complete(tmp_path, monkeypatch, failure):
    def fail(self, run_dir):
        raise failure

    monkeypatch.setattr(BackgroundRenderer, "render", fail)
    out = tmp_path / "r"
    with pytest.raises(PlotError) as caught:
        run(_short("elman-sine", 20, 5), out, argv=[], callbacks=[])
    message = str(caught.value)
    assert "\n" not in message and "the run is complete" in message and message.endswith("Error: no good")
    assert {"summary.json", "metrics.csv", "params.npz", "predictions.npz"} <= {p.name for p in out.iterdir()}
    assert not (out / checkpoint.NAME).exists() and not list(out.glob("*.png"))


def test_a_failed_write_leaves_no_partial_file_and_no_summary(tmp_path, monkeypatch):
    def broken_savez(fh, **arrays):
        fh.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    out = tmp_path / "r"
    with pytest.raises(OSError):
        run(_short("elman-sine", 5, 1), out, argv=[], callbacks=[], plots=False)
    names = {p.name for p in out.iterdir()}
    assert "params.npz" not in names and "summary.json" not in names
    # the temporary file is removed; the metrics rows stay for `rnnlab resume`
    assert [n for n in names if n.startswith(".")] == [".metrics.csv.rows"]
    assert (out / "metrics.csv").read_text().startswith("epoch,step,loss")  # complete files stay


def test_refuses_to_overwrite_an_earlier_run(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "metrics.csv").write_text("precious")
    with pytest.raises(UserError, match="not empty"):
        run(_short("elman-sine", 2, 1), out, argv=[], callbacks=[])
    assert (out / "metrics.csv").read_text() == "precious"


def test_metrics_csv_is_plain_csv(tmp_path):
    run(_short("sine-recurrent", 20, 10), tmp_path / "r", argv=[], callbacks=[], plots=False)
    with open(tmp_path / "r" / "metrics.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["epoch", "step", "loss", "test_loss"] and [r[0] for r in rows[1:]] == ["0", "10", "19"]
    assert all(float(v) > 0 for v in rows[1][2:])
