"""A short run killed at every file-system call it makes (fault_driver.py: one kill per
call, as a SIGKILL just before it): no file under a final name is ever damaged, and each
killed run, continued as a user would (`resume`, or `run --out` on a folder left empty),
ends with the very bytes of the uninterrupted run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_support import RESULT_FILES, assert_same_results

DRIVER = Path(__file__).with_name("fault_driver.py")
DETERMINED = ("config.toml", "metrics.csv", "history.npz", "params.npz", "predictions.npz")  # the same bytes always


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "fork"), reason="needs fork and /proc")
def test_a_kill_at_any_file_system_call_damages_nothing_and_resume_is_byte_identical(tmp_path):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(DRIVER), str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=300, cwd=DRIVER.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["uninterrupted"] == 0
    assert report["calls"] >= 60  # opens, renames, fsyncs, removals of config, checkpoints, results
    reference = report["reference"]
    for attempt in report["attempts"]:
        k, left = attempt["kill_at"], attempt["left"]
        assert attempt["status"] == 137, f"kill at call {k}: the run was not killed there"
        for name, digest in left.items():
            assert not digest.startswith("unreadable"), f"kill at call {k}: {name} {digest}"
            if name in DETERMINED or "summary.json" in left and name == "inspection.npz":
                assert digest == reference[name], f"kill at call {k}: {name} differs from the uninterrupted run's"
        assert attempt["continued"] == 0, f"kill at call {k}: continuing failed"
        assert_same_results(tmp_path / "reference", tmp_path / f"kill-{k:03d}", RESULT_FILES)
    killed_states = {tuple(sorted(a["left"])) for a in report["attempts"]}
    assert any({"summary.json", "checkpoint.npz"} <= set(s) for s in killed_states)  # a kill at the very end
    assert () in killed_states and any("summary.json" in s for s in killed_states)  # from the first call to the last
