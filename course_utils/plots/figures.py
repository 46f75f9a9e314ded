"""Whole figures built from the helpers: a trained run, two runs side by side, the live view.

These take results (a :class:`course_utils.experiments.Run` and arrays computed from it)
and draw them; they never train.
"""
from __future__ import annotations


import numpy as np
from matplotlib.lines import Line2D

from ..data import DOMAIN
from .boundary import (boundary_handle, draw_boundary, draw_heatmap, draw_live_boundary, draw_points,
                       live_boundary_artists, update_heatmap, update_live_boundary, update_points)
from .curves import LOSS_SCALE, draw_curves, update_curves
from ..numeric import lookup
from .style import (ARRANGEMENTS, class_colours, figure_png, new_figure, pixels_png, takeaway_title,
                    wrap_text)

__all__ = ["points_legend", "scenario_figure", "comparison_figure", "TrainingView", "describe"]


def describe(settings) -> str:
    """A short caption for a run's settings: ``circle, sigmoid, hidden [8], lr 1, sgd``."""
    hidden = "[" + ", ".join(map(str, settings.hidden)) + "]"
    text = f"{settings.dataset}, {settings.activation}, hidden {hidden}, lr {settings.learning_rate:g}, " \
           f"{settings.optimizer}"
    if tuple(settings.features) != ("x1", "x2"):
        text += ", inputs " + " ".join(settings.features)
    return text


def points_legend(ax, fontsize="x-small", loc="upper right", boundary: bool = True, n_classes: int = 2,
                  **kwargs):
    """A legend for the data points (one colour per class, the train/test shapes) and,
    with ``boundary``, the decision boundary's line."""
    handles = [
        *(Line2D([], [], marker="o", linestyle="", markerfacecolor=c, markeredgecolor="white", color=c,
                 label=f"class {k}") for k, c in enumerate(class_colours(n_classes))),
        Line2D([], [], marker="^", linestyle="", markerfacecolor="none", markeredgecolor="black",
               color="black", label="test point"),
    ]
    if boundary:
        handles.append(boundary_handle())
    return ax.legend(handles=handles, loc=loc, fontsize=fontsize, framealpha=0.85, handletextpad=0.2,
                     borderpad=0.3, labelspacing=0.2, **kwargs)


def _draw_run(ax_b, ax_l, ax_a, run, grid, title, loss_max=None, epoch_scale="linear"):
    k = run.net.n_classes or 2
    heat = draw_heatmap(ax_b, grid)
    contour = draw_boundary(ax_b, grid, colors="black", linewidths=2.0)
    train_pts = draw_points(ax_b, run.X_train, run.y_train)
    test_pts = draw_points(ax_b, run.X_test, run.y_test, test=True)
    points_legend(ax_b, n_classes=k)
    ax_b.set_title(_fit_to_axes(ax_b, title), fontsize="medium")
    lines = draw_curves(ax_l, ax_a, run.history, max_epochs=run.epoch, loss_max=loss_max, n_classes=k,
                        epoch_scale=epoch_scale)
    if run.history.diverged:
        ax_b.text(0.5, 0.5, "diverged", transform=ax_b.transAxes, ha="center", va="center",
                  fontsize="x-large", bbox={"facecolor": "white", "alpha": 0.9})
    return {"heatmap": heat, "boundary": contour, "train_points": train_pts, "test_points": test_pts,
            **lines}


def _fit_to_axes(ax, text: str) -> str:
    """``text`` wrapped to the width of ``ax``, so a long settings line never runs off the figure."""
    spec = ax.get_subplotspec()
    ratios = spec.get_gridspec().get_width_ratios() or [1.0] * spec.get_gridspec().ncols
    share = sum(ratios[spec.colspan.start:spec.colspan.stop]) / sum(ratios)
    width_in = 0.9 * ax.figure.get_figwidth() * share  # the axes' share of the row, less its labels
    return wrap_text(text, width_in, 10.0)


def scenario_figure(run, grid, title: str | None = None, loss_max: float | None = LOSS_SCALE,
                    takeaway: str | None = None, epoch_scale: str = "linear"):
    """The result of a trained run: boundary heatmap with points, loss and accuracy curves.

    Parameters
    ----------
    run : course_utils.experiments.Run
    grid : ndarray, shape (resolution, resolution) or (resolution, resolution, K)
        P(class 1) on the heatmap grid (``experiments.probability_grid(run)``), or each of
        K classes' probability (drawn as a class map with the class boundaries).
    loss_max : float or None
        Top of the loss axis: 0 to 1 by default (ln 2 marked), the same in every
        scenario figure (1.5 for three classes, ln 3 marked); a loss above it is clipped
        and noted. None lets it grow.
    takeaway : str, optional
        The figure's title: what to see. The settings stay above the boundary panel.
    epoch_scale : {"linear", "log"}
        The curves' epoch axis (``plots.EPOCH_SCALES``): "log" for a run that learns in the
        first few epochs, which a linear 0-300 axis squeezes into its left edge.

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : dict of str -> Artist
    """
    fig, axes = new_figure((11.0, 3.6), ncols=3, gridspec_kw={"width_ratios": [1.0, 1.15, 1.15]})
    artists = _draw_run(*axes, run, grid, title or describe(run.settings), loss_max=loss_max,
                        epoch_scale=epoch_scale)
    takeaway_title(fig, takeaway)
    return fig, artists


def comparison_figure(runs, grids, titles, loss_max: float = LOSS_SCALE, takeaway: str | None = None):
    """Runs side by side, one row each, on the same axes scales (boundary, loss, accuracy).

    Returns
    -------
    fig : matplotlib.figure.Figure
    artists : list of dict, one per run
    """
    n = len(runs)
    fig, axes = new_figure((11.0, 3.5 * n), nrows=n, ncols=3, squeeze=False,
                           gridspec_kw={"width_ratios": [1.0, 1.15, 1.15]})
    max_epochs = max(r.epoch for r in runs)
    out = []
    for row, run, grid, title in zip(axes, runs, grids, titles):
        artists = _draw_run(*row, run, grid, title, loss_max=loss_max)
        for ax in row[1:]:
            ax.set_xlim(0, max_epochs)
        out.append(artists)
    takeaway_title(fig, takeaway)
    return fig, out


def _composite(pixels, layer) -> None:
    """Lay a cached layer (``TrainingView._layer_of``: where, colours, alphas) over ``pixels``."""
    where, rgb, alpha = layer
    flat = pixels.reshape(-1, 4)
    under = flat[where, :3].astype(np.uint16)
    flat[where, :3] = (rgb * alpha + under * (255 - alpha) + 127) // 255


class _Glyphs:
    """One line of text drawn from per-character bitmaps, each rendered once.

    For the title that changes on every Play frame (``epoch 1234``): drawn as a Text,
    each new string would be laid out and kept in matplotlib's text-layout cache (about
    0.6 KiB per string, up to 4,096 strings), so memory grew for minutes of Play. Here the
    cache holds one bitmap per character seen (digits, "epoch "). Characters are placed by
    their advance widths, without kerning: the same line as the Text to within a pixel.
    """

    def __init__(self, text, dpi: float):
        from matplotlib.font_manager import findfont, get_font

        self.text, self.dpi = text, float(dpi)
        self.prop = text.get_fontproperties()
        self.font = get_font(findfont(self.prop))
        self.font.set_size(self.prop.get_size_in_points(), self.dpi)
        self.cache: dict = {}

    def glyph(self, ch: str):
        """``(advance, dx, dy, rgb, alpha)`` for one character: its bitmap's offset from the pen
        on the baseline (pixels, y downwards), colours (h, w, 3) and alphas (h, w, 1), uint16."""
        if ch not in self.cache:
            from matplotlib.backends.backend_agg import RendererAgg

            size = int(np.ceil(self.prop.get_size_in_points() * self.dpi / 72.0))
            pen_x, base = size, 2 * size
            renderer = RendererAgg(3 * size, 3 * size, self.dpi)
            renderer.clear()
            gc = renderer.new_gc()
            gc.set_foreground(self.text.get_color())
            renderer.draw_text(gc, pen_x, base, ch, self.prop, 0)
            gc.restore()
            rgba = np.asarray(renderer.buffer_rgba())
            rows, cols = np.nonzero(rgba[..., 3])
            advance = self.font.load_char(ord(ch)).linearHoriAdvance / 65536.0
            if rows.size == 0:  # a space
                self.cache[ch] = (advance, 0, 0, None, None)
            else:
                crop = rgba[rows.min():rows.max() + 1, cols.min():cols.max() + 1].astype(np.uint16)
                self.cache[ch] = (advance, int(cols.min()) - pen_x, int(rows.min()) - base, crop[..., :3],
                                  crop[..., 3:])
        return self.cache[ch]

    def draw(self, pixels, text) -> None:
        """Draw ``text``'s string where the Text would be (centred on its anchor, on its baseline)."""
        string = text.get_text()
        glyphs = [self.glyph(ch) for ch in string]
        x, y = text.get_transform().transform(text.get_unitless_position())
        height = pixels.shape[0]
        width = sum(g[0] for g in glyphs)
        pen = x - {"center": width / 2.0, "right": width}.get(text.get_horizontalalignment(), 0.0)
        base = int(round(height - y))
        for advance, dx, dy, rgb, alpha in glyphs:
            if rgb is not None:
                r0, c0 = base + dy, int(round(pen)) + dx
                h, w = alpha.shape[:2]
                if r0 >= 0 and c0 >= 0 and r0 + h <= height and c0 + w <= pixels.shape[1]:
                    under = pixels[r0:r0 + h, c0:c0 + w, :3].astype(np.uint16)
                    pixels[r0:r0 + h, c0:c0 + w, :3] = (rgb * alpha + under * (255 - alpha) + 127) // 255
            pen += advance


class TrainingView:
    """The live panel's picture: one figure whose artists are updated, then rendered to PNG.

    Holds no maths: :meth:`show_data` and :meth:`update` take arrays and a History.

    Rendering is blitted: the frame (axes, ticks, labels, legends) is drawn once and kept
    as a bitmap; each new picture restores it and draws only the artists that change
    (heatmap, points, decision boundary, curves, epoch counter). When a curve axis changes
    its range (in coarse steps, see ``update_curves``) only that axis is redrawn into the frame.
    What a Play frame costs is kept small: the heatmap's colours are written straight into
    the pixels (a pixel -> cell map made once), the data points are laid over them from a
    layer drawn once per data set, the contour is moved in place, and while playing the title
    "epoch N" comes from cached glyphs (:class:`_Glyphs`): :meth:`render` went from 16 to 8 ms a
    frame (the Playground, under cProfile).

    ``task="regression"`` shows a predicted value instead of P(class 1): the heatmap spans
    -1 .. 1, the points are coloured by their target's sign, and there is no accuracy and no
    decision boundary. ``n_classes`` = K > 2 shows the class map (hue = class, lightness =
    confidence; :func:`course_utils.plots.boundary.class_map`), the lines where the most
    probable class changes, and chance at ln K and 100/K %.

    ``frame_cache``: how many frame bitmaps (one per set of curve-axis ranges, each the size
    of the whole picture) are kept for going back to earlier ranges (Reset, rewind); the
    oldest is dropped first, so memory stays flat however long Play runs.
    """

    def __init__(self, resolution: int = 100, figsize=(10.0, 3.4), dpi: int = 100,
                 task: str = "classification", n_classes: int = 2, arrangement: str = "row",
                 frame_cache: int = 16):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        lookup({"classification": 0, "regression": 0}, task, "task")
        lookup(ARRANGEMENTS, arrangement, "arrangement")
        self.arrangement = arrangement
        self.resolution = resolution
        self.task = task
        self.n_classes = int(n_classes)
        if arrangement == "row":
            self.fig, axes = new_figure(figsize, dpi=dpi, ncols=3,
                                        gridspec_kw={"width_ratios": [1.0, 1.2, 1.2]})
            self.ax_boundary, self.ax_loss, self.ax_accuracy = axes
        else:  # the boundary large on top, the two curves side by side beneath it
            self.fig, axes = new_figure(figsize, dpi=dpi, mosaic=[["b", "b"], ["l", "a"]],
                                        height_ratios=[2.4, 1.0])
            self.ax_boundary, self.ax_loss, self.ax_accuracy = axes["b"], axes["l"], axes["a"]
        self.canvas = FigureCanvasAgg(self.fig)
        blank = None if self.n_classes == 2 else np.full((resolution, resolution, self.n_classes),
                                                         1.0 / self.n_classes)
        self.heatmap = draw_heatmap(self.ax_boundary, blank, resolution=resolution)
        empty = np.empty((0, 2))
        self.train_points = draw_points(self.ax_boundary, empty, np.empty(0, int))
        self.test_points = draw_points(self.ax_boundary, empty, np.empty(0, int), test=True)
        # The line moves in place (set_data); a contour is redrawn (see update_live_boundary).
        self.boundary = draw_live_boundary(self.ax_boundary, animated=True)
        # Outside the heatmap, so the frame bitmap can hold it.
        below = -0.17 if arrangement == "row" else -0.1
        legend = points_legend(self.ax_boundary, loc="upper center", bbox_to_anchor=(0.5, below),
                               ncols=2 if arrangement == "row" else 4, columnspacing=0.8,
                               boundary=task == "classification", n_classes=self.n_classes)
        self.title = self.ax_boundary.set_title("epoch 0", fontsize="medium")
        self.curves = draw_curves(self.ax_loss, self.ax_accuracy, n_classes=self.n_classes)
        if task == "regression":
            self._for_regression(legend)
        self.alert = self.ax_boundary.text(0.5, 0.5, "", transform=self.ax_boundary.transAxes, ha="center",
                                           va="center", fontsize="large", visible=False, zorder=5, wrap=True,
                                           bbox={"facecolor": "white", "alpha": 0.9})
        self._animated = [self.heatmap, self.train_points, self.test_points, *self.curves.values(),
                          self.title, self.alert]
        for artist in self._animated:
            artist.set_animated(True)
        self._frame = None
        self._boxes: dict = {}
        self._limit_keys: dict = {}
        if int(frame_cache) < 1:
            raise ValueError(f"frame_cache must be at least 1 (the frame on screen), got {frame_cache}.")
        self.frame_cache = int(frame_cache)
        self._frames: dict = {}  # axis ranges -> (frame bitmap, curve axes' extents), the newest frame_cache
        self.frames_redrawn = 0  # how often the frame bitmap was rebuilt (for tests and benchmarks)
        self._split = None  # pixel row between the boundary picture and the curves (stacked)
        # Per-frame shortcuts (see render): the heatmap's pixel -> cell map, the data points
        # as a cached layer, the epoch title from cached glyphs while playing.
        self._heat_index = None
        self._points_layer = None
        self._stamp_title = False
        self._glyphs = None

    def _for_regression(self, legend) -> None:
        self.heatmap.set_clim(-1.0, 1.0)
        self.ax_loss.set_ylabel("loss (squared error / 2)")
        self.ax_loss.lines[0].set_visible(False)  # the ln 2 reference means nothing here
        self.ax_loss.legend(handles=[self.curves["train_loss"], self.curves["test_loss"]], loc="upper right",
                            fontsize="small")
        self.ax_accuracy.lines[0].set_visible(False)
        self.ax_accuracy.get_legend().set_visible(False)
        self.ax_accuracy.set_title("no accuracy for regression", fontsize="small")
        for text, label in zip(legend.get_texts(), ("target <= 0", "target > 0")):
            text.set_text(label)

    def show_data(self, X_train, y_train, X_test, y_test) -> None:
        """Move the scatters to new data (for regression, ``y`` is the target's sign, 0/1)."""
        update_points(self.train_points, X_train, y_train)
        update_points(self.test_points, X_test, y_test)
        self._points_layer = None

    def update(self, grid, history, max_epochs: int = 0, alert: str | None = None, line=None,
               boundary: bool = True, playing: bool = False) -> None:
        """New heatmap values, decision boundary, curves and epoch counter.

        Parameters
        ----------
        grid : ndarray of float, shape (resolution, resolution)
            P(class 1) (or the predicted value) on the heatmap grid; (resolution,
            resolution, K) with each class's probability for K classes.
        history : History
        alert : str, optional
            Written over the boundary picture (e.g. "training diverged").
        line : pair ``(w, b)``, optional
            A straight decision boundary (``experiments.decision_line``): drawn as that exact
            line. Without it, the boundary is the 0.5 contour of ``grid``.
        boundary : bool
            False draws no boundary (a diverged network). Never drawn for regression.
        playing : bool
            A Play frame: the epoch axis grows in coarse steps (``update_curves``), so the
            frame behind the curves is redrawn rarely; draw once more without it when Play stops.
        """
        update_heatmap(self.heatmap, grid)
        if boundary and self.task == "classification":
            update_live_boundary(self.boundary, line=line, values=None if line is not None else grid)
        else:
            update_live_boundary(self.boundary)
        update_curves(self.curves, history, max_epochs, coarse=playing)
        self.title.set_text(f"epoch {history.epochs_run}")
        self._stamp_title = bool(playing)
        self.alert.set_text(alert or "")
        self.alert.set_visible(bool(alert))

    def show_test_points(self, visible: bool) -> None:
        """Show or hide the test points (the "show test data" option)."""
        if self.test_points.get_visible() != bool(visible):
            self.test_points.set_visible(bool(visible))
            self._points_layer = None

    def set_title(self, text: str) -> None:
        """Replace the boundary picture's title (``update`` writes ``epoch N`` there)."""
        self.title.set_text(text)
        self._stamp_title = False

    def data_point(self, px: float, py: float):
        """The input-square point under pixel ``(px, py)`` of :meth:`png` (from its top-left
        corner), or None outside the boundary picture. For clicks on the picture."""
        if self._frame is None:
            self.render()  # the layout is fixed by the first render
        height = self.fig.get_figheight() * self.fig.dpi
        display = (float(px), height - float(py))
        if not self.ax_boundary.bbox.contains(*display):
            return None
        x1, x2 = self.ax_boundary.transData.inverted().transform(display)
        return float(x1), float(x2)

    def heatmap_values(self) -> np.ndarray:
        """The values currently drawn, (resolution, resolution) - for tests (RGB,
        (resolution, resolution, 3), for K classes)."""
        return np.asarray(self.heatmap.get_array())

    def boundary_artists(self) -> list:
        """What shows the decision boundary now: ``[]``, ``[Line2D]`` or ``[ContourSet]``."""
        return live_boundary_artists(self.boundary)

    @staticmethod
    def _limits(ax):
        return (*ax.get_xlim(), *ax.get_ylim())

    def _redraw_axes(self, axes) -> None:
        """Redraw only the curve axes whose ranges changed, inside the cached frame."""
        renderer = self.canvas.get_renderer()
        pixels = np.asarray(self.canvas.buffer_rgba())  # a writable view of the canvas
        height = pixels.shape[0]
        for ax in axes:
            new_box = ax.get_tightbbox(renderer)
            for box in (self._boxes.get(ax), new_box):  # wipe old and new extents (tick labels change width)
                if box is None:
                    continue
                x0, x1 = max(int(box.x0) - 2, 0), min(int(np.ceil(box.x1)) + 2, pixels.shape[1])
                y0, y1 = max(int(height - box.y1) - 2, 0), min(int(np.ceil(height - box.y0)) + 2, height)
                pixels[y0:y1, x0:x1] = 255
            ax.draw(renderer)  # animated artists are skipped
            self._boxes[ax] = new_box
            self._limit_keys[ax] = self._limits(ax)

    def render(self) -> np.ndarray:
        """Draw the current state; returns the RGBA pixels, (height, width, 4) uint8 (a view)."""
        curve_axes = (self.ax_loss, self.ax_accuracy)
        if self._frame is None:
            self.canvas.draw()  # animated artists are skipped: this is the frame only
            self.fig.set_layout_engine("none")  # keep the first layout: later frames match it
            renderer = self.canvas.get_renderer()
            self._boxes = {ax: ax.get_tightbbox(renderer) for ax in curve_axes}
            self._limit_keys = {ax: self._limits(ax) for ax in curve_axes}
            self._frame = self.canvas.copy_from_bbox(self.fig.bbox)
            self.frames_redrawn += 1
        else:
            key = tuple(self._limits(ax) for ax in curve_axes)
            cached = self._frames.get(key)
            if cached is not None:  # these ranges were drawn before (e.g. epochs 300 -> 200 -> 300)
                self._frame, self._boxes = cached[0], dict(cached[1])
                self._limit_keys = dict(zip(curve_axes, key))
            self.canvas.restore_region(self._frame)
            changed = [ax for ax in curve_axes if self._limits(ax) != self._limit_keys[ax]]
            if changed:
                self._redraw_axes(changed)
                self._frame = self.canvas.copy_from_bbox(self.fig.bbox)
                self.frames_redrawn += 1
        key = tuple(self._limits(ax) for ax in curve_axes)
        if key not in self._frames:
            while len(self._frames) >= self.frame_cache:
                self._frames.pop(next(iter(self._frames)))
            self._frames[key] = (self._frame, dict(self._boxes))
        if self._points_layer is None:
            self._points_layer = self._layer_of(self.train_points, self.test_points)  # uses the canvas
            self.canvas.restore_region(self._frame)
        pixels = np.asarray(self.canvas.buffer_rgba())  # a writable view of the canvas
        # In this order: the heatmap, the points, the boundary over them, the alert on top.
        self._paint_heatmap(pixels)
        _composite(pixels, self._points_layer)
        _heatmap, _train, _test, *curves, title, alert = self._animated
        for artist in (*self.boundary_artists(), *curves):
            if artist.get_visible():
                self.fig.draw_artist(artist)
        if title.get_visible():
            if self._stamp_title:  # a new string per frame: matplotlib would cache each one's layout
                self._title_glyphs().draw(pixels, title)
            else:
                self.fig.draw_artist(title)
        if alert.get_visible():
            self.fig.draw_artist(alert)
        return pixels

    def _paint_heatmap(self, pixels) -> None:
        """The heatmap's colours written straight into the pixels inside the boundary axes.

        What the image artist draws with ``interpolation="nearest"`` (each pixel takes the
        cell under its centre), without resampling the image on every frame: the pixel ->
        cell map is computed once, as the layout is fixed after the first render.
        """
        if self._heat_index is None:
            height, width = pixels.shape[:2]
            box, n = self.ax_boundary.bbox, self.resolution
            cols = np.floor((np.arange(width) + 0.5 - box.x0) / box.width * n).astype(int)
            rows = np.floor((height - np.arange(height) - 0.5 - box.y0) / box.height * n).astype(int)
            (c,), (r,) = np.nonzero((cols >= 0) & (cols < n)), np.nonzero((rows >= 0) & (rows < n))
            self._heat_index = (slice(r[0], r[-1] + 1), slice(c[0], c[-1] + 1),
                                rows[r][:, None] * n + cols[c][None, :])  # (h, w) flat cell index
        rows, cols, index = self._heat_index
        rgba = self.heatmap.to_rgba(self.heatmap.get_array(), bytes=True).reshape(-1, 4)  # (n * n, 4)
        if (rgba[:, 3] < 255).any():  # NaN cells are transparent: white paper shows through
            alpha = rgba[:, 3:].astype(np.uint16)
            rgba[:, :3] = (rgba[:, :3] * alpha + 255 * (255 - alpha) + 127) // 255
            rgba[:, 3] = 255
        pixels[rows, cols] = rgba[index]

    def _layer_of(self, *artists):
        """The artists drawn alone on a transparent canvas, as a layer for :func:`_composite`.
        Leaves the canvas cleared (the caller restores its frame)."""
        renderer = self.canvas.get_renderer()
        renderer.clear()
        for artist in artists:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        rgba = np.asarray(self.canvas.buffer_rgba()).reshape(-1, 4)
        where = np.flatnonzero(rgba[:, 3])
        return where, rgba[where, :3].astype(np.uint16), rgba[where, 3:].astype(np.uint16)

    def _title_glyphs(self):
        if self._glyphs is None:
            self._glyphs = _Glyphs(self.title, self.fig.dpi)
        return self._glyphs

    def png(self, region: str | None = None) -> bytes:
        """The current picture as PNG bytes (a palette PNG: small and fast, see ``pixels_png``).

        ``region`` (stacked arrangement only): ``"boundary"`` for the output picture with its
        title and legend, ``"curves"`` for the loss and accuracy beneath it; None for all.
        """
        return self.pngs((region,))[0]

    def pngs(self, regions) -> list:
        """One render, then a PNG for each of ``regions`` (names as in :meth:`png`)."""
        pixels = self.render()
        out = []
        for region in regions:
            part = pixels
            if region is not None:
                if self.arrangement != "stacked":
                    raise ValueError("Regions exist in the stacked arrangement only (TrainingView(arrangement="
                                     "'stacked')).")
                split = self._split_row()
                part = lookup({"boundary": pixels[:split], "curves": pixels[split:]}, region, "region")
            out.append(pixels_png(part))
        return out

    def _split_row(self) -> int:
        """The pixel row (from the top) between the boundary's legend and the curves' titles."""
        if self._split is None:
            renderer = self.canvas.get_renderer()
            height = self.canvas.buffer_rgba().shape[0]
            bottom_of_boundary = self.ax_boundary.get_tightbbox(renderer).y0  # display units: from the bottom
            top_of_curves = max(ax.get_tightbbox(renderer).y1 for ax in (self.ax_loss, self.ax_accuracy))
            self._split = int(round(height - (bottom_of_boundary + top_of_curves) / 2.0))
        return self._split
