"""The decision-boundary picture: a P(class 1) heatmap with the data points on top."""
from __future__ import annotations

import numpy as np

from ..data import DOMAIN
from .style import CLASS_COLOURS, HEATMAP_CMAP, new_figure

__all__ = ["draw_heatmap", "update_heatmap", "draw_points", "update_points", "draw_line",
           "update_line", "draw_boundary", "point_colours"]


def _ax_or_new(ax):
    if ax is None:
        _, ax = new_figure((4.0, 4.0))
    return ax


def draw_heatmap(ax=None, values=None, domain=DOMAIN, resolution: int = 100, label=True):
    """Draw P(class 1) on the square ``domain``^2.

    Parameters
    ----------
    ax : matplotlib Axes, optional (a new figure is made when None)
    values : ndarray of float, shape (resolution, resolution), optional
        Row ``i`` is the ``i``-th x2 from the bottom (``course_utils.grid.heatmap_grid``).
        None draws an even 0.5 (white) placeholder for :func:`update_heatmap` to fill.

    Returns
    -------
    matplotlib.image.AxesImage
    """
    ax = _ax_or_new(ax)
    if values is None:
        values = np.full((resolution, resolution), 0.5)
    lo, hi = domain
    image = ax.imshow(np.asarray(values, dtype=float), origin="lower", extent=(lo, hi, lo, hi),
                      cmap=HEATMAP_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest", aspect="equal")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    if label:
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    return image


def update_heatmap(image, values) -> None:
    """Replace the heatmap's values in place (no re-plotting)."""
    values = np.asarray(values, dtype=float)
    image.set_data(values)


def point_colours(y) -> np.ndarray:
    """One RGBA colour per label: (n,) labels 0/1 -> (n, 4)."""
    from matplotlib.colors import to_rgba_array

    table = to_rgba_array(CLASS_COLOURS)  # (2, 4)
    return table[np.asarray(y, dtype=int)]


def draw_points(ax, X, y, test: bool = False, label: str | None = None):
    """Scatter the data: circles for training points, triangles for test points.

    Parameters
    ----------
    X : ndarray of float, shape (n, 2)
    y : ndarray of int, shape (n,), labels 0/1

    Returns
    -------
    matplotlib.collections.PathCollection
    """
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    kw = dict(marker="^", s=22, edgecolors="black", linewidths=0.6) if test else \
        dict(marker="o", s=16, edgecolors="white", linewidths=0.5)
    points = ax.scatter(X[:, 0], X[:, 1], label=label, zorder=3, **kw)
    points.set_facecolor(point_colours(y))
    return points


def update_points(points, X, y) -> None:
    """Move a scatter to new data in place."""
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    points.set_offsets(X)
    points.set_facecolor(point_colours(y))


def _line_ends(w, b, domain):
    """Two points of the line ``w . x + b = 0`` spanning the domain (or NaNs if w == 0)."""
    lo, hi = domain
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) >= abs(w1) and w2 != 0:
        xs = np.array([lo, hi])
        return xs, -(w1 * xs + b) / w2
    if w1 != 0:
        ys = np.array([lo, hi])
        return -(w2 * ys + b) / w1, ys
    return np.array([np.nan, np.nan]), np.array([np.nan, np.nan])


def draw_line(ax, w, b, domain=DOMAIN, **style):
    """Draw the straight boundary ``w[0] x1 + w[1] x2 + b = 0``; returns the Line2D."""
    xs, ys = _line_ends(w, float(np.ravel(b)[0]), domain)
    style = {"color": "black", "linewidth": 2.0, "label": "boundary", **style}
    (line,) = ax.plot(xs, ys, **style)
    return line


def update_line(line, w, b, domain=DOMAIN) -> None:
    """Move a boundary line drawn by :func:`draw_line`."""
    xs, ys = _line_ends(w, float(np.ravel(b)[0]), domain)
    line.set_data(xs, ys)


def draw_boundary(ax, values, domain=DOMAIN, level: float = 0.5, **style):
    """Contour of the heatmap at ``level`` (the decision boundary); returns the ContourSet.

    For static figures: a contour cannot be updated in place, the live panel relies on
    the heatmap's white band instead.
    """
    values = np.asarray(values, dtype=float)
    lo, hi = domain
    n = values.shape[0]
    step = (hi - lo) / n
    centres = lo + step * (np.arange(n) + 0.5)
    if not (values.min() < level < values.max()):
        return None  # no boundary inside the square
    style = {"colors": "black", "linewidths": 1.5, **style}
    return ax.contour(centres, centres, values, levels=[level], **style)
