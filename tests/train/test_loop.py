"""The one training loop and its parts: log points by arithmetic, the loss of every epoch
in bounded memory, mini-batches, early stopping, a member axis, chunks by the clock."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from rnnlab.config import LogConfig, override
from rnnlab.errors import Diverged
from rnnlab.recipes import resolve
from rnnlab.runs import history as history_module
from rnnlab.runs.history import LossHistory
from rnnlab.runs.records import TrainState
from rnnlab.train import loop
from rnnlab.train.batches import MiniBatches
from rnnlab.train.callbacks import Callback, EarlyStopping
from rnnlab.train.ensemble import make_members, train_ensemble
from rnnlab.train.guard import DivergenceGuard
from rnnlab.train.loop import train
from rnnlab.train.runner import run
from rnnlab.train.schedule import LogSchedule


def _listed(total: int, every: int, at: str, first: bool, last: bool) -> list[int]:
    """The log points as the original programs choose them, by brute force."""
    regular = [e for e in range(total) if (e % every == 0 if at == "start" else (e + 1) % every == 0)]
    return sorted(set(regular) | ({0} if first and total else set()) | ({total - 1} if last and total else set()))


@pytest.mark.parametrize("total,every", [(1, 1), (7, 3), (100, 10), (95, 10), (20000, 100), (13, 20)])
@pytest.mark.parametrize("at,first", [("start", False), ("end", True), ("end", False)])
@pytest.mark.parametrize("last", [True, False])
def test_log_points_by_arithmetic_equal_the_listed_ones(total, every, at, first, last):
    schedule = LogSchedule(total, every, at, first, last)
    want = _listed(total, every, at, first, last)
    assert [e for e in range(total) if e in schedule] == want
    walked, e = [], 0
    while (nxt := schedule.next(e)) is not None:
        walked.append(nxt)
        e = nxt + 1
    assert walked == want


def test_a_billion_epochs_schedule_costs_nothing():
    started = time.perf_counter()
    schedule = LogSchedule.of(LogConfig(every=100), 10**12)
    assert schedule.next(10**11 + 1) == 10**11 + 100 and 10**12 - 1 in schedule
    assert time.perf_counter() - started < 1  # a walk over the epochs would take hours: any bound tells


def test_history_keeps_every_epoch_up_to_capacity_then_thins_keeping_extremes(monkeypatch):
    monkeypatch.setattr(history_module, "CAPACITY", 1000)
    h = LossHistory()
    losses = np.exp(-np.arange(5000) / 1000.0)
    losses[3217] = 50.0  # a spike
    losses[4444] = 1e-9  # a dip
    for start in range(0, 5000, 37):  # chunks of any size give the same result
        h.add(start, losses[start:start + 37])
    assert len(h.epoch) <= 1000 and np.all(np.diff(h.epoch) > 0)
    assert 3217 in h.epoch and 4444 in h.epoch and h.epoch[-1] == 4999 or h.loss.min() == 1e-9
    np.testing.assert_array_equal(h.loss, losses[h.epoch])  # every point kept is a real epoch's loss
    assert h.loss.max() == 50.0 and h.loss.min() == 1e-9
    small = LossHistory()
    small.add(0, losses[:999])
    np.testing.assert_array_equal(small.epoch, np.arange(999))


def test_final_loss_is_the_last_epoch_trained(tmp_path):
    cfg = override(resolve("primer-torch"), ["train.epochs=137"])
    summary = run(cfg, tmp_path / "r", argv=[], callbacks=[], plots=False)
    with np.load(tmp_path / "r" / "history.npz") as npz:
        assert npz["epoch"].tolist() == list(range(137))
        last = float(npz["loss"][-1])
    assert summary["final_epoch"] == 136 and summary["final_loss"] == last
    rows = (tmp_path / "r" / "metrics.csv").read_text().splitlines()
    assert rows[-1].split(",")[:3] == ["136", "136", repr(last)]
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["final_loss"] == last


class Scripted:
    """M members whose losses are given per epoch; records the data it is given."""

    def __init__(self, losses: np.ndarray) -> None:
        self.losses, self.count, self.done, self.data = losses, losses.shape[0], 0, []

    def train(self, epochs: int) -> np.ndarray:
        out = self.losses[:, self.done:self.done + epochs].copy()
        self.done += epochs
        return out

    def set_data(self, xs, ys) -> None:
        self.data.append([x.copy() for x in xs])

    def get_params(self) -> list[dict[str, np.ndarray]]:
        return [{"w": np.array([float(self.done)])} for _ in range(self.count)]

    def predict(self, xs):
        return [np.zeros(1) for _ in xs]

    def broken_params(self):
        return [None] * self.count


def test_one_member_diverging_leaves_the_others_training():
    losses = np.ones((3, 10))
    losses[1, 4:] = np.nan
    state = train(Scripted(losses), TrainState(), LogSchedule(10, 5), guard=DivergenceGuard(1e6, "h"))
    assert state.epoch == 10 and state.diverged == {1: (4, "loss is nan")}


def test_every_member_diverging_is_diverged():
    losses = np.ones((2, 10))
    losses[0, 3:] = np.inf
    losses[1, 6:] = np.nan
    with pytest.raises(Diverged) as caught:
        train(Scripted(losses), TrainState(), LogSchedule(10, 5), guard=DivergenceGuard(1e6, "lower it"))
    assert caught.value.epoch == 3 and "every one of the 2 members diverged" in str(caught.value)


def test_an_ensemble_whose_members_all_diverge_raises():
    cfg = override(resolve("elman-sine"), ["optim.lr=50", "train.epochs=30"])
    with pytest.raises(Diverged):
        train_ensemble(cfg, make_members(cfg, 3, None), [])


def test_mini_batches_cover_every_example_once_per_epoch_in_the_seed_s_order():
    x, y = np.arange(10.0).reshape(10, 1, 1), np.arange(10.0).reshape(10, 1)
    model = Scripted(np.ones((1, 100)))
    batches = MiniBatches([x], [y], 4, [7])
    state = TrainState()
    losses = batches.train(model, 2, state)
    assert losses.shape == (1, 2) and len(model.data) == 6  # 3 batches (4, 4, 2) per epoch
    first_epoch = np.concatenate([d[0].ravel() for d in model.data[:3]])
    assert sorted(first_epoch.tolist()) == list(range(10))
    assert first_epoch.tolist() == np.random.default_rng(7).permutation(10).tolist()
    again = Scripted(np.ones((1, 100)))
    batches.train(again, 1, state)  # continues the generator: epoch 3's order, not epoch 1's
    rng = np.random.default_rng(7)
    rng.permutation(10), rng.permutation(10)
    assert np.concatenate([d[0].ravel() for d in again.data]).tolist() == rng.permutation(10).tolist()


def test_early_stopping_keeps_the_best_and_stops_after_patience():
    scores = iter([5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 1.0])  # the start, then one per log point
    stopping = EarlyStopping(lambda members: [next(scores)], patience=3)
    state = train(Scripted(np.ones((1, 50))), TrainState(), LogSchedule(50, 1), callbacks=[stopping])
    assert state.stopped == {0: 5} and state.epoch == 5  # epochs 3, 4, 5 did not improve on epoch 2
    assert stopping.best_epoch == [2] and stopping.best_score == [3.0]
    assert stopping.best[0]["w"].tolist() == [2.0]
    assert [h[0] for h in stopping.history[0]] == [0, 1, 2, 3, 4, 5]


def test_chunks_follow_the_clock(monkeypatch):
    class Slow(Scripted):
        def train(self, epochs: int) -> np.ndarray:
            time.sleep(0.002 * epochs)
            return super().train(epochs)

    chunks = []

    class Record(Callback):
        def on_progress(self, state, losses):
            chunks.append(losses.shape[1])

    monkeypatch.setattr(loop, "CHUNK_SECONDS", 0.02)
    monkeypatch.setattr(loop, "TICKS", 1)
    train(Slow(np.ones((1, 400))), TrainState(), LogSchedule(400, 1000, last=False), callbacks=[Record()])
    assert sum(chunks) == 400 and chunks[0] == 1
    assert max(chunks) <= 20 and np.median(chunks) >= 5  # about 10 epochs of 2 ms each per 20 ms chunk
