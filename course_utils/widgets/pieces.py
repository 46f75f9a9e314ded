"""A panel for notebook 05: a curve built from k ReLU (or sigmoid) pieces."""
from __future__ import annotations

import ipywidgets as W

from ..pieces import PIECE_UNITS, TARGETS, fit_pieces
from ..plots import draw_pieces, figure_png, new_figure, update_pieces
from .base import PanelBase

__all__ = ["PiecesPanel", "MAX_SLIDER_PIECES"]

MAX_SLIDER_PIECES = 12


class PiecesPanel(PanelBase):
    """A slider for the number of units k (1-12) and dropdowns for the unit and the target.

    Each change fits the target by least squares (``course_utils.pieces.fit_pieces``) and
    moves the lines of one figure (``plots.update_pieces``); the status line gives the
    largest error.
    """

    def __init__(self, k: int = 3, unit: str = "relu", target: str = "sin"):
        super().__init__()
        style = {"description_width": "70px"}
        self.k = W.IntSlider(value=k, min=1, max=MAX_SLIDER_PIECES, description="units k", style=style)
        self.unit = W.Dropdown(options=list(PIECE_UNITS), value=unit, description="unit", style=style)
        self.target = W.Dropdown(options=list(TARGETS), value=target, description="target", style=style)
        self.fig, self.ax = new_figure((6.0, 4.2), dpi=80)
        self.artists = draw_pieces(self.ax, fit_pieces(target, k, unit), max_pieces=MAX_SLIDER_PIECES)
        self.pieces = None
        for control in (self.k, self.unit, self.target):
            control.observe(lambda _: self._guard(self.redraw), names="value")
        self.widget = W.VBox([W.HBox([self.k, self.unit, self.target]), self.image, self.status])
        self._guard(self.redraw)

    def redraw(self) -> None:
        p = fit_pieces(self.target.value, self.k.value, self.unit.value)
        update_pieces(self.artists, p)
        lo, hi = float(p.target.min()), float(p.target.max())
        pad = 0.35 * max(hi - lo, 1e-6)
        self.ax.set_ylim(lo - pad, hi + pad)  # the target's own scale (targets differ)
        update_pieces(self.artists, p)  # the unit-position ticks sit on the new bottom edge
        self.pieces = p
        self.image.value = figure_png(self.fig)
        self._set_status("ok", f"{p.k} {p.unit} unit{'s' if p.k != 1 else ''} + a bias: largest error "
                               f"{p.max_error:.3f} on {p.target_name} over [{p.x[0]:g}, {p.x[-1]:g}].")
