"""Stop a run at a step boundary, resume it: the same bytes as an uninterrupted run, for
every engine, schedule and optimizer (whose state the checkpoint must carry)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from reliability_support import StopAfter, assert_same_results, interrupted_run

from rnnlab.config import Config, override
from rnnlab.errors import Interrupted
from rnnlab.recipes import resolve
from rnnlab.runs import checkpoint
from rnnlab.train.runner import resume, run
from rnnlab.train.stop import StopRequest


def _recipe(name: str, engine: str, *overrides: str) -> Config:
    epochs = {"elman-sine": 60, "sine-recurrent": 300}[name]
    return override(resolve(name), [f"run.engine={engine}", f"train.epochs={epochs}", "log.every=10", *overrides])


@pytest.mark.parametrize("recipe", ["elman-sine", "sine-recurrent"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_stopped_and_resumed_equals_uninterrupted(tmp_path, engine, recipe, optimizer):
    lr = "0.1" if optimizer != "adam" else "0.01"
    cfg = _recipe(recipe, engine, f"optim.name={optimizer}", f"optim.lr={lr}")
    run(cfg, tmp_path / "whole", argv=[], callbacks=[], plots=False)
    err = interrupted_run(cfg, tmp_path / "parts", 25, checkpoint_every=0)
    assert 25 <= err.epoch < cfg.train.epochs and err.run_dir == tmp_path / "parts"
    assert checkpoint.load(tmp_path / "parts" / checkpoint.NAME).state.epoch == err.epoch
    summary = resume(tmp_path / "parts", argv=[], callbacks=[], plots=False)
    assert summary["resumed_from_epoch"] == err.epoch
    assert_same_results(tmp_path / "whole", tmp_path / "parts")


def test_resume_twice_and_with_another_interval(tmp_path):
    cfg = _recipe("sine-recurrent", "numpy", "optim.name=momentum")
    run(cfg, tmp_path / "whole", argv=[], callbacks=[], plots=False)
    out = tmp_path / "parts"
    interrupted_run(cfg, out, 40, checkpoint_every=7)
    stop = StopRequest()
    with pytest.raises(Interrupted):
        resume(out, argv=[], callbacks=[StopAfter(150, stop)], plots=False, stop=stop, checkpoint_every=11)
    resume(out, argv=[], callbacks=[], plots=False)
    assert_same_results(tmp_path / "whole", out)


def test_resume_without_a_checkpoint_starts_over(tmp_path):
    """Killed before its first checkpoint: config.toml alone is enough to get the same run."""
    cfg = _recipe("elman-sine", "numpy")
    run(cfg, tmp_path / "whole", argv=[], callbacks=[], plots=False)
    out = tmp_path / "parts"
    interrupted_run(cfg, out, 20)
    (out / checkpoint.NAME).unlink()
    (out / ".params.npz.tmp-99999").write_bytes(b"PK half written")  # what a kill mid-write leaves
    assert resume(out, argv=[], callbacks=[], plots=False)["resumed_from_epoch"] == 0
    assert_same_results(tmp_path / "whole", out)
    assert not list(out.glob(".*"))


def test_resume_rebuilds_plots_for_the_whole_run(tmp_path):
    cfg = override(resolve("sine-recurrent"), ["train.epochs=600", "log.every=50"])
    out = tmp_path / "run"
    interrupted_run(cfg, out, 250)
    resume(out, argv=[], callbacks=[])
    with np.load(out / "predictions.npz", allow_pickle=False) as npz:
        assert npz["epochs"].tolist() == [*range(0, 600, 50), 599]  # the log points, and the last epoch
    with Image.open(out / "training.gif") as gif:
        assert gif.n_frames == 13  # every log point; the last epoch's predictions are the final ones
    assert (out / "loss.png").stat().st_size > 0 and (out / "summary.json").exists()


def test_a_stop_before_training_saves_epoch_0(tmp_path):
    stop = StopRequest()
    stop.set()
    with pytest.raises(Interrupted) as caught:
        run(_recipe("elman-sine", "numpy"), tmp_path / "r", argv=[], callbacks=[], stop=stop)
    assert caught.value.epoch == 0
    assert checkpoint.load(tmp_path / "r" / checkpoint.NAME).state.epoch == 0
    assert "rnnlab resume" in str(caught.value)
