"""The NumPy engine started from the original programs' own draws reproduces their printed
losses (different arithmetic than torch's, so to float32 rounding, not bit for bit)."""

from dataclasses import replace

import numpy as np
import pytest

from rnnlab.config import override
from rnnlab.recipes import resolve
from rnnlab.runs import folder as run_folder
from rnnlab.train.runner import run


def test_elman_sine_matches_the_pytorch_tutorial(tmp_path):
    pytest.importorskip("torch")
    from tests.oracles import elman_sine_torch

    expected = elman_sine_torch.run(seed=1)["printed"]
    run(override(resolve("elman-sine"), ["init.rng=torch"]), tmp_path / "r", argv=[], callbacks=[], plots=False)
    got = [(int(r["epoch"]), float(r["loss"])) for r in run_folder.read_metrics(tmp_path / "r" / "metrics.csv")]
    got = got[:-1]  # the last row is rnnlab's own: the last epoch trained
    assert [e for e, _ in got] == [e for e, _ in expected]
    np.testing.assert_allclose([v for _, v in got], [v for _, v in expected], rtol=2e-5)


def test_primer_torch_matches_the_primer_program(tmp_path):
    pytest.importorskip("torch")
    from tests.oracles import primer_torch

    expected = primer_torch.run(seed=1, n_epochs=1000)["printed"]
    cfg = override(resolve("primer-torch"), ["init.rng=torch", "train.epochs=1000"])
    run(cfg, tmp_path / "r", argv=[], callbacks=[], plots=False)
    got = [(int(r["epoch"]), float(r["loss"])) for r in run_folder.read_metrics(tmp_path / "r" / "metrics.csv")]
    got = got[:-1]  # the last row is rnnlab's own: the last epoch trained
    assert [e for e, _ in got] == [e for e, _ in expected]
    np.testing.assert_allclose([v for _, v in got], [v for _, v in expected], rtol=2e-5)


def test_primer_numpy_with_its_approximate_gradient_matches_the_primer(tmp_path):
    from tests.fidelity_runs import primer_numpy_oracle  # the run docs/reference-programs.md shows

    expected = primer_numpy_oracle(600)["printed"]
    cfg = resolve("primer-numpy")
    cfg = replace(cfg, train=replace(cfg.train, epochs=600, gradient="primer_approx"))
    run(cfg, tmp_path / "r", argv=[], callbacks=[], plots=False)
    got = [(int(r["epoch"]), float(r["loss"])) for r in run_folder.read_metrics(tmp_path / "r" / "metrics.csv")]
    assert [e for e, _ in got] == [e for e, *_ in expected]
    np.testing.assert_allclose([v for _, v in got], [v for _, v, _ in expected], rtol=1e-10)
