"""A grid of lines pushed through layers (``course_utils.grid``), drawn and redrawn."""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from .style import BLUE, ORANGE, new_figure, takeaway_title

__all__ = ["draw_grid", "update_grid", "grid_figure", "grid_legend"]


def _colours(n_lines: int):
    half = n_lines // 2
    return [ORANGE] * half + [BLUE] * (n_lines - half)


def draw_grid(ax=None, lines=None, title: str | None = None, labels=("unit 1", "unit 2")):
    """Draw polylines (n_lines, n_points, 2) from ``grid.grid_lines`` / ``grid.warp``.

    The two families of the original grid are coloured orange (constant x1) and blue
    (constant x2), so one can follow them through the layers.

    Returns
    -------
    matplotlib.collections.LineCollection
    """
    if ax is None:
        _, ax = new_figure((4.0, 4.0))
    lines = np.asarray(lines, dtype=float)
    coll = LineCollection(list(lines), colors=_colours(len(lines)), linewidths=1.2)
    ax.add_collection(coll)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if title:
        ax.set_title(title)
    _fit(ax, lines)
    return coll


def update_grid(coll, lines) -> None:
    """Move the lines of a :func:`draw_grid` collection and refit the view."""
    lines = np.asarray(lines, dtype=float)
    coll.set_segments(list(lines))
    _fit(coll.axes, lines)


def _fit(ax, lines) -> None:
    finite = lines[np.isfinite(lines).all(axis=-1)]
    if finite.size == 0:
        return
    lo, hi = finite.min(axis=0), finite.max(axis=0)
    centre = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * 1.08, 1e-6)
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half, centre[1] + half)
    ax.set_aspect("equal", adjustable="box")


def grid_figure(panels: dict, panel_size: float = 3.0, takeaway: str | None = None):
    """One panel per stage: ``{"title": lines, ...}``, the first drawn as the input (x1, x2).

    ``takeaway`` is the figure's title: what to see.

    Returns
    -------
    fig : matplotlib.figure.Figure
    collections : list of LineCollection
    """
    n = len(panels)
    # Room above the square panels for the title and below them for the legend: with less,
    # constrained layout's first pass (the one a PNG gets) lets the title overlap the panel
    # titles and cuts the legend off.
    fig, axes = new_figure((panel_size * n, panel_size + 0.9), ncols=n, squeeze=False)
    out = []
    for i, (ax, (title, lines)) in enumerate(zip(axes[0], panels.items())):
        out.append(draw_grid(ax, lines, title=title, labels=("x1", "x2") if i == 0 else ("unit 1", "unit 2")))
    grid_legend(axes[0][0])
    takeaway_title(fig, takeaway)
    return fig, out


def grid_legend(ax, fontsize="x-small"):
    """Say which colour is which family of the original grid."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=ORANGE, label="lines x1 = const"),
               Line2D([], [], color=BLUE, label="lines x2 = const")]
    return ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=fontsize,
                     ncols=2, frameon=False, handlelength=1.2, columnspacing=0.8)
