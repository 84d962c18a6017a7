"""From a window of past values to model inputs and targets, and back: fitted on the
training part only.

Modes (each optionally on log values):
  standard  z = (v - mean) / std, the mean and std of the training part. Fails on a
            trending series: test values leave the training range.
  last      every window relative to its own last value (RevIN-style): the model
            predicts changes, so a level it never saw is no problem.
  mean      relative to the window's own mean.
  revin     relative to the window's own mean, in units of its own spread (RevIN without
            the learned affine part): a cycle larger than any seen in training looks
            like the ones that were.
  seasonal  targets relative to the seasonal naive forecast (the last season again);
            inputs are the window relative to its last value and its seasonal differences.
The other relative modes divide by one scale: the spread of their training targets
(revin uses it as the floor of a window's spread, so a flat window divides by no 0).

Shapes: hist (N, C) the C = `context` values up to each origin, the last column the
origin; feats (N, W, F) extra columns over the window; targets/predictions (N, K).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODES = ("standard", "last", "mean", "revin", "seasonal")
_Z_LIMIT = 30.0  # predictions are clipped to this many scales: exp() must not overflow


@dataclass(frozen=True)
class Normaliser:
    mode: str
    log_values: bool  # the network sees log values
    window: int
    season: int
    center: float  # standard: training mean (other modes: 0)
    scale: float
    feat_center: np.ndarray  # (F,)
    feat_scale: np.ndarray  # (F,)

    @property
    def context(self) -> int:
        """Past values each origin needs: the window, plus a season for seasonal differences."""
        return self.window + (self.season if self.mode == "seasonal" else 0)

    @property
    def channels(self) -> int:
        return 2 if self.mode == "seasonal" else 1

    def _ref(self, hist: np.ndarray, k: int) -> np.ndarray:
        """What each mode measures against, per target step: (N, C) -> (N, k)."""
        n = hist.shape[0]
        if self.mode == "standard":
            return np.full((n, k), self.center)
        if self.mode == "last":
            return np.repeat(hist[:, -1:], k, axis=1)
        if self.mode in ("mean", "revin"):
            return np.repeat(hist[:, -self.window:].mean(axis=1, keepdims=True), k, axis=1)
        s = self.season
        return hist[:, hist.shape[1] - s + np.arange(k) % s]

    def inputs(self, hist: np.ndarray, feats: np.ndarray | None = None) -> np.ndarray:
        """Model inputs (N, W, channels + F) from raw past values."""
        v = self._forward(hist)
        w = self.window
        if self.mode == "seasonal":
            rel = v[:, -w:] - v[:, -1:]
            sdiff = v[:, -w:] - v[:, -w - self.season:-self.season]
            x = np.stack([rel, sdiff], axis=2) / self.scale
        else:
            x = ((v[:, -w:] - self._ref(v, w)) / self._scale(v))[:, :, None]
        if feats is not None and feats.shape[2]:
            x = np.concatenate([x, (feats - self.feat_center) / self.feat_scale], axis=2)
        return x

    def targets(self, hist: np.ndarray, fut: np.ndarray) -> np.ndarray:
        """Training targets (N, K) for the future values `fut` (N, K)."""
        v = self._forward(hist)
        return (self._forward(fut) - self._ref(v, fut.shape[1])) / self._scale(v)

    def invert(self, hist: np.ndarray, pred: np.ndarray) -> np.ndarray:
        """Model outputs (N, K) back to values in the series' units."""
        v = self._forward(hist)
        z = np.clip(pred, -_Z_LIMIT, _Z_LIMIT)
        out = z * self._scale(v) + self._ref(v, pred.shape[1])
        return np.exp(out) if self.log_values else out

    def _scale(self, v: np.ndarray) -> np.ndarray | float:
        """One number, or for revin each window's spread (N, 1), floored at 0.1 scale."""
        if self.mode != "revin":
            return self.scale
        return np.maximum(v[:, -self.window:].std(axis=1, keepdims=True), 0.1 * self.scale)

    def _forward(self, values: np.ndarray) -> np.ndarray:
        return np.log(values) if self.log_values else values

    def state(self) -> dict[str, object]:
        """Plain data for summary.json."""
        return {"mode": self.mode, "log": self.log_values, "window": self.window, "season": self.season,
                "center": self.center, "scale": self.scale,
                "feature_center": self.feat_center.tolist(), "feature_scale": self.feat_scale.tolist()}


def fit_normaliser(mode: str, log_values: bool, window: int, season: int, train_hist: np.ndarray,
                   train_future: np.ndarray, train_values: np.ndarray, train_feats: np.ndarray) -> Normaliser:
    """Fit on the training part only: its values (n_train,), its examples' histories and
    targets, its feature columns (n_train, F). A zero spread becomes 1 (no division by 0)."""
    if mode not in MODES:
        raise ValueError(f"unknown normalisation {mode!r}; choose from {', '.join(MODES)}")
    v = np.log(train_values) if log_values else train_values
    f_center = train_feats.mean(axis=0) if train_feats.size else np.zeros(train_feats.shape[1])
    f_scale = _spread(train_feats.std(axis=0)) if train_feats.size else np.ones(train_feats.shape[1])
    if mode == "standard":
        return Normaliser(mode, log_values, window, season, float(v.mean()), float(_spread(v.std())), f_center, f_scale)
    probe = Normaliser("mean" if mode == "revin" else mode, log_values, window, season, 0.0, 1.0, f_center, f_scale)
    rel = probe.targets(train_hist, train_future)
    return Normaliser(mode, log_values, window, season, 0.0, float(_spread(np.sqrt(np.mean(rel * rel)))), f_center, f_scale)


def _spread(s: np.ndarray | float) -> np.ndarray | float:
    return np.where(s > 0, s, 1.0) if isinstance(s, np.ndarray) else (s if s > 0 else 1.0)
