import math

import numpy as np
import pytest

from course_utils import ACTIVATIONS, get_activation
from course_utils.activations import erf

NAMES = list(ACTIVATIONS)
REQUIRED = {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "gelu"}


def test_required_activations_present():
    assert REQUIRED <= set(ACTIVATIONS)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    # Avoid the kinks of the ReLU family at exactly 0.
    z = np.concatenate([np.linspace(-6, -0.05, 60), np.linspace(0.05, 6, 60)])
    h = 1e-6
    numeric = (act.value(z + h) - act.value(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_backward_shortcut_equals_derivative(name):
    act = ACTIVATIONS[name]
    z = np.random.default_rng(1).normal(scale=3, size=(50, 4))
    np.testing.assert_allclose(act.grad_from(z, act.value(z)) * np.ones_like(z), act.derivative(z),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_safe_for_huge_inputs(name):
    act = ACTIVATIONS[name]
    z = np.array([-1e4, -1e3, -50.0, 0.0, 50.0, 1e3, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        v, d = act.value(z), act.derivative(z)
    assert np.isfinite(v).all() and np.isfinite(d).all()
    assert v.shape == z.shape and d.shape == z.shape


@pytest.mark.parametrize("name", NAMES)
def test_value_does_not_mutate_input(name):
    z = np.linspace(-3, 3, 7)
    before = z.copy()
    ACTIVATIONS[name].value(z)
    ACTIVATIONS[name].derivative(z)
    np.testing.assert_array_equal(z, before)


def test_known_values_worked_by_hand():
    z = np.array([-2.0, 0.0, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"].value(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(ACTIVATIONS["relu"].value(z), [0, 0, 2])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"].value(z), [-0.02, 0, 2])
    assert ACTIVATIONS["sigmoid"].derivative(np.array([0.0]))[0] == pytest.approx(0.25)
    # sigmoid's derivative never exceeds 0.25: the root of vanishing gradients
    assert ACTIVATIONS["sigmoid"].derivative(np.linspace(-10, 10, 1001)).max() <= 0.25


def test_gelu_is_exact_erf_form_not_tanh_approximation():
    z = np.linspace(-5, 5, 201)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z])
    np.testing.assert_allclose(ACTIVATIONS["gelu"].value(z), exact, rtol=1e-13, atol=1e-14)
    tanh_approx = 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z ** 3)))
    assert np.max(np.abs(ACTIVATIONS["gelu"].value(z) - tanh_approx)) > 1e-5


def test_erf_matches_math_erf_everywhere():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 1e-2, 50), [np.inf, -np.inf]])
    ref = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(erf(x), ref, rtol=1e-14, atol=3e-16)
    assert np.isnan(erf(np.array([np.nan]))).all()


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError) as err:
        get_activation("swishy")
    for name in REQUIRED:
        assert name in str(err.value)


def test_erf_table_is_fitted_once_on_first_use():
    # Not at import (tests/test_import_boundary.py); the first erf call fits it, later calls reuse it.
    from course_utils.activations import _erf_table
    erf(np.array([0.5]))
    table = _erf_table()
    assert _erf_table.cache_info().currsize == 1
    erf(np.array([1.5]))
    assert _erf_table() is table and not table.flags.writeable


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_value_writes_into_out_like_a_ufunc(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-12, 12, 97).reshape(1, -1) * np.array([[1.0], [0.5], [1e-3]])
    out = np.empty_like(z)
    assert act.value(z, out=out) is out
    np.testing.assert_array_equal(out, act.value(z))
