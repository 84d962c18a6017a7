"""The rounding envelope and the growth rate of differences (rnnlab.checks.envelope)."""

import numpy as np
import pytest

from rnnlab.checks import envelope


def test_growth_rate_of_an_exponential_difference():
    epochs = np.arange(2000)
    curve = np.minimum(1e-9 * np.exp(0.05 * epochs), 0.5)  # grows 0.05 per epoch, then saturates
    found = envelope.growth(curve, threshold=1e-7)
    assert found is not None and found.rate == pytest.approx(0.05, rel=1e-3)
    assert found.start == envelope.first_above(curve, 1e-7) and curve[found.end] >= envelope.SATURATION
    assert found.doubling_epochs == pytest.approx(np.log(2) / 0.05, rel=1e-3)


def test_no_growth_within_rounding_or_less_than_tenfold():
    assert envelope.growth(np.full(100, 1e-8), threshold=1e-7) is None
    assert envelope.growth(np.linspace(0, 3e-7, 100), threshold=1e-7) is None


def test_the_growth_threshold_is_ten_times_the_nudge_or_the_early_differences():
    assert envelope.growth_threshold([np.zeros(50)], eps=1e-16) == pytest.approx(10 * envelope.NUDGE_ULPS * 1e-16)
    early = np.r_[np.full(envelope.EARLY_EPOCHS, 1e-9), np.full(40, 1e-3)]
    assert envelope.growth_threshold([early, np.zeros(50)], eps=1e-16) == pytest.approx(1e-8)


def test_the_envelope_is_the_nudged_runs_running_max_with_a_margin_and_a_floor():
    up = np.array([0.0, 1e-6, 1e-7, 1e-3])
    down = np.array([0.0, 2e-6, 0.0, 1e-5])
    env = envelope.envelope([up, down], rounding=1e-6)
    np.testing.assert_allclose(env, [1e-6, envelope.MARGIN * 2e-6, envelope.MARGIN * 2e-6, envelope.MARGIN * 1e-3])
