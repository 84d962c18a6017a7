"""The numba engine's fused kernel against the NumPy reference (same start, same data): its
steps agree to rounding and its runs stay within one step's rounding over 1,000 epochs, in
float64 and float32 (tolerances derived from the dtype and the work: rnnlab.checks.tolerance),
for every input mode, Elman activation, bias setting and loss it covers; and everything it
does not cover handed to the NumPy engine's own loop, bit for bit. test_contract.py runs
the shared contract."""

import sys
import time
from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("numba")

import engine_grid  # noqa: E402
from engine_grid import config  # noqa: E402
from grid import LOSSES  # noqa: E402

from rnnlab.config import Config  # noqa: E402
from rnnlab.engines.base import NumericalError  # noqa: E402
from rnnlab.engines.numba import kernel  # noqa: E402
from rnnlab.train.experiment import build_engine, initial_params, prepare  # noqa: E402

FUSED = "fused kernel (one compiled loop per call)"


def engines(cfg: Config):
    exp = prepare(cfg)
    params = initial_params(cfg, exp.spec)
    return exp, params, build_engine(exp, params, "numpy"), build_engine(exp, params, "numba")


def assert_agree(cfg: Config, points: int = 4) -> None:
    _, _, _, numba_engine = engines(cfg)
    assert numba_engine.info()["training_loop"] == FUSED
    engine_grid.assert_agree(cfg, "numba", points=points)


def with_dtype(cfg: Config, dtype: str) -> Config:
    return replace(cfg, run=replace(cfg.run, dtype=dtype))


@pytest.mark.parametrize("mode,cell,loss,reduction", [
    ("stepwise", "tanh-bias", "huber", "mean"),  # sine-recurrent's model
    ("window", "tanh", "huber", "mean"),  # the primer's PyTorch program's
    ("positional", "sigmoid", "soft_l1", "sum"),  # the primer's NumPy program's
    ("stepwise", "sigmoid-bias", "mse", "mean"),
])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_each_input_mode_and_cell_agrees_over_1000_epochs(mode, cell, loss, reduction, dtype):
    assert_agree(with_dtype(config(cell, mode, loss, reduction, epochs=1000), dtype))


@pytest.mark.parametrize("loss,reduction", LOSSES)
def test_every_loss_agrees(loss, reduction):
    assert_agree(config("tanh-bias", "stepwise", loss, reduction, epochs=30), points=2)


def test_a_reported_loss_other_than_the_objective_agrees():
    cfg = config("tanh-bias", "stepwise", "huber", "mean", epochs=50)
    assert_agree(replace(cfg, loss=replace(cfg.loss, report="l1")))


def test_chunks_equal_one_call_bit_for_bit():
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=10)
    _, _, _, one = engines(cfg)
    _, _, _, chunks = engines(cfg)
    np.testing.assert_array_equal(one.train(7), np.concatenate([chunks.train(3), chunks.train(4)]))
    for name, value in one.get_params().items():
        np.testing.assert_array_equal(value, chunks.get_params()[name])


@pytest.mark.parametrize("change,reason", [
    (lambda c: replace(c, model=replace(c.model, cell="lstm")), "cell 'lstm'"),
    (lambda c: replace(c, model=replace(c.model, layers=2)), "2 layers"),
    (lambda c: replace(c, optim=replace(c.optim, name="adam", lr=0.01)), "optimizer 'adam'"),
    (lambda c: replace(c, optim=replace(c.optim, clip=0.05)), "gradient clipping"),
    (lambda c: replace(c, train=replace(c.train, gradient="primer_approx")), "approximate gradient"),
], ids=["lstm", "layers", "adam", "clip", "primer-approx"])
def test_what_the_kernel_does_not_cover_is_the_numpy_engine_bit_for_bit(change, reason):
    cfg = change(config("tanh-bias", "stepwise", "mse", "mean", epochs=20))
    _, _, reference, engine = engines(cfg)
    assert reason in engine.info()["training_loop"]
    np.testing.assert_array_equal(engine.train(20), reference.train(20))
    for name, value in engine.get_params().items():
        np.testing.assert_array_equal(value, reference.get_params()[name])


def test_a_diverging_loss_raises_with_the_parameters_from_before_it():
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=200)
    cfg = replace(cfg, optim=replace(cfg.optim, lr=1e30))
    _, params, _, engine = engines(cfg)
    with pytest.raises(NumericalError) as caught:
        engine.train(200)
    done = caught.value.epochs_done
    assert 0 < done < 200
    kept = engine.get_params()
    again = build_engine(prepare(cfg), params, "numba")
    assert np.all(np.isfinite(again.train(done)))
    for name, value in again.get_params().items():
        np.testing.assert_array_equal(value, kept[name])


@kernel.numba.njit(**kernel.COMPILE_OPTIONS)
def _tanh_of(a):  # noqa: ANN001, ANN202
    out = np.empty_like(a)
    for i in range(a.size):
        out[i] = kernel.tanh(a[i])
    return out


def test_float32_tanh_is_within_6_ulp_and_keeps_nan():
    a = np.concatenate([np.linspace(-12, 12, 200_001), [0.0, -0.0, 1e-30, np.inf, -np.inf, np.nan]]).astype(np.float32)
    got = _tanh_of(a)
    exact = np.tanh(a.astype(np.float64))
    finite = np.isfinite(a)
    ulp = np.spacing(np.abs(exact[finite]).astype(np.float32)).astype(np.float64)
    error = np.abs(got[finite] - exact[finite])
    assert np.max(error / ulp) <= 6 and np.max(error) <= 4e-7
    assert np.max(np.abs(got[finite])) <= 1.0
    np.testing.assert_allclose(got[-3:-1], [1.0, -1.0], atol=4e-7)  # infinity: the clamp's value
    assert np.isnan(got[-1])
    a64 = a[finite].astype(np.float64)
    np.testing.assert_array_max_ulp(_tanh_of(a64), np.tanh(a64), maxulp=2)  # float64: libm's, NumPy's own within 2 ulp


@pytest.mark.parametrize("missing", ["numba", "scipy"])
def test_a_missing_dependency_names_the_pip_extra(monkeypatch, missing):
    from rnnlab.engines import create_engine
    from rnnlab.errors import UserError

    monkeypatch.setitem(sys.modules, missing, None)
    for name in [m for m in sys.modules if m.startswith("rnnlab.engines.numba.")]:
        monkeypatch.delitem(sys.modules, name)
    cfg = config("tanh", "window", "huber", "mean", epochs=1)
    exp = prepare(cfg)
    with pytest.raises(UserError, match=rf'the numba engine needs {missing}: pip install "rnnlab\[numba\]"'):
        create_engine("numba", exp.spec, exp.training, "float64")


def test_denormals_are_flushed_only_while_the_kernel_runs():
    tiny = np.float32(1e-38)
    assert tiny * np.float32(0.5) != 0  # a denormal, before
    _, _, _, engine = engines(config("tanh", "window", "huber", "mean", epochs=3))
    engine.train(3)
    assert tiny * np.float32(0.5) != 0  # and after: the kernel restored the float mode


@pytest.mark.parametrize("compile_seconds,notice", [(0.3, True), (0.0, False)])
def test_a_slow_compile_says_so_on_stderr(monkeypatch, capsys, compile_seconds, notice):
    from rnnlab.engines.numba import engine as numba_engine

    real = kernel.train_full_batch

    def compiling(*args):  # noqa: ANN002, ANN202
        if args[8] == 0:  # the engine's compile call: no epochs
            time.sleep(compile_seconds)
        return real(*args)

    cfg = config("tanh", "window", "huber", "mean", epochs=2)
    engines(cfg)[3].train(1)  # the kernel loaded in this process: the call itself is then instant
    monkeypatch.setattr(numba_engine, "NOTICE_AFTER_SECONDS", 0.1)
    monkeypatch.setattr(kernel, "train_full_batch", compiling)
    _, _, _, engine = engines(cfg)
    engine.train(2)
    said = "compiling the numba engine's kernel for float64" in capsys.readouterr().err
    assert said == notice
    assert engine.info()["compile_seconds"] >= compile_seconds
