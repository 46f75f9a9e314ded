"""Two activations, one dataset, side by side: a live panel for notebook 05.

The panel is a thin controller. Each control change reads the controls, trains one
network per activation with :func:`course_utils.diagnostics.compare_activations`, hands
the results to ``course_utils.plots.flavours`` (``compare_figure`` once, then
``update_compare_figure``: the artists of one off-screen matplotlib ``Figure`` change in
place), renders that figure to PNG with Agg and puts the bytes into an
``ipywidgets.Image``. So the picture looks the same in JupyterLab, Voila and a test, and
it is never displayed twice. Problems are written into the panel.

Usage in a notebook cell::

    ComparePanel(dataset="circle", first="sigmoid", second="relu")
"""
from __future__ import annotations

import html

import ipywidgets as widgets

from ..activations import ACTIVATIONS, get_activation
from ..data import TWO_CLASS_DATASETS, make_dataset, train_test_split
from ..diagnostics import compare_activations
from ..experiments import decision_line
from ..numeric import lookup
from ..grid import heatmap_grid
from ..plots import figure_png, flavours
from ..presets import LEARNING_RATES  # the one learning-rate table, shared with the Playground
from .base import FAILED, PanelBase

__all__ = ["ComparePanel", "LEARNING_RATES", "EPOCH_CHOICES"]

EPOCH_CHOICES = (50, 100, 200, 300, 500)
"""Epochs offered: full-batch steps per training run."""

_NOISE_STEP = 0.05
_RESOLUTION = 70  # heatmap grid of each boundary picture


class ComparePanel(PanelBase):
    """Pick two activations and a dataset; see both decision boundaries and loss curves.

    Parameters
    ----------
    dataset : str
        A key of :data:`course_utils.data.TWO_CLASS_DATASETS` (the networks here end in one sigmoid unit).
    first, second : str
        Keys of :data:`course_utils.ACTIVATIONS`.
    learning_rate : float
        One of :data:`LEARNING_RATES`.
    epochs : int
        One of :data:`EPOCH_CHOICES`.
    noise : float
        0 to 0.5, in steps of 0.05.
    hidden : sequence of int
        Hidden layer widths, the same for both networks.
    seed : int
        Seeds the data, the split, and both networks' initial weights (the same weights
        for both, up to the activation's initialisation gain).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The panel (a notebook shows the panel itself when it is the cell's last value).
    image : ipywidgets.Image
        The picture, PNG bytes in ``image.value``.
    status : ipywidgets.HTML
        Results in words, or what went wrong (also kept in ``errors``).
    runs : list of diagnostics.Run
        The two latest runs (empty until the first successful update).
    """

    def __init__(self, dataset: str = "circle", first: str = "sigmoid", second: str = "relu", *,
                 learning_rate: float = 0.3, epochs: int = 300, noise: float = 0.0,
                 hidden=(8, 8), seed: int = 0):
        super().__init__()
        first, second = get_activation(first).name, get_activation(second).name
        for table, value, what in ((TWO_CLASS_DATASETS, dataset, "dataset"),
                                   (LEARNING_RATES, learning_rate, "learning rate"),
                                   (EPOCH_CHOICES, epochs, "number of epochs")):
            lookup(dict.fromkeys(table), value, what)
        if not 0.0 <= float(noise) <= 0.5:
            raise ValueError(f"noise must be between 0 and 0.5, got {noise!r}.")
        self.hidden = tuple(int(h) for h in hidden)
        self.seed = seed
        self.runs: list = []
        self.updates = 0  # completed redraws, for tests and curious learners

        style = {"description_width": "initial"}
        act_options = list(ACTIVATIONS)  # the table is the one source of choices
        self.first = widgets.Dropdown(options=act_options, value=first, description="Activation A",
                                      tooltip="hidden activation of the left network", style=style)
        self.second = widgets.Dropdown(options=act_options, value=second, description="Activation B",
                                       tooltip="hidden activation of the middle network", style=style)
        self.dataset = widgets.Dropdown(options=list(TWO_CLASS_DATASETS), value=dataset, description="Data",
                                        style=style)
        self.noise = widgets.FloatSlider(value=float(noise), min=0.0, max=0.5, step=_NOISE_STEP,
                                         description="Noise", readout_format=".0%",
                                         continuous_update=False, style=style)
        self.learning_rate = widgets.Dropdown(options=[(f"{lr:g}", lr) for lr in LEARNING_RATES],
                                              value=learning_rate, description="Learning rate",
                                              style=style)
        self.epochs = widgets.Dropdown(options=list(EPOCH_CHOICES), value=epochs, description="Epochs",
                                       style=style)
        self.controls = (self.first, self.second, self.dataset, self.noise, self.learning_rate,
                         self.epochs)
        self.image.add_class("compare-image")
        self.status.add_class("compare-status")
        self.widget = widgets.VBox([
            widgets.HBox([self.first, self.second]),
            widgets.HBox([self.dataset, self.noise, self.learning_rate, self.epochs],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.image,
            self.status,
        ])
        self.widget.add_class("compare-panel")

        self._fig = None  # flavours.compare_figure, made on the first successful update
        self._artists = None
        self.boundaries = None  # one dict of artists per network (flavours.draw_run_boundary), once drawn

        for control in self.controls:
            control.observe(self._on_change, names="value")
        self.update()

    # ------------------------------------------------------------------ logic
    def _on_change(self, change) -> None:
        self.update()

    def _data(self):
        X, y = make_dataset(self.dataset.value, 500, round(self.noise.value, 2), seed=self.seed)
        return train_test_split(X, y, 0.5, seed=self.seed)

    def update(self) -> None:
        """Read the controls, train both networks, redraw. Errors go into the status line."""
        if self._guard(self._update) is FAILED:
            self.status.add_class("compare-status-error")

    def _update(self) -> None:
        X_tr, X_te, y_tr, y_te = self._data()
        names = [self.first.value, self.second.value]
        runs = compare_activations(names, X_tr, y_tr, X_te, y_te, hidden=self.hidden,
                                   epochs=self.epochs.value, learning_rate=self.learning_rate.value,
                                   seed=self.seed)
        self._draw(runs, X_te, y_te)
        self.image.value = figure_png(self._fig, dpi=80)
        self.runs = runs
        self.updates += 1
        self.status.value = f'<div role="status" aria-live="polite">{self._summary(runs)}</div>'
        self.status.remove_class("compare-status-error")

    def _draw(self, runs, X, y) -> None:
        # The boundary: a linear network's exact collapsed line, else the 0.5 contour; none
        # for a diverged network (its title and the status line say why).
        picture = {"lines": [decision_line(r.net) for r in runs], "titles": [self._title(r) for r in runs]}
        grids = [heatmap_grid(r.net.predict_proba, _RESOLUTION) for r in runs]
        if self._fig is None:
            self._fig, self._artists = flavours.compare_figure(runs, grids, X, y, **picture)
            self.boundaries = self._artists["boundaries"]
        else:
            flavours.update_compare_figure(self._artists, runs, grids, X, y, **picture)

    @staticmethod
    def _title(run) -> str:
        if run.diverged:
            return f"{run.activation}: diverged (see below)"
        return f"{run.activation}: test accuracy {run.final_accuracy:.0%}"

    @staticmethod
    def _summary(runs) -> str:
        parts = []
        for label, r in zip("AB", runs):
            if r.diverged:
                parts.append(f"<b>{label} ({html.escape(r.activation)})</b>: {html.escape(r.message)}")
                continue
            reached = (f"did not reach 97 % test accuracy in {r.history.epochs_run} epochs"
                       if r.epochs_to_target is None
                       else f"reached 97 % test accuracy after {r.epochs_to_target} epochs")
            parts.append(f"<b>{label} ({html.escape(r.activation)})</b>: {reached}; final test loss "
                         f"{r.final_loss:.3f} (binary cross-entropy), accuracy {r.final_accuracy:.1%}.")
        return "<br>".join(parts)
