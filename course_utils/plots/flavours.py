"""Figures for notebook 05, "activation flavours".

Each ``draw_x(ax, data)`` draws arrays or ``course_utils.diagnostics`` results and returns
its artists; ``update_x(artists, data)`` changes them in place; each ``x_figure(data,
title=...)`` lays the panels out under a takeaway title and returns ``(fig, artists)``
(show it with ``plots.show_figure``). Nothing here trains or evaluates a network: the
boundary panels draw P(class 1) grids they are given (``course_utils.grid.heatmap_grid``).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies), and
each activation also gets its own line style, so the figures still read in grey.
"""
from __future__ import annotations

from itertools import cycle
from typing import Mapping, Sequence

import numpy as np

from ..activations import ACTIVATIONS
from ..diagnostics import epochs_label
from ..numeric import LN2
from .boundary import (boundary_handle, draw_heatmap, draw_live_boundary, draw_points, update_heatmap,
                       update_live_boundary, update_points)
from .openbox import titled_figure
from .style import REFERENCE_COLOUR

__all__ = [
    "OKABE_ITO", "ACTIVATION_STYLES", "style_for",
    "draw_activation_curves", "activation_curves_figure", "draw_gradient_norms", "gradient_norms_figure",
    "draw_silent_units", "silent_units_figure", "draw_loss_curves", "update_loss_curves",
    "draw_mean_outputs", "loss_and_means_figure", "draw_run_boundary", "update_run_boundary",
    "draw_small_multiples", "small_multiples_figure", "compare_figure", "update_compare_figure",
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


def style_for(name: str) -> dict:
    """Colour and line style of an activation (a grey solid line for unknown names)."""
    return dict(ACTIVATION_STYLES.get(name, {"color": "#555555", "linestyle": "-"}))




def _reference_axes(ax) -> None:
    ax.axhline(0, color="#999999", lw=0.8, zorder=0)
    ax.axvline(0, color="#999999", lw=0.8, zorder=0)


# --------------------------------------------------------------------------------------
# Shapes: value and derivative
# --------------------------------------------------------------------------------------
def draw_activation_curves(axes, curves: Mapping[str, tuple[np.ndarray, np.ndarray]], z) -> list:
    """Each activation's value (left axes) and derivative (right axes).

    Parameters
    ----------
    axes : pair of Axes
    curves : mapping
        ``name -> (value, derivative)``, float arrays of shape (m,), e.g. from
        :func:`course_utils.diagnostics.activation_curves`.
    z : ndarray of float, shape (m,)

    Returns
    -------
    list of Line2D
        Value lines then derivative lines, in the mapping's order.
    """
    ax_v, ax_d = axes
    lines_v, lines_d = [], []
    for name, (value, der) in curves.items():
        st = style_for(name)
        lines_v += ax_v.plot(z, value, label=name, lw=2, **st)
        lines_d += ax_d.plot(z, der, label=name, lw=2, **st)
    for ax, title, ylabel in ((ax_v, "value a(z)", "a(z)"), (ax_d, "derivative a'(z)", "da/dz")):
        _reference_axes(ax)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
    ax_d.axhline(0.25, color="#555555", lw=0.8, ls=":", zorder=0)
    ax_d.annotate("0.25: sigmoid's largest slope", (z[0], 0.25), xytext=(0, 3),
                  textcoords="offset points", fontsize=8, color="#555555")
    ax_v.legend(fontsize=8, loc="upper left")
    return lines_v + lines_d


def activation_curves_figure(curves, z, title: str | None = None):
    """:func:`draw_activation_curves` on a figure of its own, under ``title`` (what to see).

    Returns ``(fig, lines)``.
    """
    fig, axes = titled_figure(title, figsize=(10.0, 4.2), ncols=2)
    return fig, draw_activation_curves(axes, curves, z)


# --------------------------------------------------------------------------------------
# Gradients per layer, silent units
# --------------------------------------------------------------------------------------
def draw_gradient_norms(axes, study: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> list:
    """Gradient norm per layer, at initialisation (left axes) and after training (right).

    Parameters
    ----------
    axes : pair of Axes
    study : mapping
        ``name -> (before, after)``, float arrays of shape (n_layers,), input layer first,
        as returned by :func:`course_utils.diagnostics.gradient_norm_study`.

    Returns
    -------
    list of Line2D
        For each activation: its line before, then after.
    """
    ax_b, ax_a = axes
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


def gradient_norms_figure(study, title: str | None = None):
    """:func:`draw_gradient_norms` on a figure of its own; returns ``(fig, lines)``."""
    fig, axes = titled_figure(title, figsize=(10.0, 4.2), ncols=2)
    return fig, draw_gradient_norms(axes, study)


def draw_silent_units(ax, study: Mapping[str, Mapping]) -> list:
    """Share of hidden units that fire for no training point, per epoch, per activation.

    Parameters
    ----------
    ax : Axes
    study : mapping
        ``name -> {"silent": (n_seeds, epochs + 1) fractions, ...}`` as returned by
        :func:`course_utils.diagnostics.silent_unit_study`.

    Returns
    -------
    list of Line2D
        One line per activation: the mean over seeds (each seed's run is drawn faintly behind).
    """
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
    ax.legend(fontsize=8, loc="upper right")
    return lines


def silent_units_figure(study, title: str | None = None):
    """:func:`draw_silent_units` on a figure of its own; returns ``(fig, lines)``."""
    fig, ax = titled_figure(title, figsize=(6.5, 4.0))
    return fig, draw_silent_units(ax, study)


# --------------------------------------------------------------------------------------
# Loss curves and mean outputs
# --------------------------------------------------------------------------------------
_LOSS_CURVES = ("train_loss", "test_loss")


def _which(which: str) -> str:
    if which not in _LOSS_CURVES:
        raise ValueError(f"Unknown curve {which!r}. Choose one of: {', '.join(_LOSS_CURVES)}.")
    return which


def draw_loss_curves(ax, runs: Sequence, which: str = "train_loss") -> list:
    """Loss per epoch of each run (objects with ``.activation`` and ``.history``).

    ``which`` is ``"train_loss"`` or ``"test_loss"``; ln 2 (a network that learned nothing)
    is marked. Returns one Line2D per run, for :func:`update_loss_curves`.
    """
    _which(which)
    lines = [ax.plot([], [], lw=2)[0] for _ in runs]
    ax.axhline(LN2, color=REFERENCE_COLOUR, lw=0.8, ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel(("training" if which == "train_loss" else "test") + " loss (binary cross-entropy)")
    update_loss_curves(lines, runs, which)
    return lines


def update_loss_curves(lines: list, runs: Sequence, which: str = "train_loss") -> None:
    """Show new runs on :func:`draw_loss_curves`' lines (``set_data``; labels, styles, limits, legend)."""
    _which(which)
    if len(lines) != len(runs):
        raise ValueError(f"{len(lines)} lines cannot show {len(runs)} runs; draw the curves again.")
    for line, run in zip(lines, runs):
        loss = np.asarray(getattr(run.history, which), dtype=float)  # (epochs,)
        line.set_data(np.arange(1, len(loss) + 1), loss)
        line.set_label(run.activation)
        line.set(**style_for(run.activation))
    if not lines:
        return
    ax = lines[0].axes
    losses = np.concatenate([np.asarray(getattr(r.history, which), dtype=float) for r in runs])
    finite = losses[np.isfinite(losses)]
    # A diverged run's loss is inf or NaN: the axis shows the finite part and ln 2 at least.
    top = max(float(finite.max()) if finite.size else 1.0, LN2)
    ax.set_xlim(0, max(len(getattr(r.history, which)) for r in runs) + 1)
    ax.set_ylim(0, 1.05 * top)
    ax.legend(fontsize=8)


def draw_mean_outputs(ax, means: Mapping[str, np.ndarray]) -> list:
    """Mean output of each hidden layer, per activation (zero-centred or not).

    Parameters
    ----------
    ax : Axes
    means : mapping
        ``name -> ndarray of float, shape (n_hidden_layers,)``, e.g. from
        :func:`course_utils.diagnostics.mean_hidden_output`.

    Returns
    -------
    list of Line2D
    """
    lines = []
    for name, m in means.items():
        lines += ax.plot(np.arange(1, len(m) + 1), m, marker="o", lw=2, label=name, **style_for(name))
    ax.axhline(0, color="#999999", lw=0.8)
    ax.set_xticks(np.arange(1, max((len(m) for m in means.values()), default=0) + 1))
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("mean output over the data")
    ax.legend(fontsize=8)
    return lines


def loss_and_means_figure(runs, means, title: str | None = None):
    """Training loss (left) and each hidden layer's mean output (right), under ``title``.

    Returns ``(fig, {"loss": lines, "means": lines})``.
    """
    fig, (ax_loss, ax_mean) = titled_figure(title, figsize=(10.0, 4.0), ncols=2)
    return fig, {"loss": draw_loss_curves(ax_loss, runs), "means": draw_mean_outputs(ax_mean, means)}


# --------------------------------------------------------------------------------------
# Decision boundaries: P(class 1) grids given, drawn with plots.boundary
# --------------------------------------------------------------------------------------
def draw_run_boundary(ax, values, X, y, *, line=None, boundary: bool = True, title: str | None = None,
                      legend: bool = False) -> dict:
    """One network's picture: the P(class 1) heatmap, its decision boundary, the data on top.

    Parameters
    ----------
    ax : Axes
    values : ndarray of float, shape (n, n)
        P(class 1) on the heatmap grid (``course_utils.grid.heatmap_grid``).
    X : ndarray of float, shape (m, 2)
    y : ndarray of int, shape (m,), labels 0/1
    line : pair ``(w, b)``, optional
        A straight boundary (``experiments.decision_line``), drawn exactly; without it the
        boundary is the 0.5 contour of ``values``.
    boundary : bool
        False draws no boundary (a diverged network).
    legend : bool
        A "decision boundary" legend entry below the axes.

    Returns
    -------
    dict
        ``heatmap`` (AxesImage), ``points`` (PathCollection), ``title`` (Text) and the
        live boundary's ``line``/``contour`` (``plots.boundary.draw_live_boundary``); hand it
        to :func:`update_run_boundary`.
    """
    artists = {"heatmap": draw_heatmap(ax, values), "points": draw_points(ax, X, y),
               "title": ax.set_title(title or "", fontsize=9)}
    artists.update(draw_live_boundary(ax))
    _set_boundary(artists, values, line, boundary)
    if legend:
        ax.legend(handles=[boundary_handle()], loc="upper center", bbox_to_anchor=(0.5, -0.13),
                  fontsize=8, frameon=False)
    return artists


def _set_boundary(artists, values, line, boundary) -> None:
    # A given line wins over the contour of ``values`` (update_live_boundary draws the line).
    if boundary:
        update_live_boundary(artists, line, values)
    else:
        update_live_boundary(artists)


def update_run_boundary(artists: dict, values, X=None, y=None, *, line=None, boundary: bool = True,
                        title: str | None = None) -> None:
    """Show a new network on a :func:`draw_run_boundary` picture, in place (same arguments)."""
    update_heatmap(artists["heatmap"], values)
    if X is not None:
        update_points(artists["points"], X, y)
    if title is not None:
        artists["title"].set_text(title)
    _set_boundary(artists, values, line, boundary)


def _run_title(run) -> str:
    if run.diverged:
        return f"{run.activation}: diverged"
    # The table's own rounding (diagnostics.epochs_label), so picture and table agree.
    joiner = " " if run.epochs_to_target is None else " in "
    return f"{run.activation}: {run.target:.0%}{joiner}{epochs_label(run)} epochs\nfinal loss {run.final_loss:.3f}"


def draw_small_multiples(axes, runs: Sequence, grids: Sequence, X, y) -> list[dict]:
    """One decision boundary per run (objects with ``.activation``, ``.diverged`` and results).

    ``grids`` holds each run's P(class 1) grid, (n, n). Each panel's title gives the
    activation, the epochs it needed to reach the target accuracy and its final loss.
    Axes beyond the runs are hidden. Returns each panel's :func:`draw_run_boundary` dict.
    """
    flat = list(np.ravel(axes))
    if len(flat) < len(runs) or len(grids) != len(runs):
        raise ValueError(f"{len(runs)} runs need {len(runs)} grids and at least {len(runs)} axes; "
                         f"got {len(grids)} grids and {len(flat)} axes.")
    out = [draw_run_boundary(ax, grid, X, y, boundary=not run.diverged, title=_run_title(run))
           for ax, run, grid in zip(flat, runs, grids)]
    for i, ax in enumerate(flat[:len(runs)]):
        if i % np.shape(axes)[-1]:
            ax.set_ylabel("")
    for ax in flat[len(runs):]:
        ax.set_visible(False)
    return out


def small_multiples_figure(runs, grids, X, y, title: str | None = None, ncols: int = 4):
    """:func:`draw_small_multiples` in rows of ``ncols``; returns ``(fig, panels)``."""
    nrows = -(-len(runs) // ncols)
    fig, axes = titled_figure(title, figsize=(3.0 * ncols, 3.1 * nrows + 0.6), nrows=nrows, ncols=ncols,
                              squeeze=False, sharex=True, sharey=True)
    return fig, draw_small_multiples(axes, runs, grids, X, y)


# --------------------------------------------------------------------------------------
# The comparison panel's figure: two boundaries and their test-loss curves
# --------------------------------------------------------------------------------------
def compare_figure(runs, grids, X, y, *, lines=(None, None), titles=("", "")):
    """Two networks side by side (boundary, boundary) and both test-loss curves (right).

    Parameters
    ----------
    runs : pair of diagnostics.Run
    grids : pair of ndarray, shape (n, n)
        Each run's P(class 1) on the heatmap grid.
    X, y : ndarray, shapes (m, 2) and (m,)
        The points drawn on both boundaries.
    lines : pair of ``(w, b)`` or None
        A linear network's straight boundary (``experiments.decision_line``).
    titles : pair of str

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : dict
        ``boundaries`` (two :func:`draw_run_boundary` dicts) and ``loss`` (two Line2D);
        hand it to :func:`update_compare_figure`.
    """
    fig, (ax_a, ax_b, ax_loss) = titled_figure(None, figsize=(11.0, 3.6), ncols=3)
    boundaries = [draw_run_boundary(ax, grid, X, y, line=ln, boundary=not r.diverged, title=t, legend=True)
                  for ax, r, grid, ln, t in zip((ax_a, ax_b), runs, grids, lines, titles)]
    ax_b.set_ylabel("")
    loss = draw_loss_curves(ax_loss, runs, which="test_loss")
    ax_loss.set_title("test loss per epoch", fontsize=9)
    return fig, {"boundaries": boundaries, "loss": loss}


def update_compare_figure(artists: dict, runs, grids, X, y, *, lines=(None, None), titles=("", "")) -> None:
    """Show two new runs on a :func:`compare_figure`, in place (same arguments)."""
    for art, r, grid, ln, t in zip(artists["boundaries"], runs, grids, lines, titles):
        update_run_boundary(art, grid, X, y, line=ln, boundary=not r.diverged, title=t)
    update_loss_curves(artists["loss"], runs, which="test_loss")
