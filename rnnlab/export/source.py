"""The model a run folder holds, ready to export: its spec, parameters and test inputs.

Plain runs and imported models hold one model; an ensemble holds one per member (each
parameter with a leading member axis, rnnlab.train.ensemble_files), of which one is
exported. Forecast folders are refused: their models read inputs scaled outside the
network, so the network alone would not reproduce the forecasts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.config import Config, load
from rnnlab.engines.base import check_params
from rnnlab.errors import UserError
from rnnlab.runs.folder import load_params
from rnnlab.runs.status import run_status
from rnnlab.spec import ModelSpec
from rnnlab.train.experiment import prepare

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class ExportModel:
    """One model in rnnlab's parameter layout (rnnlab.core.init), float64.

    test_x (N, L, D): the encoded inputs the run is evaluated on (its test windows, or
    the training sequence for next-step recipes)."""

    spec: ModelSpec
    params: Params
    test_x: np.ndarray
    label: str  # where it came from, for messages and file metadata
    member: int | None = None  # the ensemble member, when it came from an ensemble


def load_model(run_dir: Path, member: int = 0) -> ExportModel:
    """The model in the finished run folder `run_dir` (member `member` of an ensemble)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: no such run folder")
    if run_status(run_dir).state != "complete" or not (run_dir / "params.npz").is_file():
        raise UserError(f"{run_dir}: not a finished run (no summary.json and params.npz); "
                        "give a folder written by `rnnlab run` or `rnnlab import`")
    kind = _summary(run_dir).get("kind", "run")
    if kind == "forecast":
        raise UserError(f"{run_dir}: a forecast folder; its models read inputs scaled outside the network, so the "
                        "network alone would not reproduce its forecasts; export a run of `rnnlab run` instead")
    cfg = load(run_dir / "config.toml")
    params = load_params(run_dir / "params.npz")
    label, which = str(run_dir), None
    if kind == "ensemble":
        cfg, params = _member(run_dir, cfg, params, member)
        label, which = f"{run_dir} member {member}", member
    elif member != 0:
        raise UserError(f"member {member}: {run_dir} holds one model, not an ensemble; leave out the member")
    exp = prepare(cfg)
    try:
        check_params(exp.spec, params)
    except ValueError as err:
        raise UserError(f"{run_dir}/params.npz does not fit its config.toml ({err}); the folder is damaged") from err
    return ExportModel(exp.spec, {k: v.astype(np.float64) for k, v in params.items()}, exp.eval_x.astype(np.float64),
                       label, which)


def describe(spec: ModelSpec) -> str:
    """One line naming the model, e.g. 'lstm, 2 layers, 1 -> 16 -> 8, biases, readout last'."""
    cell = spec.cell if spec.cell != "elman" else f"elman {spec.activation}"
    biases = {(True, True): "biases", (False, False): "no biases", (True, False): "cell bias only",
              (False, True): "readout bias only"}[(spec.bias, spec.readout_bias)]
    return (f"{cell}, {spec.layers} layer{'s' if spec.layers > 1 else ''}, {spec.input_size} -> {spec.hidden} -> "
            f"{spec.output_size}, {biases}, readout {spec.readout}")


def _summary(run_dir: Path) -> dict:
    try:
        summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UserError(f"{run_dir}/summary.json: cannot read it ({err}); the folder is damaged") from err
    if not isinstance(summary, dict):
        raise UserError(f"{run_dir}/summary.json: not a JSON object; the folder is damaged")
    return summary


def _member(run_dir: Path, cfg: Config, params: Params, member: int) -> tuple[Config, Params]:
    """Member `member`'s config (its seed and swept value) and parameters."""
    from rnnlab.train.ensemble import make_members

    info = _summary(run_dir).get("ensemble") or {}
    count, sweep = int(info.get("members", 0)), info.get("sweep")
    if not 0 <= member < count:
        raise UserError(f"member {member}: {run_dir} has members 0 to {count - 1}")
    values = sweep["values"] if sweep else [None]
    members = make_members(cfg, count // len(values), (sweep["key"], values) if sweep else None)
    names = {name.partition("@")[0] for name in params}
    own = {}
    for name in names:
        own[name] = params[f"{name}@{member}"] if f"{name}@{member}" in params else params[name][member]
    return members[member].config, own
