"""Each reference recipe's data, against an independent re-derivation from the original programs."""

import numpy as np
import pytest

from rnnlab.config import override
from rnnlab.data.framing import shuffle_order, sliding_windows
from rnnlab.recipes import resolve
from rnnlab.train.experiment import prepare


def test_elman_sine_data_is_the_tutorials():
    exp = prepare(resolve("elman-sine"))
    data = np.sin(np.linspace(2, 10, 20 + 1)).reshape(21, 1)
    np.testing.assert_array_equal(exp.dataset.train_x, data[:-1].ravel().astype(np.float32))
    np.testing.assert_array_equal(exp.dataset.train_y, data[1:].ravel().astype(np.float32))
    assert exp.x.shape == (1, 20, 1) and exp.x.dtype == np.float32


def _primer_windows(n_samples: int, seed: int) -> list[np.ndarray]:
    """The primer's own code: grid, sin, every window of T + output_dim, np.random.shuffle."""
    T, output_dim, test_set_size = 6, 8, 4
    x_grid = np.linspace(0, 4 * np.pi, num=n_samples + test_set_size + T + output_dim)
    sin_wave = np.sin(x_grid)
    n_samples = sin_wave.shape[0] - T - output_dim
    raw_X = [sin_wave[i:i + T + output_dim] for i in range(0, n_samples)]
    np.random.seed(seed)
    np.random.shuffle(raw_X)
    return raw_X


@pytest.mark.parametrize("recipe,n_samples,seed", [("primer-torch", 128, 1), ("primer-torch", 128, 7),
                                                    ("primer-numpy", 50, 2882), ("sine-recurrent", 128, 5)])
def test_primer_windows_shuffle_and_split_are_the_originals(recipe, n_samples, seed):
    cfg = override(resolve(recipe), [f"run.seed={seed}"])
    ds = prepare(cfg).dataset
    raw = _primer_windows(n_samples, seed)
    test, train = np.array(raw[:4]), np.array(raw[4:])
    dtype = ds.train_x.dtype
    np.testing.assert_array_equal(ds.train_x, train[:, :6].astype(dtype))
    np.testing.assert_array_equal(ds.train_y, train[:, 6:].astype(dtype))
    np.testing.assert_array_equal(ds.test_x, test[:, :6].astype(dtype))
    np.testing.assert_array_equal(ds.test_y, test[:, 6:].astype(dtype))
    assert ds.train_x.shape == (n_samples, 6)


def test_shuffle_order_is_numpy_legacy_shuffle():
    items = [np.full(3, i) for i in range(40)]
    np.random.seed(11)
    np.random.shuffle(items)
    np.testing.assert_array_equal(shuffle_order(40, 11), [int(a[0]) for a in items])


def test_positional_encoding_is_the_primers():
    exp = prepare(resolve("primer-numpy"))
    window = exp.dataset.train_x[0]
    for t in range(6):
        expected = np.zeros(6)
        expected[t] = window[t]
        np.testing.assert_array_equal(exp.x[0, t], expected)


def test_window_longer_than_series_is_a_clear_error():
    with pytest.raises(ValueError, match="longer than the series"):
        sliding_windows(np.arange(5.0), 7)
