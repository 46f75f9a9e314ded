"""Activation functions, each stored beside its derivative.

Every entry of :data:`ACTIVATIONS` is an :class:`Activation` with ``value(z)`` and
``derivative(z)`` (the derivative with respect to ``z``). All of them accept any
float array and stay finite and warning-free for ``|z|`` up to at least 1e4.

Adding an activation is one entry in the table: the model, the widgets' dropdowns
and the parametrised tests all read it from here.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .numeric import lookup

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "erf"]

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)
_HALF, _ONE = np.array(0.5), np.array(1.0)
"""0.5 and 1 as 0-d arrays for the ufunc calls a training step makes (the sigmoid, the derivatives
from outputs): NumPy converts a Python float anew on every call but takes a 0-d array as it is,
0.2 µs a call faster (measured), with the same float64 arithmetic."""


# --------------------------------------------------------------------------------------
# erf without SciPy: NumPy has no vectorised erf, and the course promises the exact GELU.
# We fit a piecewise polynomial to the standard library's math.erf (which is correct to
# about one ulp): 192 pieces of width 1/32 on [0, 6], degree 7 each. Beyond 6, erf(x) == 1
# in double precision. Accuracy is checked against math.erf in the tests.
# The fit costs tens of ms, so it runs on the first call of erf, not at import: every kernel
# (each Voila visitor) imports this module, few of them ever draw a GELU.
# --------------------------------------------------------------------------------------
_ERF_WIDTH = 1.0 / 32.0
_ERF_PIECES = 192
_ERF_DEGREE = 7


def _fit_erf_table() -> np.ndarray:
    # Chebyshev points in the local variable t in [-1, 1] give a near-minimax fit.
    k = np.arange(2 * (_ERF_DEGREE + 1))
    t = np.cos(np.pi * (k + 0.5) / k.size)
    table = np.empty((_ERF_PIECES, _ERF_DEGREE + 1))
    for i in range(_ERF_PIECES):
        centre = (i + 0.5) * _ERF_WIDTH
        x = centre + 0.5 * _ERF_WIDTH * t
        f = np.array([math.erf(v) for v in x])
        cheb = np.polynomial.chebyshev.chebfit(t, f, _ERF_DEGREE)
        table[i] = np.polynomial.chebyshev.cheb2poly(cheb)  # monomial coefficients in t
    return table


@functools.cache
def _erf_table() -> np.ndarray:
    """The fitted coefficients, computed on first use and kept (``_erf_table.cache_info()``).

    Returns
    -------
    ndarray of float64, shape (degree + 1, pieces)
        Lowest power first: row j holds every piece's t**j coefficient, so a gather by
        piece index gives contiguous rows for Horner's rule. Read-only: it is shared.
    """
    table = np.ascontiguousarray(_fit_erf_table().T)
    table.flags.writeable = False
    return table


def erf(x: np.ndarray) -> np.ndarray:
    """Vectorised error function, accurate to a few ulp (NumPy only).

    Parameters
    ----------
    x : array_like of float, any shape

    Returns
    -------
    ndarray of float64, same shape as ``x``
    """
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    # Piece index and local coordinate t in [-1, 1]; NaN stays NaN through the maths.
    nan = np.isnan(x)
    has_nan = bool(nan.any())
    if has_nan:
        ax = np.where(nan, 0.0, ax)
    scaled = np.minimum(ax, _ERF_PIECES * _ERF_WIDTH) * (1.0 / _ERF_WIDTH)
    idx = np.minimum(scaled.astype(np.intp), _ERF_PIECES - 1)
    t = 2.0 * (scaled - idx) - 1.0
    coef = np.take(_erf_table(), idx, axis=1)  # (degree + 1, ...)
    r = coef[-1]
    for j in range(_ERF_DEGREE - 1, -1, -1):  # Horner's rule
        r = r * t + coef[j]
    # Near zero, the Taylor series keeps full *relative* accuracy (erf(1e-300) != 0).
    small = ax < 1e-3
    if small.any():
        xs = np.where(small, ax, 0.0)
        x2 = xs * xs
        r = np.where(small, _TWO_OVER_SQRTPI * xs * (1.0 - x2 / 3.0 + x2 * x2 / 10.0), r)
    r = np.where(ax >= _ERF_PIECES * _ERF_WIDTH, 1.0, r)
    if has_nan:
        r = np.where(nan, np.nan, r)
    return np.copysign(r, x)


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Activation:
    """A hidden-layer activation: its value and its derivative, side by side.

    Attributes
    ----------
    name : str
        Key in :data:`ACTIVATIONS`.
    value : callable
        ``value(z, out=None) -> a``, elementwise, same shape as ``z``. Like a NumPy
        ufunc it writes into ``out`` when given (a separate array shaped like ``z``), so
        the forward pass reuses its buffers.
    derivative : callable
        ``derivative(z) -> da/dz``, elementwise, same shape as ``z``.
    init_gain : float
        Gain for the Glorot-style initialisation (sqrt(2) for the ReLU family, so a
        deep net starts with signals of a sensible size).
    description : str
        One line for learners.
    from_output : callable, optional
        ``from_output(z, a, out) -> da/dz`` reusing the output ``a = value(z)`` the forward
        pass already computed (tanh: 1 - a^2); equal to ``derivative(z)``, cheaper. It may
        write into ``out`` (an array shaped like ``z``) instead of allocating its result.
    """

    name: str
    value: Callable[..., np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    init_gain: float = 1.0
    description: str = ""
    from_output: Callable[..., np.ndarray] | None = field(default=None, repr=False)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.value(z)

    def grad_from(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Derivative at ``z`` given ``a = value(z)`` (cheaper where the output helps);
        ``out``, shaped like ``z``, is a buffer it may write the result into."""
        if self.from_output is not None:
            return self.from_output(z, a, out)
        return self.derivative(z)


def _put(result, out):
    # The table's functions take ``out`` like NumPy ufuncs; these ones compute, then copy.
    if out is None:
        return result
    np.copyto(out, result)
    return out


def _sigmoid(z, out=None):
    # 1 / (1 + exp(-z)) overflows for z < -709; 0.5 + 0.5 tanh(z / 2) never does.
    a = np.multiply(z, _HALF, out)  # (with out=None, each step allocates; out by position is faster)
    a = np.tanh(a, out)
    a = np.multiply(a, _HALF, out)
    return np.add(a, _HALF, out)


def _sigmoid_der(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_der(z):
    t = np.tanh(z)
    return 1.0 - t * t


def _linear(z, out=None):
    return np.array(z, dtype=np.float64, copy=True) if out is None else _put(z, out)


def _linear_der(z):
    return np.ones_like(z, dtype=np.float64)


def _relu(z, out=None):
    return np.maximum(z, 0.0, out=out)


def _relu_der(z):
    return (np.asarray(z) > 0).astype(np.float64)


LEAKY_SLOPE = 0.01
"""Slope of leaky ReLU for negative inputs."""


def _leaky_relu(z, out=None):
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, LEAKY_SLOPE * z, out=out)  # z above 0, slope z below


def _leaky_relu_der(z):
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


def _phi(z):
    # Standard normal density; clipping z^2 keeps exp from underflowing (a warning under
    # strict error settings) while the value is still ~1e-304, i.e. zero for our purposes.
    return _INV_SQRT_2PI * np.exp(-0.5 * np.minimum(np.square(z), 1400.0))


def _Phi(z):
    return 0.5 * (1.0 + erf(np.asarray(z, dtype=np.float64) / _SQRT2))


def _gelu(z, out=None):
    z = np.asarray(z, dtype=np.float64)
    return _put(z * _Phi(z), out)


def _gelu_der(z):
    z = np.asarray(z, dtype=np.float64)
    return _Phi(z) + z * _phi(z)


def _elu(z, out=None):
    z = np.asarray(z, dtype=np.float64)
    return _put(np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))), out)


def _elu_der(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))


def _silu(z, out=None):
    z = np.asarray(z, dtype=np.float64)
    return _put(z * _sigmoid(z), out)


def _silu_der(z):
    s = _sigmoid(z)
    return s * (1.0 + np.asarray(z, dtype=np.float64) * (1.0 - s))


def _make_table() -> dict[str, Activation]:
    entries = [
        Activation("linear", _linear, _linear_der, 1.0,
                   "identity: a(z) = z. Stacked layers collapse into one affine map.",
                   from_output=lambda z, a, out=None: 1.0),
        Activation("sigmoid", _sigmoid, _sigmoid_der, 1.0,
                   "1 / (1 + e^-z): squashes to (0, 1); derivative at most 0.25, saturates.",
                   from_output=lambda z, a, out=None: np.multiply(a, np.subtract(_ONE, a, out), out)),
        Activation("tanh", np.tanh, _tanh_der, 1.0,
                   "tanh z: squashes to (-1, 1), zero-centred; saturates for large |z|.",
                   from_output=lambda z, a, out=None: np.subtract(_ONE, np.multiply(a, a, out), out)),
        Activation("relu", _relu, _relu_der, math.sqrt(2.0),
                   "max(0, z): cheap, no saturation for z > 0; units can die (always 0).",
                   from_output=lambda z, a, out=None: np.greater(z, 0.0, out)),  # 1.0 / 0.0
        Activation("leaky_relu", _leaky_relu, _leaky_relu_der, math.sqrt(2.0),
                   f"z if z > 0 else {LEAKY_SLOPE} z: ReLU whose units cannot die."),
        Activation("gelu", _gelu, _gelu_der, math.sqrt(2.0),
                   "z * Phi(z) (exact, with erf): a smooth ReLU used in transformers."),
        Activation("elu", _elu, _elu_der, math.sqrt(2.0),
                   "z if z > 0 else e^z - 1: smooth for z < 0, outputs near zero mean."),
        Activation("silu", _silu, _silu_der, math.sqrt(2.0),
                   "z * sigmoid(z) (swish): smooth, non-monotone just below zero."),
    ]
    return {a.name: a for a in entries}


ACTIVATIONS: dict[str, Activation] = _make_table()
"""Name -> :class:`Activation`; the single source for models, widgets and tests."""


def get_activation(name: str | Activation) -> Activation:
    """Look an activation up by name; a ``ValueError`` lists the valid names."""
    if isinstance(name, Activation):
        return name
    return lookup(ACTIVATIONS, name, "activation")
