"""The network diagram: every neuron a small heatmap, every weight a line, every bias a square.

Columns from left to right are the input features, the hidden layers and the output unit
(or, for K classes, K output units: one per class, labelled with the class, each tile
showing that class's probability in the class's own colour, white at 0).
Each node shows what it computes over the whole input square (a heatmap, orange
negative -> white 0 -> blue positive, each tile scaled to its own largest value). A weight
is a line whose colour is its sign (blue positive, orange negative) and whose width grows
with its size. A bias is a square at the node's lower-left corner, coloured by its sign,
larger when larger (a hollow square when it is 0): the output bias is shown too, with
its value written out.

Like every plot helper here, these draw arrays they are given (weights, neuron outputs,
gradient norms) and never train.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, NullFormatter

from matplotlib.colors import LinearSegmentedColormap

from ..numeric import lookup
from .style import (ARRANGEMENTS, CLASS_COLOURS, HEATMAP_CMAP, REFERENCE_COLOUR, TRAIN_COLOUR, class_colours,
                    new_figure, pixels_png)

__all__ = ["draw_network", "update_network", "node_positions", "weight_styles", "draw_gradient_norms",
           "update_gradient_norms", "NetworkView"]

NEGATIVE, POSITIVE = CLASS_COLOURS  # orange, blue: the same meaning as in the heatmaps
TILE = 0.7  # side of a node's heatmap, in units of the vertical spacing between nodes
COLUMN_GAP = 1.8  # horizontal distance between columns, in the same units


def node_positions(layer_sizes) -> list[np.ndarray]:
    """Centres of every node: one (size, 2) array of (x, y) per column, top node first.

    Column ``c`` is at x = c * COLUMN_GAP; nodes are one unit apart, centred on y = 0.
    """
    out = []
    for c, size in enumerate(layer_sizes):
        ys = (size - 1) / 2.0 - np.arange(size, dtype=float)
        out.append(np.column_stack([np.full(size, c * COLUMN_GAP), ys]))
    return out


def weight_styles(W, max_width: float = 4.0):
    """Colours (n, 4) and line widths (n,) for the weights ``W`` (fan_in, fan_out), row-major.

    Blue for positive, orange for negative; the width grows with ``|w|`` and saturates at
    ``|w| = 3`` (so one huge weight does not make every other line invisible).
    """
    w = np.asarray(W, dtype=float).ravel()
    finite = np.where(np.isfinite(w), w, 0.0)
    colours = np.where((finite >= 0)[:, None], to_rgba(POSITIVE), to_rgba(NEGATIVE))
    widths = 0.25 + (max_width - 0.25) * np.minimum(np.abs(finite), 3.0) / 3.0
    return colours, widths


def _bias_style(b):
    b = np.asarray(b, dtype=float).ravel()
    finite = np.where(np.isfinite(b), b, 0.0)
    faces = np.where((finite >= 0)[:, None], to_rgba(POSITIVE), to_rgba(NEGATIVE))
    faces[np.abs(finite) < 1e-3] = (1.0, 1.0, 1.0, 1.0)  # zero: hollow
    sizes = 12.0 + 60.0 * np.minimum(np.abs(finite), 2.0) / 2.0
    return faces, sizes


def draw_network(ax, layer_sizes, input_names, resolution: int = 20, task: str = "classification"):
    """Draw an empty diagram of a network ``layer_sizes = [n_inputs, *hidden, K]``.

    Parameters
    ----------
    ax : matplotlib Axes
    layer_sizes : sequence of int
    input_names : sequence of str
        One label per input (the feature names).
    resolution : int
        Side of each node's heatmap (the arrays given to :func:`update_network`).
    task : {"classification", "regression"}
        Sets the output tile's colour scale: P(class 1) in [0, 1], or a value in [-1, 1].
        With K > 1 output units (a softmax), output unit k shows P(class k) from white (0)
        to class k's colour (1), and is labelled ``class k``.

    Returns
    -------
    dict
        ``composite`` (the one AxesImage holding every node's heatmap, placed by ``slots``),
        ``edges`` (one LineCollection per weight matrix), ``biases`` (one PathCollection per layer after the inputs), ``output_bias``
        (Text: the first output unit's bias), ``output_biases`` (one Text per output unit),
        ``output_maps`` (one colour map per output unit) and ``layer_sizes``.
    """
    sizes = [int(s) for s in layer_sizes]
    pos = node_positions(sizes)
    half = TILE / 2.0
    # Every node's heatmap goes into one RGBA picture (one image is far cheaper to draw
    # than dozens): ``slots`` says where each node's resolution x resolution block sits.
    r = int(resolution)
    pix = TILE / r  # data units per pixel
    x0, y0 = -half, min(float(p[:, 1].min()) for p in pos) - half
    x1, y1 = (len(sizes) - 1) * COLUMN_GAP + half, max(float(p[:, 1].max()) for p in pos) + half
    width, height = int(round((x1 - x0) / pix)), int(round((y1 - y0) / pix))
    slots = [[(int(round((y - half - y0) / pix)), int(round((x - half - x0) / pix))) for x, y in centres]
             for centres in pos]
    canvas = np.zeros((height, width, 4))
    composite = ax.imshow(canvas, origin="lower", extent=(x0, x0 + width * pix, y0, y0 + height * pix),
                          interpolation="nearest", zorder=2)
    output_norm = Normalize(0.0, 1.0) if task == "classification" else Normalize(-1.0, 1.0)
    k_out = sizes[-1]
    output_maps = [HEATMAP_CMAP] if k_out == 1 else [
        LinearSegmentedColormap.from_list(f"class_{k}", ["#ffffff", c]) for k, c in enumerate(class_colours(k_out))]
    # Frames around the tiles, so a white (all-zero) neuron is still visible.
    for centres in pos:
        for x, y in centres:
            ax.add_patch(_frame(x, y, half))
    edges = []
    for c in range(len(sizes) - 1):
        segs = [((x0 + half, y0), (x1 - half, y1)) for x0, y0 in pos[c] for x1, y1 in pos[c + 1]]
        lc = LineCollection(segs, colors=[to_rgba(REFERENCE_COLOUR)], linewidths=0.5, zorder=1,
                            capstyle="round")
        ax.add_collection(lc)
        edges.append(lc)
    biases = []
    for c in range(1, len(sizes)):
        corners = pos[c] + np.array([-half, -half])
        sc = ax.scatter(corners[:, 0], corners[:, 1], marker="s", s=12, facecolors="white",
                        edgecolors="black", linewidths=0.6, zorder=4)
        biases.append(sc)
    if k_out == 1:
        out_x, out_y = pos[-1][0]
        output_biases = [ax.text(out_x, out_y - half - 0.12, "bias 0", ha="center", va="top", fontsize="x-small")]
    else:  # beside each class's unit: its class and its bias
        for k, (x, y) in enumerate(pos[-1]):
            ax.text(x + half + 0.08, y + 0.05, f"class {k}", ha="left", va="bottom", fontsize="x-small",
                    color=class_colours(k_out)[k], fontweight="bold")
        output_biases = [ax.text(x + half + 0.08, y - 0.05, "bias 0", ha="left", va="top", fontsize="x-small")
                         for x, y in pos[-1]]
    for name, (x, y) in zip(input_names, pos[0]):
        ax.text(x - half - 0.08, y, str(name), ha="right", va="center", fontsize="small")
    top = max(s for s in sizes) / 2.0
    for c, size in enumerate(sizes):
        output = "output" if size == 1 else f"output\n({size} classes)"
        label = "inputs" if c == 0 else output if c == len(sizes) - 1 else f"layer {c}\n({size})"
        ax.text(c * COLUMN_GAP, top + 0.15, label, ha="center", va="bottom", fontsize="small")
    ax.set_xlim(-1.1, (len(sizes) - 1) * COLUMN_GAP + (0.6 if k_out == 1 else 1.3))
    ax.set_ylim(-top - 0.45, top + 0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    legend = [Line2D([], [], color=POSITIVE, linewidth=2.5, label="weight > 0"),
              Line2D([], [], color=NEGATIVE, linewidth=2.5, label="weight < 0"),
              Line2D([], [], marker="s", linestyle="", markerfacecolor=POSITIVE, markeredgecolor="black",
                     label="bias (square)")]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize="x-small",
              frameon=False, handlelength=1.5)
    return {"composite": composite, "canvas": canvas, "slots": slots, "resolution": r,
            "output_norm": output_norm, "output_maps": output_maps, "edges": edges, "biases": biases,
            "output_bias": output_biases[0], "output_biases": output_biases, "layer_sizes": sizes}


def _frame(x, y, half):
    return Rectangle((x - half, y - half), 2 * half, 2 * half, facecolor="none", edgecolor="#555555",
                     linewidth=0.6, zorder=3)


def update_network(artists: dict, params, node_values) -> None:
    """Put new weights and neuron pictures into a diagram from :func:`draw_network`.

    Parameters
    ----------
    params : list of (W, b)
        The network's parameters, ``W`` (fan_in, fan_out), ``b`` (fan_out,).
    node_values : list of ndarray
        One (resolution, resolution, size) array per column (inputs, hidden layers,
        output): each node's value at every grid point. Input and hidden tiles are scaled
        to their own largest absolute value; the output keeps its fixed scale.
    """
    slots, r, canvas = artists["slots"], artists["resolution"], artists["canvas"]
    last = len(slots) - 1
    signed = Normalize(-1.0, 1.0)
    for c, (column, values) in enumerate(zip(slots, node_values)):
        values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
        if values.shape[:2] != (r, r) or values.shape[2] != len(column):
            raise ValueError(f"Column {c} needs values shaped ({r}, {r}, {len(column)}); got {values.shape}.")
        if c != last:  # each tile scaled to its own largest |value|, so its shape shows
            peak = np.abs(values).max(axis=(0, 1))  # (width,)
            values = values / np.where(peak > 0, peak, 1.0)
            rgba = HEATMAP_CMAP(signed(values))  # (r, r, width, 4)
        else:  # the output's fixed scale; K classes each in their own colour
            scaled = artists["output_norm"](values)
            rgba = np.stack([cmap(scaled[:, :, j]) for j, cmap in enumerate(artists["output_maps"])], axis=2)
        for j, (row0, col0) in enumerate(column):
            canvas[row0:row0 + r, col0:col0 + r] = rgba[:, :, j]
    artists["composite"].set_data(canvas)
    for lc, (W, _) in zip(artists["edges"], params):
        colours, widths = weight_styles(W)
        lc.set_colors(colours)
        lc.set_linewidths(widths)
    for sc, (_, b) in zip(artists["biases"], params):
        faces, sizes = _bias_style(b)
        sc.set_facecolors(faces)
        sc.set_sizes(sizes)
    for text, b_out in zip(artists["output_biases"], np.ravel(params[-1][1])):
        text.set_text(f"bias {float(b_out):+.2f}")


GRADIENT_FLOOR = 1e-12
"""A gradient norm of exactly 0 cannot sit on a log axis: its bar is drawn at this floor."""


def draw_gradient_norms(ax, n_layers: int):
    """Bars for the gradient norm reaching each weight matrix (input side first), on a log scale.

    A log scale because orders of magnitude are the point: a vanishing gradient is a bar
    several decades shorter than its neighbours, not an invisible sliver.
    Returns the BarContainer; fill it with :func:`update_gradient_norms`.
    """
    labels = [f"W{i + 1}" for i in range(n_layers)]
    bars = ax.bar(labels, np.full(n_layers, GRADIENT_FLOOR), color=TRAIN_COLOUR, edgecolor="black",
                  linewidth=0.5)
    ax.set_yscale("log")
    # Decades as plain text (10⁻³): matplotlib's default labels are mathtext, whose parser
    # costs a fresh kernel about 0.1 CPU-s to build before its first picture.
    ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(1e-3, 1.0)
    ax.set_ylabel("||dL/dW|| (log scale)")
    ax.set_xlabel("weights, input side -> output")
    ax.set_title("gradient per layer", fontsize="small")
    ax.tick_params(labelsize="x-small")
    return bars


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade_label(y: float, _pos=None) -> str:
    """``10⁻³`` for 0.001: a power of ten as plain text with superscript digits."""
    return "10" + str(round(float(np.log10(y)))).translate(_SUPERSCRIPT) if y > 0 else ""


def update_gradient_norms(bars, norms) -> None:
    """New heights; the log axis spans whole decades around the finite norms.

    The range only grows while the same diagram is shown (a new diagram starts afresh), so
    the axis - and the cached frame behind the bars - changes rarely while Play trains.
    """
    norms = np.nan_to_num(np.asarray(norms, dtype=float), nan=0.0, posinf=0.0)
    for bar, h in zip(bars, norms):
        bar.set_height(max(h, GRADIENT_FLOOR))
    ax = bars[0].axes if len(bars) else None
    if ax is not None:
        lo, hi = _decades(norms)
        old_lo, old_hi = ax.get_ylim()
        lo, hi = min(lo, old_lo), max(hi, old_hi)
        if (lo, hi) != (old_lo, old_hi):
            ax.set_ylim(lo, hi)


def _decades(norms) -> tuple[float, float]:
    """The whole powers of ten around the positive ``norms`` (at most 8 decades, at least 1)."""
    positive = norms[norms > 0]
    if positive.size == 0:
        return 1e-3, 1.0
    hi = 10.0 ** np.ceil(np.log10(positive.max() * 1.05))
    lo = 10.0 ** np.floor(np.log10(positive.min()))
    lo = max(lo, hi * 1e-8)
    return float(min(lo, hi / 10.0)), float(hi)


class NetworkView:
    """A figure with the diagram and the gradient chart, rebuilt when the shape changes.

    Holds no maths: :meth:`update` takes parameters and arrays computed elsewhere.
    ``arrangement="row"`` puts the gradient chart beside the diagram, ``"stacked"`` beneath it.

    Rendering is blitted, as in ``TrainingView``: labels, frames and axes are drawn once
    into a cached bitmap; each picture restores it and draws only what changes (node
    pictures, weights, biases, gradient bars). The bitmap is redrawn when the shape
    changes or the gradient axis steps to a new range (then without a new layout, so the
    diagram does not move).
    """

    def __init__(self, figsize=(9.0, 3.6), dpi: int = 72, resolution: int = 20, arrangement: str = "row"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        lookup(ARRANGEMENTS, arrangement, "arrangement")
        self.resolution = int(resolution)
        self.arrangement = arrangement
        if arrangement == "row":
            self.fig, (self.ax_net, self.ax_grad) = new_figure(
                figsize, dpi=dpi, ncols=2, gridspec_kw={"width_ratios": [3.2, 1.0]})
        else:
            self.fig, (self.ax_net, self.ax_grad) = new_figure(
                figsize, dpi=dpi, nrows=2, gridspec_kw={"height_ratios": [3.0, 1.0]})
        self.canvas = FigureCanvasAgg(self.fig)
        self.artists: dict | None = None
        self.bars = None
        self.key = None
        self.rebuilds = 0
        self.frames_redrawn = 0
        self._frame = None
        self._frame_ylim = None
        self._animated: list = []

    def rebuild(self, layer_sizes, input_names, task: str = "classification") -> None:
        """Draw an empty diagram for this shape (only when the shape changed)."""
        key = (tuple(layer_sizes), tuple(input_names), task)
        if key == self.key:
            return
        self.ax_net.clear()
        self.ax_grad.clear()
        self.artists = draw_network(self.ax_net, layer_sizes, input_names, self.resolution, task)
        self.bars = draw_gradient_norms(self.ax_grad, len(layer_sizes) - 1)
        a = self.artists
        self._animated = [a["composite"], *a["edges"], *a["biases"], *a["output_biases"], *self.bars.patches]
        for artist in self._animated:
            artist.set_animated(True)
        self._frame = None
        self.fig.set_layout_engine("constrained")  # a new shape gets a new layout
        self.key = key
        self.rebuilds += 1

    def update(self, params, node_values, grad_norms) -> None:
        update_network(self.artists, params, node_values)
        update_gradient_norms(self.bars, grad_norms)

    def show_gradients(self, visible: bool) -> None:
        """Show or hide the gradient-norm chart beside the diagram."""
        self.ax_grad.set_visible(bool(visible))

    def gradients_shown(self) -> bool:
        """True while the gradient-norm chart is drawn."""
        return self.ax_grad.get_visible()

    def png(self) -> bytes:
        """The current picture as a palette PNG (``style.pixels_png``)."""
        ylim = self.ax_grad.get_ylim()
        if self._frame is None or ylim != self._frame_ylim:
            self.canvas.draw()  # animated artists are skipped: this is the frame
            self.fig.set_layout_engine("none")  # later frames keep this layout (until a new shape)
            self._frame = self.canvas.copy_from_bbox(self.fig.bbox)
            self._frame_ylim = ylim
            self.frames_redrawn += 1
        else:
            self.canvas.restore_region(self._frame)
        grad_shown = self.ax_grad.get_visible()
        for artist in self._animated:
            if grad_shown or artist.axes is not self.ax_grad:
                self.fig.draw_artist(artist)
        return pixels_png(np.asarray(self.canvas.buffer_rgba()))
