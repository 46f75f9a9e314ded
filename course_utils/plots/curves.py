"""Loss and accuracy curves, train and test, that can be updated in place."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

from ..numeric import LN2, chance_loss, lookup  # re-exported: plots.LN2 is the one ln 2 (course_utils.numeric)
from .style import REFERENCE_COLOUR, TEST_COLOUR, TRAIN_COLOUR, new_figure

__all__ = ["draw_curves", "update_curves", "decimate", "DECIMATE_ABOVE", "LN2", "LOSS_SCALE", "EPOCH_SCALES",
           "clipped_note"]

LOSS_SCALE = 1.0
"""The top of every scenario figure's loss axis: 0 to 1, with ln 2 marked, so figures compare
at a glance. A loss above it is clipped at the top and said so (:func:`clipped_note`)."""

_CURVES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")

EPOCH_SCALES = {"linear": 0, "log": 1}
"""Epoch-axis scale -> its left edge. ``"log"`` gives the first epochs as much room as the
last hundreds (a run that learns in one epoch shows it); the curves start at epoch 1 anyway."""


def draw_curves(ax_loss=None, ax_acc=None, history=None, max_epochs: int = 300, loss_max=None,
                n_classes: int = 2, epoch_scale: str = "linear"):
    """Draw train/test loss on ``ax_loss`` and train/test accuracy (in %) on ``ax_acc``.

    Chance is marked on both: a loss of ln K and an accuracy of 100/K % for K =
    ``n_classes`` (ln 2 and 50 % for two classes).

    Parameters
    ----------
    ax_loss, ax_acc : matplotlib Axes, optional
        Made side by side when both are None; ``ax_acc`` may be None to skip accuracy.
    history : course_utils.History, optional
        Drawn at once; None starts empty for :func:`update_curves`.
    max_epochs : int
        Initial x-range (grows when the history is longer).
    loss_max : float, optional
        Fix the loss axis' top (for comparing figures on the same scale; scenario figures
        use :data:`LOSS_SCALE`). Losses above it are not rescaled into view: they are
        marked by triangles on the top edge and a note saying how high they went.
        None: the axis grows with the loss (the live view). Raised to the next half
        above ln K when chance lies above it (ln 3 = 1.10: the axis reaches 1.5).
    n_classes : int
        K: sets the chance lines and names the loss (binary cross-entropy for 2, else
        cross-entropy).
    epoch_scale : {"linear", "log"}
        The epoch axis (:data:`EPOCH_SCALES`); a log axis is ticked 1, 2, 5, 10, 20, ...

    Returns
    -------
    dict of str -> Artist
        Line2D ``train_loss``, ``test_loss`` and (with ``ax_acc``) ``train_accuracy``,
        ``test_accuracy``; with ``loss_max`` also ``train_loss_clipped`` and
        ``test_loss_clipped`` (Line2D markers on the top edge) and ``clip_note`` (Text),
        hidden while nothing is clipped.
    """
    if ax_loss is None and ax_acc is None:
        _, (ax_loss, ax_acc) = new_figure((8.0, 3.0), ncols=2)
    lines = {}
    k = int(n_classes)
    chance = chance_loss(k)
    if loss_max:
        loss_max = max(loss_max, math.ceil(2.0 * chance) / 2.0)
    ax_loss.axhline(chance, color=REFERENCE_COLOUR, linestyle=":", linewidth=1.0, label=f"ln {k} (chance)")
    (lines["train_loss"],) = ax_loss.plot([], [], color=TRAIN_COLOUR, linewidth=1.8, label="train")
    (lines["test_loss"],) = ax_loss.plot([], [], color=TEST_COLOUR, linewidth=1.5, linestyle="--", label="test")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (binary cross-entropy)" if k == 2 else "loss (cross-entropy)")
    ax_loss.legend(loc="upper right", fontsize="small")
    ax_loss._course_loss_max = loss_max
    if loss_max:
        for name, colour in (("train_loss", TRAIN_COLOUR), ("test_loss", TEST_COLOUR)):
            (lines[f"{name}_clipped"],) = ax_loss.plot([], [], linestyle="", marker="^", markersize=5,
                                                       color=colour, clip_on=False, zorder=4)
            lines[f"{name}_clipped"].set_in_layout(False)  # on the edge; empty, it would sit at (0, 0)
        # Bottom left: under the ln 2 line, where a loss that went above the top is rarely
        # found, and clear of the legend. Kept out of the layout so a long note never
        # shrinks the axes.
        lines["clip_note"] = ax_loss.text(0.03, 0.04, "", transform=ax_loss.transAxes, ha="left", va="bottom",
                                          fontsize="x-small", visible=False, zorder=5,
                                          bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        lines["clip_note"].set_in_layout(False)
    if ax_acc is not None:
        ax_acc.axhline(100.0 / k, color=REFERENCE_COLOUR, linestyle=":", linewidth=1.0,
                       label=f"{100.0 / k:.0f} % (chance)")
        (lines["train_accuracy"],) = ax_acc.plot([], [], color=TRAIN_COLOUR, linewidth=1.8, label="train")
        (lines["test_accuracy"],) = ax_acc.plot([], [], color=TEST_COLOUR, linewidth=1.5, linestyle="--",
                                                label="test")
        ax_acc.set_xlabel("epoch")
        ax_acc.set_ylabel("accuracy (%)")
        ax_acc.set_ylim(0.0, 102.0)
        ax_acc.legend(loc="lower right", fontsize="small")
    left = lookup(EPOCH_SCALES, epoch_scale, "epoch scale")
    for ax in (ax_loss, ax_acc):
        if ax is not None:
            if epoch_scale == "log":
                ax.set_xscale("log")
                ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
                ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
                ax.xaxis.set_minor_formatter(NullFormatter())
                ax.set_xlabel("epoch (log scale)")
            ax.set_xlim(left, max(left + 1, int(max_epochs)))
    ax_loss._course_loss_floor = 1.0 if k == 2 else math.ceil(2.0 * chance) / 2.0  # chance stays in view
    ax_loss.set_ylim(0.0, loss_max or ax_loss._course_loss_floor)
    if history is not None:
        update_curves(lines, history, max_epochs)
    return lines


def update_curves(lines: dict, history, max_epochs: int = 0, coarse: bool = False) -> None:
    """Put ``history`` into the lines from :func:`draw_curves`, rescaling the axes.

    The x-axis spans at least ``max_epochs``, and beyond it is fitted to the epochs
    trained: the next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k, or with ``coarse`` (while
    Play adds epochs: every new range costs a redraw of the axes) of 1, 2, 5 x 10^k. The
    loss axis starts at 0 and reaches a little above the largest finite loss (at least 1,
    at most 5: a loss that explodes beyond is reported in words by the caller, not drawn
    off the chart).
    """
    n = history.epochs_run
    tops = []
    for name, line in lines.items():
        if name not in _CURVES:
            continue
        epochs, values = decimate(getattr(history, name), history.epochs)
        if name.endswith("accuracy"):
            values = 100.0 * values
        else:
            tops.append(values)
        line.set_data(epochs, values)
    # Fitted to the epochs trained, in steps (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k: at most
    # a fifth of the axis empty; loss in halves) so the axes - and the live view's cached
    # frame - change now and then, not on every frame, while Play adds epochs.
    x_max = max(1, int(max_epochs))
    if n > x_max:
        x_max = _fitted_top(n, COARSE_STEPS if coarse else FINE_STEPS)
    loss_line = lines["train_loss"]
    ax_loss = loss_line.axes
    for name, line in lines.items():
        if name in _CURVES and line.axes.get_xlim()[1] != x_max:
            line.axes.set_xlim(EPOCH_SCALES[line.axes.get_xscale()], x_max)
    fixed = getattr(ax_loss, "_course_loss_max", None)
    if fixed:
        top = fixed
    else:
        losses = np.concatenate(tops)  # decimation keeps each stretch's largest value
        losses = losses[np.isfinite(losses)]
        floor = getattr(ax_loss, "_course_loss_floor", 1.0)
        top = min(max(floor, math.ceil(2.0 * float(losses.max())) / 2.0), 5.0) if losses.size else floor
    if ax_loss.get_ylim() != (0.0, top):
        ax_loss.set_ylim(0.0, top)
    if "clip_note" in lines:
        _mark_clipped(lines, history, top)


DECIMATE_ABOVE = 2000
"""Curves longer than this many epochs are drawn from the smallest and largest value of each
stretch of epochs (:func:`decimate`), so a frame's cost and the lines' copies of the history
stay bounded however long Play runs."""


def decimate(values, epochs=None, limit: int = DECIMATE_ABOVE):
    """A curve of one value per epoch, made at most ``limit + 1`` points long for drawing.

    Parameters
    ----------
    values : ndarray of float, shape (n,)
        Epoch ``epochs[i]``'s value at ``values[i]`` (NaN where not measured).
    epochs : ndarray of int, shape (n,), optional
        ``History.epochs``; by default ``1 ... n``.

    Returns
    -------
    epochs, values : ndarray of float, shape (m,)
        Up to ``limit`` epochs: every epoch. Beyond: for each of ``limit / 2`` equal stretches
        of epochs, its smallest value at its first epoch and its largest at its last (a stretch
        is narrower than a pixel of the chart, so the line covers what every epoch would
        draw, spikes included), then the last epoch's own value, so the curve ends where
        training is. NaN only where a whole stretch is NaN.
    """
    values = np.asarray(values, dtype=float)
    n = values.size
    at = np.arange(1.0, n + 1.0) if epochs is None else np.asarray(epochs, dtype=float)
    if n <= limit:
        return at, values
    stretch = -(-n // (limit // 2))  # ceiling division
    starts = np.arange(0, n, stretch)
    ends = np.minimum(starts + stretch, n)  # exclusive
    epochs = np.empty(2 * starts.size + 1)
    epochs[0:-1:2], epochs[1:-1:2], epochs[-1] = at[starts], at[ends - 1], at[-1]
    out = np.empty_like(epochs)
    out[0:-1:2] = np.fmin.reduceat(values, starts)  # NaN-ignoring: NaN only for an all-NaN stretch
    out[1:-1:2] = np.fmax.reduceat(values, starts)
    out[-1] = values[-1]
    return epochs, out


FINE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)  # at most a fifth of the axis empty
COARSE_STEPS = (1.0, 2.0, 5.0, 10.0)


def _fitted_top(n: int, steps=FINE_STEPS) -> int:
    """The smallest of ``steps`` x 10^k (k >= 1) at or above ``n``."""
    k = 10 ** max(int(math.floor(math.log10(max(n, 1)))), 1)
    return next(int(round(step * k)) for step in steps if step * k >= n)


def clipped_note(history, top: float) -> str:
    """Plain words for the losses above ``top`` ("" when none): where and how high.

    One line per curve, e.g. ``\u25b2 train loss > 1 at epoch 3 (peak 1.06), clipped``.
    """
    parts = []
    for name in ("train_loss", "test_loss"):
        values = getattr(history, name)
        epochs = history.epochs
        over = np.flatnonzero(values > top)  # NaN compares False
        if over.size == 0:
            continue
        peak = int(over[np.argmax(values[over])])
        span = f"epoch {epochs[over[0]]}" if over.size == 1 else f"epochs {epochs[over[0]]}-{epochs[over[-1]]}"
        at = "" if over.size == 1 else f" at epoch {epochs[peak]}"
        parts.append(f"\u25b2 {name.replace('_', ' ')} > {top:g} at {span} (peak {values[peak]:.2f}{at}), clipped")
    return "\n".join(parts)


def _mark_clipped(lines: dict, history, top: float) -> None:
    for name in ("train_loss", "test_loss"):
        values = getattr(history, name)
        over = np.flatnonzero(~(values <= top))  # above the top, infinite, or NaN
        lines[f"{name}_clipped"].set_data(history.epochs[over], np.full(over.size, top))
    note = clipped_note(history, top)
    lines["clip_note"].set_text(note)
    lines["clip_note"].set_visible(bool(note))
