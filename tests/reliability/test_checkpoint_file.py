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
from rnnlab.runs import records
from rnnlab.runs.records import Frames, TrainState


def _example(epoch: int = 40) -> checkpoint.Checkpoint:
    frames = Frames()
    for e in range(0, epoch, 10):
        frames.add(e, np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3) * e)
    state = TrainState(epoch, [0.333], 1.25, {"data_order": {"seed": 7, "shuffled": True},
                                              "batches": {"bit_generator": "PCG64", "state": 2**100}},
                       diverged={3: (17, "loss is nan")}, stopped={1: 30}, frames=frames,
                       last_logged={0: 0.031, 2: float("nan")}, rows=(1234, 987654321))
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
    for field in ("epoch", "initial_losses", "train_seconds", "random", "diverged", "stopped", "rows"):
        assert getattr(b, field) == getattr(s, field), field
    assert b.last_logged[0] == 0.031 and np.isnan(b.last_logged[2])
    assert (b.frames.epochs, b.frames.stride, b.frames.seen) == (s.frames.epochs, s.frames.stride, s.frames.seen)
    assert all(x.tobytes() == y.tobytes() for x, y in zip(s.frames.predictions, b.frames.predictions))


def test_frames_with_a_latest_one_off_the_stride_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "FRAMES", 4)
    ckpt = _example(90)  # 9 log points: 0, 40 and 80 kept at stride 4
    ckpt.state.frames.add(90, np.zeros((2, 3), np.float32))  # the 10th: off the stride, kept as the latest
    checkpoint.save(tmp_path / "c.npz", ckpt)
    back = checkpoint.load(tmp_path / "c.npz").state.frames
    assert back.all()[0] == ckpt.state.frames.all()[0] and back.latest is not None and back.latest[0] == 90


def test_no_records_yet(tmp_path):
    ckpt = checkpoint.Checkpoint("f", {"W": np.zeros(2)}, {}, TrainState(), 10)
    checkpoint.save(tmp_path / "c.npz", ckpt)
    back = checkpoint.load(tmp_path / "c.npz")
    assert back.state.frames.all() == ([], []) and back.state.initial_losses == [] and back.optimizer == {}


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


def test_inconsistent_frames_are_refused(tmp_path):
    path = tmp_path / "c.npz"
    checkpoint.save(path, _example())
    arrays = read_npz(path)
    arrays["frames/epoch"] = arrays["frames/epoch"][:-1]
    write_npz(path, arrays)
    with pytest.raises(UserError, match="not a readable checkpoint"):
        checkpoint.load(path)
