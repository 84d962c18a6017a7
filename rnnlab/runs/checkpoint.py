"""The checkpoint: one file per run folder, replaced atomically, that continues a run
exactly where it stopped.

``checkpoint.npz`` (read with ``allow_pickle=False``) holds ``params/<name>``,
``optimizer/<key>``, the log records so far (``records/epoch``, ``records/step``,
``records/loss``, ``records/test_loss`` with ``records/has_test_loss``, ``records/member``,
``records/predictions`` stacked, empty when the records keep none), ``history/epoch`` and
``history/loss`` (rnnlab.runs.history), and ``meta``: a JSON
string with the format version, the fingerprint of the run's config.toml (so a checkpoint from another run is refused),
the epoch counter, each member's first loss, the random states, which members diverged or
stopped early, and the options the run was started with.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.errors import UserError
from rnnlab.runs.folder import NPZ_ERRORS, read_npz, write_npz
from rnnlab.runs.history import LossHistory
from rnnlab.runs.records import LogRecord, TrainState

FORMAT = 2  # 2: records carry their member; per-member first losses, divergence, early stops; the loss history
NAME = "checkpoint.npz"
Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class Checkpoint:
    fingerprint: str  # of the run's config.toml text (config_fingerprint)
    params: Params
    optimizer: dict[str, np.ndarray]
    state: TrainState
    epochs: int  # the run's total, for listings
    options: dict[str, Any] = field(default_factory=dict)  # e.g. checkpoint_every, to resume alike


def config_fingerprint(config_text: str) -> str:
    """Identifies a resolved config: the hash of its TOML text."""
    return hashlib.sha256(config_text.encode("utf-8")).hexdigest()[:16]


def save(path: Path, ckpt: Checkpoint) -> None:
    """Write `ckpt` to `path` atomically: a reader sees the old checkpoint or the new one."""
    st = ckpt.state
    meta = {"format": FORMAT, "fingerprint": ckpt.fingerprint, "epoch": st.epoch, "epochs": ckpt.epochs,
            "initial_losses": st.initial_losses, "train_seconds": st.train_seconds, "random": st.random,
            "diverged": {str(k): list(v) for k, v in st.diverged.items()},
            "stopped": {str(k): v for k, v in st.stopped.items()}, "history_width": st.history.width,
            "options": ckpt.options}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    arrays.update({f"params/{k}": v for k, v in ckpt.params.items()})
    arrays.update({f"optimizer/{k}": np.asarray(v) for k, v in ckpt.optimizer.items()})
    arrays.update(_records_to_arrays(st.records))
    arrays.update({f"history/{k}": v for k, v in st.history.arrays().items()})
    write_npz(path, arrays)


def load(path: Path) -> Checkpoint:
    """Read a checkpoint; a damaged, truncated or foreign file is a one-line UserError."""
    try:
        arrays = read_npz(path)
        meta = json.loads(str(arrays.pop("meta")))
        if meta.get("format") != FORMAT:
            raise UserError(f"{path}: checkpoint format {meta.get('format')!r} is not the supported {FORMAT}; "
                            "it was written by another rnnlab version")
        state = TrainState(int(meta["epoch"]), _records_from_arrays(arrays),
                           [float(v) for v in meta["initial_losses"]], float(meta["train_seconds"]),
                           dict(meta["random"]),
                           {int(k): (int(v[0]), str(v[1])) for k, v in meta.get("diverged", {}).items()},
                           {int(k): int(v) for k, v in meta.get("stopped", {}).items()},
                           LossHistory(arrays["history/epoch"], arrays["history/loss"], int(meta["history_width"])))
        return Checkpoint(str(meta["fingerprint"]), _section(arrays, "params/"), _section(arrays, "optimizer/"),
                          state, int(meta["epochs"]), dict(meta.get("options", {})))
    except UserError:
        raise
    except (*NPZ_ERRORS, KeyError, TypeError) as err:
        raise UserError(f"{path}: not a readable checkpoint ({type(err).__name__}: {err}); the file is "
                        "damaged or truncated: remove it and `rnnlab resume` restarts the run from epoch 0") from err


def _section(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


def _records_to_arrays(records: list[LogRecord]) -> dict[str, np.ndarray]:
    test = [r.test_loss for r in records]
    kept = [r.predictions for r in records if r.predictions is not None]
    if kept and len(kept) != len(records):
        raise ValueError("either every log record keeps its predictions or none does")
    return {
        "records/epoch": np.array([r.epoch for r in records], dtype=np.int64),
        "records/member": np.array([r.member for r in records], dtype=np.int64),
        "records/step": np.array([r.step for r in records], dtype=np.int64),
        "records/loss": np.array([r.loss for r in records], dtype=np.float64),
        "records/test_loss": np.array([np.nan if t is None else t for t in test], dtype=np.float64),
        "records/has_test_loss": np.array([t is not None for t in test], dtype=bool),
        "records/predictions": np.stack(kept) if kept else np.zeros(0),
    }


def _records_from_arrays(arrays: dict[str, np.ndarray]) -> list[LogRecord]:
    epoch, step, loss = arrays["records/epoch"], arrays["records/step"], arrays["records/loss"]
    test, has_test = arrays["records/test_loss"], arrays["records/has_test_loss"]
    preds, member = arrays["records/predictions"], arrays["records/member"]
    n = len(epoch)
    if not (n == len(step) == len(loss) == len(test) == len(has_test) == len(member)) or (preds.size and len(preds) != n):
        raise ValueError("the log records have different lengths")
    return [LogRecord(int(epoch[i]), int(step[i]), float(loss[i]), float(test[i]) if has_test[i] else None,
                      preds[i] if preds.size else None, int(member[i])) for i in range(n)]
