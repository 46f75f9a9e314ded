"""The live training panel used by notebooks 02-04: change a control, the network retrains.

A thin controller: it reads the controls into a :class:`course_utils.experiments.Settings`,
asks ``experiments`` to prepare and train a run, and hands the arrays to
:class:`course_utils.plots.TrainingView`. The picture is a PNG in an ``ipywidgets.Image``,
so it looks and behaves the same in JupyterLab, in Voila and in tests.

Play / Pause use a hidden ``ipywidgets.Play`` as a timer in the browser: for each tick it
sends, the kernel trains ``epochs_per_frame`` more epochs and redraws; between ticks the
kernel is free to handle other messages. Ticks that arrive after Pause are ignored.
"""
from __future__ import annotations


import ipywidgets as W

from .. import experiments as ex
from ..activations import ACTIVATIONS
from ..data import TWO_CLASS_DATASETS
from ..features import FEATURES
from ..train import OPTIMIZERS
from ..plots import TrainingView
from .base import PanelBase
from .playback import PlaybackMixin

__all__ = ["TrainingPanel", "CONTROLS"]

CONTROLS = ("dataset", "noise", "activation", "layers", "neurons", "learning_rate", "optimizer",
            "epochs", "seed")
"""The panel's controls, in display order (``features`` is added when asked for)."""

from ..presets import MAX_LAYERS, MAX_NEURONS  # noqa: E402  (the Playground's limits)
_SLIDER = {"continuous_update": False, "style": {"description_width": "110px"}}


class TrainingPanel(PlaybackMixin, PanelBase):
    """Controls, a boundary + curves picture, a status line, and Play/Pause/Step/Reset.

    Parameters
    ----------
    preset : str or Settings
        A key of :data:`course_utils.experiments.SCENARIOS` (``"scenario1"`` ...).
    resolution : int
        Heatmap grid, ``resolution`` x ``resolution``.
    epochs_per_frame : int
        Epochs trained per Play tick and per Step.
    interval : int
        Milliseconds between Play ticks.
    show_features : bool, optional
        Show the input-feature checkboxes (default: when the preset uses other features).
    hide : sequence of str
        Controls to leave out for a lesson (names from :data:`CONTROLS`).
    **changes
        Settings to change from the preset, e.g. ``learning_rate=0.1``.
    """

    def __init__(self, preset="scenario2", *, resolution: int = 100, epochs_per_frame: int = 10,
                 interval: int = 150, show_features: bool | None = None, hide=(), **changes):
        super().__init__()
        settings = ex.get_scenario(preset)
        if changes:
            settings = settings.replace(**changes)
        unknown = sorted(set(hide) - set(CONTROLS) - {"features"})
        if unknown:
            raise ValueError(f"Cannot hide {', '.join(unknown)}; controls are: {', '.join(CONTROLS)}, features.")
        self.settings = settings
        self.resolution = int(resolution)
        self.epochs_per_frame = int(epochs_per_frame)
        self.view = TrainingView(self.resolution)
        self.run: ex.Run | None = None
        self.redraws = 0  # pictures produced, for tests and benchmarks
        self._quiet = False

        self.controls = self._make_controls(settings)
        if show_features is None:
            show_features = tuple(settings.features) != ("x1", "x2")
        self.feature_boxes = {
            name: W.Checkbox(value=name in settings.features, description=name, indent=False,
                             layout=W.Layout(width="auto"))
            for name in FEATURES
        }
        self.regenerate_button = W.Button(description="New data", icon="refresh",
                                          tooltip="Draw a new sample of the dataset (new data seed)")
        self._make_playback(interval)

        for name, control in self.controls.items():
            control.observe(self._on_control, names="value")
        for box in self.feature_boxes.values():
            box.observe(self._on_control, names="value")
        self.regenerate_button.on_click(lambda _: self._guard(self.regenerate))

        shown = [self.controls[n] for n in CONTROLS if n not in hide]
        rows = [W.HBox(shown[i:i + 3]) for i in range(0, len(shown), 3)]
        if show_features and "features" not in hide:
            rows.append(W.HBox([W.Label("inputs:"), *self.feature_boxes.values()]))
        buttons = W.HBox([self.play_button, self.step_button, self.reset_button, self.regenerate_button,
                          self.timer])
        self.widget = W.VBox([*rows, buttons, self.image, self.status])
        # CSS classes: hooks for the browser tests and for anyone styling a lesson
        self.widget.add_class("training-panel")
        self.image.add_class("training-panel-image")
        self.status.add_class("training-panel-status")
        self._retrain_guarded()

    # ------------------------------------------------------------------ controls
    @staticmethod
    def _make_controls(s: ex.Settings) -> dict:
        hidden = tuple(s.hidden)
        layers = len(hidden)
        neurons = hidden[0] if hidden else 4
        lr_options = [(f"{lr:g}", lr) for lr in ex.LEARNING_RATES]
        if s.learning_rate not in ex.LEARNING_RATES:
            lr_options = sorted(lr_options + [(f"{s.learning_rate:g}", s.learning_rate)], key=lambda o: o[1])
        return {
            "dataset": W.Dropdown(options=list(TWO_CLASS_DATASETS), value=s.dataset, description="dataset",
                                  style=_SLIDER["style"]),
            "noise": W.IntSlider(value=round(100 * s.noise), min=0, max=50, step=5, description="noise (%)",
                                 **_SLIDER),
            "activation": W.Dropdown(options=list(ACTIVATIONS), value=s.activation, description="activation",
                                     style=_SLIDER["style"]),
            "layers": W.IntSlider(value=layers, min=0, max=MAX_LAYERS, description="hidden layers", **_SLIDER),
            "neurons": W.IntSlider(value=neurons, min=1, max=MAX_NEURONS, description="neurons/layer",
                                   **_SLIDER),
            "learning_rate": W.SelectionSlider(options=lr_options, value=s.learning_rate,
                                               description="learning rate", **_SLIDER),
            "optimizer": W.Dropdown(options=list(OPTIMIZERS), value=s.optimizer, description="optimizer",
                                    style=_SLIDER["style"]),
            "epochs": W.IntSlider(value=s.epochs, min=10, max=1000, step=10, description="epochs", **_SLIDER),
            "seed": W.BoundedIntText(value=s.seed, min=0, max=9999, description="weights seed",
                                     style=_SLIDER["style"], layout=W.Layout(width="220px")),
        }

    def read_settings(self) -> ex.Settings:
        """The settings the controls show now."""
        c = self.controls
        features = tuple(n for n, box in self.feature_boxes.items() if box.value)
        return self.settings.replace(
            dataset=c["dataset"].value, noise=c["noise"].value / 100.0, activation=c["activation"].value,
            hidden=(c["neurons"].value,) * c["layers"].value, learning_rate=c["learning_rate"].value,
            optimizer=c["optimizer"].value, epochs=c["epochs"].value, seed=c["seed"].value,
            features=features)

    def set(self, **values) -> None:
        """Set controls by name (``panel.set(activation="sigmoid", layers=2)``); one retrain."""
        unknown = sorted(set(values) - set(self.controls) - {"features"})
        if unknown:
            raise ValueError(f"Unknown control(s) {', '.join(unknown)}. Controls: {', '.join(self.controls)}, "
                             f"features.")
        with self.hold():
            for name, value in values.items():
                if name == "features":
                    for n, box in self.feature_boxes.items():
                        box.value = n in value
                else:
                    self.controls[name].value = value

    def _on_control(self, change) -> None:
        if not self._quiet:
            self._retrain_guarded()

    # ------------------------------------------------------------------ actions
    def retrain(self) -> None:
        """Read the controls, train from the initial weights, draw the result."""
        settings = self.read_settings()
        run = ex.prepare(settings)  # validates everything before we touch the picture
        ex.advance(run)
        self.settings, self.run = settings, run
        self.view.show_data(run.X_train, run.y_train, run.X_test, run.y_test)
        self._draw()
        if run.history.diverged:
            self.pause()

    def regenerate(self) -> None:
        """A new sample of the same dataset (the next data seed), then retrain."""
        self.settings = self.settings.replace(data_seed=self.settings.data_seed + 1)
        self.retrain()

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> None:
        run = self.run
        grid = ex.probability_grid(run, self.resolution)
        level, text = ex.status_text(run)
        alert = "training diverged" if level == "error" else None
        # A linear network's boundary is drawn as its exact collapsed line, any other as the
        # 0.5 contour; a diverged one gets none (the alert says why).
        line = ex.decision_line(run.net, run.settings.features)
        self.view.update(grid, run.history, max_epochs=run.settings.epochs, alert=alert, line=line,
                         boundary=alert is None)
        self.image.value = self.view.png()
        self.redraws += 1
        self._set_status(level, text)

    # ------------------------------------------------------------------ for tests
    def final(self) -> dict:
        """The current run's last-epoch figures (see ``History.final``)."""
        return self.run.history.final() if self.run else {}

    def __repr__(self) -> str:
        epoch = self.run.epoch if self.run else 0
        return f"TrainingPanel({self.settings!r}, epoch={epoch})"

