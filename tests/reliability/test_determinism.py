"""The same recipe, seed, engine, dtype, library versions and thread count give the same
bytes in separate processes, and summary.json records all of these."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from reliability_support import assert_same_results, call, long_run_args

from rnnlab.runs.folder import write_npz


def test_two_processes_give_identical_files(tmp_path, engine, reference):
    done = call(*long_run_args(engine), "--out", str(tmp_path / "again"))
    assert done.returncode == 0, done.stderr
    assert_same_results(reference.out, tmp_path / "again")
    first = json.loads((reference.out / "summary.json").read_text())
    second = json.loads((tmp_path / "again" / "summary.json").read_text())
    for key in ("recipe", "seed", "engine", "dtype", "versions", "threads"):
        assert key in first and first[key] == second[key], key
    assert (first["seed"], first["engine"], first["dtype"]) == (5, engine, "float32")
    assert {"python", "numpy", "rnnlab"} <= set(first["versions"]) and first["threads"]["cpus"] >= 1
    if engine == "torch":
        assert "torch" in first["versions"] and "threads" in first["engine_info"]


def test_npz_bytes_do_not_depend_on_the_time_of_writing(tmp_path, monkeypatch):
    arrays = {"W": np.arange(6.0).reshape(2, 3), "kind": np.array("windows")}
    write_npz(tmp_path / "a.npz", arrays)
    later = time.time() + 86400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda *a: time.gmtime(later))
    write_npz(tmp_path / "b.npz", arrays)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with np.load(tmp_path / "a.npz", allow_pickle=False) as npz:
        assert npz["kind"].item() == "windows"


def test_npz_refuses_arrays_that_would_need_pickle(tmp_path):
    with pytest.raises(ValueError, match="pickle"):
        write_npz(tmp_path / "x.npz", {"bad": np.array([{"a": 1}], dtype=object)})
    assert not list(tmp_path.iterdir())
