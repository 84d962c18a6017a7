"""Running recipes end to end: the loss falls, the run folder is complete and written atomically."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rnnlab.config import override, load
from rnnlab.errors import UserError
from rnnlab.experiment import run_folder
from rnnlab.experiment.runner import run
from rnnlab.recipes import resolve

FILES = {"config.toml", "metrics.csv", "params.npz", "predictions.npz", "summary.json",
         "loss.png", "predictions.png", "training.gif"}


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
    with Image.open(out / "training.gif") as gif:
        assert gif.n_frames == len(rows)


def test_metrics_follow_the_original_cadence(tmp_path):
    cfg = _short("primer-numpy", 300, 100)
    run(cfg, tmp_path / "a", argv=[], callbacks=[], plots=False)
    epochs = [int(r["epoch"]) for r in run_folder.read_metrics(tmp_path / "a" / "metrics.csv")]
    assert epochs == [0, 99, 199, 299]  # epoch 0, then (epoch + 1) % 100 == 0
    cfg = _short("elman-sine", 35, 10)
    run(cfg, tmp_path / "b", argv=[], callbacks=[], plots=False)
    rows = run_folder.read_metrics(tmp_path / "b" / "metrics.csv")
    assert [(int(r["epoch"]), int(r["step"])) for r in rows] == [(0, 0), (10, 200), (20, 400), (30, 600)]
    assert all(r["test_loss"] == "" for r in rows)  # no test part in the tutorial


def test_no_plots_skips_drawing(tmp_path):
    run(_short("elman-sine", 5, 1), tmp_path / "r", argv=[], callbacks=[], plots=False)
    assert not list((tmp_path / "r").glob("*.png")) and not (tmp_path / "r" / "training.gif").exists()


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
    assert not [n for n in names if n.startswith(".")]  # temporary file removed
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
    assert rows[0] == ["epoch", "step", "loss", "test_loss"] and len(rows) == 3
    assert all(float(v) > 0 for v in rows[1][2:])
