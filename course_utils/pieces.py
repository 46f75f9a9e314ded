"""Building a function from pieces: a target curve as a weighted sum of k hidden units (NumPy only).

A one-hidden-layer network with one input computes ``f(x) = sum_j v_j act(x - t_j) + c``
when its first-layer weights are fixed: each unit is one *piece*, placed at the knot
``t_j``. By default the knots are spread evenly and the output weights ``v`` and bias ``c``
are fitted by least squares (``numpy.linalg.lstsq``), so the fit is the best such sum; a
learner may instead place the knots, and set the weights, by hand.

ReLU pieces make a broken line (a kink at each knot); sigmoid pieces make a staircase of
soft steps. More pieces, smaller error: that is how width buys a network its flexibility.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from .activations import ACTIVATIONS
from .numeric import lookup, whole_number

__all__ = ["TARGETS", "PIECE_UNITS", "PieceUnit", "Pieces", "even_knots", "fit_pieces", "MAX_PIECES"]

TARGETS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], tuple[float, float]]] = {
    "sin": (np.sin, (-3.0, 3.0)),
    "x^2": (np.square, (-3.0, 3.0)),
    "|x|": (np.abs, (-3.0, 3.0)),
}
"""Target name -> ``(f, domain)``: ``f(x) -> y`` for ``x`` (n,), on the interval ``domain``."""

MAX_PIECES = 64


class PieceUnit(NamedTuple):
    """One kind of piece: its curves, where its default knots sit, and what its knot is called."""

    curves: Callable[[np.ndarray, np.ndarray, float], np.ndarray]
    """``curves(x (n,), knots (k,), width) -> (k, n)``: each unit's output before its weight."""
    offset: float
    """Default knots sit this fraction into each of k equal intervals."""
    knot_word: str
    """What a learner calls the knot ("kink", "step")."""


def _relu_curves(x, knots, width):
    # relu(x - t) is 0 left of the knot t and a ramp right of it, so with the bias the sum is
    # any broken line with kinks at the knots.
    return ACTIVATIONS["relu"].value(x[None, :] - knots[:, None])  # (k, n)


def _sigmoid_curves(x, knots, width):
    # Steep enough that each step rises over about one interval of width (hi - lo) / k
    # (slope 4 / width at the centre: from 12 % to 88 % across it).
    return ACTIVATIONS["sigmoid"].value(4.0 / width * (x[None, :] - knots[:, None]))  # (k, n)


PIECE_UNITS = {"relu": PieceUnit(_relu_curves, 0.0, "kink"),
               "sigmoid": PieceUnit(_sigmoid_curves, 0.5, "step")}
"""Unit name -> :class:`PieceUnit`. ReLU knots start at the left end of each interval (a ramp
there still reaches the right end), sigmoid steps in the middle of each."""


def even_knots(unit: str, k: int, target: str = "sin") -> np.ndarray:
    """The default knots of ``k`` units of kind ``unit``: one per equal interval of the domain.

    Returns
    -------
    ndarray of float64, shape (k,)
    """
    _, (lo, hi) = lookup(TARGETS, target, "target")
    kind = lookup(PIECE_UNITS, unit, "unit")
    k = whole_number(k, "k", 1, MAX_PIECES)
    return lo + (hi - lo) * (np.arange(k) + kind.offset) / k


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


def fit_pieces(target: str = "sin", k: int = 6, unit: str = "relu", n: int = 401,
               knots=None, weights=None) -> Pieces:
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
    knots : array_like of float, shape (k,), optional
        Where each unit sits, inside the domain; default :func:`even_knots`. A sigmoid step's
        steepness depends on ``k`` only, so moving a knot moves its step without reshaping it.
    weights : array_like of float, shape (k,), optional
        The output weights, set by hand. Default: fitted with the bias by least squares. When
        given, only the bias is fitted (the mean gap between target and sum, its least-squares
        value), so the sum is never off by a mere shift.

    Returns
    -------
    Pieces

    Examples
    --------
    >>> fit_pieces("sin", 6, "relu").max_error < 0.1
    True
    >>> round(fit_pieces("x^2", 2, "relu", knots=[-3, 0], weights=[-3, 6]).max_error, 1)  # chords of x^2, shifted
    1.5
    """
    f, (lo, hi) = lookup(TARGETS, target, "target")
    kind = lookup(PIECE_UNITS, unit, "unit")
    k = int(whole_number(k, "k", 1, MAX_PIECES))
    t = even_knots(unit, k, target) if knots is None else _per_piece(knots, k, "knots")  # (k,)
    outside = np.flatnonzero((t < lo) | (t > hi))
    if outside.size:
        j = int(outside[0])
        raise ValueError(f"The {kind.knot_word} of piece {j + 1} is at {t[j]:g}, outside [{lo:g}, {hi:g}]; "
                         f"put it inside.")
    x = np.linspace(lo, hi, int(n))  # (n,)
    y = f(x)  # (n,)
    units = kind.curves(x, t, (hi - lo) / k)  # (k, n)
    if weights is None:
        design = np.column_stack([units.T, np.ones_like(x)])  # (n, k + 1): the units and the bias
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)  # (k + 1,)
        v, c = coef[:-1], float(coef[-1])
    else:
        v = _per_piece(weights, k, "weights")  # (k,)
        c = float(np.mean(y - v @ units))
    pieces = v[:, None] * units  # (k, n)
    fit = pieces.sum(axis=0) + c
    return Pieces(x, y, t, v, c, pieces, fit, float(np.max(np.abs(fit - y))), unit, target)


def _per_piece(values, k: int, what: str) -> np.ndarray:
    # One finite number per piece, or an error that says how many were expected.
    v = np.asarray(values, dtype=float).reshape(-1)
    if v.size != k:
        raise ValueError(f"Give one of the {what} per piece: {k} numbers, not {v.size}.")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"The {what} must be finite numbers; got {v.tolist()}.")
    return v.copy()
