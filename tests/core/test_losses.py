import numpy as np
import pytest

from rnnlab.core.gradcheck import finite_difference, relative_error
from rnnlab.core.losses import LOSS_NAMES, Loss


@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_gradient_matches_finite_differences(name, reduction):
    rng = np.random.default_rng(0)
    target = rng.normal(size=(5, 3))
    # Keep every d away from the kinks at 0 and +-delta, where a derivative is one-sided.
    d = rng.choice([-1, 1], size=(5, 3)) * rng.uniform(0.05, 2.0, size=(5, 3))
    d[np.abs(np.abs(d) - 0.3) < 0.02] += 0.05
    pred = target + d
    loss = Loss(name, reduction, delta=0.3, mix=0.4)
    numeric = finite_difference(lambda p: loss.value(p["pred"], target), {"pred": pred}, samples=15)
    idx, est = numeric["pred"]
    assert relative_error(loss.grad(pred, target).reshape(-1)[idx], est) < 1e-7


def test_hand_computed_values():
    pred, target = np.array([0.5, -2.0, 0.01]), np.array([0.0, 0.0, 0.0])
    assert Loss("sse_half", "sum").value(pred, target) == pytest.approx(0.5 * (0.25 + 4 + 1e-4))
    assert Loss("mse", "mean").value(pred, target) == pytest.approx((0.25 + 4 + 1e-4) / 3)
    assert Loss("l1", "sum").value(pred, target) == pytest.approx(2.51)
    # torch's HuberLoss(delta=0.025): 0.5 d^2 inside delta, delta * (|d| - delta / 2) outside
    huber = [0.025 * (0.5 - 0.0125), 0.025 * (2.0 - 0.0125), 0.5 * 1e-4]
    assert Loss("huber", "mean", delta=0.025).value(pred, target) == pytest.approx(np.mean(huber))
    np.testing.assert_allclose(Loss("soft_l1", "sum", delta=0.025).grad(pred, target), [1.0, -1.0, 0.4])
    np.testing.assert_allclose(Loss("clip", "sum").grad(np.array([3.0, -0.2]), np.zeros(2)), [1.0, -0.2])
    np.testing.assert_allclose(Loss("elastic_net", "sum", mix=0.25).grad(pred, target),
                               0.25 * np.sign(pred) + 0.75 * pred)


def test_gradient_keeps_float32():
    pred = np.ones((2, 2), dtype=np.float32)
    for name in LOSS_NAMES:
        assert Loss(name, "mean").grad(pred, np.zeros_like(pred)).dtype == np.float32


def test_unknown_loss_is_rejected():
    with pytest.raises(ValueError, match="unknown loss"):
        Loss("hinge")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huber_from_one_clip_is_the_textbook_formula_to_the_last_bit(dtype):
    """The fused value c (d - c/2) must equal torch's 0.5 d^2 / delta (|d| - delta/2)
    exactly (the recipes' fidelity rests on it), kinks and signs included."""
    delta = 0.025
    rng = np.random.default_rng(3)
    d = np.concatenate([rng.normal(scale=0.05, size=2000), [0.0, delta, -delta, 1e-30, -7.0]]).astype(dtype)
    a = np.abs(d)
    textbook = np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    loss = Loss("huber", "sum", delta=delta)
    value, grad = loss.value_and_grad(d, np.zeros_like(d))
    assert value == float(textbook.sum())
    assert np.array_equal(grad, np.clip(d, -delta, delta))


@pytest.mark.parametrize("name", LOSS_NAMES)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_value_and_grad_equals_value_and_grad_apart(name, reduction):
    rng = np.random.default_rng(4)
    pred, target = rng.normal(size=(4, 6, 3)), rng.normal(size=(4, 6, 3))
    loss = Loss(name, reduction, delta=0.3, mix=0.4)
    value, grad = loss.value_and_grad(pred, target)
    assert value == loss.value(pred, target)
    assert np.array_equal(grad, loss.grad(pred, target))
    values, grads = loss.value_and_grad(pred, target, member_axes=1)  # 4 members
    assert np.array_equal(values, [loss.value(pred[i], target[i]) for i in range(4)])
    assert np.array_equal(grads, np.stack([loss.grad(pred[i], target[i]) for i in range(4)]))
