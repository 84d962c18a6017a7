"""Chronological train / validation / test parts, and forecast origins that respect them.

Layout: ``[0, train_end)`` train, ``[train_end, val_end)`` validation, ``[val_end, n)`` test;
never shuffled across time. An origin ``o`` is the index of the last value a forecast
sees; its targets are ``o+1 .. o+h``. A training example's targets lie inside the
training part, a validation example's inside the validation part and a backtest
forecast's inside the test part: no example's targets cross a boundary. Inputs reach
back into earlier parts, as they would in real use (the past is known).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.errors import UserError

MIN_TRAIN_EXAMPLES = 8


@dataclass(frozen=True)
class Split:
    n: int
    train_end: int
    val_end: int

    @property
    def parts(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        return (0, self.train_end), (self.train_end, self.val_end), (self.val_end, self.n)


def chronological_split(n: int, val_size: int, test_size: int, context: int, horizon: int,
                        one_step_targets: bool = False) -> Split:
    """Check that every part can hold what it must; the message says what to shorten."""
    train_end, val_end = n - val_size - test_size, n - test_size
    target_len = 1 if one_step_targets else horizon
    train_examples = train_end - context - target_len + 1
    if test_size < horizon or val_size < horizon or train_examples < MIN_TRAIN_EXAMPLES:
        need = context + target_len + MIN_TRAIN_EXAMPLES - 1 + val_size + test_size
        raise UserError(f"the series has {n} points; window/context {context} + horizon {horizon} + "
                        f"{MIN_TRAIN_EXAMPLES} training examples + validation {val_size} + test {test_size} "
                        f"need {max(need, n + 1)}; shorten forecast.window or forecast.horizon, or use a longer series")
    return Split(n, train_end, val_end)


def origin_range(start: int, stop: int) -> np.ndarray:
    return np.arange(start, stop, dtype=np.int64) if stop > start else np.zeros(0, dtype=np.int64)


def train_origins(split: Split, context: int, target_len: int) -> np.ndarray:
    """Origins whose `context` past values exist and whose targets end inside the training part."""
    return origin_range(context - 1, split.train_end - target_len)


def val_origins(split: Split, context: int, horizon: int) -> np.ndarray:
    return origin_range(max(split.train_end - 1, context - 1), split.val_end - horizon)


def backtest_origins(split: Split, horizon: int, count: int) -> np.ndarray:
    """`count` rolling origins spread evenly over the test part, first at its start and
    last where the horizon still fits; fewer when the test part is short."""
    first, last = split.val_end - 1, split.n - 1 - horizon
    return np.unique(np.round(np.linspace(first, last, count)).astype(np.int64))


def history(values: np.ndarray, origins: np.ndarray, length: int) -> np.ndarray:
    """The `length` values up to and including each origin. (N,) -> (N, length)."""
    idx = origins[:, None] + np.arange(1 - length, 1)[None, :]
    return values[idx]


def future(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The `horizon` values after each origin. (N,) -> (N, horizon)."""
    return values[origins[:, None] + np.arange(1, horizon + 1)[None, :]]


def fill_missing(values: np.ndarray, split: Split, method: str) -> np.ndarray:
    """NaNs filled part by part, so no value crosses a split boundary. "interpolate" joins
    a gap's neighbours linearly; "ffill" repeats the last value; a part that starts with a
    gap takes its first value. (n,) -> (n,)."""
    out = values.astype(np.float64, copy=True)
    for start, stop in split.parts:
        out[start:stop] = _fill_part(out[start:stop], method)
    return out


def _fill_part(v: np.ndarray, method: str) -> np.ndarray:
    holes = np.isnan(v)
    if not holes.any() or holes.all():
        return v
    idx = np.arange(v.shape[0])
    if method == "interpolate":
        return np.interp(idx, idx[~holes], v[~holes])
    last = np.maximum.accumulate(np.where(holes, 0, idx))  # index of the last value seen
    first = int(np.argmax(~holes))
    last[:first] = first
    return v[last]
