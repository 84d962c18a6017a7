"""Property-based checks of windowing and splitting for arbitrary lengths, windows and
horizons: every target follows its inputs in the series, no example's targets cross a
split boundary, and the counts match the formulas.

The series is ``arange(n)``, so each value is its own index in time.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlab.data.framing import next_step_pairs, shuffle_order, sliding_windows, split_windows
from rnnlab.errors import UserError
from rnnlab.forecasting.splits import backtest_origins, chronological_split, future, history, train_origins, val_origins

THOROUGH = settings(max_examples=150, deadline=None)


@THOROUGH
@given(n=st.integers(0, 300), length=st.integers(1, 320))
def test_sliding_windows_are_consecutive_runs_and_their_count_is_n_minus_length(n, length):
    series = np.arange(n, dtype=np.float64)
    if n - length <= 0:
        with pytest.raises(ValueError, match="longer than the series"):
            sliding_windows(series, length)
        return
    windows = sliding_windows(series, length)
    assert windows.shape == (n - length, length)  # the primer leaves out the very last window
    assert (windows == np.arange(n - length)[:, None] + np.arange(length)[None, :]).all()


@THOROUGH
@given(n=st.integers(2, 200), window=st.integers(1, 30), horizon=st.integers(1, 30), data=st.data())
def test_targets_follow_their_inputs_and_the_split_keeps_every_window_once(n, window, horizon, data):
    series = np.arange(n, dtype=np.float64)
    count = n - window - horizon
    if count <= 0:
        return
    windows = sliding_windows(series, window + horizon)
    seed = data.draw(st.integers(0, 2**32 - 1))
    test_count = data.draw(st.integers(0, count))
    shuffled = windows[shuffle_order(count, seed)]
    train_x, train_y, test_x, test_y = split_windows(shuffled, window, test_count)
    assert (train_x.shape, train_y.shape) == ((count - test_count, window), (count - test_count, horizon))
    assert (test_x.shape, test_y.shape) == ((test_count, window), (test_count, horizon))
    for x, y in ((train_x, train_y), (test_x, test_y)):
        assert (np.diff(x, axis=1) == 1).all() and (np.diff(y, axis=1) == 1).all()
        assert (y[:, 0] == x[:, -1] + 1).all()  # the first target is the value right after the inputs
    starts = np.concatenate([train_x[:, 0], test_x[:, 0]])
    assert sorted(starts.tolist()) == list(range(count))  # every window exactly once


@THOROUGH
@given(count=st.integers(0, 500), seed=st.integers(0, 2**32 - 1))
def test_shuffle_order_is_a_reproducible_permutation_matching_numpy_shuffle(count, seed):
    order = shuffle_order(count, seed)
    assert sorted(order.tolist()) == list(range(count))
    assert (order == shuffle_order(count, seed)).all()
    items = list(range(count))
    np.random.RandomState(seed).shuffle(items)
    assert order.tolist() == items


@THOROUGH
@given(n=st.integers(0, 100))
def test_next_step_pairs_predict_the_following_value(n):
    series = np.arange(n, dtype=np.float64)
    if n < 2:
        with pytest.raises(ValueError):
            next_step_pairs(series)
        return
    x, y = next_step_pairs(series)
    assert x.shape == y.shape == (n - 1,) and (y == x + 1).all()


@THOROUGH
@given(n=st.integers(1, 400), val=st.integers(0, 60), test=st.integers(0, 60), context=st.integers(1, 40),
       horizon=st.integers(1, 20), one_step=st.booleans())
def test_chronological_split_keeps_targets_inside_their_part(n, val, test, context, horizon, one_step):
    target_len = 1 if one_step else horizon
    try:
        split = chronological_split(n, val, test, context, horizon, one_step_targets=one_step)
    except UserError:
        assert test < horizon or val < horizon or n - val - test - context - target_len + 1 < 8
        return
    (a0, a1), (b0, b1), (c0, c1) = split.parts
    assert a0 == 0 and a1 == b0 and b1 == c0 and c1 == n and b1 - b0 == val and c1 - c0 == test
    series = np.arange(n)

    train = train_origins(split, context, target_len)
    assert len(train) == a1 - context - target_len + 1  # the formula chronological_split checks
    _check_examples(series, train, context, target_len, lo=0, hi=a1)

    valid = val_origins(split, context, horizon)
    assert len(valid) == max(0, b1 - horizon - max(a1 - 1, context - 1))
    _check_examples(series, valid, context, horizon, lo=b0, hi=b1)

    for count in (1, 3, 10):
        origins = backtest_origins(split, horizon, count)
        assert 1 <= len(origins) <= count and (np.diff(origins) > 0).all()
        _check_examples(series, origins, 1, horizon, lo=c0, hi=c1)


def _check_examples(series: np.ndarray, origins: np.ndarray, context: int, horizon: int, *, lo: int,
                    hi: int) -> None:
    """Targets lie in [lo, hi) right after their inputs; inputs are the past (earlier parts too)."""
    if len(origins) == 0:
        return
    past, ahead = history(series, origins, context), future(series, origins, horizon)
    assert (past[:, -1] == origins).all() and (np.diff(past, axis=1) == 1).all()
    assert (ahead[:, 0] == origins + 1).all() and (np.diff(ahead, axis=1) == 1).all()
    assert past.min() >= 0 and ahead.min() >= lo and ahead.max() < hi
