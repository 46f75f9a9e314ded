"""The optimizers on their own: ``step(params, grads)`` does what its docstring says."""
import math

import numpy as np
import pytest

from course_utils.optimizers import OPTIMIZERS, SGD, Adam, Momentum, get_optimizer


def test_sgd_momentum_and_adam_follow_their_formulas():
    p, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    sgd = SGD(0.1)
    q = p.copy()
    sgd.step(q, g)
    np.testing.assert_allclose(q, p - 0.1 * g, rtol=0, atol=0)

    mom, q, v, expected = Momentum(0.1), p.copy(), np.zeros(2), p.copy()
    for _ in range(3):
        mom.step(q, g)
        v = 0.9 * v - 0.1 * g
        expected += v
    np.testing.assert_allclose(q, expected, rtol=1e-12)

    adam, q = Adam(0.01), p.copy()
    m = s = np.zeros(2)
    expected = p.copy()
    for t in range(1, 4):
        adam.step(q, g)
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        expected -= 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(s / (1 - 0.999 ** t)) + 1e-8 / math.sqrt(1 - 0.999 ** t))
    np.testing.assert_allclose(q, expected, rtol=1e-12)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_any_optimizer_minimises_a_bowl_and_leaves_the_gradient_alone(name):
    opt = get_optimizer(name, 0.05)
    p = np.array([[3.0, -2.0], [1.0, 0.5]])  # any shape
    for _ in range(500):
        g = 2 * p  # gradient of sum(p ** 2)
        g0 = g.copy()
        opt.step(p, g)
        np.testing.assert_array_equal(g, g0)
    assert np.abs(p).max() < 0.05


def test_unknown_optimizer_lists_the_names():
    with pytest.raises(ValueError, match="sgd, momentum, adam"):
        get_optimizer("rmsprop", 0.1)
