"""Run folders shared by the report's tests: made once per session (each is a real short run)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rnnlab.cli import main


def run(recipe: str, out: Path, *args: str) -> Path:
    assert main(["run", recipe, "--quiet", "--out", str(out), *args]) == 0
    return out


@pytest.fixture(scope="session")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report-runs")
    out = {
        "windows": run("sine-recurrent", root / "sine", "--epochs", "400", "--no-plots"),
        "next_step": run("elman-sine", root / "elman", "--epochs", "30", "--no-plots"),
        "sweep": run("primer-torch", root / "sweep", "--epochs", "200", "--sweep", "optim.lr=0.2,0.1,0.05",
                     "--ensemble", "2", "--no-plots"),
    }
    for name in ("windows", "next_step"):
        assert (out[name] / "inspection.npz").is_file()  # every run records it
    fc = root / "forecast"
    assert main(["forecast", "nile", "--horizon", "5", "--epochs", "30", "--ensemble", "1", "--normalise", "standard",
                 "--log-transform", "off", "--backtest", "6", "--quiet", "--no-plots", "--out", str(fc)]) == 0
    out["forecast"] = fc
    plain = root / "sine-plain"  # the same run without inspection.npz: its panels are left out
    shutil.copytree(out["windows"], plain)
    (plain / "inspection.npz").unlink()
    out["plain"] = plain
    return out
