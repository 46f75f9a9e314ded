"""Opening the box: filmstrips, hidden units, hidden space, a width sweep, a function from pieces.

Each ``draw_x(ax, data)`` draws arrays computed by ``course_utils.experiments``,
``course_utils.inspection`` or ``course_utils.pieces`` and returns its artists; each
``x_figure(data, ...)`` lays panels out and returns ``(fig, artists)``. Nothing here trains.
"""
from __future__ import annotations

import math

import numpy as np

from ..data import DOMAIN
from .boundary import draw_boundary, draw_heatmap, draw_line, draw_points, update_line, update_points
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .style import (BLUE, CLASS_COLOURS, HEATMAP_CMAP, ORANGE, REFERENCE_COLOUR, SUBTITLE_PT, class_colours,
                    new_figure, takeaway_title, wrap_text)

__all__ = ["titled_figure", "draw_snapshot", "draw_filmstrip", "filmstrip_figure", "draw_unit",
           "draw_logit", "hidden_units_figure", "draw_hidden_space", "update_hidden_space", "HiddenSpaceView",
           "hidden_space_figure",
           "width_sweep_figure", "draw_pieces", "update_pieces", "pieces_figure", "UNIT_CMAP"]

UNIT_CMAP = "cividis"
"""A hidden unit's own output: dark (low) to yellow (high), readable with any colour vision and
distinct from the class colours of the output heatmap."""

def titled_figure(title: str | None, subtitle: str | None = None, figsize=(12.0, 2.8), **subplots):
    """A constrained-layout figure with a takeaway title and a smaller settings subtitle.

    The title is the figure's ``suptitle`` and the subtitle the ``suptitle`` of a subfigure
    holding the axes, so constrained layout makes room for both; long titles are wrapped to
    the figure's width, so nothing is clipped.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or ndarray of Axes (from ``SubFigure.subplots(**subplots)``)
    """
    fig = Figure(figsize=figsize, dpi=100, layout="constrained")  # as style.new_figure, axes made below
    width = fig.get_figwidth()
    takeaway_title(fig, title)
    sub = fig.subfigures(1, 1)
    if subtitle:
        sub.suptitle(wrap_text(subtitle, width, SUBTITLE_PT), fontsize=SUBTITLE_PT, color="#404040")
    axes = sub.subplots(**subplots) if subplots else sub.add_subplot()
    return fig, axes


def _data_panel(ax, grid, X, y, domain=DOMAIN, first: bool = True):
    heat = draw_heatmap(ax, grid, domain=domain, label=False)
    contour = draw_boundary(ax, grid, domain=domain)
    points = draw_points(ax, X, y) if X is not None else None
    ax.set_xlabel("x1", fontsize="small")
    if first:
        ax.set_ylabel("x2", fontsize="small")
    else:
        ax.tick_params(labelleft=False)
    ax.tick_params(labelsize="x-small")
    return {"heatmap": heat, "boundary": contour, "points": points}


def _colourbar(fig, image, axes, label, location="right"):
    bar = fig.colorbar(image, ax=axes, shrink=0.85, pad=0.01, aspect=25, location=location)
    bar.set_label(label, fontsize="small")
    bar.ax.tick_params(labelsize="x-small")
    return bar


# ---------------------------------------------------------------------------- filmstrip
def draw_snapshot(ax, snapshot, X=None, y=None, first: bool = True):
    """One frame: P(class 1) heatmap, its 0.5 contour, the data, and (for a linear net) the
    collapsed line, titled ``epoch N``.

    Parameters
    ----------
    snapshot : course_utils.experiments.Snapshot
    X, y : ndarray, shapes (n, 2) and (n,), optional
        The data points drawn on top.
    first : bool
        Label the x2 axis (the first panel of a row); the others hide their x2 ticks.

    Returns
    -------
    dict of str -> Artist
        ``heatmap``, ``boundary`` (None when the 0.5 contour is outside the square),
        ``points`` (or None), ``line`` (or None), ``title``.
    """
    out = _data_panel(ax, snapshot.grid, X, y, first=first)
    out["line"] = None
    if snapshot.line is not None:
        w, b = snapshot.line
        out["line"] = draw_line(ax, w, b, linestyle="--", linewidth=1.4, label="collapsed line")
    out["title"] = ax.set_title(f"epoch {snapshot.epoch}", fontsize="medium")
    return out


def draw_filmstrip(axes, strip):
    """Draw every snapshot of ``strip`` (a ``experiments.Filmstrip``) on ``axes``, one each.

    All panels share the same square and colour scale (P from 0 to 1). Returns a list of
    :func:`draw_snapshot` dicts.
    """
    axes = list(np.ravel(axes))
    if len(axes) != len(strip.snapshots):
        raise ValueError(f"Give one axes per snapshot: {len(strip.snapshots)} snapshots, {len(axes)} axes.")
    return [draw_snapshot(ax, s, strip.X_train, strip.y_train, first=i == 0)
            for i, (ax, s) in enumerate(zip(axes, strip.snapshots))]


def filmstrip_figure(strip, title: str | None = None, subtitle: str | None = None, panel_size: float = 2.2):
    """A row of frames with a takeaway title and a settings subtitle (default: the settings).

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : dict
        ``panels`` (list of :func:`draw_snapshot` dicts), ``colorbar``.
    """
    from .figures import describe

    n = len(strip.snapshots)
    if subtitle is None:
        subtitle = f"{describe(strip.settings)}; background P(class 1), black: the 0.5 boundary"
        if any(s.line is not None for s in strip.snapshots):
            subtitle += ", dashed: the collapsed single layer's line"
    fig, axes = titled_figure(title, subtitle, figsize=(panel_size * n + 0.9, panel_size + 1.0),
                              ncols=n, squeeze=False, sharex=True, sharey=True)
    panels = draw_filmstrip(axes[0], strip)
    bar = _colourbar(fig, panels[0]["heatmap"], axes[0], "P(class 1)")
    return fig, {"panels": panels, "colorbar": bar}


# ---------------------------------------------------------------------------- hidden units
def _centres(n, domain):
    lo, hi = domain
    return lo + (hi - lo) / n * (np.arange(n) + 0.5)


def draw_unit(ax, activation, weight: float, index: int, domain=DOMAIN, vmax: float = 1.0, left=True,
              bottom=True):
    """One hidden unit's output over the square (a soft step across a line, for sigmoid),
    titled with its output weight.

    Parameters
    ----------
    activation : ndarray of float, shape (r, r)
        ``HiddenUnits.activations[index]``.
    weight : float
        Its output weight ``v_j``.

    Returns
    -------
    dict of str -> Artist
        ``image``, ``midline`` (the half-way contour, or None), ``title``.
    """
    lo, hi = domain
    a = np.asarray(activation, dtype=float)
    image = ax.imshow(a, origin="lower", extent=(lo, hi, lo, hi), cmap=UNIT_CMAP, vmin=0.0, vmax=vmax,
                      interpolation="nearest", aspect="equal")
    midline = None
    half = 0.5 * vmax
    if a.min() < half < a.max():
        c = _centres(a.shape[0], domain)
        midline = ax.contour(c, c, a, levels=[half], colors="white", linewidths=0.8, linestyles="--")
    sign_colour = BLUE if weight > 0 else ORANGE
    title = ax.set_title(f"unit {index + 1}: weight {weight:+.2f}", fontsize="small", color=sign_colour)
    _edge_labels(ax, left, bottom)
    return {"image": image, "midline": midline, "title": title}


def _edge_labels(ax, left: bool, bottom: bool) -> None:
    # Axis labels and tick labels on the outer panels of a grid only.
    ax.tick_params(labelsize="xx-small", labelleft=left, labelbottom=bottom)
    if bottom:
        ax.set_xlabel("x1", fontsize="x-small")
    if left:
        ax.set_ylabel("x2", fontsize="x-small")


def draw_logit(ax, logit, bias: float, X=None, y=None, domain=DOMAIN, left=True, bottom=True):
    """The weighted sum of the units plus the bias (the output's logit), its 0 contour (the
    decision boundary) and, optionally, the data.

    Returns
    -------
    dict of str -> Artist
        ``image``, ``boundary`` (or None), ``points`` (or None), ``title``.
    """
    lo, hi = domain
    z = np.asarray(logit, dtype=float)
    lim = max(float(np.abs(z).max()), 1e-9)
    # The class colours: negative logit (class 0) orange, positive (class 1) blue, 0 white.
    image = ax.imshow(z, origin="lower", extent=(lo, hi, lo, hi), cmap=HEATMAP_CMAP, vmin=-lim, vmax=lim,
                      interpolation="nearest", aspect="equal")
    boundary = draw_boundary(ax, z, domain=domain, level=0.0)
    points = draw_points(ax, X, y) if X is not None else None
    title = ax.set_title(f"weighted sum + bias ({bias:+.2f})", fontsize="small")
    _edge_labels(ax, left, bottom)
    return {"image": image, "boundary": boundary, "points": points, "title": title}


def hidden_units_figure(units, X=None, y=None, title: str | None = None, subtitle: str | None = None,
                        ncols: int | None = None, panel_size: float = 2.0):
    """Every hidden unit's picture, then their weighted sum + bias with its 0 contour.

    Parameters
    ----------
    units : course_utils.inspection.HiddenUnits
    X, y : ndarray, optional
        Data drawn on the last panel.
    ncols : int, optional
        Panels per row (default: a near-square grid).

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : dict
        ``units`` (list of :func:`draw_unit` dicts), ``logit`` (:func:`draw_logit` dict),
        ``colorbars`` (list of two).
    """
    h = units.activations.shape[0]
    n = h + 1
    ncols = int(ncols or math.ceil(math.sqrt(n)))
    nrows = math.ceil(n / ncols)
    if subtitle is None:
        subtitle = ("each unit: its output over the plane, dashed where it is half-way up; title: its weight "
                    "to the output (blue +, orange -). Last: the weighted sum + bias; black: where it is 0")
    fig, axes = titled_figure(title, subtitle, figsize=(panel_size * ncols + 1.6, panel_size * nrows + 1.1),
                              nrows=nrows, ncols=ncols, squeeze=False)
    flat = list(axes.ravel())
    vmax = max(1.0, float(units.activations.max()))
    def edges(j):
        # left column; bottom: no panel below it
        return {"left": j % ncols == 0, "bottom": j + ncols >= n}

    drawn = [draw_unit(ax, a, v, j, vmax=vmax, **edges(j))
             for j, (ax, a, v) in enumerate(zip(flat, units.activations, units.output_weights))]
    logit = draw_logit(flat[h], units.logit, units.output_bias, X, y, **edges(h))
    for ax in flat[n:]:
        ax.set_visible(False)
    bars = [_colourbar(fig, drawn[0]["image"], flat[:h], "unit output"),
            _colourbar(fig, logit["image"], flat[h], "logit (before the sigmoid)", location="bottom")]
    return fig, {"units": drawn, "logit": logit, "colorbars": bars}


# ---------------------------------------------------------------------------- hidden space
def draw_hidden_space(ax, space, y, title: str | None = None):
    """The data in hidden-unit coordinates, coloured by class, with the output layer's
    boundary when the projection keeps it exact.

    Parameters
    ----------
    space : course_utils.inspection.HiddenSpace
    y : ndarray of int, shape (n,)
    title : str, optional
        Default: says whether the drawn line is the exact boundary.

    Returns
    -------
    dict of str -> Artist
        ``points``, ``line`` (None when the projection is not exact), ``title``. Hand it to
        :func:`update_hidden_space` to show a new state with the same artists.
    """
    artists = {"points": draw_points(ax, np.asarray(space.coords, dtype=float), y), "line": None,
               "title": ax.set_title("", fontsize="small", wrap=True), "legend_line": None}
    update_hidden_space(artists, space, y, title)
    return artists


def update_hidden_space(artists: dict, space, y, title: str | None = None) -> None:
    """Move the points and the boundary line of :func:`draw_hidden_space` to ``space``
    (``set_offsets`` / ``set_data``; the line is made once, then hidden or moved)."""
    points = artists["points"]
    ax = points.axes
    C = np.asarray(space.coords, dtype=float)
    update_points(points, C, y)
    lo = C.min(axis=0) if len(C) else np.zeros(2)
    hi = C.max(axis=0) if len(C) else np.ones(2)
    pad = 0.08 * np.maximum(hi - lo, 1e-6)
    span = (float(min(lo - pad)), float(max(hi + pad)))
    line = artists["line"]
    if space.line is not None:
        w, b = space.line
        if line is None:
            line = artists["line"] = draw_line(ax, w, b, domain=span, label="output layer's boundary")
        update_line(line, w, b, domain=span)
    if line is not None:
        line.set_visible(space.line is not None)
    ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
    ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
    ax.set_xlabel(space.labels[0], fontsize="small")
    ax.set_ylabel(space.labels[-1], fontsize="small")
    if title is None:
        title = ("in hidden space a straight line separates the classes" if space.line is not None else
                 f"hidden space ({space.method} projection): this view drops part of what the output "
                 "sees, so its boundary is not drawn")
    artists["title"].set_text(title)
    shown = line if space.line is not None else None
    k = max(2, int(np.max(y)) + 1) if len(y) else 2  # classes to name
    if ax.get_legend() is None or (artists.get("legend_line"), artists.get("legend_classes")) != (shown, k):
        legend = [Line2D([], [], marker="o", linestyle="", color=c, label=f"class {i}")
                  for i, c in enumerate(class_colours(k))] + ([shown] if shown is not None else [])
        ax.legend(handles=legend, fontsize="x-small", loc="best", framealpha=0.85)
        artists["legend_line"] = shown
        artists["legend_classes"] = k


class HiddenSpaceView:
    """A live hidden-space picture (the Playground's toggle): one small figure, its artists
    moved on every :meth:`update` (:func:`update_hidden_space`), rendered to PNG."""

    def __init__(self, figsize=(4.6, 4.2), dpi: int = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig, self.ax = new_figure(figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.artists: dict | None = None

    def update(self, space, y, title: str | None = None) -> None:
        """Show ``space`` (an ``inspection.HiddenSpace``) with labels ``y`` (n,)."""
        if self.artists is None:
            self.artists = draw_hidden_space(self.ax, space, y, title)
        else:
            update_hidden_space(self.artists, space, y, title)

    def png(self) -> bytes:
        """The picture as PNG bytes. The layout of the first picture is kept (constrained layout
        on every frame would cost more than the drawing) and compression is light: it is redrawn
        on every frame of Play."""
        import io

        from PIL import Image

        self.canvas.draw()
        self.fig.set_layout_engine("none")
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=1)
        return buf.getvalue()


def hidden_space_figure(X, y, space, grid=None, title: str | None = None, subtitle: str | None = None,
                        plane_title: str = "the data in the plane: no line separates them"):
    """Two panels: the data in the plane (over ``grid``, P(class 1), if given) and the same
    points in hidden space.

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : dict
        ``plane`` (``heatmap``, ``boundary``, ``points``) and ``hidden`` (:func:`draw_hidden_space`).
    """
    fig, (ax_in, ax_h) = titled_figure(title, subtitle, figsize=(8.6, 4.4), ncols=2)
    if grid is not None:
        plane = _data_panel(ax_in, grid, X, y)
    else:
        plane = {"heatmap": None, "boundary": None, "points": draw_points(ax_in, X, y)}
        ax_in.set_xlim(*DOMAIN)
        ax_in.set_ylim(*DOMAIN)
        ax_in.set_aspect("equal")
        ax_in.set_xlabel("x1", fontsize="small")
        ax_in.set_ylabel("x2", fontsize="small")
    ax_in.set_title(plane_title, fontsize="small")
    hidden = draw_hidden_space(ax_h, space, y)
    return fig, {"plane": plane, "hidden": hidden}


# ---------------------------------------------------------------------------- width sweep
def width_sweep_figure(sweep, title: str | None = None, subtitle: str | None = None, panel_size: float = 2.3):
    """Small multiples: the boundary of one hidden layer of each width, titled ``"3 units: 100 %"``.

    Parameters
    ----------
    sweep : course_utils.experiments.WidthSweep

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : list of dict
        Per panel: ``heatmap``, ``boundary``, ``points``, ``title``.
    """
    n = len(sweep.widths)
    if subtitle is None:
        s = sweep.settings
        subtitle = (f"{s.dataset}, {s.activation}, one hidden layer, lr {s.learning_rate:g}, {s.optimizer}, "
                    f"{s.epochs} epochs, seed {s.seed}; title: training accuracy")
    fig, axes = titled_figure(title, subtitle, figsize=(panel_size * n + 0.9, panel_size + 1.0),
                              ncols=n, squeeze=False, sharex=True, sharey=True)
    out = []
    for i, (ax, w, grid, acc) in enumerate(zip(axes[0], sweep.widths, sweep.grids, sweep.accuracy)):
        panel = _data_panel(ax, grid, sweep.X_train, sweep.y_train, first=i == 0)
        panel["title"] = ax.set_title(f"{w} unit{'s' if w != 1 else ''}: {100 * acc:.0f} %", fontsize="medium")
        out.append(panel)
    _colourbar(fig, out[0]["heatmap"], axes[0], "P(class 1)")
    return fig, out


# ---------------------------------------------------------------------------- pieces
_PIECE_COLOUR = "#009e73"  # Okabe-Ito bluish green, apart from the target (black) and the sum (blue)


def draw_pieces(ax, pieces, max_pieces: int | None = None):
    """The target, the fitted sum, and each weighted unit faintly beneath.

    Parameters
    ----------
    pieces : course_utils.pieces.Pieces
    max_pieces : int, optional
        Lines kept for the pieces (default ``pieces.k``); a live panel allocates its
        slider's maximum once and :func:`update_pieces` hides the spares.

    Returns
    -------
    dict of str -> Artist
        ``target``, ``fit``, ``pieces`` (list of Line2D), ``knots`` (Line2D markers), ``title``.
    """
    x = pieces.x
    slots = max(int(max_pieces or 0), pieces.k)
    piece_lines = [ax.plot(x, np.zeros_like(x), color=_PIECE_COLOUR, linewidth=1.0, alpha=0.45,
                           label="one unit x its weight" if j == 0 else None)[0] for j in range(slots)]
    (target,) = ax.plot(x, pieces.target, color="black", linewidth=1.5, linestyle="--", label="target")
    (fit,) = ax.plot(x, pieces.fit, color=BLUE, linewidth=2.2, label="sum of the units + bias")
    (knots,) = ax.plot([], [], linestyle="", marker="|", markersize=10, color=REFERENCE_COLOUR,
                       label="unit positions")
    ax.axhline(0.0, color=REFERENCE_COLOUR, linewidth=0.6)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_xlim(float(x[0]), float(x[-1]))
    lo, hi = float(pieces.target.min()), float(pieces.target.max())
    pad = 0.35 * max(hi - lo, 1e-6)
    # The scale of the target, not of the pieces: single pieces may run far off it, the sum may not.
    ax.set_ylim(lo - pad, hi + pad)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize="x-small", ncols=2, frameon=False)
    artists = {"target": target, "fit": fit, "pieces": piece_lines, "knots": knots,
               "title": ax.set_title("", fontsize="medium")}
    update_pieces(artists, pieces)
    return artists


def update_pieces(artists: dict, pieces, selected: int | None = None) -> None:
    """Show new pieces in the lines of :func:`draw_pieces` (hides spare piece lines).

    ``selected`` (0-based) draws that piece bold, for a panel whose sliders move one piece.
    """
    if pieces.k > len(artists["pieces"]):
        raise ValueError(f"Only {len(artists['pieces'])} piece lines were drawn; got {pieces.k} pieces.")
    for j, line in enumerate(artists["pieces"]):
        if j < pieces.k:
            line.set_data(pieces.x, pieces.pieces[j])
        line.set_visible(j < pieces.k)
        line.set_linewidth(2.4 if j == selected else 1.0)
        line.set_alpha(1.0 if j == selected else 0.45)
    artists["target"].set_data(pieces.x, pieces.target)
    artists["fit"].set_data(pieces.x, pieces.fit)
    ylo = artists["fit"].axes.get_ylim()[0]
    artists["knots"].set_data(pieces.knots, np.full(pieces.k, ylo))
    artists["knots"].set_clip_on(False)
    artists["title"].set_text(f"{pieces.k} {pieces.unit} unit{'s' if pieces.k != 1 else ''}: "
                              f"largest error {pieces.max_error:.3f}")


def pieces_figure(fits, title: str | None = None, subtitle: str | None = None, panel_size: float = 3.2):
    """Fits side by side (e.g. k = 3, 6, 12), on the same axes.

    Parameters
    ----------
    fits : sequence of course_utils.pieces.Pieces

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : list of dict (:func:`draw_pieces`)
    """
    n = len(fits)
    fig, axes = titled_figure(title, subtitle, figsize=(panel_size * n, panel_size + 0.9), ncols=n,
                              squeeze=False, sharey=True)
    return fig, [draw_pieces(ax, p) for ax, p in zip(axes[0], fits)]
