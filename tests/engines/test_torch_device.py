"""The torch engine's device choice, thread rule and refusals."""

import sys
from dataclasses import replace

import pytest

torch = pytest.importorskip("torch")

from grid import small_config  # noqa: E402

from rnnlab.engines import create_engine  # noqa: E402
from rnnlab.engines.torch.device import ONE_THREAD_BELOW, choose_threads, num_threads, resolve_device  # noqa: E402
from rnnlab.errors import UserError  # noqa: E402
from rnnlab.spec import ModelSpec  # noqa: E402
from rnnlab.train.experiment import model_spec, training_spec  # noqa: E402


def _spec(hidden: int) -> ModelSpec:
    return ModelSpec("elman", "tanh", 6, hidden, 8, False, False, "last")


def test_auto_picks_cuda_then_mps_then_cpu():
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert resolve_device("auto", "float32").type == expected
    # MPS has no float64
    assert resolve_device("auto", "float64").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu", "float64").type == "cpu"


def test_a_missing_device_is_a_user_error():
    if not torch.cuda.is_available():
        with pytest.raises(UserError, match="run.device=cuda: .* sees no CUDA GPU"):
            resolve_device("cuda", "float32")
    with pytest.raises(UserError, match="run.device=mps"):
        resolve_device("mps", "float64")
    with pytest.raises(UserError, match="unknown device 'tpu'"):
        resolve_device("tpu", "float32")


def test_thread_rule():
    assert choose_threads(3, _spec(32), batch=128) == (3, "set by run.threads")
    n, why = choose_threads(0, _spec(32), batch=128)  # primer-torch: 188,416 multiply-adds per step
    assert n == 1 and why.startswith("auto: 188,416")
    big = choose_threads(0, _spec(512), batch=4096)
    assert 4096 * 512 * (6 + 512 + 8) >= ONE_THREAD_BELOW and big[0] == torch.get_num_threads()


def test_num_threads_is_scoped():
    before = torch.get_num_threads()
    with num_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_engine_records_its_threads_and_leaves_the_process_setting():
    cfg = small_config("tanh", "window", "huber", "mean")
    spec, training = model_spec(cfg), training_spec(cfg)
    before = torch.get_num_threads()
    engine = create_engine("torch", spec, training, "float32", device="cpu", threads=0)
    assert engine.info() == {"torch_version": torch.__version__, "threads": 1,
                             "threads_rule": engine.threads_reason}
    assert create_engine("torch", spec, training, "float32", threads=2).info()["threads"] == 2
    assert torch.get_num_threads() == before


def test_the_primers_approximate_gradient_stays_numpy_only():
    cfg = small_config("tanh", "positional", "soft_l1", "sum")
    training = training_spec(cfg)
    with pytest.raises(UserError, match="numpy engine only"):
        create_engine("torch", model_spec(cfg), replace(training, gradient="primer_approx"), "float64")


def test_registry_names_the_pip_extra_when_torch_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    for name in [m for m in sys.modules if m.startswith("rnnlab.engines.torch")]:
        monkeypatch.delitem(sys.modules, name)
    cfg = small_config("tanh", "window", "huber", "mean")
    with pytest.raises(UserError, match=r'the torch engine needs torch: pip install "rnnlab\[torch\]"'):
        create_engine("torch", model_spec(cfg), training_spec(cfg), "float64")
