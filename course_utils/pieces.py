"""Building a function from pieces: a target curve as a weighted sum of k hidden units (NumPy only).

A one-hidden-layer network with one input computes ``f(x) = sum_j v_j act(x - t_j) + c``
when its first-layer weights are fixed: each unit is one *piece*, placed at the knot
``t_j``. Here the knots are spread evenly and only the output weights ``v`` and bias ``c``
are fitted, by least squares (``numpy.linalg.lstsq``), so the fit is the best such sum.

ReLU pieces make a broken line (a kink at each knot); sigmoid pieces make a staircase of
soft steps. More pieces, smaller error: that is how width buys a network its flexibility.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import ACTIVATIONS
from .numeric import lookup, whole_number

__all__ = ["TARGETS", "PIECE_UNITS", "Pieces", "fit_pieces", "MAX_PIECES"]

TARGETS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], tuple[float, float]]] = {
    "sin": (np.sin, (-3.0, 3.0)),
    "x^2": (np.square, (-3.0, 3.0)),
    "|x|": (np.abs, (-3.0, 3.0)),
}
"""Target name -> ``(f, domain)``: ``f(x) -> y`` for ``x`` (n,), on the interval ``domain``."""

MAX_PIECES = 64


def _relu_units(x, k, lo, hi):
    # Knots at the left end of each of k equal intervals: relu(x - t) is 0 left of t and a
    # ramp right of it, so with the bias the sum is any broken line with kinks at the knots.
    knots = lo + (hi - lo) * np.arange(k) / k  # (k,)
    return ACTIVATIONS["relu"].value(x[None, :] - knots[:, None]), knots  # (k, n)


def _sigmoid_units(x, k, lo, hi):
    # Steps centred in the middle of k equal intervals, steep enough that each rises over
    # about one interval (slope 4 / width at the centre: from 12 % to 88 % across it).
    width = (hi - lo) / k
    knots = lo + width * (np.arange(k) + 0.5)  # (k,)
    steepness = 4.0 / width
    return ACTIVATIONS["sigmoid"].value(steepness * (x[None, :] - knots[:, None])), knots  # (k, n)


PIECE_UNITS = {"relu": _relu_units, "sigmoid": _sigmoid_units}
"""Unit name -> ``f(x, k, lo, hi) -> (units (k, n), knots (k,))``."""


@dataclass(frozen=True)
class Pieces:
    """A target curve and its best fit by a weighted sum of ``k`` units.

    Attributes
    ----------
    x : ndarray of float64, shape (n,)
    target : ndarray of float64, shape (n,)
    knots : ndarray of float64, shape (k,)
        Where each unit sits (a ReLU's kink, a sigmoid's mid-step).
    weights : ndarray of float64, shape (k,)
        Each unit's output weight ``v_j``.
    bias : float
        ``c``.
    pieces : ndarray of float64, shape (k, n)
        Each weighted unit ``v_j act(x - t_j)``.
    fit : ndarray of float64, shape (n,)
        ``pieces.sum(axis=0) + bias``.
    max_error : float
        ``max |fit - target|`` over the samples.
    unit, target_name : str
    """

    x: np.ndarray
    target: np.ndarray
    knots: np.ndarray
    weights: np.ndarray
    bias: float
    pieces: np.ndarray
    fit: np.ndarray
    max_error: float
    unit: str
    target_name: str

    @property
    def k(self) -> int:
        return len(self.knots)


def fit_pieces(target: str = "sin", k: int = 6, unit: str = "relu", n: int = 401) -> Pieces:
    """Fit ``target`` on its domain with ``k`` units of the kind ``unit`` plus a bias.

    Parameters
    ----------
    target : str
        A key of :data:`TARGETS`.
    k : int, 1..MAX_PIECES
        Number of units (pieces).
    unit : {"relu", "sigmoid"}
        A key of :data:`PIECE_UNITS`.
    n : int
        Sample points, evenly spaced over the domain (the least-squares fit uses them all).

    Returns
    -------
    Pieces

    Examples
    --------
    >>> fit_pieces("sin", 6, "relu").max_error < 0.1
    True
    """
    f, (lo, hi) = lookup(TARGETS, target, "target")
    make_units = lookup(PIECE_UNITS, unit, "unit")
    k = whole_number(k, "k", 1, MAX_PIECES)
    x = np.linspace(lo, hi, int(n))  # (n,)
    y = f(x)  # (n,)
    units, knots = make_units(x, int(k), lo, hi)  # (k, n), (k,)
    design = np.column_stack([units.T, np.ones_like(x)])  # (n, k + 1): the units and the bias
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)  # (k + 1,)
    v, c = coef[:-1], float(coef[-1])
    pieces = v[:, None] * units  # (k, n)
    fit = pieces.sum(axis=0) + c
    return Pieces(x, y, knots, v, c, pieces, fit, float(np.max(np.abs(fit - y))), unit, target)
