"""The checkpoint file on its own: everything round-trips exactly, a failed write leaves
the previous one intact, and a file of another format is refused."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from rnnlab.errors import UserError
from rnnlab.runs import checkpoint
from rnnlab.runs.folder import read_npz, write_npz
from rnnlab.runs.records import LogRecord, TrainState


def _example(epoch: int = 40) -> checkpoint.Checkpoint:
    records = [LogRecord(e, 20 * e, 1.0 / (e + 3), None if e % 20 else 0.5 / (e + 1),
                         np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3) * e) for e in range(0, epoch, 10)]
    state = TrainState(epoch, records, [0.333], 1.25, {"data_order": {"seed": 7, "shuffled": True},
                                                       "batches": {"bit_generator": "PCG64", "state": 2**100}},
                       diverged={3: (17, "loss is nan")}, stopped={1: 30})
    params = {"W_xh": np.ones((1, 4), np.float32), "b_y": np.full(2, np.pi, np.float32)}
    optimizer = {"step": np.array(12), "m/W_xh": np.full((1, 4), 1e-3, np.float32)}
    return checkpoint.Checkpoint("abc123", params, optimizer, state, 100, {"checkpoint_every": 10})


def test_round_trip_is_exact(tmp_path):
    ckpt = _example()
    checkpoint.save(tmp_path / "c.npz", ckpt)
    back = checkpoint.load(tmp_path / "c.npz")
    assert (back.fingerprint, back.epochs, back.options) == ("abc123", 100, {"checkpoint_every": 10})
    for name in ckpt.params:
        assert back.params[name].dtype == ckpt.params[name].dtype
        assert back.params[name].tobytes() == ckpt.params[name].tobytes()
    assert set(back.optimizer) == {"step", "m/W_xh"} and int(back.optimizer["step"]) == 12
    s, b = ckpt.state, back.state
    for field in ("epoch", "initial_losses", "train_seconds", "random", "diverged", "stopped"):
        assert getattr(b, field) == getattr(s, field), field
    assert [(r.epoch, r.step, r.loss, r.test_loss, r.member) for r in b.records] == \
        [(r.epoch, r.step, r.loss, r.test_loss, r.member) for r in s.records]
    assert all(x.predictions.tobytes() == y.predictions.tobytes() for x, y in zip(s.records, b.records))


def test_no_records_yet(tmp_path):
    ckpt = checkpoint.Checkpoint("f", {"W": np.zeros(2)}, {}, TrainState(), 10)
    checkpoint.save(tmp_path / "c.npz", ckpt)
    back = checkpoint.load(tmp_path / "c.npz")
    assert back.state.records == [] and back.state.initial_losses == [] and back.optimizer == {}


def test_a_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "c.npz"
    checkpoint.save(path, _example(20))
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(UserError, match="No space left on device"):
        checkpoint.save(path, _example(40))
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["c.npz"]


def test_another_format_is_refused(tmp_path):
    path = tmp_path / "c.npz"
    checkpoint.save(path, _example())
    arrays = read_npz(path)
    meta = json.loads(str(arrays["meta"]))
    meta["format"] = checkpoint.FORMAT + 1
    arrays["meta"] = np.array(json.dumps(meta))
    write_npz(path, arrays)
    with pytest.raises(UserError, match="format"):
        checkpoint.load(path)


def test_inconsistent_records_are_refused(tmp_path):
    path = tmp_path / "c.npz"
    checkpoint.save(path, _example())
    arrays = read_npz(path)
    arrays["records/loss"] = arrays["records/loss"][:-1]
    write_npz(path, arrays)
    with pytest.raises(UserError, match="not a readable checkpoint"):
        checkpoint.load(path)


def test_records_of_several_members_without_predictions(tmp_path):
    records = [LogRecord(e, e, 1.0 / (e + 1), None, None, member) for e in range(3) for member in range(2)]
    ckpt = checkpoint.Checkpoint("m", {"W": np.zeros(2)}, {}, TrainState(3, records, [1.0, 2.0]), 10)
    checkpoint.save(tmp_path / "c.npz", ckpt)
    back = checkpoint.load(tmp_path / "c.npz").state.records
    assert [(r.epoch, r.member, r.predictions) for r in back] == [(r.epoch, r.member, None) for r in records]
