"""Figures for notebook 05, "activation flavours".

Every helper takes the axes to draw on (or makes them) and returns the artists it drew;
they draw arrays, ``course_utils.diagnostics`` results, or a ``predict`` function they
are given, and never train. Colours are the Okabe-Ito palette (safe for the common
colour-vision deficiencies), and each activation also gets its own line style, so the
figures still read in grey.
"""
from __future__ import annotations

import io
from itertools import cycle
from typing import Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from ..activations import ACTIVATIONS
from ..data import DOMAIN
from ..grid import heatmap_grid
from .boundary import boundary_handle, draw_live_boundary, update_live_boundary
from .style import CLASS_COLOURS, HEATMAP_CMAP

__all__ = [
    "OKABE_ITO", "ACTIVATION_STYLES", "CLASS_COLOURS", "BOUNDARY_CMAP", "style_for",
    "plot_activation_curves", "plot_gradient_norms", "plot_silent_units", "plot_loss_curves",
    "plot_mean_outputs", "draw_boundary", "update_boundary", "plot_small_multiples",
    "new_figure", "new_pyplot_figure", "figure_to_png",
]

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#F0E442")
"""Okabe & Ito's colour-blind-safe palette."""

# Lines in table order: grey for "linear" (the baseline), then Okabe-Ito with yellow last
# (it is faint on white) - so no activation of the table is drawn in yellow today.
_LINE_COLOURS = ("#7F7F7F", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000",
                 "#E69F00", "#F0E442")

_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 2)))

# One colour and dash per activation, fixed by the table's order so every figure agrees.
ACTIVATION_STYLES: dict[str, dict] = {
    name: {"color": c, "linestyle": ls}
    for name, c, ls in zip(ACTIVATIONS, cycle(_LINE_COLOURS), cycle(_LINESTYLES))
}

# The course's class colours and heatmap, shared with every other figure.
BOUNDARY_CMAP = HEATMAP_CMAP


def style_for(name: str) -> dict:
    """Colour and line style of an activation (a grey solid line for unknown names)."""
    return dict(ACTIVATION_STYLES.get(name, {"color": "#555555", "linestyle": "-"}))


def _axes(ax, ncols: int = 1, figsize=(5, 3.5)):
    """The axes given, or new ones from pyplot (so notebooks show them inline)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only when asked to make a figure

    _, made = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
    return made


def plot_activation_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], z,
                           axes=None) -> list:
    """Each activation's value (left) and derivative (right) on shared axes.

    Parameters
    ----------
    curves : mapping
        ``name -> (value, derivative)``, arrays of shape (m,), e.g. from
        :func:`course_utils.diagnostics.activation_curves`.
    z : ndarray, shape (m,)
    axes : pair of Axes, optional
        Made side by side when not given.

    Returns
    -------
    list of Line2D
        Value lines then derivative lines.
    """
    ax_v, ax_d = _axes(axes, ncols=2, figsize=(10, 3.8))
    lines_v, lines_d = [], []
    for name, (value, der) in curves.items():
        st = style_for(name)
        lines_v += ax_v.plot(z, value, label=name, lw=2, **st)
        lines_d += ax_d.plot(z, der, label=name, lw=2, **st)
    for ax, title, ylabel in ((ax_v, "value a(z)", "a(z)"), (ax_d, "derivative a'(z)", "da/dz")):
        ax.axhline(0, color="#999999", lw=0.8, zorder=0)
        ax.axvline(0, color="#999999", lw=0.8, zorder=0)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
    ax_d.axhline(0.25, color="#555555", lw=0.8, ls=":", zorder=0)
    ax_d.annotate("0.25: sigmoid's largest slope", (z[0], 0.25), xytext=(0, 3),
                  textcoords="offset points", fontsize=8, color="#555555")
    ax_v.legend(fontsize=8, loc="upper left")
    return lines_v + lines_d


def plot_gradient_norms(study: Mapping[str, tuple[np.ndarray, np.ndarray]], axes=None) -> list:
    """Gradient norm per layer, at initialisation (left) and after training (right).

    Parameters
    ----------
    study : mapping
        ``name -> (before, after)``, arrays of shape (n_layers,), input layer first, as
        returned by :func:`course_utils.diagnostics.gradient_norm_study`.
    axes : pair of Axes, optional

    Returns
    -------
    list of Line2D
    """
    ax_b, ax_a = _axes(axes, ncols=2, figsize=(10, 3.8))
    lines = []
    for name, (before, after) in study.items():
        st = style_for(name)
        layers = np.arange(1, len(before) + 1)
        # A norm of exactly 0 cannot sit on a log axis; it is drawn at the floor instead.
        for ax, norms in ((ax_b, before), (ax_a, after)):
            lines += ax.plot(layers, np.maximum(norms, 1e-12), marker="o", ms=4, lw=1.8,
                             label=name, **st)
    for ax, title in ((ax_b, "at initialisation"), (ax_a, "after training")):
        ax.set_yscale("log")
        ax.set_xlabel("layer (1 = next to the input; last = output)")
        ax.set_ylabel("||dLoss/dW|| (log scale)")
        ax.set_title(f"gradient norm per layer, {title}")
    ax_b.legend(fontsize=8, loc="lower right")
    return lines


def plot_silent_units(study: Mapping[str, Mapping], ax=None, title: str | None = None) -> list:
    """Share of hidden units that fire for no training point, per epoch, per activation.

    Parameters
    ----------
    study : mapping
        ``name -> {"silent": (n_seeds, epochs + 1) fractions, ...}`` as returned by
        :func:`course_utils.diagnostics.silent_unit_study`.
    title : str, optional
        What to see; a neutral default otherwise.

    Returns
    -------
    list of Line2D
        One line per activation: the mean over seeds (each seed's run is drawn faintly behind).
    """
    ax = _axes(ax, figsize=(6.5, 3.6))
    lines = []
    for name, r in study.items():
        silent = 100 * np.asarray(r["silent"], dtype=float)  # (n_seeds, epochs + 1)
        epochs = np.arange(silent.shape[1])
        style = style_for(name)
        for run in silent:
            ax.plot(epochs, run, lw=0.6, alpha=0.35, color=style["color"])
        lines += ax.plot(epochs, silent.mean(axis=0), lw=2.2, label=f"{name} (mean of {len(silent)} runs)",
                         **style)
    ax.set_xlabel("epoch")
    ax.set_ylabel("hidden units that fire for\nno training point (%)")
    ax.set_ylim(0, 100)
    ax.set_title(title or "silent hidden units during training", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    return lines


def plot_loss_curves(runs: Sequence, ax=None, which: str = "train_loss") -> list:
    """Loss per epoch of each run (objects with ``.activation`` and ``.history``).

    Returns
    -------
    list of Line2D
    """
    if which not in ("train_loss", "test_loss"):
        raise ValueError(f"Unknown curve {which!r}. Choose one of: train_loss, test_loss.")
    ax = _axes(ax)
    lines = []
    for run in runs:
        loss = getattr(run.history, which)
        lines += ax.plot(np.arange(1, len(loss) + 1), loss, lw=2, label=run.activation,
                         **style_for(run.activation))
    ax.axhline(np.log(2), color="#999999", lw=0.8, ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel(("training" if which == "train_loss" else "test") + " loss (binary cross-entropy)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return lines


def plot_mean_outputs(means: Mapping[str, np.ndarray], ax=None) -> list:
    """Mean output of each hidden layer, per activation (zero-centred or not).

    ``means`` maps a name to an array (n_hidden_layers,), e.g. from
    :func:`course_utils.diagnostics.mean_hidden_output`. Returns the Line2D objects.
    """
    ax = _axes(ax)
    lines = []
    for name, m in means.items():
        lines += ax.plot(np.arange(1, len(m) + 1), m, marker="o", lw=2, label=name, **style_for(name))
    ax.axhline(0, color="#999999", lw=0.8)
    ax.set_xticks(np.arange(1, max((len(m) for m in means.values()), default=0) + 1))
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("mean output over the data")
    ax.legend(fontsize=8)
    return lines


# --------------------------------------------------------------------------------------
# Decision boundaries
# --------------------------------------------------------------------------------------
def _probabilities(predict: Callable, resolution: int) -> np.ndarray:
    # The same pixel-centred grid as every other heatmap in the course (course_utils.grid).
    return heatmap_grid(predict, resolution)


def draw_boundary(ax, predict: Callable, X, y, *, resolution: int = 80, title: str | None = None,
                  line=None, boundary: bool = True, legend: bool = False) -> dict:
    """Heatmap of P(class 1) over the Playground square, the decision boundary, the data on top.

    Parameters
    ----------
    ax : Axes
    predict : callable
        ``predict(P) -> p`` for points P (m, 2), probabilities (m,), e.g. ``net.predict_proba``.
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,), labels 0/1
    line : pair ``(w, b)``, optional
        A straight boundary ``w . x + b = 0`` (``experiments.decision_line``), drawn as that
        exact line; without it the boundary is the 0.5 contour of the heatmap.
    boundary : bool
        False draws no boundary (e.g. a diverged network).
    legend : bool
        Add a "decision boundary" legend entry below the axes.

    Returns
    -------
    dict
        ``{"image", "line", "contour", "points", "resolution", ...}``: the AxesImage, the
        boundary's Line2D (hidden unless the boundary is straight), the 0.5 contour set
        (None when the line is drawn or the whole square is one class), the scatter and the
        grid size; hand it to :func:`update_boundary` to redraw in place.
    """
    lo, hi = DOMAIN
    P = _probabilities(predict, resolution)
    image = ax.imshow(P, origin="lower", extent=(lo, hi, lo, hi),
                      cmap=BOUNDARY_CMAP, vmin=0, vmax=1, interpolation="bilinear", aspect="equal")
    y = np.asarray(y)
    colours = np.where(y > 0.5, CLASS_COLOURS[1], CLASS_COLOURS[0])
    points = ax.scatter(X[:, 0], X[:, 1], c=colours, s=9, edgecolors="black", linewidths=0.3)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title is not None:
        ax.set_title(title, fontsize=9)
    artists = {"image": image, "points": points, "resolution": resolution}
    artists.update(draw_live_boundary(ax, line if boundary else None, P if boundary else None))
    if legend:
        ax.legend(handles=[boundary_handle()], loc="upper center", bbox_to_anchor=(0.5, -0.13),
                  fontsize=8, frameon=False)
    return artists


def update_boundary(artists: dict, predict: Callable, X=None, y=None, title: str | None = None,
                    line=None, boundary: bool = True) -> dict:
    """Redraw a :func:`draw_boundary` picture in place for a new ``predict`` (and data).

    ``line`` and ``boundary`` as in :func:`draw_boundary`: the line moves in place, a
    contour is replaced.
    """
    image = artists["image"]
    P = _probabilities(predict, artists["resolution"])
    image.set_data(P)
    if X is not None:
        artists["points"].set_offsets(np.asarray(X)[:, :2])
        if y is not None:
            artists["points"].set_facecolor(np.where(np.asarray(y) > 0.5, CLASS_COLOURS[1], CLASS_COLOURS[0]))
    if title is not None:
        image.axes.set_title(title, fontsize=9)
    update_live_boundary(artists, line if boundary else None, P if (boundary and line is None) else None)
    return artists


def plot_small_multiples(runs: Sequence, X, y, axes=None, ncols: int = 4) -> list[dict]:
    """One decision boundary per run (objects with ``.activation``, ``.net`` and figures).

    Each panel's title gives the activation, the epochs it needed to reach the target
    accuracy and its final loss. Unused axes are hidden. Returns each panel's artists.
    """
    if axes is None:
        import matplotlib.pyplot as plt

        nrows = -(-len(runs) // ncols)
        _, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 3.1 * nrows), layout="constrained",
                               sharex=True, sharey=True)
    flat = np.ravel(axes)
    if len(flat) < len(runs):
        raise ValueError(f"{len(runs)} runs need at least {len(runs)} axes; got {len(flat)}.")
    out = []
    for ax, run in zip(flat, runs):
        reached = "never" if run.epochs_to_target is None else f"{run.epochs_to_target} epochs"
        title = f"{run.activation}: {run.target:.0%} in {reached}\nfinal loss {run.final_loss:.3f}"
        if run.diverged:
            title = f"{run.activation}: diverged"
        out.append(draw_boundary(ax, run.net.predict_proba, X, y, title=title, resolution=60))
    for ax in flat[len(runs):]:
        ax.set_visible(False)
    return out


# --------------------------------------------------------------------------------------
# Off-screen figures for widgets
# --------------------------------------------------------------------------------------
def new_pyplot_figure(ncols: int = 2, figsize=None):
    """A pyplot figure with ``ncols`` axes in a row (shown inline by a notebook).

    Returns the figure and a list of its axes.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=figsize or (5 * ncols, 3.6), layout="constrained")
    return fig, list(np.ravel(axes))


def new_figure(figsize=(9, 3.2), ncols: int = 3) -> tuple[Figure, list]:
    """A matplotlib ``Figure`` outside pyplot (never shown by the notebook on its own).

    Returns the figure and its ``ncols`` axes in a row.
    """
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, ncols)
    return fig, list(np.ravel(axes))


def figure_to_png(fig: Figure, dpi: int = 80) -> bytes:
    """Render a figure to PNG bytes with Agg, without version stamps (same picture, same bytes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
