"""NaN, infinity or an exploding loss stops training with one line naming the epoch and
the likely cause, exit code 3, and the last good checkpoint kept."""

from __future__ import annotations

import numpy as np
import pytest
from reliability_support import call, error_lines

from rnnlab.config import override
from rnnlab.engines.base import NumericalError
from rnnlab.errors import Diverged
from rnnlab.recipes import resolve
from rnnlab.runs import checkpoint
from rnnlab.runs.folder import WORKING
from rnnlab.train.experiment import build_engine, initial_losses, initial_params, prepare
from rnnlab.train.guard import DivergenceGuard
from rnnlab.runs.records import TrainState
from rnnlab.train.loop import Checkpoints, train
from rnnlab.train.members import OneEngine
from rnnlab.train.schedule import LogSchedule


def test_a_huge_learning_rate_exits_3_with_one_line(tmp_path, engine):
    out = tmp_path / "r"
    done = call("run", "elman-sine", "--engine", engine, "--set", "optim.lr=50", "--no-plots", "--quiet",
                "--out", str(out))
    assert done.returncode == 3, done.stderr
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("rnnlab: diverged at epoch ") and "try a smaller optim.lr, now 50" in lines[0]
    assert not (out / "summary.json").exists() and not (out / "params.npz").exists()


def test_the_checkpoint_kept_is_the_last_good_one(tmp_path):
    out = tmp_path / "r"
    done = call("run", "sine-recurrent", "--set", "optim.lr=30", "--epochs", "500", "--checkpoint-every", "1",
                "--no-plots", "--quiet", "--out", str(out))
    assert done.returncode == 3, done.stderr
    epoch = int(done.stderr.split("diverged at epoch ")[1].split(":")[0])
    kept = checkpoint.load(out / checkpoint.NAME)
    assert kept.state.epoch < epoch and f"checkpoint (epoch {kept.state.epoch}) is kept" in done.stderr
    assert all(np.isfinite(v).all() for v in kept.params.values())
    assert all(e < epoch for e in kept.state.frames.all()[0]) and np.isfinite(kept.state.last_logged[0])
    rows = (out / WORKING).read_bytes()[:kept.state.rows[0]].decode().splitlines()[1:]
    assert rows and all(int(r.split(",")[0]) < epoch and np.isfinite(float(r.split(",")[2])) for r in rows)


def test_the_loss_bound_is_configurable(tmp_path):
    done = call("run", "elman-sine", "--set", "train.max_loss_factor=1e-9", "--no-plots", "--quiet",
                "--out", str(tmp_path / "r"))
    assert done.returncode == 3 and "diverged at epoch 0" in done.stderr
    assert "times the initial loss" in done.stderr and "train.max_loss_factor" in done.stderr
    done = call("run", "elman-sine", "--set", "train.max_loss_factor=0", "--epochs", "20", "--no-plots",
                "--quiet", "--out", str(tmp_path / "off"))
    assert done.returncode == 0, done.stderr


def test_numpy_floating_point_errors_raise_even_when_numpy_is_told_to_ignore_them():
    exp = prepare(override(resolve("sine-recurrent"), ["train.epochs=5"]))
    params = {k: v * 1e30 for k, v in initial_params(exp.config, exp.spec).items()}
    engine = build_engine(exp, params, "numpy")
    old = np.seterr(all="ignore")
    try:
        with pytest.raises(NumericalError) as caught:
            engine.train(3)
    finally:
        np.seterr(**old)
    assert caught.value.epochs_done == 0 and "overflow" in str(caught.value)


class ScriptedEngine:
    """Returns the losses it is given, one per epoch; its one parameter turns NaN on cue."""

    def __init__(self, losses: list[float], nan_params_at: int | None = None) -> None:
        self.losses, self.nan_at, self.epoch = losses, nan_params_at, 0

    def train(self, epochs: int) -> np.ndarray:
        out = np.array(self.losses[self.epoch:self.epoch + epochs], dtype=np.float64)
        self.epoch += epochs
        return out

    def get_params(self) -> dict[str, np.ndarray]:
        broken = self.nan_at is not None and self.epoch > self.nan_at
        return {"w": np.array([np.nan if broken else 1.0])}

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.zeros(1)


def _train_scripted(engine: ScriptedEngine, epochs: int, factor: float = 1e6) -> tuple[list[int], Diverged]:
    written: list[int] = []
    checkpoints = Checkpoints(lambda state: state.epoch, written.append, every=1)
    with pytest.raises(Diverged) as caught:
        train(OneEngine(engine), TrainState(), LogSchedule(epochs, 1, last=False), checkpoints=checkpoints,
              guard=DivergenceGuard(factor, "try a smaller optim.lr, now 9"))
    return written, caught.value


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e9])
def test_trainer_stops_at_the_first_bad_loss_and_writes_no_bad_checkpoint(bad):
    losses = [1.0, 0.9, 0.8, bad, 0.5, 0.4]
    written, err = _train_scripted(ScriptedEngine(losses), 6)
    assert err.epoch == 3 and err.checkpoint_epoch == 2 and written == [1, 2]
    assert "diverged at epoch 3" in str(err) and "try a smaller optim.lr, now 9" in str(err)
    if np.isnan(bad):
        assert "loss is nan" in str(err)


def test_trainer_checks_the_parameters_once_per_chunk():
    written, err = _train_scripted(ScriptedEngine([1.0] * 6, nan_params_at=3), 6)
    assert err.epoch == 3 and "parameter w holds nan" in str(err) and written == [1, 2]


def test_guard_bound_is_off_at_zero():
    guard = DivergenceGuard(0, "")
    assert guard.loss_problem(0, np.array([1.0, 1e300]), 1.0) is None
    assert guard.loss_problem(0, np.array([1.0, np.nan]), 1.0) == (1, "loss is nan")
    assert DivergenceGuard(10, "").loss_problem(5, np.array([2.0, 11.0]), 1.0)[0] == 6


def test_a_saturated_run_far_over_its_initial_loss_exits_3(tmp_path):
    """primer-torch at lr 1e6: tanh saturates and the loss sits some 60,000 times over its
    start for good, finite all along (it exited 0 with a bound of 1e6)."""
    done = call("run", "primer-torch", "--set", "optim.lr=1e6", "--epochs", "300", "--no-plots", "--quiet",
                "--out", str(tmp_path / "r"))
    assert done.returncode == 3, done.stderr
    assert "over 1000 times the initial loss" in done.stderr and "try a smaller optim.lr" in done.stderr


def test_an_exploded_first_online_epoch_is_caught_against_the_loss_before_training(tmp_path):
    """An online epoch updates while it sums its loss: the first one is no reference."""
    done = call("run", "elman-sine", "--set", "optim.name=adam", "--set", "optim.lr=1e6", "--no-plots", "--quiet",
                "--out", str(tmp_path / "r"))
    assert done.returncode == 3, done.stderr
    assert "diverged at epoch 0" in done.stderr and "times the initial loss" in done.stderr


def test_the_reference_is_the_loss_at_the_initial_parameters():
    """The guard's reference equals what a full-batch first epoch reports (measured before
    its update), and for an online recipe the sequence's loss before any update."""
    for name in ("primer-torch", "sine-recurrent", "elman-sine"):
        exp = prepare(override(resolve(name), ["train.epochs=1"]))
        engine = build_engine(exp, initial_params(exp.config, exp.spec), "numpy")
        (reference,) = initial_losses([exp])(OneEngine(engine))
        if exp.training.schedule == "full_batch":
            assert reference == pytest.approx(float(engine.train(1)[0]), rel=1e-6)
        else:  # the summed squared error of the predictions from the first parameters
            pred = engine.predict(exp.x).astype(np.float64)
            assert reference == pytest.approx(0.5 * float(((pred - exp.y) ** 2).sum()), rel=1e-6)


def test_an_ensemble_whose_members_all_diverge_exits_3(tmp_path):
    done = call("run", "elman-sine", "--ensemble", "3", "--set", "optim.lr=50", "--no-plots", "--quiet",
                "--out", str(tmp_path / "r"))
    assert done.returncode == 3, done.stderr
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and "every one of the 3 members diverged" in lines[0], done.stderr
