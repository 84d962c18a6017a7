"""What the network does inside, measured on one test window at log points: the hidden
state trajectory, the gradient reaching each step's state in backpropagation through
time, and the recurrent matrix with its eigenvalues.

Engine-independent: it takes parameters in the shared layout (rnnlab.core.init), so any
engine's `get_params()` serves, and computes with the hand-written NumPy arithmetic of
rnnlab.engines.bptt in float64, the exact BPTT gradient whatever the run trains with.
`Inspector` collects one record per log point; rnnlab.runs.inspection writes what it
collects (``arrays()``) as inspection.npz, whose keys that module documents.

The recurrent matrix whose eigenvalues are taken: W_hh itself for Elman cells; for
gated cells the square block that plays W_hh's role, the candidate's (LSTM's g, GRU's n),
since W_hh (H, G) is not square. For them the spectral radius does not bound the gradient
as it does for Elman cells (the LSTM's cell state and the GRU's z interpolation carry
gradient around that block): the gradient-norm record shows what actually arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rnnlab.core.init import GATES, layer_suffix
from rnnlab.core.losses import Loss
from rnnlab.engines.bptt.cells import make_cell
from rnnlab.engines.bptt.products import broadcast_bias, matmul_last
from rnnlab.engines.bptt.stack import Stack
from rnnlab.runs.records import TrainState
from rnnlab.spec import ModelSpec
from rnnlab.train.callbacks import Callback
from rnnlab.train.members import Members

Params = dict[str, np.ndarray]

MAX_RECORDS = 64  # inspection records per run, about (RecordInspection)
# Above this many hidden units the spectrum is not computed (NaN): an H^3 eigenvalue problem
# takes seconds at H = 1000 (30 s at H = 1500 on a busy machine), during which neither
# training nor Ctrl-C can go on.
MAX_SPECTRUM_HIDDEN = 512
# where the square block analysed sits among a gated cell's column blocks (rnnlab.core.init)
CANDIDATE_BLOCK = {"elman": 0, "lstm": 2, "gru": 2}


@dataclass(frozen=True)
class Window:
    """One encoded example: x (1, L, D) and its target, (1, O) for readout 'last' or
    (1, L, O) for 'every' (shapes of rnnlab.spec.encode_inputs / encode_targets)."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Snapshot:
    """One log point. Shapes per layer k: hidden (layers, L, H), grad_norm (layers, L),
    eigenvalues (layers, H) complex, spectral_radius (layers,), w_hh (layers, H, G)."""

    hidden: np.ndarray
    grad_norm: np.ndarray
    eigenvalues: np.ndarray
    spectral_radius: np.ndarray
    w_hh: np.ndarray


def recurrent_block(spec: ModelSpec, w_hh: np.ndarray) -> np.ndarray:
    """The square (H, H) block of a layer's W_hh whose eigenvalues are reported (module docstring)."""
    h, k = spec.hidden, CANDIDATE_BLOCK[spec.cell]
    return w_hh[:, k * h:(k + 1) * h]


def inspect(spec: ModelSpec, params: Params, window: Window, loss: Loss) -> Snapshot:
    """Hidden states, gradient norms and recurrent spectrum of `params` on `window`.

    The gradient is that of `loss` on the window's outputs, summed over the steps for
    readout 'every' (the objective the engines train), backpropagated exactly.
    """
    p = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    x, y = np.asarray(window.x, np.float64), np.asarray(window.y, np.float64)
    stack = Stack(make_cell(spec.cell, spec.activation, spec.bias), spec.layers)
    with np.errstate(all="ignore"):  # a diverging run's parameters are recorded, not raised on
        top, _, caches = stack.forward(p, x, None)
        every = spec.readout == "every"
        pred = _readout(spec, p, top if every else top[:, -1, :])
        g = loss.grad(pred, y)
        dhs = np.zeros_like(top)
        if every:
            if loss.reduction == "mean":  # each step is its own mean, as the engines train it
                g = g * top.shape[1]
            dhs[...] = matmul_last(g, p["W_hy"].T)
        else:
            dhs[:, -1, :] = g @ p["W_hy"].T
        reaching = stack.state_grads(p, caches, dhs)
        hidden = [caches[k + 1][0][0] for k in range(spec.layers - 1)] + [top[0]]
        w_hh = np.stack([p[f"W_hh{layer_suffix(k)}"] for k in range(spec.layers)])
        eig = np.stack([_sorted_eigenvalues(recurrent_block(spec, w)) for w in w_hh])
    return Snapshot(np.stack(hidden), np.stack([np.linalg.norm(r[0], axis=-1) for r in reaching]), eig,
                    np.abs(eig).max(axis=-1), w_hh)


def _readout(spec: ModelSpec, p: Params, h: np.ndarray) -> np.ndarray:
    y = matmul_last(h, p["W_hy"])
    return y + broadcast_bias(p["b_y"], y) if spec.readout_bias else y


def _sorted_eigenvalues(m: np.ndarray) -> np.ndarray:
    """Eigenvalues by decreasing modulus (then angle), so records line up across epochs;
    NaN where the matrix is not finite or too big to solve at every record."""
    if m.shape[0] > MAX_SPECTRUM_HIDDEN or not np.all(np.isfinite(m)):
        return np.full(m.shape[0], np.nan, dtype=np.complex128)
    values = np.linalg.eigvals(m).astype(np.complex128)
    return values[np.lexsort((np.angle(values), -np.abs(values)))]


class Inspector:
    """Records `inspect` at each log point; `arrays()` is what inspection.npz holds.

    Cost per record: one forward and backward pass of a single window and one H x H
    eigenvalue problem (rnnlab.report's docs measure it against a whole run).
    """

    def __init__(self, spec: ModelSpec, window: Window, loss: Loss | None = None) -> None:
        if window.x.ndim != 3 or window.x.shape[0] != 1:
            raise ValueError(f"an inspection window is one encoded example (1, L, D), got {window.x.shape}")
        self.spec, self.window = spec, window
        self.loss = loss if loss is not None else Loss("mse")
        self.epochs: list[int] = []
        self.snapshots: list[Snapshot] = []

    def resume(self, arrays: dict[str, np.ndarray], epoch: int) -> None:
        """Continue the records of `arrays` (an earlier `arrays()`, e.g. inspection.npz read
        back) from a checkpoint at `epoch`: the records of later epochs are dropped, since
        the resumed run logs them again."""
        keep = [k for k, e in enumerate(arrays["epochs"]) if e < epoch]
        eig = np.asarray(arrays["eig_real"]) + 1j * np.asarray(arrays["eig_imag"])
        w_hh = np.asarray(arrays["W_hh"], dtype=np.float64)  # only the last record's is kept
        self.epochs = [int(arrays["epochs"][k]) for k in keep]
        self.snapshots = [Snapshot(np.asarray(arrays["hidden"][k], np.float64), np.asarray(arrays["grad_norm"][k]),
                                   eig[k], np.asarray(arrays["spectral_radius"][k]), w_hh) for k in keep]

    def record(self, epoch: int, params: Params) -> None:
        if self.snapshots:  # only the latest record's W_hh is kept (arrays): memory stays one matrix
            self.snapshots[-1] = replace(self.snapshots[-1], w_hh=self.snapshots[-1].w_hh[:0])
        self.epochs.append(int(epoch))
        self.snapshots.append(inspect(self.spec, params, self.window, self.loss))

    def arrays(self) -> dict[str, np.ndarray]:
        """The inspection.npz arrays (rnnlab.runs.inspection documents the keys)."""
        s = self.snapshots
        spec = self.spec
        layers, steps, h = spec.layers, self.window.x.shape[1], spec.hidden
        eig = np.stack([x.eigenvalues for x in s]) if s else np.zeros((0, layers, h), np.complex128)
        return {
            "cell": np.array(spec.cell),
            "eigen_block": np.array(_block_name(spec.cell)),
            "epochs": np.array(self.epochs, dtype=np.int64),
            "hidden": (np.stack([x.hidden for x in s]) if s else np.zeros((0, layers, steps, h))).astype(np.float32),
            "grad_norm": np.stack([x.grad_norm for x in s]) if s else np.zeros((0, layers, steps)),
            "eig_real": eig.real.copy(), "eig_imag": eig.imag.copy(),
            "spectral_radius": np.stack([x.spectral_radius for x in s]) if s else np.zeros((0, layers)),
            "W_hh": s[-1].w_hh if s else np.zeros((layers, h, GATES[spec.cell] * h)),
        }


def _block_name(cell: str) -> str:
    return {"elman": "W_hh", "lstm": "W_hh (g block)", "gru": "W_hh (n block)"}[cell]


def first_window(eval_x: np.ndarray, eval_y: np.ndarray) -> Window:
    """The first example of encoded evaluation data (an Experiment's eval_x, eval_y): the
    first test window, or a next-step recipe's whole sequence."""
    return Window(np.asarray(eval_x)[:1], np.asarray(eval_y)[:1])


class RecordInspection(Callback):
    """The Inspector at the log points of member 0 (a single run's inspection.npz), at most
    about MAX_RECORDS of them: the first log point in each of MAX_RECORDS equal stretches of
    the run, and the last epoch. A record costs an eigenvalue problem (0.35 ms at H = 32),
    which at all 200 log points of primer-torch would slow it by 5-7%; every 3rd costs 2%.
    The choice depends on the epochs alone, so a resumed run records the same ones."""

    def __init__(self, inspector: Inspector, epochs: int) -> None:
        self.inspector, self.epochs = inspector, epochs
        self.stretch = max(1, -(-epochs // MAX_RECORDS))

    def on_log(self, state: TrainState, members: Members, epoch: int, losses: np.ndarray) -> None:
        recorded = self.inspector.epochs
        if epoch == self.epochs - 1 or not recorded or epoch // self.stretch > recorded[-1] // self.stretch:
            self.inspector.record(epoch, members.get_params()[0])
