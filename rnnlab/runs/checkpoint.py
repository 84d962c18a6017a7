"""The checkpoint: one file per run folder, replaced atomically, that continues a run
exactly where it stopped.

``checkpoint.npz`` (read with ``allow_pickle=False``) holds ``params/<name>``,
``optimizer/<key>``, the GIF frames kept so far (``frames/epoch`` and ``frames/predictions``
stacked, rnnlab.runs.records.Frames), ``history/epoch`` and ``history/loss``
(rnnlab.runs.history), and ``meta``: a JSON string with the format version, the
fingerprint of the run's config.toml (so a checkpoint from another run is refused), the
epoch counter, each member's initial loss, the random states, which members diverged or
stopped early, the length and CRC-32 of the metrics rows written (rnnlab.runs.metrics_log),
the frames' bookkeeping, and the options the run was started with. Everything it keeps
is bounded: its size does not grow with the run's length.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.errors import UserError
from rnnlab.runs.folder import CHECKPOINT, NPZ_ERRORS, read_npz, write_npz
from rnnlab.runs.history import LossHistory
from rnnlab.runs.records import Frames, TrainState

FORMAT = 3  # 3: metrics rows on disk (their length and CRC here), GIF frames thinned; 2: every record kept
NAME = CHECKPOINT
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
    st, frames = ckpt.state, ckpt.state.frames
    epochs, predictions = frames.all()
    meta = {"format": FORMAT, "fingerprint": ckpt.fingerprint, "epoch": st.epoch, "epochs": ckpt.epochs,
            "initial_losses": st.initial_losses, "train_seconds": st.train_seconds, "random": st.random,
            "diverged": {str(k): list(v) for k, v in st.diverged.items()},
            "stopped": {str(k): v for k, v in st.stopped.items()}, "history_width": st.history.width,
            "last_logged": {str(k): v for k, v in st.last_logged.items()}, "rows": list(st.rows),
            "frames": {"stride": frames.stride, "seen": frames.seen, "latest": frames.latest is not None},
            "options": ckpt.options}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    arrays.update({f"params/{k}": v for k, v in ckpt.params.items()})
    arrays.update({f"optimizer/{k}": np.asarray(v) for k, v in ckpt.optimizer.items()})
    arrays["frames/epoch"] = np.array(epochs, dtype=np.int64)
    arrays["frames/predictions"] = np.stack(predictions) if predictions else np.zeros(0)
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
        size, crc = (int(v) for v in meta["rows"])
        state = TrainState(
            epoch=int(meta["epoch"]), initial_losses=[float(v) for v in meta["initial_losses"]],
            train_seconds=float(meta["train_seconds"]), random=dict(meta["random"]),
            diverged={int(k): (int(v[0]), str(v[1])) for k, v in meta["diverged"].items()},
            stopped={int(k): int(v) for k, v in meta["stopped"].items()},
            history=LossHistory(arrays["history/epoch"], arrays["history/loss"], int(meta["history_width"])),
            frames=_frames(arrays, meta["frames"]), last_logged={int(k): float(v) for k, v in meta["last_logged"].items()},
            rows=(size, crc))
        return Checkpoint(str(meta["fingerprint"]), _section(arrays, "params/"), _section(arrays, "optimizer/"),
                          state, int(meta["epochs"]), dict(meta["options"]))
    except UserError:
        raise
    except (*NPZ_ERRORS, KeyError, TypeError) as err:
        raise UserError(f"{path}: not a readable checkpoint ({type(err).__name__}: {err}); the file is "
                        "damaged or truncated: remove it and `rnnlab resume` restarts the run from epoch 0") from err


def _section(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


def _frames(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Frames:
    epochs, predictions = arrays["frames/epoch"].tolist(), arrays["frames/predictions"]
    if len(predictions) != len(epochs) and not (predictions.size == 0 and not epochs):
        raise ValueError(f"{len(epochs)} frame epochs but {len(predictions)} frames")
    frames = Frames(epochs, list(predictions), int(meta["stride"]), int(meta["seen"]))
    if meta["latest"]:
        if not epochs:
            raise ValueError("the latest frame is missing")
        frames.latest = (frames.epochs.pop(), frames.predictions.pop())
    return frames
