import numpy as np

from rnnlab.core import init


def test_normal_draws_one_block_for_the_cell_then_the_readout():
    p = init.normal(5, d=1, h=6, o=1, std=0.4, readout_std=0.3, bias=False, readout_bias=False)
    rng = np.random.default_rng(5)
    block = rng.normal(0, 0.4, size=(7, 6))
    np.testing.assert_array_equal(p["W_xh"], block[:1])
    np.testing.assert_array_equal(p["W_hh"], block[1:])
    np.testing.assert_array_equal(p["W_hy"], rng.normal(0, 0.3, size=(6, 1)))


def test_torch_default_bounds_and_shapes():
    p = init.torch_default(0, d=6, h=32, o=8, bias=True, readout_bias=True)
    assert p["W_xh"].shape == (6, 32) and p["W_hh"].shape == (32, 32) and p["W_hy"].shape == (32, 8)
    bound = 1 / np.sqrt(32)
    for name in ("W_xh", "W_hh", "W_hy", "b_y"):
        assert np.abs(p[name]).max() <= bound
    assert np.abs(p["b_h"]).max() <= 2 * bound  # bias_ih + bias_hh
    assert np.abs(p["W_xh"]).max() > 0.9 * bound  # uniform fills the range


def test_primer_scheme_is_qr_and_svd_of_default_rng_draws():
    p = init.primer(2882, d=6, h=32, o=8)
    rng = np.random.default_rng(2882)
    w = np.linalg.qr(rng.normal(0, (32 * 32) ** -0.75, size=(32, 32)))[1]
    np.testing.assert_array_equal(p["W_hh"], w.T)
    assert np.allclose(np.tril(p["W_hh"].T, -1), 0)  # R is upper triangular
    np.testing.assert_allclose(np.linalg.svd(p["W_xh"], compute_uv=False), 1.0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(p["W_hy"], compute_uv=False), 1.0, atol=1e-12)
