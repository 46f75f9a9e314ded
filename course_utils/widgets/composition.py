"""Panels for notebook 01: a grid pushed through layers, and a 2-2-1 network of sliders."""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from .. import grid as G
from ..activations import ACTIVATIONS
from ..data import DOMAIN
from ..model import MLP, collapse
from ..plots.warp import grid_legend
from ..plots import draw_grid, draw_heatmap, draw_line, figure_png, new_figure, update_grid, \
    update_heatmap, update_line
from .base import PanelBase

__all__ = ["GridWarpPanel", "TinyNetPanel", "tiny_net_weights"]


class GridWarpPanel(PanelBase):
    """Sliders for depth, activation and seed redraw a square grid pushed through the layers.

    Each layer is a random 2 -> 2 map ``a = act(x W + b)`` (``course_utils.grid``), so
    every stage can be drawn in the plane.
    """

    def __init__(self, depth: int = 3, activation: str = "linear", seed: int = 2, max_depth: int = 8):
        super().__init__()
        self.lines = G.grid_lines()
        style = {"description_width": "80px"}
        self.depth = W.IntSlider(value=depth, min=1, max=max_depth, description="layers", style=style)
        self.activation = W.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation",
                                     style=style)
        self.seed = W.IntSlider(value=seed, min=0, max=50, description="seed", style=style)
        self.fig, (ax_in, ax_out) = new_figure((8.0, 4.0), dpi=80, ncols=2)
        self.before = draw_grid(ax_in, self.lines, title="input grid", labels=("x1", "x2"))
        grid_legend(ax_in)
        self.after = draw_grid(ax_out, self.lines, title="after the layers")
        self.ax_out = ax_out
        for control in (self.depth, self.activation, self.seed):
            control.observe(lambda _: self._guard(self.redraw), names="value")
        self.widget = W.VBox([W.HBox([self.depth, self.activation, self.seed]), self.image, self.status])
        self._guard(self.redraw)

    def warped(self) -> np.ndarray:
        """The grid after the chosen layers, (n_lines, n_points, 2)."""
        layers = G.random_layers(self.depth.value, seed=self.seed.value)
        return G.warp(self.lines, layers, self.activation.value)

    def redraw(self) -> None:
        out = self.warped()
        update_grid(self.after, out)
        k, act = self.depth.value, self.activation.value
        self.ax_out.set_title(f"after {k} {act} layer{'s' if k > 1 else ''}")
        self.image.value = figure_png(self.fig)
        bend = float(np.max(G.straightness(out)))
        skew = float(np.degrees(G.parallelism(out)))
        flat = G.dimensions(out)
        if flat < 2:
            self._set_status("ok", f"{act}: the whole grid is squashed onto {'a line' if flat else 'a point'}: "
                                   "in some layer a unit is 0 at every grid point, so the picture has lost a "
                                   "dimension. Straight, but no longer a grid; try another seed.")
        elif bend < 1e-9 and skew < 1e-6:
            self._set_status("ok", f"{act}: every line is still straight and parallel lines stay parallel "
                                   f"(largest bend {bend:.1e}).")
        else:
            self._set_status("ok", f"{act}: the lines bend (largest bend {bend:.2f} of a line's length) "
                                   f"and parallel lines drift apart by up to {skew:.0f} degrees.")


def tiny_net_weights(values: dict) -> list:
    """Slider values -> ``[(W1, b1), (W2, b2)]`` for a 2-2-1 network (row convention x W + b)."""
    W1 = np.array([[values["w11"], values["w12"]], [values["w21"], values["w22"]]])  # (2, 2)
    b1 = np.array([values["b1"], values["b2"]])  # (2,)
    W2 = np.array([[values["v1"]], [values["v2"]]])  # (2, 1)
    b2 = np.array([values["c"]])  # (1,)
    return [(W1, b1), (W2, b2)]


_TINY_DEFAULTS = {"w11": 1.0, "w12": -0.5, "w21": 0.5, "w22": 1.0, "b1": 0.5, "b2": -1.0,
                  "v1": 1.0, "v2": -1.5, "c": 0.5}
_TINY_LABELS = {"w11": "W1[1,1]", "w12": "W1[1,2]", "w21": "W1[2,1]", "w22": "W1[2,2]", "b1": "b1[1]",
                "b2": "b1[2]", "v1": "W2[1]", "v2": "W2[2]", "c": "b2"}


class TinyNetPanel(PanelBase):
    """A 2-2-1 linear network whose every weight and bias is a slider.

    Shows the collapsed single layer ``(W, b)`` and its straight boundary line over the
    network's own output heatmap: they agree whatever the sliders say.
    """

    def __init__(self, values: dict | None = None):
        super().__init__()
        values = {**_TINY_DEFAULTS, **(values or {})}
        self.net = MLP([2, 2, 1], "linear", seed=0)
        self.sliders = {
            key: W.FloatSlider(value=values[key], min=-2.0, max=2.0, step=0.1, description=_TINY_LABELS[key],
                               continuous_update=True, style={"description_width": "60px"},
                               layout=W.Layout(width="260px"))
            for key in _TINY_DEFAULTS
        }
        self.formula = W.HTMLMath()
        self.fig, self.ax = new_figure((4.2, 4.2), dpi=80)
        self.heatmap = draw_heatmap(self.ax, None, resolution=60)
        self.line = draw_line(self.ax, [1.0, 0.0], 0.0, label="collapsed boundary  W x + b = 0")
        self.ax.legend(loc="upper right", fontsize="x-small")
        self.ax.set_title("P(class 1) of the 2-2-1 linear network", fontsize="medium")
        for s in self.sliders.values():
            s.observe(lambda _: self._guard(self.redraw), names="value")
        s = list(self.sliders.values())
        columns = W.VBox([W.Label("layer 1 (2 -> 2)"), W.HBox([W.VBox(s[0:3]), W.VBox(s[3:6])]),
                          W.Label("layer 2 (2 -> 1)"), W.HBox([W.VBox(s[6:8]), W.VBox(s[8:9])]), self.formula])
        self.widget = W.VBox([W.HBox([columns, self.image]), self.status])
        self._guard(self.redraw)

    def collapsed(self):
        """``(W, b)`` of the single layer equal to the network, shapes (2, 1) and (1,)."""
        return collapse(self.net)

    def redraw(self) -> None:
        self.net.set_params(tiny_net_weights({k: s.value for k, s in self.sliders.items()}))
        W_, b_ = self.collapsed()
        grid = G.heatmap_grid(self.net.predict_proba, resolution=60)
        update_heatmap(self.heatmap, grid)
        update_line(self.line, W_[:, 0], b_)
        self.image.value = figure_png(self.fig)
        w1, w2, b = float(W_[0, 0]), float(W_[1, 0]), float(b_[0])
        self.formula.value = (
            r"Collapsed: $z = W^\top x + b$ with "
            rf"$W = W_1 W_2 = ({w1:.2f},\ {w2:.2f})^\top$, "
            rf"$b = b_1 W_2 + b_2 = {b:.2f}$")
        if w1 == 0 and w2 == 0:
            self._set_status("warning", "W is zero: the output does not depend on x at all - no boundary.")
        else:
            self._set_status("ok", f"Boundary: {w1:.2f} x1 + {w2:.2f} x2 + {b:.2f} = 0, a straight line.")
