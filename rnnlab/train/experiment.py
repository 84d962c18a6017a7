"""From a validated Config to everything a run needs: data, specs, first parameters, engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from rnnlab.config import Config
from rnnlab.core import init
from rnnlab.core.losses import Loss
from rnnlab.core.optim import state_shapes
from rnnlab.data import Dataset, build_dataset
from rnnlab.engines import ENGINE_OPTIONS, Engine, create_engine
from rnnlab.engines.base import check_params
from rnnlab.errors import UserError
from rnnlab.spec import ModelSpec, TrainingSpec, encode_inputs, encode_targets
from rnnlab.train.memory import check_memory, needed_bytes

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class Experiment:
    """A recipe made concrete. `eval_x`/`eval_y` are what predictions are logged on: the
    test windows, or (next-step framing, no test part) the training sequence itself."""

    config: Config
    dataset: Dataset
    spec: ModelSpec
    training: TrainingSpec
    x: np.ndarray  # (N, L, D)
    y: np.ndarray  # (N, O) or (1, L, 1)
    eval_x: np.ndarray
    eval_y: np.ndarray

    @property
    def updates_per_epoch(self) -> int:
        if self.training.schedule == "full_batch":
            return 1
        return -(-self.x.shape[1] // self.training.truncate)

    @property
    def has_test(self) -> bool:
        return self.dataset.framing == "windows"


def model_spec(cfg: Config) -> ModelSpec:
    d = cfg.data
    if d.framing == "next_step":
        input_size, output_size, readout = 1, 1, "every"
    else:
        input_size = 1 if cfg.model.input == "stepwise" else d.window
        output_size, readout = d.horizon, "last"
    m = cfg.model
    return ModelSpec(m.cell, m.activation, input_size, m.hidden, output_size, m.bias, m.readout_bias, readout,
                     m.layers)


def training_spec(cfg: Config) -> TrainingSpec:
    lc = cfg.loss
    objective = Loss(lc.name, lc.reduction, lc.delta, lc.mix)
    report = objective if not lc.report else Loss(lc.report, lc.reduction, lc.delta, lc.mix)
    t, o = cfg.train, cfg.optim
    return TrainingSpec(objective, report, o.lr, t.schedule, t.truncate, t.gradient, o.name, o.momentum,
                        o.beta1, o.beta2, o.clip)


def prepare(cfg: Config) -> Experiment:
    data = build_dataset(cfg.data, cfg.run.seed, cfg.run.dtype)
    spec = model_spec(cfg)
    mode = cfg.model.input
    x, y = encode_inputs(data.train_x, mode), encode_targets(data.train_y)
    if data.framing == "windows":
        eval_x, eval_y = encode_inputs(data.test_x, mode), data.test_y
    else:
        eval_x, eval_y = x, y
    return Experiment(cfg, data, spec, training_spec(cfg), x, y, eval_x, eval_y)


def resolved_rng(cfg: Config) -> str:
    """Whose generator draws the first weights: 'engine' means the engine's own."""
    if cfg.init.rng != "engine":
        return cfg.init.rng
    return "torch" if cfg.run.engine == "torch" and cfg.init.scheme != "primer" else "numpy"


def initial_params(cfg: Config, spec: ModelSpec) -> Params:
    """The first parameters, float64 or the generator's dtype; engines cast them."""
    ic, seed = cfg.init, cfg.run.seed
    d, h, o = spec.input_size, spec.hidden, spec.output_size
    if resolved_rng(cfg) == "torch":
        from rnnlab.train.torch_init import torch_params

        return torch_params(ic.scheme, seed, spec, ic.std, ic.readout_std)
    if ic.scheme == "normal":
        return init.normal(seed, d, h, o, ic.std, ic.readout_std, spec.bias, spec.readout_bias)
    if ic.scheme == "torch_default":
        return init.torch_default_stacked(seed, spec.cell, d, h, o, spec.layers, spec.bias, spec.readout_bias)
    if spec.bias or spec.readout_bias:
        raise UserError('init.scheme="primer" has no rule for biases; set model.bias=false and model.readout_bias=false')
    return init.primer(seed, d, h, o)


def build_engine(exp: Experiment, params: Params, engine: str | None = None) -> Engine:
    """An engine loaded with `params` and the training data."""
    cfg = exp.config
    name = engine or cfg.run.engine
    eng = create_engine(name, exp.spec, exp.training, cfg.run.dtype, **engine_options(cfg, name))
    eng.set_params(params)
    eng.set_data(exp.x, exp.y)
    return eng


def engine_options(cfg: Config, name: str) -> dict[str, object]:
    """The run settings engine `name` takes (device and threads for torch; none for numpy)."""
    settings = {"device": cfg.run.device, "threads": cfg.run.threads}
    return {key: settings[key] for key in ENGINE_OPTIONS.get(name, ())}


MEMBER_OVERHEAD = 4_000  # bytes of Python objects per ensemble member set up (about 6 kB seen on elman-sine)


def check_fits(exp: Experiment, members: int = 1) -> None:
    """A one-line UserError when `members` models of `exp` cannot fit in memory, raised
    before their parameters are drawn (rnnlab.train.memory)."""
    needed = needed_bytes(exp.spec, exp.training, exp.x.shape, np.dtype(exp.config.run.dtype).itemsize, members)
    if members > 1:  # each member is set up with its own data and objects
        needed += members * (MEMBER_OVERHEAD + sum(a.nbytes for a in (exp.x, exp.y, exp.eval_x, exp.eval_y)))
    fewer = f"train fewer than {members} members at once, or " if members > 1 else ""
    check_memory(needed, f"{fewer}make model.hidden (now {exp.spec.hidden}) or model.layers smaller")


def check_state(exp: Experiment, params: Params, optimizer: dict[str, np.ndarray], epoch: int) -> None:
    """ValueError unless parameters and optimizer state (a checkpoint's) are exactly what
    this run holds after `epoch` epochs: every entry present and none extra, each of the
    model's shape and the run's dtype, finite, and Adam's step count right. A missing entry
    would otherwise start from zero and the resumed run would silently differ."""
    check_params(exp.spec, params)
    steps = epoch * exp.updates_per_epoch
    name = exp.training.optimizer
    want = state_shapes(name, exp.spec.param_shapes, steps)
    missing, extra = sorted(set(want) - set(optimizer)), sorted(set(optimizer) - set(want))
    if missing or extra:
        what = f"lacks {', '.join(missing)}" if missing else f"has {', '.join(extra)}, which it should not"
        raise ValueError(f"the optimizer state {what} (optim.name={name}, after {steps} updates)")
    dtype = np.dtype(exp.config.run.dtype)
    for label, value, shape in [*((f"parameter {k}", v, v.shape) for k, v in params.items()),
                                *((f"optimizer state {k}", v, want[k]) for k, v in optimizer.items())]:
        if label == "optimizer state step":
            if value.shape != () or value.dtype.kind not in "iu" or int(value) != steps:
                raise ValueError(f"the optimizer's step count is {value!r}, after {steps} updates")
        elif value.shape != shape or value.dtype != dtype:
            raise ValueError(f"{label} is {value.dtype} {value.shape}, the run needs {dtype} {shape}")
        elif not np.isfinite(value).all():
            raise ValueError(f"{label} holds NaN or infinity")


def reported_loss(exp: Experiment, pred: np.ndarray) -> float:
    """The loss an epoch reports, for outputs `pred` of fixed parameters on the training
    data: what the first epoch would report if it made no update (summed over the steps
    of a sequence, as an online epoch sums its chunks)."""
    report, y = exp.training.report, np.asarray(exp.y, np.float64)
    value = float(report.value(np.asarray(pred, np.float64).reshape(y.shape), y))
    return value * y.shape[-2] if exp.spec.readout == "every" and report.reduction == "mean" else value


def initial_losses(exps: Sequence[Experiment]) -> Callable[[Any], list[float]]:
    """The divergence guard's reference (rnnlab.train.guard): each member's loss at its
    current parameters on its own training data (member i: exps[i])."""
    def measure(members: Any) -> list[float]:
        return [reported_loss(e, p) for e, p in zip(exps, members.predict([e.x for e in exps]), strict=True)]

    return measure


def flatten_predictions(exp: Experiment, pred: np.ndarray) -> np.ndarray:
    """Engine output -> what is plotted: (M, O) test windows, or (L,) next values."""
    return pred.reshape(-1) if exp.dataset.framing == "next_step" else pred
