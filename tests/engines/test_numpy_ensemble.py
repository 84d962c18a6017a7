"""The batched NumPy ensemble against single NumpyEngine runs: member i of one batched pass
equals the engine trained alone with seed S+i (and its learning rate) -- losses, final
parameters and predictions -- for every cell, schedule, loss, optimizer and clip; a member
whose arithmetic fails turns NaN while the others carry on exactly."""

from dataclasses import replace

import numpy as np
import pytest
from engine_grid import config

from rnnlab.config import Config
from rnnlab.engines import create_engine
from rnnlab.engines.base import NumericalError
from rnnlab.engines.ensemble import LoopEnsemble, create_ensemble
from rnnlab.engines.numpy import NumpyEnsemble
from rnnlab.engines.numpy import ensemble as numpy_ensemble
from rnnlab.train.experiment import initial_params, prepare

CHUNKS = (7, 13)  # two train() calls: state and optimizers must carry across calls


def variants(cfg: Config, seeds: int = 3, lrs: tuple[float, ...] = ()) -> list[Config]:
    """`cfg` with seeds S..S+seeds-1, each with every learning rate of `lrs` (values outer)."""
    rates = lrs or (cfg.optim.lr,)
    return [replace(cfg, run=replace(cfg.run, seed=cfg.run.seed + s), optim=replace(cfg.optim, lr=lr))
            for lr in rates for s in range(seeds)]


def batched_and_single(cfgs: list[Config]):
    """Train the members batched and each alone; yields (batched, single) results per member:
    dicts of losses (epochs,), params, and predictions on the evaluation inputs."""
    exps = [prepare(c) for c in cfgs]
    params = [initial_params(c, e.spec) for c, e in zip(cfgs, exps)]
    dtype = cfgs[0].run.dtype
    ens = create_ensemble("numpy", [(e.spec, e.training) for e in exps], dtype)
    assert isinstance(ens, NumpyEnsemble)
    ens.set_params(params)
    ens.set_data([e.x for e in exps], [e.y for e in exps])
    losses = np.concatenate([ens.train(k) for k in CHUNKS], axis=1)
    batched = [{"losses": losses[i], "params": p, "pred": y}
               for i, (p, y) in enumerate(zip(ens.get_params(), ens.predict([e.eval_x for e in exps])))]
    singles = []
    for exp, p in zip(exps, params):
        engine = create_engine("numpy", exp.spec, exp.training, dtype)
        engine.set_params(p)
        engine.set_data(exp.x, exp.y)
        try:
            single_losses = np.concatenate([engine.train(k) for k in CHUNKS])
        except NumericalError:
            singles.append(None)
            continue
        singles.append({"losses": single_losses, "params": engine.get_params(), "pred": engine.predict(exp.eval_x)})
    return ens, batched, singles


def assert_close(got: np.ndarray, expected: np.ndarray, rtol: float) -> None:
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * float(np.abs(expected).max()))


def assert_members_equal_singles(cfgs: list[Config], rtol: float = 1e-12) -> None:
    _, batched, singles = batched_and_single(cfgs)
    for got, expected in zip(batched, singles, strict=True):
        assert expected is not None
        assert np.isfinite(got["losses"]).all()
        assert_close(got["losses"], expected["losses"], rtol)
        assert_close(got["pred"], expected["pred"], rtol)
        assert got["params"].keys() == expected["params"].keys()
        for name, value in expected["params"].items():
            assert_close(got["params"][name], value, rtol)


@pytest.mark.parametrize("mode,cell,loss,reduction", [
    ("online1", "tanh", "sse_half", "sum"),  # the Elman tutorial's
    ("online3", "sigmoid-bias", "mse", "mean"),  # truncation: 2 chunks of 3 steps
    ("stepwise", "tanh-bias", "huber", "mean"),
    ("positional", "sigmoid", "soft_l1", "sum"),  # the primer's NumPy program's
    ("window", "tanh", "elastic_net", "mean"),  # the primer's PyTorch program's
])
def test_each_input_mode_and_schedule(mode, cell, loss, reduction):
    assert_members_equal_singles(variants(config(cell, mode, loss, reduction, epochs=20)))


@pytest.mark.parametrize("mode,model", [("online3", dict(cell="lstm")), ("stepwise", dict(cell="gru")),
                                        ("online3", dict(cell="gru", layers=2)), ("stepwise", dict(layers=2))],
                         ids=["lstm", "gru", "gru-2-layers", "elman-2-layers"])
def test_gated_cells_and_stacks(mode, model):
    cfg = config("tanh-bias", mode, "mse", "mean", epochs=20, **model)
    assert_members_equal_singles(variants(replace(cfg, init=replace(cfg.init, scheme="torch_default"))))


@pytest.mark.parametrize("optim", [dict(name="momentum", lr=0.02), dict(name="adam", lr=0.01), dict(clip=0.05),
                                   dict(clip=0.6)],  # first gradient norms 0.65, 0.60, 0.55: some members clip
                         ids=["momentum", "adam", "clip-all", "clip-some"])
def test_optimizers_and_per_member_clipping(optim):
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=20)
    assert_members_equal_singles(variants(replace(cfg, optim=replace(cfg.optim, **optim))))


def test_a_reported_loss_other_than_the_objective():
    cfg = config("tanh-bias", "online3", "mse", "mean", epochs=20)
    assert_members_equal_singles(variants(replace(cfg, loss=replace(cfg.loss, report="l1"))))


@pytest.mark.parametrize("mode", ["online1", "window"])
def test_float32_to_float32_rounding(mode):
    cfg = config("tanh-bias", mode, "huber", "mean", epochs=20)
    assert_members_equal_singles(variants(replace(cfg, run=replace(cfg.run, dtype="float32"))), rtol=1e-5)


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_a_sweep_over_the_learning_rate(name):
    cfg = config("tanh-bias", "online3", "mse", "mean", epochs=20)
    cfg = replace(cfg, optim=replace(cfg.optim, name=name))
    assert_members_equal_singles(variants(cfg, seeds=2, lrs=(0.005, 0.02, 0.05)))


def test_members_in_several_blocks_match(monkeypatch):
    cfg = config("tanh-bias", "window", "mse", "mean", epochs=20)  # 14 windows x 1 step x 5 units
    monkeypatch.setattr(numpy_ensemble, "BLOCK_BYTES", 2 * 14 * 5 * 8)  # 2 float64 members a block
    cfgs = variants(cfg, seeds=5)
    ens, _, _ = batched_and_single(cfgs)
    assert [(b.start, b.stop) for b, _ in ens.blocks] == [(0, 2), (2, 4), (4, 5)]
    assert_members_equal_singles(cfgs)


def test_a_diverging_member_turns_nan_and_the_others_carry_on():
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=20)
    cfgs = variants(cfg, seeds=1, lrs=(0.05, 1e9, 0.02))
    ens, batched, singles = batched_and_single(cfgs)
    assert singles[1] is None  # alone, member 1 raises NumericalError
    bad = batched[1]
    first = int(np.argmax(np.isnan(bad["losses"])))
    assert 0 < first and np.isfinite(bad["losses"][:first]).all() and np.isnan(bad["losses"][first:]).all()
    assert all(np.isnan(v).all() for v in bad["params"].values()) and np.isnan(bad["pred"]).all()
    for i in (0, 2):
        assert_close(batched[i]["losses"], singles[i]["losses"], 1e-12)
        assert_close(batched[i]["pred"], singles[i]["pred"], 1e-12)
    more = ens.train(3)  # a failed member trains no more; the others do
    assert np.isnan(more[1]).all() and np.isfinite(more[[0, 2]]).all()
    assert list(ens.failed) == [False, True, False]


def test_the_primer_approximation_trains_member_by_member():
    cfg = config("tanh", "window", "sse_half", "sum", epochs=2)
    cfg = replace(cfg, train=replace(cfg.train, gradient="primer_approx"))
    exps = [prepare(c) for c in variants(cfg)]
    assert isinstance(create_ensemble("numpy", [(e.spec, e.training) for e in exps], "float64"), LoopEnsemble)
