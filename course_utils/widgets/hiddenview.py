"""The Playground's hidden-space view: the data as a chosen hidden layer sees it.

A toggle, a layer choice and two unit choices; ``inspection.hidden_space`` computes the
coordinates (each point's outputs of the two chosen units) and the output's decision line
when it is exact there (the last hidden layer, both of its units shown), and
``plots.HiddenSpaceView`` moves its artists to them. Nothing is computed while the view is off.
"""
from __future__ import annotations

import dataclasses

import ipywidgets as W
import numpy as np

from .. import inspection as ins
from ..plots.openbox import HiddenSpaceView

__all__ = ["HiddenSpacePanel"]


class HiddenSpacePanel:
    """Controls and picture of the hidden-space view.

    Attributes
    ----------
    toggle : ipywidgets.ToggleButton
        Shows or hides the view.
    layer, unit_x, unit_y : ipywidgets.Dropdown
        The hidden layer and its two units drawn on the axes (values 0-based).
    image : ipywidgets.Image
    note : ipywidgets.HTML
        Why there is nothing to show (no hidden layer), when so.
    widget : ipywidgets.VBox
        Controls above the picture; everything but the toggle is hidden while it is off.
    space : inspection.HiddenSpace or None
        What is drawn now (for tests).
    """

    def __init__(self, figsize=(4.6, 4.2), dpi: int = 80):
        self.view = HiddenSpaceView(figsize, dpi)
        px = f"{int(round(figsize[0] * dpi))}px"
        self.toggle = W.ToggleButton(value=False, description="Hidden space", icon="eye",
                                     tooltip="Show the data as a hidden layer sees it: each point at the outputs "
                                             "of two of its units (the last layer, read by the output, shows "
                                             "the output's decision line)")
        small = {"style": {"description_width": "45px"}, "layout": W.Layout(width="150px")}
        self.layer = W.Dropdown(options=[("1", 0)], value=0, description="layer", **small)
        self.unit_x = W.Dropdown(options=[("1", 0)], value=0, description="across", **small)
        self.unit_y = W.Dropdown(options=[("1", 0)], value=0, description="up", **small)
        self.image = W.Image(format="png", layout=W.Layout(width=px, height="auto"))
        self.note = W.HTML("")
        self.choices = W.HBox([self.layer, self.unit_x, self.unit_y])
        self.body = W.VBox([self.choices, self.note, self.image], layout=W.Layout(display="none"))
        self.widget = W.VBox([self.toggle, self.body])
        self.space = None
        self.syncing = False
        self._sizes: tuple = ()
        for w, name in ((self.toggle, "hidden-space"), (self.layer, "hs-layer"), (self.unit_x, "hs-unit-x"),
                        (self.unit_y, "hs-unit-y"), (self.image, "hs-image"), (self.note, "hs-note")):
            w.add_class(f"pg-{name}")

    @property
    def shown(self) -> bool:
        return bool(self.toggle.value)

    def sync(self, hidden_sizes) -> None:
        """Offer the network's layers and the chosen layer's units (choices kept when they still exist).

        While it changes the dropdowns, :attr:`syncing` is True: an owner's observers skip
        those changes (the owner is drawing already)."""
        self.syncing = True
        try:
            self._sync(tuple(int(h) for h in hidden_sizes))
        finally:
            self.syncing = False

    def _sync(self, sizes) -> None:
        self.body.layout.display = None if self.shown else "none"
        if sizes == self._sizes:
            return
        first, self._sizes = not self._sizes, sizes
        if not sizes:
            return
        last = len(sizes) - 1
        options = [(f"{i + 1}" + (" (last)" if i == last and last else ""), i) for i in range(len(sizes))]
        keep = last if first or self.layer.value is None or self.layer.value > last else self.layer.value
        self.layer.options = options
        self.layer.value = keep
        self._sync_units()

    def _sync_units(self) -> None:
        width = self._sizes[self.layer.value]
        units = [(f"unit {j + 1}", j) for j in range(width)]
        x, y = self.unit_x.value, self.unit_y.value
        self.unit_x.options = units
        self.unit_y.options = units
        self.unit_x.value = x if x is not None and x < width else 0
        self.unit_y.value = y if y is not None and y < width and (y != self.unit_x.value or width == 1) \
            else min(1, width - 1)

    def on_layer(self) -> None:
        """The layer changed: offer its units."""
        if self._sizes:
            self.syncing = True
            try:
                self._sync_units()
            finally:
                self.syncing = False

    def update(self, net, X, y, features) -> None:
        """Draw ``X`` (n, 2; raw coordinates) with labels ``y`` (n,) in the chosen layer's
        coordinates of ``net``; does nothing while the view is off."""
        self.sync(net.hidden_sizes)
        if not self.shown:
            return
        if not self._sizes:
            self.note.value = "<i>This network has no hidden layer: add one to see the data as it sees it.</i>"
            self.image.layout.display = "none"
            self.choices.layout.display = "none"
            return
        self.note.value = ""
        self.image.layout.display = None
        self.choices.layout.display = None
        layer, units = self.layer.value, (self.unit_x.value, self.unit_y.value)
        with np.errstate(all="ignore"):
            space = ins.hidden_space(net, X, features, method="units", layer=layer, units=units)
        if net.task != "classification" and space.line is not None:  # no decision line for regression
            space = dataclasses.replace(space, line=None)
        if space.line is not None:
            title = f"layer {layer + 1}: the output's decision line is straight here"
        elif net.task != "classification":
            title = f"layer {layer + 1}: points coloured by their target's sign (regression: no decision line)"
        elif net.n_classes > 2:
            title = f"layer {layer + 1}: {net.n_classes} classes (their boundaries are not drawn here)"
        elif layer < len(self._sizes) - 1:
            title = f"layer {layer + 1}: the output does not read these units directly (no line)"
        else:
            title = f"layer {layer + 1}: the output also reads other units, so its line is not drawn"
        if not np.isfinite(space.coords).all():
            self.note.value = "<i>The network diverged: its hidden outputs are not finite numbers.</i>"
            return
        self.space = space
        self.view.update(space, y, title)
        self.image.value = self.view.png()
