"""A panel for notebook 05: a curve built from k ReLU (or sigmoid) pieces, each one movable."""
from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

from ..pieces import PIECE_UNITS, TARGETS, even_knots, fit_pieces
from ..plots import draw_pieces, figure_png, new_figure, update_pieces
from .base import PanelBase

__all__ = ["PiecesPanel", "MAX_SLIDER_PIECES"]

MAX_SLIDER_PIECES = 12
_WEIGHT_RANGE = 10.0  # the weight slider's default reach; widened when a fitted weight lies beyond it


class PiecesPanel(PanelBase):
    """Sliders for the number of units k (1-12), then for one piece at a time: where it sits and its weight.

    The first row chooses k, the unit and the target; every change there starts again from
    evenly spread knots and least-squares weights. The second row picks a piece (bold in the
    figure) and moves its knot (a ReLU's kink, a sigmoid's step) and its output weight. With
    "fit weights" ticked the weights follow the best least-squares fit for the knots where
    they are (the weight slider then only shows the fitted value); unticked, every weight is
    the learner's own and only the bias is fitted. Each change moves the lines of one figure
    (``plots.update_pieces``); the status line gives the largest error, or the error in words.

    Every control is a slider, dropdown or checkbox, so Tab and the arrow keys work. The sliders
    redraw while they move: a fit costs about 0.2 ms, the picture most of a frame's ~0.15 s
    (measured on the shared 2-core machine; a blitted view as in ``plots.TrainingView`` would cut it).
    """

    def __init__(self, k: int = 3, unit: str = "relu", target: str = "sin"):
        super().__init__()
        style = {"description_width": "70px"}
        self.k = W.IntSlider(value=k, min=1, max=MAX_SLIDER_PIECES, description="units k", style=style)
        self.unit = W.Dropdown(options=list(PIECE_UNITS), value=unit, description="unit", style=style)
        self.target = W.Dropdown(options=list(TARGETS), value=target, description="target", style=style)
        lo, hi = TARGETS[target][1]
        self.piece = W.IntSlider(value=1, min=1, max=k, description="piece", style=style)
        self.at = W.FloatSlider(value=lo, min=lo, max=hi, step=0.05, readout_format=".2f", style=style)
        self.weight = W.FloatSlider(value=0.0, min=-_WEIGHT_RANGE, max=_WEIGHT_RANGE, step=0.05,
                                    readout_format=".2f", description="weight", style=style)
        self.fit = W.Checkbox(value=True, description="fit weights (least squares)", indent=False)
        self.fig, self.ax = new_figure((6.0, 4.2), dpi=80)
        self.artists = draw_pieces(self.ax, fit_pieces(target, k, unit), max_pieces=MAX_SLIDER_PIECES)
        self.pieces = None
        self.knots = even_knots(unit, k, target)  # (k,) where each piece sits now
        self.weights: np.ndarray | None = None  # (k,) the weights drawn last (fitted or the learner's)
        self._syncing = False  # True while the panel itself moves the piece sliders
        for control in (self.k, self.unit, self.target):
            control.observe(lambda _: self._guard(self.start_again), names="value")
        self.piece.observe(lambda _: self._unless_syncing(self.redraw), names="value")
        self.at.observe(lambda _: self._unless_syncing(self._move_knot), names="value")
        self.weight.observe(lambda _: self._unless_syncing(self._set_weight), names="value")
        self.fit.observe(lambda _: self._guard(self.redraw), names="value")
        self.widget = W.VBox([W.HBox([self.k, self.unit, self.target]),
                              W.HBox([self.piece, self.at, self.weight, self.fit]), self.image, self.status])
        self._guard(self.start_again)

    # ------------------------------------------------------------------ callbacks
    def _unless_syncing(self, fn) -> None:
        if not self._syncing:
            self._guard(fn)

    def start_again(self) -> None:
        """Evenly spread knots and least-squares weights for the chosen k, unit and target."""
        k, unit, target = self.k.value, self.unit.value, self.target.value
        self.knots = even_knots(unit, k, target)
        self.weights = None
        lo, hi = TARGETS[target][1]
        self._syncing = True
        try:
            self.piece.max = k  # clamps the selected piece too
            self.at.min, self.at.max = min(lo, self.at.min), max(hi, self.at.max)  # never min > max on the way
            self.at.min, self.at.max = lo, hi
            self.at.description = f"{PIECE_UNITS[unit].knot_word} at"
        finally:
            self._syncing = False
        self.redraw(refit=True)

    def _move_knot(self) -> None:
        self.knots[self.piece.value - 1] = self.at.value
        self.redraw()

    def _set_weight(self) -> None:
        if self.fit.value:  # the slider only shows the fitted weight; untick "fit weights" to set it
            return
        self.weights[self.piece.value - 1] = self.weight.value
        self.redraw()

    # ------------------------------------------------------------------ drawing
    def redraw(self, refit: bool = False) -> None:
        by_hand = not self.fit.value and not refit and self.weights is not None
        p = fit_pieces(self.target.value, self.k.value, self.unit.value, knots=self.knots,
                       weights=self.weights if by_hand else None)
        j = self.piece.value - 1
        lo, hi = float(p.target.min()), float(p.target.max())
        pad = 0.35 * max(hi - lo, 1e-6)
        self.ax.set_ylim(lo - pad, hi + pad)  # the target's own scale (targets differ); before the knot ticks
        update_pieces(self.artists, p, selected=j)
        self.pieces, self.weights = p, p.weights.copy()
        self._show_piece(j)
        self.image.value = figure_png(self.fig)
        word = PIECE_UNITS[p.unit].knot_word
        how = "set by hand" if by_hand else "fitted"
        self._set_status("ok", f"{p.k} {p.unit} unit{'s' if p.k != 1 else ''} + a bias: largest error "
                               f"{p.max_error:.3f} on {p.target_name} over [{p.x[0]:g}, {p.x[-1]:g}]. "
                               f"Piece {j + 1} (bold): {word} at {p.knots[j]:.2f}, weight {p.weights[j]:.2f} "
                               f"({how}).")

    def _show_piece(self, j: int) -> None:
        # The sliders show piece j as drawn, without their own callbacks firing.
        w = float(self.weights[j])
        reach = max(_WEIGHT_RANGE, math.ceil(abs(w)))
        self._syncing = True
        try:
            self.at.value = float(self.knots[j])
            self.weight.min, self.weight.max = -reach, reach
            self.weight.value = w
            self.weight.disabled = self.fit.value
        finally:
            self._syncing = False
