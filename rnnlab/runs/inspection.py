"""inspection.npz: what the network did inside during training, one record per log point,
measured on one test window (rnnlab.train.inspection computes it; rnnlab.report draws it).

Keys (read with ``allow_pickle=False``); K log points, layers Y, window steps L, hidden H,
G = H times the cell's gate count (1 Elman, 4 LSTM, 3 GRU):

  cell             0-d str   "elman", "lstm" or "gru"
  eigen_block      0-d str   which square matrix the eigenvalues are of ("W_hh", or the
                             candidate block of a gated cell's W_hh, e.g. "W_hh (g block)")
  epochs           (K,) int  the log points
  hidden           (K, Y, L, H) float32   each layer's hidden state at each step of the window
  grad_norm        (K, Y, L) float        |dLoss/dh_t|: the loss gradient reaching h_t in
                                          backpropagation through time (exact BPTT)
  eig_real, eig_imag  (K, Y, H) float     eigenvalues of that block, by decreasing modulus
  spectral_radius  (K, Y) float           their largest modulus (NaN once parameters are not finite)
  W_hh             (Y, H, G) float        each layer's W_hh at the last log point

The file may be replaced while a run trains (atomically), so a reader sees all of one
version or another.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.runs.folder import read_npz, write_npz

NAME = "inspection.npz"
KEYS = ("cell", "eigen_block", "epochs", "hidden", "grad_norm", "eig_real", "eig_imag", "spectral_radius", "W_hh")


@dataclass(frozen=True)
class Inspection:
    """The validated contents of inspection.npz (module docstring: keys and shapes)."""

    cell: str
    eigen_block: str
    epochs: np.ndarray
    hidden: np.ndarray
    grad_norm: np.ndarray
    eigenvalues: np.ndarray  # (K, Y, H) complex
    spectral_radius: np.ndarray
    w_hh: np.ndarray

    @property
    def layers(self) -> int:
        return self.hidden.shape[1]


def write_inspection(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Check `arrays` against the contract (ValueError if broken), then write them atomically."""
    _check(arrays, path)
    write_npz(path, {key: arrays[key] for key in KEYS})


def read_inspection(path: Path) -> Inspection:
    """Read and check inspection.npz; ValueError names what is wrong."""
    return from_arrays(read_npz(path), path)


def from_arrays(arrays: dict[str, np.ndarray], path: Path | str = "inspection arrays") -> Inspection:
    """The Inspection of arrays in the file's layout (as rnnlab.train.inspection's Inspector gives them)."""
    _check(arrays, Path(path))
    eig = arrays["eig_real"].astype(np.float64) + 1j * arrays["eig_imag"].astype(np.float64)
    return Inspection(str(arrays["cell"]), str(arrays["eigen_block"]), arrays["epochs"].astype(np.int64),
                      arrays["hidden"], arrays["grad_norm"].astype(np.float64), eig,
                      arrays["spectral_radius"].astype(np.float64), arrays["W_hh"].astype(np.float64))


def _check(arrays: dict[str, np.ndarray], path: Path) -> None:
    missing = [key for key in KEYS if key not in arrays]
    if missing:
        raise ValueError(f"{path}: missing key(s) {missing}")
    a = {key: np.asarray(arrays[key]) for key in KEYS}
    dims = {"cell": 0, "eigen_block": 0, "epochs": 1, "hidden": 4, "grad_norm": 3, "eig_real": 3, "eig_imag": 3,
            "spectral_radius": 2, "W_hh": 3}
    for key, ndim in dims.items():
        if a[key].ndim != ndim:
            raise ValueError(f"{path}: {key!r} has shape {a[key].shape}, expected {ndim} dimension(s)")
    k, y, steps, h = a["hidden"].shape
    expected = {"epochs": (k,), "grad_norm": (k, y, steps), "eig_real": (k, y, h), "eig_imag": (k, y, h),
                "spectral_radius": (k, y)}
    for key, shape in expected.items():
        if a[key].shape != shape:
            raise ValueError(f"{path}: {key!r} has shape {a[key].shape}, expected {shape} (from hidden {a['hidden'].shape})")
    if a["W_hh"].shape[:2] != (y, h):
        raise ValueError(f"{path}: 'W_hh' has shape {a['W_hh'].shape}, expected ({y}, {h}, G)")
