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
  history   relative to the mean of the series' every value up to the origin (`level`):
            a level with noise is forecast by a long memory, not by a window.
The other relative modes divide by one scale: the spread of their training targets
(revin uses it as the floor of a window's spread, so a flat window divides by no 0).

Shapes: hist (N, C) the C = `context` values up to each origin, the last column the
origin; feats (N, W, F) extra columns over the window; targets/predictions (N, K).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODES = ("standard", "last", "mean", "revin", "seasonal", "history")
_Z_LIMIT = 30.0  # predictions are clipped to this many scales: exp() must not overflow


@dataclass(frozen=True)
class Normaliser:
    mode: str
    log_values: bool  # the network sees log values
    window: int
    season: int
    center: np.ndarray  # (S,) per series; standard: its training mean (other modes: 0)
    scale: np.ndarray  # (S,) per series
    feat_center: np.ndarray  # (F,)
    feat_scale: np.ndarray  # (F,)
    lead: int = 0  # steps of known features after the origin (the horizon when there are features)

    @property
    def context(self) -> int:
        """Past values each origin needs: the window, plus a season for seasonal differences."""
        return self.window + (self.season if self.mode == "seasonal" else 0)

    @property
    def channels(self) -> int:
        return 2 if self.mode == "seasonal" else 1

    def input_size(self, features: int) -> int:
        """Channels per step: the values', the features and, with features, a flag for the steps ahead."""
        return self.channels + features + (1 if features else 0)

    def _ref(self, hist: np.ndarray, k: int, sid: np.ndarray, level: np.ndarray | None) -> np.ndarray:
        """What each mode measures against, per target step: (N, C) -> (N, k)."""
        if self.mode == "history":
            if level is None:
                raise ValueError("the history normalisation needs each origin's level (the mean up to it)")
            return np.repeat(self._forward(level)[:, None], k, axis=1)
        if self.mode == "standard":
            return np.repeat(self.center[sid][:, None], k, axis=1)
        if self.mode == "last":
            return np.repeat(hist[:, -1:], k, axis=1)
        if self.mode in ("mean", "revin"):
            return np.repeat(hist[:, -self.window:].mean(axis=1, keepdims=True), k, axis=1)
        s = self.season
        return hist[:, hist.shape[1] - s + np.arange(k) % s]

    def inputs(self, hist: np.ndarray, feats: np.ndarray | None = None, sid: np.ndarray | None = None,
               level: np.ndarray | None = None) -> np.ndarray:
        """Model inputs (N, W + lead, input_size(F)) from raw past values (N, C) and the
        features over the window and the steps ahead (N, W + lead, F). The steps ahead carry
        no value (0) and a flag of 1: the network reads the known future, then forecasts."""
        sid = _ids(sid, hist)
        v = self._forward(hist)
        w = self.window
        if self.mode == "seasonal":
            rel = v[:, -w:] - v[:, -1:]
            sdiff = v[:, -w:] - v[:, -w - self.season:-self.season]
            x = np.stack([rel, sdiff], axis=2) / self.scale[sid][:, None, None]
        else:
            x = ((v[:, -w:] - self._ref(v, w, sid, level)) / self._scale(v, sid))[:, :, None]
        if feats is None or not feats.shape[2]:
            return x
        n, lead = x.shape[0], feats.shape[1] - w
        values = np.concatenate([x, np.zeros((n, lead, x.shape[2]))], axis=1)
        flag = np.concatenate([np.zeros((n, w, 1)), np.ones((n, lead, 1))], axis=1)
        return np.concatenate([values, (feats - self.feat_center) / self.feat_scale, flag], axis=2)

    def targets(self, hist: np.ndarray, fut: np.ndarray, sid: np.ndarray | None = None,
                level: np.ndarray | None = None) -> np.ndarray:
        """Training targets (N, K) for the future values `fut` (N, K)."""
        sid = _ids(sid, hist)
        v = self._forward(hist)
        return (self._forward(fut) - self._ref(v, fut.shape[1], sid, level)) / self._scale(v, sid)

    def invert(self, hist: np.ndarray, pred: np.ndarray, sid: np.ndarray | None = None,
               level: np.ndarray | None = None) -> np.ndarray:
        """Model outputs (N, K) back to values in the series' units."""
        sid = _ids(sid, hist)
        v = self._forward(hist)
        z = np.clip(pred, -_Z_LIMIT, _Z_LIMIT)
        out = z * self._scale(v, sid) + self._ref(v, pred.shape[1], sid, level)
        return np.exp(out) if self.log_values else out

    def _scale(self, v: np.ndarray, sid: np.ndarray) -> np.ndarray:
        """Each row's series scale (N, 1), or for revin each window's spread floored at 0.1 of it."""
        scale = self.scale[sid][:, None]
        if self.mode != "revin":
            return scale
        return np.maximum(v[:, -self.window:].std(axis=1, keepdims=True), 0.1 * scale)

    def _forward(self, values: np.ndarray) -> np.ndarray:
        return np.log(values) if self.log_values else values

    def state(self) -> dict[str, object]:
        """Plain data for summary.json and forecaster.json (from_state reads it back)."""
        return {"mode": self.mode, "log": self.log_values, "window": self.window, "season": self.season,
                "center": self.center.tolist(), "scale": self.scale.tolist(), "lead": self.lead,
                "feature_center": self.feat_center.tolist(), "feature_scale": self.feat_scale.tolist()}

    @classmethod
    def from_state(cls, state: dict[str, object]) -> Normaliser:
        def arr(key: str) -> np.ndarray:
            return np.asarray(state[key], dtype=np.float64).reshape(-1)

        return cls(str(state["mode"]), bool(state["log"]), int(state["window"]), int(state["season"]),  # type: ignore[arg-type]
                   arr("center"), arr("scale"), arr("feature_center"), arr("feature_scale"), int(state["lead"]))  # type: ignore[arg-type]


def _ids(sid: np.ndarray | None, hist: np.ndarray) -> np.ndarray:
    return np.zeros(hist.shape[0], dtype=np.int64) if sid is None else sid


def fit_normaliser(mode: str, log_values: bool, window: int, season: int, train_hist: np.ndarray,
                   train_future: np.ndarray, train_values: np.ndarray | list[np.ndarray], train_feats: np.ndarray,
                   *, sid: np.ndarray | None = None, lead: int = 0, level: np.ndarray | None = None) -> Normaliser:
    """Fit on the training part only: the values of each series' training part (one array,
    or a list per series), its examples' histories, targets and series `sid`, its feature
    columns (n_train, F). Scales are per series; a zero spread becomes 1 (no division by 0)."""
    if mode not in MODES:
        raise ValueError(f"unknown normalisation {mode!r}; choose from {', '.join(MODES)}")
    per_series = train_values if isinstance(train_values, list) else [train_values]
    count = len(per_series)
    sid = _ids(sid, train_hist)
    f_center = train_feats.mean(axis=0) if train_feats.size else np.zeros(train_feats.shape[1])
    f_scale = _spread(train_feats.std(axis=0)) if train_feats.size else np.ones(train_feats.shape[1])
    if mode == "standard":
        logs = [np.log(v) if log_values else v for v in per_series]
        center = np.array([float(v.mean()) for v in logs])
        scale = np.array([float(v.std()) for v in logs])
        return Normaliser(mode, log_values, window, season, center, _spread(scale), f_center, f_scale, lead)
    probe = Normaliser("mean" if mode == "revin" else mode, log_values, window, season, np.zeros(count),
                       np.ones(count), f_center, f_scale, lead)
    rel = probe.targets(train_hist, train_future, sid, level)
    rms = np.array([float(np.sqrt(np.mean(rel[sid == s] ** 2))) if (sid == s).any() else 0.0 for s in range(count)])
    return Normaliser(mode, log_values, window, season, np.zeros(count), _spread(rms), f_center, f_scale, lead)


def _spread(s: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(s) & (s > 0), s, 1.0)
