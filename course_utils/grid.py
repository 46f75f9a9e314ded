"""Geometry for the pictures: a square grid pushed through layers, and the heatmap grid.

NumPy only (no matplotlib, no ipywidgets): the plots draw what these functions return.

A *grid* here is a set of polylines, shaped (n_lines, n_points, 2): straight lines of
constant x1 and of constant x2 across a square. Pushing every point through a layer
``a = act(x @ W + b)`` shows what the layer does to the plane. With a linear activation
each layer is affine, so lines stay straight and parallel lines stay parallel; a
nonlinear activation bends them.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .activations import get_activation
from .data import DOMAIN
from .numeric import whole_number

__all__ = [
    "grid_lines", "random_layers", "warp", "warp_stages", "straightness", "parallelism", "dimensions",
    "heatmap_points", "heatmap_grid",
]


def grid_lines(half_width: float = 2.0, n_lines: int = 9, n_points: int = 41) -> np.ndarray:
    """A square grid as polylines.

    Parameters
    ----------
    half_width : float, > 0
        The square is [-half_width, half_width]^2.
    n_lines : int, >= 2
        Lines in each direction.
    n_points : int, >= 2
        Points along each line (enough to show bending once warped).

    Returns
    -------
    ndarray of float64, shape (2 * n_lines, n_points, 2)
        First the ``n_lines`` lines of constant x1 (vertical), then those of constant x2.
    """
    if not half_width > 0:
        raise ValueError(f"half_width must be positive, got {half_width!r}.")
    n_lines, n_points = whole_number(n_lines, "n_lines", 2), whole_number(n_points, "n_points", 2)
    ticks = np.linspace(-half_width, half_width, int(n_lines))
    along = np.linspace(-half_width, half_width, int(n_points))
    c, a = np.meshgrid(ticks, along, indexing="ij")  # (n_lines, n_points)
    vertical = np.stack([c, a], axis=-1)
    horizontal = np.stack([a, c], axis=-1)
    return np.concatenate([vertical, horizontal])


def random_layers(depth: int, seed=None, gain: float = 1.3, bias_scale: float = 0.5):
    """``depth`` random 2 -> 2 layers ``(W, b)``, so each stage can be drawn in the plane.

    Each ``W`` is a random rotation times a random stretch of each axis by ``gain`` x
    U(0.7, 1.3): well-conditioned, so a stack of linear layers keeps the grid visibly a
    grid (a product of arbitrary random matrices soon squeezes it into a line), and large
    enough that tanh and sigmoid visibly bend it.

    Parameters
    ----------
    depth : int, >= 1
    seed : None, int, or anything ``numpy.random.default_rng`` accepts
    gain, bias_scale : float

    Returns
    -------
    list of (W, b)
        ``W`` float64 (2, 2), ``b`` float64 (2,).
    """
    depth = whole_number(depth, "depth")
    rng = np.random.default_rng(seed)
    layers = []
    for _ in range(int(depth)):
        theta = rng.uniform(0.0, 2.0 * np.pi)
        c, s = np.cos(theta), np.sin(theta)
        rotation = np.array([[c, -s], [s, c]])
        stretch = np.diag(gain * rng.uniform(0.7, 1.3, size=2))
        layers.append((rotation @ stretch, rng.normal(0.0, bias_scale, 2)))
    return layers


def warp_stages(points: np.ndarray, layers: Sequence, activation="linear") -> list[np.ndarray]:
    """Push points through the layers, keeping every stage.

    Parameters
    ----------
    points : ndarray of float, shape (..., 2)
    layers : sequence of (W, b)
        ``W`` (2, 2), ``b`` (2,); each stage is ``a = act(x @ W + b)``.
    activation : str
        A key of ``course_utils.ACTIVATIONS``.

    Returns
    -------
    list of ndarray, each shaped like ``points``
        ``[points, after layer 1, ..., after layer k]``.
    """
    act = get_activation(activation)
    x = np.asarray(points, dtype=np.float64)
    if x.shape[-1] != 2:
        raise ValueError(f"points must have a last axis of length 2 (x1, x2); got shape {x.shape}.")
    stages = [x]
    for W, b in layers:
        x = act.value(x @ np.asarray(W) + np.asarray(b))
        stages.append(x)
    return stages


def warp(points: np.ndarray, layers: Sequence, activation="linear") -> np.ndarray:
    """The points after the last layer (see :func:`warp_stages`); same shape as ``points``."""
    return warp_stages(points, layers, activation)[-1]


def straightness(lines: np.ndarray) -> np.ndarray:
    """How far each polyline is from a straight line, relative to its length.

    Parameters
    ----------
    lines : ndarray of float, shape (n_lines, n_points, 2)

    Returns
    -------
    ndarray of float64, shape (n_lines,)
        Largest distance of a point from the chord joining the line's ends, divided by
        the chord's length: 0 for a straight line (up to rounding), larger when bent.
    """
    lines = np.asarray(lines, dtype=np.float64)
    start, end = lines[:, :1, :], lines[:, -1:, :]
    chord = end - start  # (n, 1, 2)
    length = np.hypot(chord[..., 0], chord[..., 1])  # (n, 1)
    rel = lines - start
    cross = np.abs(rel[..., 0] * chord[..., 1] - rel[..., 1] * chord[..., 0])  # (n, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = cross.max(axis=1) / length[:, 0] ** 2
    return np.where(length[:, 0] > 0, dev, 0.0)


def parallelism(lines: np.ndarray) -> float:
    """Largest angle (radians) between the chords of lines that started parallel.

    ``lines`` is laid out as :func:`grid_lines` returns it (first half one family, second
    half the other); returns the worse of the two families. 0 for an affine image.
    """
    lines = np.asarray(lines, dtype=np.float64)
    half = lines.shape[0] // 2
    worst = 0.0
    for family in (lines[:half], lines[half:]):
        chord = family[:, -1] - family[:, 0]  # (n, 2)
        angle = np.arctan2(chord[:, 1], chord[:, 0])
        diff = np.angle(np.exp(1j * (angle - angle[0])))  # wrapped to (-pi, pi]
        worst = max(worst, float(np.abs(diff).max()))
    return worst


def dimensions(lines: np.ndarray, rtol: float = 1e-9) -> int:
    """How many dimensions the warped grid still spans: 2, 1 (squashed onto a line) or 0 (a point).

    A ReLU unit that is 0 at every grid point flattens the picture: its lines are then
    straight and parallel only because they all lie on one line.

    Parameters
    ----------
    lines : ndarray of float, shape (n_lines, n_points, 2)
    rtol : float
        The narrower direction counts when its spread is above ``rtol`` times the wider one's
        (relative, so leaky ReLU's 0.01 slopes, which shrink a deep stack without flattening
        it, still count as two dimensions); the wider one when it is above 1e-12.
    """
    points = np.asarray(lines, dtype=np.float64).reshape(-1, 2)
    spread = np.linalg.svd(points - points.mean(axis=0), compute_uv=False) / np.sqrt(len(points))  # (2,), widest first
    if spread[0] <= 1e-12:
        return 0
    return 1 + int(spread[1] > rtol * spread[0])


def heatmap_points(resolution: int = 100, domain=DOMAIN) -> np.ndarray:
    """Centres of a ``resolution`` x ``resolution`` grid over ``domain``^2.

    Returns
    -------
    ndarray of float64, shape (resolution * resolution, 2)
        Row-major with x1 varying fastest, so ``values.reshape(resolution, resolution)``
        has x2 along the rows (drawn with ``origin="lower"``).
    """
    resolution = whole_number(resolution, "resolution", 2)
    lo, hi = domain
    step = (hi - lo) / resolution
    centres = lo + step * (np.arange(resolution) + 0.5)
    x1, x2 = np.meshgrid(centres, centres)  # (res, res): rows are x2
    return np.column_stack([x1.ravel(), x2.ravel()])


def heatmap_grid(predict: Callable[[np.ndarray], np.ndarray], resolution: int = 100,
                 domain=DOMAIN) -> np.ndarray:
    """Evaluate ``predict`` on the heatmap grid.

    Parameters
    ----------
    predict : callable
        ``predict(X) -> values`` with ``X`` (m, 2) raw coordinates and values (m,), or
        (m, K): one value per class.

    Returns
    -------
    ndarray of float64, shape (resolution, resolution) or (resolution, resolution, K)
        Row ``i`` is the ``i``-th x2 value from the bottom, column ``j`` the ``j``-th x1.
    """
    values = np.asarray(predict(heatmap_points(resolution, domain)), dtype=np.float64)
    return values.reshape(resolution, resolution, *values.shape[1:])
