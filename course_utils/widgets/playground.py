"""The Playground dashboard (notebook 06): TensorFlow Playground's controls and pictures,
plus rewind, presets from the URL, exports, every activation, optimizers and gradients.

A thin controller. The controls are built from ``course_utils.presets`` (the same table
that validates URL presets, which also turns their values into training settings:
``presets.settings_fields``); a change reads them into an ``experiments.Settings``,
``experiments`` prepares and trains the run, ``inspection`` computes the node pictures,
gradients and exports, and ``plots`` (``TrainingView`` for boundary + curves,
``NetworkView`` for the diagram) draws them. Play uses a hidden ``ipywidgets.Play`` as a
browser-side timer, like ``TrainingPanel``.

The page reads left to right, like the TensorFlow Playground: the controls grouped under
plain headings (:data:`CONTROL_GROUPS`: Data, Features, Training in the left column,
Network in the middle above the diagram), the output picture large on the right with the
plain-words status line under it and the curves beneath. Play, Step, Reset, the epoch and
rewind sit in one bar above. A Play frame redraws the output picture and the curves; the
network diagram and the rewind slider follow at most every ``network_every`` seconds, and
in full when Play stops.

Usage (in a notebook, or served by Voila)::

    page_playground()                       # notebook 06: the defaults, then the page's URL preset
    Playground(query_string())              # settings from the page's URL
    Playground(activation="linear", hide=("activation",))
    Playground(data=(X, y))                 # your own points: X (n, 2), y (n,) labels or numbers

Your own data: an upload button (``DataUpload``) reads a CSV file through
``course_utils.userdata``; a bad file is explained in the status line and the data in use
stays. The hidden-space view (``HiddenSpacePanel``) draws the training points in two units'
coordinates of a chosen hidden layer, live during Play.
"""
from __future__ import annotations

import base64
import html
import json
import os
import time

import ipywidgets as W
import numpy as np
from ipywidgets.widgets.widget_bool import CheckboxStyle  # style classes ipywidgets does not re-export
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from .. import experiments as ex
from .. import inspection as ins
from .. import userdata as ud
from ..features import FEATURES
from ..plots.figures import TrainingView
from ..plots.network import NetworkView
from ..presets import (CHOICES, check_value, HIDEABLE, MAX_LAYERS, MAX_NEURONS, PLAYGROUND_DEFAULTS, parse_query,
                       settings_fields, slider_range, to_query)
from .base import PanelBase, status_html
from .hiddenview import HiddenSpacePanel
from .playback import PlaybackMixin
from .userdata import DataUpload, click_events

__all__ = ["Playground", "page_playground", "query_string", "SETTING_CONTROLS", "CONTROL_GROUPS"]

SETTING_CONTROLS = ("dataset", "noise", "train", "features", "hidden", "activation", "learning_rate",
                    "optimizer", "batch_size", "regularization", "reg_rate", "epochs", "seed",
                    "show_test", "discretize")
"""The settings the dashboard has a control for (every key of ``PLAYGROUND_DEFAULTS``
except ``data_seed``, which the "New data" button advances)."""

CONTROL_GROUPS = {
    "Data": ("dataset", "noise", "train", "regenerate"),
    "Features": ("features",),
    "Network": ("activation", "hidden"),
    "Training": ("learning_rate", "optimizer", "batch_size", "regularization", "reg_rate", "epochs", "seed"),
    "Your own data": ("upload",),
}
"""Heading -> the parts shown under it (names of ``Playground.parts``), most used first.
A new control joins a group by its part name here (and its widgets in ``Playground._parts``;
the group shows the last of them, the one that holds the rest)."""

COLUMNS = (("Data", "Features", "Training", "Your own data"), ("Network",))
"""Which groups stand in the left column and in the middle one (above the network diagram);
the output picture and the curves take the right column."""

_OUTPUT_FIGSIZE, _NETWORK_FIGSIZE, _DPI = (5.6, 7.4), (6.6, 5.0), 80  # inches: 448 and 528 px wide
_FRAME_CACHE = 3  # frame bitmaps kept by the output picture (~1 MiB each: 448 x 592 RGBA)
_OUTPUT_WIDTH = f"{int(_OUTPUT_FIGSIZE[0] * _DPI)}px"
_STYLE = {"description_width": "95px"}
_CONTROL_WIDTH = "290px"


# Every widget is a model the kernel opens, the server relays and the page asks for: a
# fresh kernel's first picture waits for all of them. So widgets that never change their
# look share one style or layout model (one per Playground), and CSS classes are given at
# construction (add_class afterwards is one more message per widget).

def _classes(*names: str) -> dict:
    """Constructor keyword for CSS classes: ``pg-<name>`` for each control name."""
    return {"_dom_classes": tuple(f"pg-{n}" for n in names)}


def _slider(name: str, style: W.SliderStyle, **kw):
    # A Layout per control: hiding one control must not hide the others.
    return {"continuous_update": False, "style": style, "layout": W.Layout(width=_CONTROL_WIDTH),
            **_classes(name), **kw}


def _drop(name: str, style: DescriptionStyle, **kw):
    return {"style": style, "layout": W.Layout(width=_CONTROL_WIDTH), **_classes(name), **kw}


def _heading(text: str, shared: dict) -> W.HTML:
    """A group's heading; ``shared``: the Playground's style and layout for text that never changes look."""
    return W.HTML(f'<div class="pg-heading" style="font-weight:600;font-size:14px;line-height:18px;'
                  f'border-bottom:1px solid #bbb;margin:2px 0 1px">{html.escape(text)}</div>', **shared)


def _wrap(children, classes=(), **layout) -> W.Box:
    """A box whose children flow onto the next line when the row is full."""
    return W.Box(children, layout=W.Layout(display="flex", flex_flow="row wrap", align_items="center",
                                           **layout), _dom_classes=tuple(classes))


def query_string() -> str:
    """The page's URL query string when served by Voila, else ``""``.

    Voila gives it to the kernel as ``QUERY_STRING``; a pre-started ("preheated") kernel
    only learns it when a visitor arrives, so it waits here for Voila's request-info
    websocket to send it (what ``voila.utils.get_query_string`` does, without importing
    Voila's server side into every pooled kernel: 1.4 instead of 46 MiB).
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "True":
        _wait_for_visitor()
    return os.environ.get("QUERY_STRING", "") or ""


def page_playground(**kwargs) -> "Playground":
    """The Playground of notebook 06's page: built with the defaults, then given the page's
    URL preset (:meth:`Playground.use_preset`).

    In that order so that a kernel Voila pre-starts for a class (its kernel pool) has built
    the Playground - imports, first training run, first layout of both pictures - before
    anyone comes: :func:`query_string` blocks there until a visitor arrives, and a visitor
    without a preset then waits for nothing more. ``kwargs`` go to :class:`Playground`.
    """
    playground = Playground(**kwargs)
    query = query_string()
    if query:
        playground.use_preset(query)
    return playground


def _wait_for_visitor() -> None:
    """Block until Voila hands this pooled kernel to a visitor; put their request in ``os.environ``.

    The same address, message and failure handling as ``voila.utils.wait_for_request``
    (voila 0.5): Voila sends one JSON object of environment variables (``QUERY_STRING``,
    ``SCRIPT_NAME``, ...) on ``<base>voila/query/<kernel id>``; when that socket cannot be
    opened within 5 s, a warning is shown and the environment is left as it was.
    """
    import warnings

    from websockets.sync.client import connect  # a dependency of voila; ~30 small modules

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}")
    try:
        with connect(url, open_timeout=5) as socket:
            info = socket.recv()
    except (TimeoutError, ConnectionRefusedError):
        warnings.warn(f"Failed to connect to {url}")
        return
    for key, value in json.loads(info).items():
        os.environ[key] = value


def _pixel_layout(fig) -> W.Layout:
    """A layout showing a figure's PNG at its own size (not stretched to the page's width)."""
    return W.Layout(width=f"{int(round(fig.get_figwidth() * fig.dpi))}px", height="auto")


def _data_url(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


class Playground(PlaybackMixin, PanelBase):
    """Controls, boundary + curves, the network diagram, Play/Pause/Step/Reset, rewind, export.

    Parameters
    ----------
    query : str, optional
        A URL query string (``"dataset=xor&hide=activation"``), see ``course_utils.presets``.
        Bad parameters are skipped and explained in the dashboard's notice line.
    resolution : int
        Output heatmap grid (the Playground uses 100 x 100).
    node_resolution : int
        Grid of each neuron's small heatmap.
    epochs_per_frame : int
        Epochs per Play tick and per Step.
    interval : int
        Milliseconds between Play ticks (at most: the browser waits for the kernel, see
        ``playback``).
    network_every : float
        Seconds between network-diagram pictures while playing (every frame redraws the
        output picture and the curves; the diagram, which changes slowly, less often).
    snapshot_every : int
        Keep the weights every this many epochs, for the rewind slider.
    hide : sequence of str
        Controls to hide (added to the URL's ``hide``); names from ``presets.HIDEABLE``.
    data : (X, y) or userdata.UserData, optional
        Your own points instead of a generated dataset: ``X`` (n, 2) coordinates, ``y`` (n,)
        class labels 0 ... K-1 or numbers (checked and fitted into the view by
        ``userdata.from_arrays``; a ``ValueError`` says what is wrong).
    **values
        Settings to start from (names from ``presets.PLAYGROUND_DEFAULTS``); they win over
        the URL.
    """

    def __init__(self, query: str | None = None, *, resolution: int = 80, node_resolution: int = 20,
                 epochs_per_frame: int = 10, interval: int = 50, network_every: float = 0.5,
                 snapshot_every: int = 5, hide=(), data=None, **values):
        super().__init__()
        unknown = sorted(set(values) - set(PLAYGROUND_DEFAULTS))
        if unknown:
            raise ValueError(f"Unknown setting(s) {', '.join(unknown)}. "
                             f"Settings: {', '.join(PLAYGROUND_DEFAULTS)}.")
        bad_hide = sorted(set(hide) - set(HIDEABLE))
        if bad_hide:
            raise ValueError(f"Cannot hide {', '.join(bad_hide)}; controls are: {', '.join(HIDEABLE)}.")
        preset = parse_query(query)
        start = preset.settings()
        self._given = {name: check_value(name, value) for name, value in values.items()}  # win over any URL
        start.update(self._given)
        self.preset = preset
        self.hidden_controls = tuple(dict.fromkeys([*preset.hide, *hide]))
        self.values = start
        self.data_seed = int(start["data_seed"])
        self.resolution = int(resolution)
        self.node_resolution = int(node_resolution)
        self.epochs_per_frame = int(epochs_per_frame)
        self.snapshot_every = int(snapshot_every)
        self.max_snapshots = 500  # rewind points kept (thinned beyond, see inspection.thin_snapshots)
        # Per-epoch entries of the loss/accuracy record kept (History.thin: older epochs grow
        # sparser beyond it). 10,000 entries are 0.4 MiB however long Play runs, and five times
        # what the curves draw (plots.DECIMATE_ABOVE); below it, every epoch is kept.
        self.max_history = 10_000
        self.run: ex.Run | None = None
        self.view: TrainingView | None = None
        self._view_task = None
        self.network = NetworkView(figsize=_NETWORK_FIGSIZE, dpi=_DPI, resolution=self.node_resolution,
                                   arrangement="stacked")
        self.network_every = float(network_every)
        self._network_time = float("-inf")  # perf_counter() of the last network picture
        self._frame_shown = False  # True while the pictures show a Play frame (diagram, axes lag)
        self.redraws = 0
        self.network_redraws = 0
        self._quiet = False
        self.shown_epoch = 0  # the epoch whose weights the pictures show (differs when rewound)
        if data is not None and not isinstance(data, ud.UserData):
            X, y = data
            data = ud.from_arrays(X, y)
        self.user_data: ud.UserData | None = data  # the learner's own points, or None: the dataset

        self._text = {"style": HTMLStyle(), "layout": W.Layout()}  # shared by text that never changes look
        self.controls = self._make_controls(start)
        self.network_image = W.Image(format="png", layout=_pixel_layout(self.network.fig),
                                     _dom_classes=("playground-network", "pg-network"))
        self.curves_image = W.Image(format="png", layout=W.Layout(align_self="flex-start", max_width="100%"),
                                    _dom_classes=("playground-curves", "pg-curves"))
        self.notice = W.HTML("", _dom_classes=("playground-notice",), **self._text)
        self.epoch_label = W.HTML(self._epoch_html(0), _dom_classes=("playground-epoch",), **self._text)
        self.loss_note = W.HTML("", **self._text)
        self.regenerate_button = W.Button(description="New data", icon="refresh",
                                          tooltip="Draw a new sample of the dataset",
                                          **_classes("regenerate", "data_seed"))
        self._make_playback(interval, defer_frames=True)
        self.rewind = W.IntSlider(value=0, min=0, max=0, step=1, description="rewind to epoch",
                                  continuous_update=True, style={"description_width": "110px"},
                                  layout=W.Layout(width="460px"), **_classes("rewind"))
        self.export_button = W.Button(description="Export", icon="download",
                                      tooltip="Make download links: settings + weights (JSON), picture (PNG)",
                                      **_classes("export"))
        self.export_links = W.HTML("", _dom_classes=("playground-export",), **self._text)
        self.data_upload = DataUpload()
        self.hidden_space = HiddenSpacePanel()

        for name, control in self._value_widgets():
            control.observe(self._on_control, names="value")
        self.controls["show_test"].observe(self._on_view_option, names="value")
        self.controls["discretize"].observe(self._on_view_option, names="value")
        self.regenerate_button.on_click(lambda _: self._guard(self.regenerate))
        self.rewind.observe(self._on_rewind, names="value")
        self.export_button.on_click(lambda _: self._guard(self.export))
        self.data_upload.upload.observe(lambda _: self._guard(self.load_upload), names="value")
        self.data_upload.labels.observe(lambda _: self._guard(self.reread_upload), names="value")
        self.data_upload.back_button.on_click(lambda _: self._guard(self.use_data, None))
        self.clicks = click_events(self.image)  # None without ipyevents: no clicking, said on the page
        if self.clicks is not None:
            self.clicks.on_dom_event(lambda event: self._guard(self.on_click, event))
        else:
            self.data_upload.click_class.disabled = True
            self.data_upload.click_class.tooltip = "Needs the ipyevents package (pip install ipyevents)"
        hs = self.hidden_space
        hs.toggle.observe(self._on_hidden_space, names="value")
        hs.layer.observe(self._on_hidden_space_layer, names="value")
        for w in (hs.unit_x, hs.unit_y):
            w.observe(self._on_hidden_space, names="value")

        self.widget = self._layout()
        self._apply_hide()
        self._show_preset_errors(preset)
        self._retrain_guarded()

    # ------------------------------------------------------------------ controls
    @staticmethod
    def _make_controls(v: dict) -> dict:
        def options(name, fmt=lambda o: f"{o:g}"):
            return [(fmt(o), o) for o in CHOICES[name]]

        hidden = tuple(v["hidden"])
        widths = list(hidden) + [4] * (MAX_LAYERS - len(hidden))
        slider, drop = W.SliderStyle(**_STYLE), DescriptionStyle(**_STYLE)  # shared, see _classes
        check = CheckboxStyle()
        c = {
            "dataset": W.Dropdown(options=list(CHOICES["dataset"]), value=v["dataset"], description="dataset",
                                  **_drop("dataset", drop)),
            "noise": W.IntSlider(value=v["noise"], **slider_range("noise"), description="noise (%)",
                                 **_slider("noise", slider)),
            "train": W.IntSlider(value=v["train"], **slider_range("train"), description="train (%)",
                                 **_slider("train", slider)),
            "layers": W.IntSlider(value=len(hidden), min=0, max=MAX_LAYERS, description="hidden layers",
                                  **_slider("layers", slider)),
            "activation": W.Dropdown(options=list(CHOICES["activation"]), value=v["activation"],
                                     description="activation", **_drop("activation", drop)),
            "learning_rate": W.SelectionSlider(options=options("learning_rate"), value=v["learning_rate"],
                                               description="learning rate", **_slider("learning_rate", slider)),
            "optimizer": W.Dropdown(options=list(CHOICES["optimizer"]), value=v["optimizer"],
                                    description="optimizer", **_drop("optimizer", drop)),
            "batch_size": W.IntSlider(value=v["batch_size"], **slider_range("batch_size"), description="batch size",
                                      **_slider("batch_size", slider)),
            "regularization": W.Dropdown(options=list(CHOICES["regularization"]), value=v["regularization"],
                                         description="regularization", **_drop("regularization", drop)),
            "reg_rate": W.SelectionSlider(options=options("reg_rate"), value=v["reg_rate"],
                                          description="reg. rate", **_slider("reg_rate", slider)),
            "epochs": W.IntSlider(value=v["epochs"], **slider_range("epochs"), description="train epochs",
                                  tooltip="Epochs trained after every change (0: start at epoch 0)",
                                  **_slider("epochs", slider)),
            "seed": W.BoundedIntText(value=v["seed"], **slider_range("seed"), description="weights seed",
                                     style=drop, layout=W.Layout(width="190px"), **_classes("seed")),
            "show_test": W.Checkbox(value=v["show_test"], description="show test data", indent=False,
                                    style=check, layout=W.Layout(width="150px"), **_classes("show_test")),
            "discretize": W.Checkbox(value=v["discretize"], description="discretize output", indent=False,
                                     style=check, layout=W.Layout(width="150px"), **_classes("discretize")),
        }
        width_style = W.SliderStyle(description_width="50px")
        c["widths"] = [W.IntSlider(value=w, min=1, max=MAX_NEURONS, description=f"layer {i + 1}",
                                   continuous_update=False, style=width_style,
                                   layout=W.Layout(width="172px", display=None if i < len(hidden) else "none"),
                                   **_classes(f"width{i + 1}"))
                       for i, w in enumerate(widths)]
        feature_layout = W.Layout(width="92px")  # the features are hidden together (their row), never one alone
        c["features"] = {name: W.Checkbox(value=name in v["features"], description=name, indent=False,
                                          style=check, layout=feature_layout)
                         for name in FEATURES}
        return c

    def _value_widgets(self):
        """(name, widget) for every control whose change retrains."""
        for name, control in self.controls.items():
            if name in ("show_test", "discretize"):
                continue
            if name == "widths":
                for i, w in enumerate(control):
                    yield f"width{i + 1}", w
            elif name == "features":
                yield from control.items()
            else:
                yield name, control

    def _layout(self) -> W.Widget:
        c = self.controls
        self.play_button.layout.width = self.step_button.layout.width = self.reset_button.layout.width = "92px"
        self.rows = {
            "transport": W.HBox([self.play_button, self.step_button, self.reset_button, self.epoch_label,
                                 self.timer], layout=W.Layout(align_items="center")),
            "rewind": W.HBox([self.rewind]),
            "features": _wrap([*c["features"].values()], classes=["pg-features"], width=_CONTROL_WIDTH),
            "hidden": _wrap([c["layers"], *c["widths"]], classes=["pg-hidden"]),
            "view": W.HBox([c["show_test"], c["discretize"]]),
            "export": W.HBox([self.export_button, self.export_links]),
        }
        self.parts = self._parts()
        self.groups = {heading: [self.parts[name][-1] for name in names]
                       for heading, names in CONTROL_GROUPS.items()}
        self.group_boxes = {heading: self._group_box(heading, widgets, self._text)
                            for heading, widgets in self.groups.items()}
        left, middle = ([self.group_boxes[h] for h in column] for column in COLUMNS)
        # Fixed widths: the pictures are shown at their own size, and long status lines wrap
        # inside their column instead of widening it.
        self.columns = {
            "controls": W.VBox(left, layout=W.Layout(width="300px", flex="0 0 auto")),
            "network": W.VBox([*middle, self.network_image],
                              layout=W.Layout(width=self.network_image.layout.width, flex="0 0 auto",
                                              margin="0 12px")),
            "output": W.VBox([_heading("Output", self._text), self.image, self.status, self.loss_note,
                              self.rows["view"], self.hidden_space.widget, self.curves_image],
                             layout=W.Layout(width=_OUTPUT_WIDTH, flex="0 0 auto")),
        }
        top = W.HBox([self.rows["transport"], self.rows["rewind"]],
                     layout=W.Layout(align_items="center", flex_flow="row wrap"))
        body = W.HBox(list(self.columns.values()), layout=W.Layout(align_items="flex-start"))
        box = W.VBox([self.notice, top, body, self.rows["export"]], _dom_classes=("playground",))
        self.image.add_class("playground-image")  # PanelBase's widgets; the others got theirs when built
        self.status.add_class("playground-status")
        for name, w in self.named_widgets().items():
            w.add_class(f"pg-{name}")  # nothing to send for the controls built with it
        self._sync_width_visibility()
        return box

    @staticmethod
    def _group_box(heading: str, widgets, text: dict) -> W.VBox:
        """A heading over its controls; the box gets the CSS class ``pg-group-<heading>``
        (lower case, words joined by "-": a class name holds no spaces). ``text``: the shared
        style and layout of the heading."""
        return W.VBox([_heading(heading, text), *widgets], layout=W.Layout(margin="0 0 4px 0"),
                      _dom_classes=("pg-group-" + "-".join(heading.lower().split()),))

    def _parts(self) -> dict:
        """Name -> the widgets it stands for: the first is the named control, all are hidden together.

        Every name of ``presets.HIDEABLE`` is here (``gradients`` with no widget: it is a part
        of the network picture), and every control a test or a CSS rule may want by name.
        """
        c, rows = self.controls, self.rows
        parts = {n: (c[n],) for n in ("dataset", "noise", "train", "layers", "activation", "learning_rate",
                                      "optimizer", "batch_size", "regularization", "reg_rate", "epochs", "seed",
                                      "show_test", "discretize")}
        parts.update({f"width{i + 1}": (w,) for i, w in enumerate(c["widths"])})
        parts.update({
            "hidden": (rows["hidden"],), "features": (rows["features"],),
            "play": (self.play_button, self.step_button, self.reset_button),
            "step": (self.step_button,), "reset": (self.reset_button,),
            "regenerate": (self.regenerate_button,), "data_seed": (self.regenerate_button,),
            "rewind": (self.rewind, rows["rewind"]), "export": (self.export_button, rows["export"]),
            "network": (self.network_image,), "curves": (self.curves_image,), "gradients": (),
            "upload": (self.data_upload.upload, self.data_upload.widget),
            "hidden_space": (self.hidden_space.toggle, self.hidden_space.widget),
        })
        return parts

    def named_widgets(self) -> dict:
        """Every control by name (for tests, CSS hooks and ``hide``)."""
        return {name: widgets[0] for name, widgets in self.parts.items() if widgets}

    def _apply_hide(self) -> None:
        for name in self.hidden_controls:
            for w in self.parts[name]:
                w.layout.display = "none"
        if "gradients" in self.hidden_controls:
            self.network.show_gradients(False)
        for heading, names in CONTROL_GROUPS.items():  # no heading left over nothing
            if set(names) <= set(self.hidden_controls):
                self.group_boxes[heading].layout.display = "none"

    def is_hidden(self, name: str) -> bool:
        """True when the control ``name`` is hidden (by the URL or ``hide=``)."""
        if name == "gradients":
            return not self.network.gradients_shown()
        return self.parts[name][0].layout.display == "none"

    def _sync_width_visibility(self) -> None:
        n = self.controls["layers"].value
        for i, w in enumerate(self.controls["widths"]):
            w.layout.display = None if i < n else "none"

    def read_values(self) -> dict:
        """The dashboard's settings as the controls show them now (``presets`` names)."""
        c = self.controls
        n = c["layers"].value
        return {
            "dataset": c["dataset"].value, "noise": c["noise"].value, "train": c["train"].value,
            "features": tuple(n_ for n_, box in c["features"].items() if box.value),
            "hidden": tuple(w.value for w in c["widths"][:n]), "activation": c["activation"].value,
            "learning_rate": c["learning_rate"].value, "optimizer": c["optimizer"].value,
            "batch_size": c["batch_size"].value, "regularization": c["regularization"].value,
            "reg_rate": c["reg_rate"].value, "epochs": c["epochs"].value, "seed": c["seed"].value,
            "data_seed": self.data_seed, "show_test": c["show_test"].value,
            "discretize": c["discretize"].value,
        }

    def read_settings(self) -> ex.Settings:
        """The controls as an ``experiments.Settings`` (validated by ``experiments``)."""
        v = self.read_values()
        return ex.Settings(**settings_fields(v), snapshot_every=self.snapshot_every).replace(
            features=v["features"])  # replace() validates them

    def share_query(self) -> str:
        """The query string that reopens the dashboard as it is now (hidden controls kept)."""
        return to_query(self.read_values(), self.hidden_controls)

    def set(self, **values) -> None:
        """Set controls by setting name (``pg.set(activation="relu", hidden=(3, 3))``); one retrain."""
        unknown = sorted(set(values) - set(SETTING_CONTROLS) - {"data_seed"})
        if unknown:
            raise ValueError(f"Unknown control(s) {', '.join(unknown)}. Controls: {', '.join(SETTING_CONTROLS)}.")
        c = self.controls
        with self.hold():
            for name, value in values.items():
                if name == "features":
                    for n, box in c["features"].items():
                        box.value = n in value
                elif name == "hidden":
                    c["layers"].value = len(value)
                    for w, width in zip(c["widths"], value):
                        w.value = width
                elif name == "data_seed":
                    self.data_seed = int(value)
                else:
                    c[name].value = value

    def use_preset(self, query: str | None) -> None:
        """Apply a URL preset (``"dataset=xor&hide=activation"``) to this Playground, as
        ``Playground(query)`` would have started: its settings are set in one retrain (none
        when they change nothing), its ``hide`` list is added to the hidden controls, and bad
        parameters are explained in the notice line. Settings given to the constructor still
        win over the URL. Used by :func:`page_playground` on a Playground built before its
        visitor came.
        """
        preset = parse_query(query)
        self.preset = preset
        now = self.read_values()
        wanted = {k: v for k, v in preset.values.items() if k not in self._given}
        changes = {k: v for k, v in wanted.items()
                   if (set(v) != set(now[k]) if k == "features" else v != now[k])}
        if changes:
            self.set(**changes)
        hide = tuple(dict.fromkeys([*preset.hide, *self.hidden_controls]))
        if hide != self.hidden_controls:
            self.hidden_controls = hide
            self._apply_hide()
        self._show_preset_errors(preset)

    def _show_preset_errors(self, preset) -> None:
        if preset.errors:
            self.notice.value = status_html("error", "Some URL settings were not applied: "
                                            + " ".join(preset.errors))

    def _on_control(self, change) -> None:
        if change["owner"] is self.controls["layers"]:
            self._sync_width_visibility()
        if change["owner"] is self.controls["dataset"] and self.user_data is not None:
            self.user_data = None  # choosing a dataset means: train on it
        if not self._quiet:
            self._retrain_guarded()

    def _on_view_option(self, change) -> None:
        if self._quiet or self.run is None:
            return
        if self.shown_epoch < self.run.epoch:  # rewound: redraw that epoch, not the latest
            self._guard(self.rewind_to, self.shown_epoch)
        else:
            self._guard(self._draw)

    # ------------------------------------------------------------------ actions
    def retrain(self) -> None:
        """Read the controls, rebuild data and network from their seeds, train, redraw."""
        self.pause()
        settings = self.read_settings()
        run = ex.prepare(settings, self.user_data)  # validates everything before the picture changes
        epochs = int(self.controls["epochs"].value)
        if epochs > 0:
            ex.advance(run, epochs)
        self.run = run
        self._new_data()
        self._draw()

    # ------------------------------------------------------------------ your own data
    def use_data(self, data) -> None:
        """Train on ``data`` (a ``userdata.UserData``, or ``(X, y)``), or on the chosen dataset
        again (None). When the run cannot be built (e.g. more classes than the network's
        output can take), the data in use stays and the ``ValueError`` says why."""
        if data is not None and not isinstance(data, ud.UserData):
            data = ud.from_arrays(*data)
        previous, self.user_data = self.user_data, data
        try:
            self.retrain()
        except Exception:
            self.user_data = previous
            raise
        self._stale = False

    def load_upload(self) -> None:
        """Read the file just uploaded (a bad file: its message, the data in use stays)."""
        file = self.data_upload.take_file()
        if file is not None:
            self.use_data(self.data_upload.read(*file))

    def reread_upload(self) -> None:
        """The labels choice changed: read the last uploaded file again, if it is in use."""
        if self.user_data is not None and self.data_upload.file is not None \
                and self.data_upload.file[0] == self.user_data.name:
            self.use_data(self.data_upload.read(*self.data_upload.file))

    def on_click(self, event: dict) -> None:
        """A click on the output picture (an ipyevents event): add a point of the chosen class there."""
        label = self.data_upload.click_class.value
        if label is None or self.view is None:
            return
        point = self.view.data_point(event["dataX"], event["dataY"])
        if point is not None:
            self.add_point(*point, label)

    def add_point(self, x1: float, x2: float, label: int) -> None:
        """Add a point of class ``label`` at ``(x1, x2)`` to the data in use (generated data
        becomes your data), then retrain."""
        data = self.user_data if self.user_data is not None else self._generated_data()
        self.use_data(data.with_point(x1, x2, label))

    def _generated_data(self) -> ud.UserData:
        run = self.run
        task = run.net.task
        X = np.concatenate([run.X_train, run.X_test])
        y = np.concatenate([run.y_train, run.y_test])
        return ud.UserData(X, y, task, run.net.n_classes or 0, run.settings.dataset, origin="generated")

    def data_source(self) -> str:
        """Where the data came from: ``uploaded: name.csv, 240 rows, 2 classes`` or the dataset."""
        if self.user_data is not None:
            return self.user_data.describe()
        v = self.read_values()
        n = self.run.settings.n_samples if self.run is not None else ex.Settings.n_samples
        return f"generated: {v['dataset']}, {n} points, noise {v['noise']} %, " \
               f"data seed {self.data_seed}"

    def data_csv(self) -> bytes:
        """The data in use as a CSV file (``userdata.to_csv``), which the upload reads back as it is.
        Generated data is written train points first, then test points."""
        return ud.to_csv(self.user_data if self.user_data is not None else self._generated_data())

    # ------------------------------------------------------------------ hidden space
    def _on_hidden_space(self, change) -> None:
        if not (self._quiet or self.hidden_space.syncing) and self.run is not None:
            self._guard(self._draw_hidden_space)

    def _on_hidden_space_layer(self, change) -> None:
        if self.hidden_space.syncing:
            return
        self.hidden_space.on_layer()
        self._on_hidden_space(change)

    def _draw_hidden_space(self, net=None) -> None:
        run = self.run
        y = run.y_train if run.net.task == "classification" else (run.y_train > 0).astype(int)
        self.hidden_space.update(run.net if net is None else net, run.X_train, y, run.settings.features)

    def regenerate(self) -> None:
        """A new sample of the same dataset (the next data seed), then retrain."""
        self.data_seed += 1
        self.retrain()

    # ------------------------------------------------------------------ rewind
    def _on_rewind(self, change) -> None:
        if not self._quiet and self.run is not None:
            self._guard(self.rewind_to, int(change["new"]))

    def rewind_to(self, epoch: int) -> None:
        """Show the boundary and network as they were at ``epoch`` (nearest snapshot before it).

        Training is not undone: Play or Step continue from the latest epoch.
        """
        self.pause()
        run = self.run
        if epoch >= run.epoch or not run.history.snapshots:
            self._draw()
            return
        shown, net = ins.net_at(run, epoch)
        self._draw(net=net, shown_epoch=shown)

    # ------------------------------------------------------------------ export
    def export_dict(self) -> dict:
        """Settings, share link, weights and figures as a JSON-ready dict."""
        return ins.export_state(self.run, {"playground": {k: list(v) if isinstance(v, tuple) else v
                                                         for k, v in self.read_values().items()},
                                           "query": self.share_query(), "data": self.data_source()})

    def export(self) -> None:
        """Fill the export line with download links (data: URLs work in Voila and JupyterLab)."""
        payload = json.dumps(self.export_dict(), indent=1).encode("utf-8")
        json_url = _data_url("application/json", payload)
        png_url = _data_url("image/png", self.image.value)
        curves_url = _data_url("image/png", self.curves_image.value)
        net_url = _data_url("image/png", self.network_image.value)
        link = "?" + self.share_query()
        self.export_links.value = (
            f'<a download="playground.json" href="{json_url}" class="pg-download-json">settings + weights '
            f'(JSON)</a> &nbsp; <a download="playground.png" href="{png_url}" class="pg-download-png">'
            f'picture (PNG)</a> &nbsp; <a download="playground-curves.png" href="{curves_url}">curves (PNG)</a>'
            f' &nbsp; <a download="playground-network.png" href="{net_url}">network (PNG)</a>'
            f' &nbsp; share link: <code class="pg-share">{html.escape(link)}</code>')
        self.export_links.value += (
            f' &nbsp; <a download="{html.escape(self._csv_name())}" href="{_data_url("text/csv", self.data_csv())}" '
            f'class="pg-download-csv">data (CSV)</a>'
            + (" (the share link does not carry your data: share the CSV too)" if self.user_data else ""))

    def _csv_name(self) -> str:
        if self.user_data is not None:
            name = self.user_data.name
            return name if name.lower().endswith(".csv") else f"{name}.csv".replace(" ", "_")
        return f"{self.run.settings.dataset}.csv"

    # ------------------------------------------------------------------ drawing
    def _new_data(self) -> None:
        """Point the pictures at the run's data (a new view when the task changes)."""
        run = self.run
        task = run.net.task
        if self.view is None or self._view_task != (task, run.net.n_classes):
            self.view = TrainingView(self.resolution, figsize=_OUTPUT_FIGSIZE, dpi=_DPI, task=task,
                                     n_classes=run.net.n_classes or 2, arrangement="stacked",
                                     frame_cache=_FRAME_CACHE)
            self._view_task = (task, run.net.n_classes)
            width = _pixel_layout(self.view.fig).width  # shown at its own size
            self.image.layout.width = self.curves_image.layout.width = width
        y_tr, y_te = run.y_train, run.y_test
        if task == "regression":  # colour the points by the sign of their target
            y_tr, y_te = (y_tr > 0).astype(int), (y_te > 0).astype(int)
        self.view.show_data(run.X_train, y_tr, run.X_test, y_te)
        self.data_upload.show(self.user_data, self.data_source(),
                              run.net.n_classes or 0)
        out = run.net.output
        head = (f"Output: {out.name} over {run.net.layer_sizes[-1]} units, one per class" if out.vector
                else f"Output unit: {out.name}")
        self.loss_note.value = (
            f'<div class="pg-loss-note" style="font-size:small">{head}; loss: '
            f'{html.escape(out.loss_name)}' + (f" ({ex.chance_note(run.net)})" if task == "classification" else "") +
            ". The curves show the data loss, without the regularization penalty.</div>")

    def _draw(self, net=None, shown_epoch: int | None = None, frame: bool = False) -> None:
        """Draw the run's network (or ``net``, rewound to ``shown_epoch``).

        ``frame`` (a Play tick): the output picture, curves, epoch and status as always, the
        network diagram and the rewind slider only when ``network_every`` seconds have passed, and
        the curves' epoch axis in coarse steps.
        """
        run = self.run
        ins.thin_snapshots(run, self.max_snapshots)  # bounded memory however long Play runs
        run.history.thin(self.max_history)
        live = net is None
        net = run.net if live else net
        features = run.settings.features
        task = net.task
        grid = ins.output_grid(net, features, self.resolution)
        if self.controls["discretize"].value:
            grid = ins.discretize(grid, task)
        level, text = ex.status_text(run)
        alert = "training diverged" if level == "error" else None
        self.view.show_test_points(bool(self.controls["show_test"].value))
        # The decision boundary: the exact line of a linear network, else the 0.5 contour;
        # none for a diverged network or a regression task (the view knows its task).
        line = ex.decision_line(net, features)
        self.view.update(grid, run.history, max_epochs=10, alert=alert, line=line,
                         boundary=alert is None, playing=frame)
        self.shown_epoch = run.epoch if live else int(shown_epoch)
        if not live:
            self.view.set_title(f"epoch {self.shown_epoch} (rewound; trained to {run.epoch})")
        self.image.value, self.curves_image.value = self.view.pngs(("boundary", "curves"))
        if not frame or time.perf_counter() - self._network_time >= self.network_every:
            self._draw_network(net)
        self._frame_shown = frame
        self._draw_hidden_space(net)  # only keeps its choices in step while the view is off
        self.epoch_label.value = self._epoch_html(run.epoch, None if live else self.shown_epoch)
        self.redraws += 1
        if not live:
            text = f"showing epoch {self.shown_epoch} of {run.epoch} (drag the rewind slider to the right end " \
                   f"to see the latest). " + text
        self._set_status(level, text)

    def _draw_frame(self) -> None:
        self._draw(frame=True)

    def _draw_network(self, net) -> None:
        """The network diagram, gradient bars and rewind slider for ``net`` (shown at ``shown_epoch``)."""
        run, features = self.run, self.run.settings.features
        self.network.rebuild(net.layer_sizes, features, net.task)
        self.network.update(net.params, ins.node_grids(net, features, self.node_resolution),
                            ins.run_gradient_norms(run, net))
        self.network_image.value = self.network.png()
        self._quiet_set_rewind(run.epoch, self.shown_epoch)
        self._network_time = time.perf_counter()
        self.network_redraws += 1

    def _catch_up(self) -> None:
        """Play stopped: draw everything once more - the diagram that frames left behind, and
        the curves' epoch axis fitted tightly again (frames grow it in coarse steps)."""
        if self._frame_shown and self.run is not None:
            self._draw()

    def _quiet_set_rewind(self, trained: int, shown: int) -> None:
        was = self._quiet
        self._quiet = True
        try:
            # Range first, value next, as two messages: in one message the browser's slider
            # applies the new range while still showing the old value, and sends that back.
            if self.rewind.max != trained:
                if shown > trained:
                    self.rewind.value = 0
                self.rewind.max = trained
            if self.rewind.value != shown:
                self.rewind.value = shown
        finally:
            self._quiet = was

    @staticmethod
    def _epoch_html(epoch: int, shown: int | None = None) -> str:
        extra = f" (showing {shown})" if shown is not None else ""
        return (f'<span class="pg-epoch-text" style="font-size:large;font-variant-numeric:tabular-nums;'
                f'padding:0 12px">epoch <b class="pg-epoch">{epoch}</b>{extra}</span>')

    # ------------------------------------------------------------------ for tests
    def final(self) -> dict:
        return self.run.history.final() if self.run else {}

    def __repr__(self) -> str:
        return f"Playground({self.share_query()!r}, epoch={self.run.epoch if self.run else 0})"
