"""Matplotlib helpers: each takes an ``ax`` (or makes one) and returns its artists.

They draw arrays or a ``predict`` function they are given; they never train. Figures
are made without pyplot (``style.new_figure``), so nothing is displayed twice: show one
with :func:`show_figure`, or render it to PNG bytes with :func:`figure_png`.
"""
from .boundary import (BOUNDARY_STYLE, boundary_handle, draw_boundary, draw_heatmap, draw_line,
                       draw_live_boundary, draw_points, live_boundary_artists, update_heatmap, update_line,
                       update_live_boundary, update_points)
from .curves import LN2, draw_curves, update_curves
from .figures import TrainingView, comparison_figure, describe, points_legend, scenario_figure
from .style import CLASS_COLOURS, HEATMAP_CMAP, figure_png, new_figure, show_figure
from .warp import draw_grid, grid_figure, update_grid
from .network import NetworkView, draw_gradient_norms, draw_network, update_gradient_norms, update_network
from .curves import EPOCH_SCALES, LOSS_SCALE, clipped_note
from .openbox import (HiddenSpaceView, draw_filmstrip, draw_hidden_space, draw_logit, draw_pieces, draw_snapshot,
                      draw_unit, filmstrip_figure, hidden_space_figure, hidden_units_figure, pieces_figure, titled_figure,
                      update_hidden_space, update_pieces, width_sweep_figure)

__all__ = [
    "draw_heatmap", "update_heatmap", "draw_points", "update_points", "draw_line", "update_line",
    "draw_boundary", "BOUNDARY_STYLE", "boundary_handle", "draw_live_boundary", "update_live_boundary",
    "live_boundary_artists", "draw_curves", "update_curves", "LN2", "TrainingView", "scenario_figure",
    "comparison_figure", "describe", "points_legend", "CLASS_COLOURS", "HEATMAP_CMAP", "figure_png",
    "new_figure", "show_figure", "draw_grid", "update_grid", "grid_figure",
    "NetworkView", "draw_network", "update_network", "draw_gradient_norms", "update_gradient_norms",
    "LOSS_SCALE", "EPOCH_SCALES", "clipped_note", "titled_figure", "draw_snapshot", "draw_filmstrip", "filmstrip_figure",
    "draw_unit", "draw_logit", "hidden_units_figure", "draw_hidden_space", "hidden_space_figure",
    "update_hidden_space", "HiddenSpaceView",
    "width_sweep_figure", "draw_pieces", "update_pieces", "pieces_figure",
]
