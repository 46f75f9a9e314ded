"""The decision-boundary picture: a P(class 1) heatmap with the data points on top.

With K > 2 classes the values are each class's probability, (n, n, K): the map's hue is the
most probable class and its lightness the confidence (white where the network is unsure,
the class's full colour where it is sure), and the boundaries are the lines where the most
probable class changes.
"""
from __future__ import annotations

import numpy as np

from ..data import DOMAIN
from .style import CLASS_PALETTE, HEATMAP_CMAP, class_colours, new_figure

__all__ = ["draw_heatmap", "update_heatmap", "draw_points", "update_points", "draw_line",
           "update_line", "draw_boundary", "class_map", "point_colours", "BOUNDARY_STYLE", "boundary_handle",
           "draw_live_boundary", "update_live_boundary", "live_boundary_artists", "boundary_path"]

BOUNDARY_STYLE = {"color": "black", "linewidth": 2.0, "linestyle": "-", "label": "decision boundary"}
"""How every live panel draws the decision boundary: a solid black line, 2 pt wide - it
stands out on the orange-white-blue heatmap for every kind of colour vision, and in grey."""


def _ax_or_new(ax):
    if ax is None:
        _, ax = new_figure((4.0, 4.0))
    return ax


def class_map(probs) -> np.ndarray:
    """The K-class picture: hue = the most probable class, lightness = how sure.

    Parameters
    ----------
    probs : ndarray of float, shape (..., K)
        Each class's probability (rows summing to 1).

    Returns
    -------
    ndarray of float64, shape (..., 3)
        RGB in [0, 1]: white where every class is equally likely (1/K each), the class's
        colour (:func:`course_utils.plots.style.class_colours`) where it is certain, and
        a blend in between. Non-finite values (a diverged network) are drawn white.
    """
    from matplotlib.colors import to_rgb

    probs = np.asarray(probs, dtype=float)
    k = probs.shape[-1]
    table = np.array([to_rgb(c) for c in class_colours(k)])  # (K, 3)
    top = np.nan_to_num(probs, nan=1.0 / k).argmax(axis=-1)
    sure = (np.nan_to_num(probs.max(axis=-1), nan=1.0 / k) - 1.0 / k) / (1.0 - 1.0 / k)  # 0 .. 1
    sure = np.clip(sure, 0.0, 1.0)[..., None]
    return (1.0 - sure) + sure * table[top]


def _image_values(values):
    # (n, n) P(class 1) goes through the colour map; (n, n, K) is turned into RGB here.
    values = np.asarray(values, dtype=float)
    return class_map(values) if values.ndim == 3 else values


def draw_heatmap(ax=None, values=None, domain=DOMAIN, resolution: int = 100, label=True):
    """Draw P(class 1) - or, for K classes, the class map - on the square ``domain``^2.

    Parameters
    ----------
    ax : matplotlib Axes, optional (a new figure is made when None)
    values : ndarray of float, shape (resolution, resolution), optional
        Row ``i`` is the ``i``-th x2 from the bottom (``course_utils.grid.heatmap_grid``).
        None draws an even 0.5 (white) placeholder for :func:`update_heatmap` to fill.
        Shaped (resolution, resolution, K): each class's probability, drawn by
        :func:`class_map`.

    Returns
    -------
    matplotlib.image.AxesImage
    """
    ax = _ax_or_new(ax)
    if values is None:
        values = np.full((resolution, resolution), 0.5)
    lo, hi = domain
    image = ax.imshow(_image_values(values), origin="lower", extent=(lo, hi, lo, hi),
                      cmap=HEATMAP_CMAP, vmin=0.0, vmax=1.0, interpolation="nearest", aspect="equal")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    if label:
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    return image


def update_heatmap(image, values) -> None:
    """Replace the heatmap's values in place (no re-plotting): (n, n) or (n, n, K)."""
    image.set_data(_image_values(values))


def point_colours(y) -> np.ndarray:
    """One RGBA colour per label: (n,) labels 0/1 (or 0...K-1) -> (n, 4)."""
    from matplotlib.colors import to_rgba_array

    table = to_rgba_array(CLASS_PALETTE)  # (classes, 4)
    return table[np.asarray(y, dtype=int)]


def draw_points(ax, X, y, test: bool = False, label: str | None = None):
    """Scatter the data: circles for training points, triangles for test points.

    Parameters
    ----------
    X : ndarray of float, shape (n, 2)
    y : ndarray of int, shape (n,), labels 0/1 (or 0...K-1)

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


def _centres(n: int, domain) -> np.ndarray:
    """The heatmap's pixel centres along one axis: (n,) in ``domain``."""
    lo, hi = domain
    step = (hi - lo) / n
    return lo + step * (np.arange(n) + 0.5)


def draw_boundary(ax, values, domain=DOMAIN, level: float = 0.5, **style):
    """Contour of the heatmap at ``level`` (the decision boundary); returns the ContourSet.

    ``values`` is (n, n) on the pixel-centred heatmap grid (``course_utils.grid.heatmap_grid``).
    Returns None when the square holds no crossing of ``level`` - one class everywhere, or
    values that are not all finite (a diverged network). Live pictures move it to new values
    in place through :func:`update_live_boundary`.

    For K classes, ``values`` (n, n, K), the boundaries are where the most probable class
    changes: for each class k the 0 contour of ``log p_k - max_{j != k} log p_j``. They are drawn
    as one ContourSet of those lines (``level`` is not used).
    """
    values = np.asarray(values, dtype=float)
    centres = _centres(values.shape[0], domain)
    style = {"colors": "black", "linewidths": 1.5, **style}
    if values.ndim == 3:
        lines = _class_boundary_lines(centres, values)
        if not lines:
            return None
        # One level holding every class's edge: a ContourSet like the two-class boundary's.
        from matplotlib.contour import ContourSet

        return ContourSet(ax, [0.0], [lines], **style)
    if not _crosses(values, level):
        return None  # no boundary inside the square
    return ax.contour(centres, centres, values, levels=[level], **style)


def _crosses(values, level: float) -> bool:
    return bool(np.isfinite(values).all() and values.min() < level < values.max())


def _class_boundary_lines(centres, probs) -> list:
    """Every class's edge as a list of (m, 2) vertex arrays ([] for one class everywhere)."""
    import contourpy

    if not np.isfinite(probs).all():
        return []
    # In log-probabilities the margins are differences of logits: for a linear network they
    # are linear in the plane, so the contour's linear interpolation puts them exactly.
    logp = np.log(np.maximum(probs, np.finfo(float).tiny))
    lines = []
    for k in range(probs.shape[-1]):
        others = np.delete(logp, k, axis=-1).max(axis=-1)
        margin = logp[..., k] - others  # > 0 where class k wins
        if margin.min() < 0.0 < margin.max():
            lines += contourpy.contour_generator(centres, centres, margin).lines(0.0)
    return lines


def boundary_path(values, domain=DOMAIN, level: float = 0.5):
    """The path :func:`draw_boundary` would draw for ``values``, or None (no boundary).

    The same contour (matplotlib's own generator and settings, so the same vertices), as one
    ``matplotlib.path.Path`` that an existing ContourSet can take with ``set_paths``: moving a
    boundary costs the contour alone, not a new artist.
    """
    import contourpy
    from matplotlib.path import Path

    values = np.asarray(values, dtype=float)
    centres = _centres(values.shape[0], domain)
    if values.ndim == 3:
        lines = _class_boundary_lines(centres, values)
        return Path.make_compound_path(*map(Path, lines)) if lines else None
    if not _crosses(values, level):
        return None
    import matplotlib as mpl

    x, y = np.meshgrid(centres, centres)
    algorithm = mpl.rcParams["contour.algorithm"]
    generator = contourpy.contour_generator(
        x, y, values, name=algorithm,
        corner_mask=False if algorithm == "mpl2005" else mpl.rcParams["contour.corner_mask"],
        line_type=contourpy.LineType.SeparateCode, chunk_size=0)
    vertices, codes = generator.create_contour(level)
    return Path(np.concatenate(vertices), np.concatenate(codes)) if len(vertices) else None


# ------------------------------------------------------------------ the live boundary
def boundary_handle(**style):
    """A legend entry for the decision boundary (a proxy: it never depends on what is drawn)."""
    from matplotlib.lines import Line2D

    return Line2D([], [], **{**BOUNDARY_STYLE, **style})


def draw_live_boundary(ax, line=None, values=None, domain=DOMAIN, level: float = 0.5, animated=False,
                       **style) -> dict:
    """The decision boundary of a live picture: a straight line or a contour, or nothing.

    Parameters
    ----------
    ax : matplotlib Axes
    line : pair ``(w, b)``, optional
        The straight boundary ``w[0] x1 + w[1] x2 + b = 0``: ``w`` float (2,), ``b`` float
        or (1,) (e.g. from ``course_utils.experiments.decision_line``). Drawn when given.
    values : ndarray of float, shape (n, n), optional
        P(class 1) on the heatmap grid; its ``level`` contour is drawn when no line is given.
    animated : bool
        Mark the artists animated (for a blitted view, which draws them itself).

    Returns
    -------
    dict
        ``{"line": Line2D, "contour": ContourSet or None, "domain", "level"}``. The Line2D
        always exists (hidden unless the boundary is straight), so a straight boundary moves
        in place; hand the dict to :func:`update_live_boundary`.
    """
    style = {**BOUNDARY_STYLE, "zorder": 4, **style}
    artist = draw_line(ax, [1.0, 0.0], 0.0, domain, **style)
    artist.set_visible(False)
    artist.set_animated(animated)
    artists = {"line": artist, "contour": None, "domain": domain, "level": level}
    update_live_boundary(artists, line, values)
    return artists


def update_live_boundary(artists: dict, line=None, values=None) -> None:
    """Show a new boundary: move the line (``set_data``) or the contour (``set_paths``), or
    hide both.

    Arguments as :func:`draw_live_boundary`. Neither given (or nothing finite to draw, e.g.
    a diverged network's NaN values): no boundary is drawn, and nothing raises. A contour
    is made once and then moved in place (a new ContourSet per frame cost more than the
    rest of the boundary picture); it is removed only when there is no contour to show.
    """
    artist = artists["line"]
    path = None if line is not None or values is None else boundary_path(values, artists["domain"],
                                                                          artists["level"])
    if artists["contour"] is not None and path is None:
        artists["contour"].remove()
        artists["contour"] = None
    if line is not None:
        w, b = line
        update_line(artist, np.asarray(w, dtype=float).ravel(), b, artists["domain"])
        xs, ys = artist.get_data()
        artist.set_visible(bool(np.isfinite(xs).all() and np.isfinite(ys).all()))
        return
    artist.set_visible(False)
    if path is None:
        return
    if artists["contour"] is not None:
        artists["contour"].set_paths([path])
        return
    contour = draw_boundary(artist.axes, values, artists["domain"], artists["level"],
                            colors=artist.get_color(), linewidths=artist.get_linewidth(),
                            linestyles=artist.get_linestyle(), zorder=artist.get_zorder())
    if contour is not None:
        contour.set_animated(artist.get_animated())
    artists["contour"] = contour


def live_boundary_artists(artists: dict) -> list:
    """The artists showing the boundary now (for a blitted view to draw): [], [line] or [contour]."""
    if artists["line"].get_visible():
        return [artists["line"]]
    return [artists["contour"]] if artists["contour"] is not None else []
