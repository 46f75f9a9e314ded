"""The Playground (notebook 06) without a browser: presets, controls, pictures, rewind, export.

Setting a widget's ``value`` from Python runs its observers exactly as a change from the
browser does, so these tests drive the real callbacks.
"""
import json
import base64
import re
import subprocess
import sys

import numpy as np
import pytest

from course_utils import MLP, featurize
from course_utils import experiments as ex
from course_utils import inspection as ins
from course_utils.presets import (CHOICES, HIDEABLE, LEARNING_RATES, PLAYGROUND_DEFAULTS, parse_query,
                                  to_query)
from course_utils.widgets import playground as pg_module
from course_utils.widgets.playground import SETTING_CONTROLS, Playground, page_playground, query_string

from boundary_checks import (assert_boundary_through_playback, assert_contour_boundary, assert_no_boundary,
                             assert_straight_boundary)

# A different valid value for every control (from the Playground's defaults).
NEW_VALUES = {
    "dataset": "xor", "noise": 20, "train": 70, "features": ("x1", "x2", "x1*x2"), "hidden": (3,),
    "activation": "relu", "learning_rate": 0.1, "optimizer": "adam", "batch_size": 5,
    "regularization": "l2", "reg_rate": 0.03, "epochs": 40, "seed": 3,
    "show_test": True, "discretize": True,
}

PARTNER = {"regularization": {"reg_rate": 0.03}, "reg_rate": {"regularization": "l2"}}


def small(**values):
    """A Playground that trains a few epochs per change (fast tests)."""
    values.setdefault("epochs", 20)
    return Playground(resolution=40, node_resolution=10, **values)


@pytest.fixture(scope="module")
def pg():
    return small()


# ------------------------------------------------------------------ presets (pure Python)
def test_playground_defaults_match_the_tensorflow_playground():
    d = PLAYGROUND_DEFAULTS
    assert (d["dataset"], d["activation"], d["learning_rate"], d["hidden"], d["batch_size"], d["train"],
            d["noise"]) == ("circle", "tanh", 0.03, (4, 2), 10, 50, 0)
    assert len(LEARNING_RATES) == 11 and LEARNING_RATES[0] == 1e-5 and LEARNING_RATES[-1] == 10
    assert {"circle", "xor", "gauss", "spiral", "plane", "multi_gauss"} <= set(CHOICES["dataset"])
    assert {"linear", "sigmoid", "tanh", "relu", "leaky_relu", "gelu"} <= set(CHOICES["activation"])


def test_a_valid_query_is_read():
    p = parse_query("?dataset=xor&activation=linear&lr=0.3&hidden=3,2,1&features=x1,x1%5E2"
                    "&batch=30&train=80&noise=15&reg=l1&rate=0.01&show_test=true&hide=activation,hidden")
    assert p.errors == []
    assert p.values == {"dataset": "xor", "activation": "linear", "learning_rate": 0.3, "hidden": (3, 2, 1),
                        "features": ("x1", "x1^2"), "batch_size": 30, "train": 80, "noise": 15,
                        "regularization": "l1", "reg_rate": 0.01, "show_test": True}
    assert p.hide == ("activation", "hidden")


@pytest.mark.parametrize("query, words", [
    ("dataset=moon", ["dataset", "circle", "spiral"]),
    ("activation=softmax", ["activation", "relu", "gelu"]),
    ("learning_rate=0.5", ["learning_rate", "0.03", "10"]),
    ("hidden=9", ["hidden", "1 to 8"]),
    ("hidden=1,1,1,1,1,1,1", ["hidden", "0 to 6"]),
    ("features=x3", ["x3", "sin(x1)"]),
    ("batch_size=0", ["batch_size", "1 to 30"]),
    ("show_test=maybe", ["show_test", "true or false"]),
    ("colour=red", ["colour", "dataset", "hide"]),
    ("hide=everything", ["everything", "activation"]),
])
def test_a_bad_query_value_gives_a_message_naming_the_valid_choices(query, words):
    p = parse_query(query + "&activation=relu" if not query.startswith("activation") else query)
    assert len(p.errors) == 1, p.errors
    for word in words:
        assert word in p.errors[0]
    if not query.startswith("activation"):
        assert p.values.get("activation") == "relu"  # the rest of the preset still applies


def test_to_query_round_trips():
    values = {**PLAYGROUND_DEFAULTS, **NEW_VALUES}
    back = parse_query(to_query(values, ("network", "activation")))
    assert back.errors == []
    assert back.settings() == values
    assert back.hide == ("network", "activation")
    assert to_query(PLAYGROUND_DEFAULTS) == ""


def test_query_string_outside_voila_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "dataset=xor")
    assert query_string() == "dataset=xor"
    monkeypatch.delenv("QUERY_STRING")
    assert query_string() == ""


def _one_visitor_server(request: dict):
    """A stand-in for Voila's request-info socket: the first kernel to connect gets ``request``;
    returns (port, paths the kernels asked for, stop)."""
    import threading
    from websockets.sync.server import serve

    asked = []

    def handler(socket):
        asked.append(socket.request.path)
        socket.send(json.dumps(request))

    server = serve(handler, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.socket.getsockname()[1], asked, server.shutdown


def test_a_pooled_kernel_waits_for_its_visitors_url(monkeypatch):
    port, asked, stop = _one_visitor_server({"QUERY_STRING": "dataset=xor&seed=3", "SCRIPT_NAME": "/x"})
    try:
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setenv("VOILA_APP_PORT", str(port))
        monkeypatch.setenv("VOILA_SERVER_URL", "/course/")
        monkeypatch.setenv("VOILA_KERNEL_ID", "k-123")
        monkeypatch.setenv("QUERY_STRING", "")
        monkeypatch.setenv("SCRIPT_NAME", "")
        assert query_string() == "dataset=xor&seed=3"
        assert asked == ["/course/voila/query/k-123"]   # Voila's address for this kernel
        import os
        assert os.environ["SCRIPT_NAME"] == "/x"          # the whole request, as Voila's helper does
    finally:
        stop()


def test_a_pooled_kernel_without_its_server_warns_and_reads_no_preset(monkeypatch):
    import socket
    with socket.socket() as s:           # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", str(port))
    monkeypatch.delenv("QUERY_STRING", raising=False)
    with pytest.warns(UserWarning, match="Failed to connect"):
        assert query_string() == ""


def _same_numbers(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(x == y or (x != x and y != y) for x, y in zip(a.values(), b.values()))


@pytest.mark.parametrize("query", [
    "dataset=xor&activation=linear&hide=activation",
    "preset=three_classes_linear",                      # a named preset, a new output head and diagram
    "dataset=plane&noise=20&hidden=3",                  # regression
    "features=x1^2,x2^2&activation=linear&data_seed=3&show_test=true&hide=gradients,features",
    "activation=bogus&noise=10&hide=nothing,optimizer",  # bad parameters: explained, the rest applies
])
def test_a_preset_applied_to_a_built_playground_gives_what_building_with_it_gives(query):
    direct = Playground(query, resolution=30, node_resolution=8)
    later = Playground(resolution=30, node_resolution=8)
    later.use_preset(query)
    assert later.read_values() == direct.read_values() != PLAYGROUND_DEFAULTS
    assert later.hidden_controls == direct.hidden_controls
    assert {n: later.is_hidden(n) for n in later.parts} == {n: direct.is_hidden(n) for n in direct.parts}
    assert later.notice.value == direct.notice.value
    assert later.status.value == direct.status.value
    assert _same_numbers(later.final(), direct.final())
    assert later.share_query() == direct.share_query()


def test_a_preset_that_changes_nothing_does_not_retrain_and_given_settings_still_win():
    pg = Playground(resolution=30, node_resolution=8)
    before = pg.redraws
    pg.use_preset("dataset=circle&activation=tanh")      # the defaults: nothing to do
    assert pg.redraws == before and pg.notice.value == ""
    pg = Playground(resolution=30, node_resolution=8, activation="relu")
    pg.use_preset("activation=linear&dataset=xor")
    assert pg.read_values()["activation"] == "relu" == Playground("activation=linear", activation="relu").read_values()["activation"]
    assert pg.read_values()["dataset"] == "xor"


@pytest.mark.parametrize("query", ["", "dataset=xor&hide=activation"])
def test_the_page_playground_is_built_before_it_waits_for_its_visitor(monkeypatch, query):
    """Notebook 06's cell: a pooled kernel builds the default Playground, then waits for its
    visitor's URL (query_string), then applies the preset - none when the URL has none."""
    events = []

    class Logged(Playground):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            events.append("built")

        def use_preset(self, q):
            events.append("preset")
            super().use_preset(q)

    def visitor_arrives():
        events.append("waited")
        return query

    monkeypatch.setattr(pg_module, "Playground", Logged)
    monkeypatch.setattr(pg_module, "query_string", visitor_arrives)
    pg = page_playground(resolution=30, node_resolution=8)
    assert events == ["built", "waited", "preset"] if query else ["built", "waited"]
    assert pg.read_values() == Playground(query, resolution=30, node_resolution=8).read_values()
    assert pg.is_hidden("activation") == bool(query)


def test_reading_the_url_does_not_import_voilas_server_side():
    code = ("import os, sys; os.environ['VOILA_PREHEAT'] = 'True'; os.environ['VOILA_APP_PORT'] = '9'; "
            "import warnings; warnings.simplefilter('ignore'); "
            "from course_utils.widgets.playground import query_string; query_string(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('voila', 'nbconvert', 'jupyter_server')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_new_modules_do_not_import_matplotlib_or_ipywidgets():
    code = ("import sys, course_utils.presets, course_utils.inspection; "
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(', '.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ the dashboard
def test_every_control_exists_with_the_playground_defaults():
    pg = Playground(resolution=40, node_resolution=10)
    assert pg.errors == []
    assert set(NEW_VALUES) == set(SETTING_CONTROLS)
    values = pg.read_values()
    for name, default in PLAYGROUND_DEFAULTS.items():
        assert values[name] == default, name
    names = pg.named_widgets()
    for name in ("dataset", "noise", "train", "layers", "activation", "learning_rate", "optimizer",
                 "batch_size", "regularization", "reg_rate", "epochs", "seed", "show_test", "discretize",
                 "play", "step", "reset", "regenerate", "rewind", "export", "features"):
        assert name in names
    assert list(pg.controls["features"]) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    assert pg.controls["learning_rate"].options == tuple((f"{lr:g}", lr) for lr in LEARNING_RATES)
    assert pg.run.epoch == PLAYGROUND_DEFAULTS["epochs"]
    assert pg.image.value[:8] == b"\x89PNG\r\n\x1a\n" and pg.network_image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "binary cross-entropy" in pg.loss_note.value
    assert "epoch" in pg.epoch_label.value


@pytest.mark.parametrize("name", SETTING_CONTROLS)
def test_changing_a_control_retrains_and_changes_the_picture(name):
    # A regularization type does nothing at rate 0, nor a rate without a type: set the other first.
    pg = small(**PARTNER.get(name, {}))
    before_png, before_heat = pg.image.value, pg.view.heatmap_values().copy()
    redraws = pg.redraws
    pg.set(**{name: NEW_VALUES[name]})
    assert pg.errors == []
    assert pg.redraws == redraws + 1
    assert pg.image.value != before_png
    assert pg.read_values()[name] == NEW_VALUES[name]
    if name not in ("show_test", "epochs"):  # these two change the points / curves, not the boundary
        assert not np.array_equal(pg.view.heatmap_values(), before_heat)
    if name == "show_test":
        assert pg.view.test_points.get_visible()
    if name == "discretize":
        assert set(np.unique(pg.view.heatmap_values())) <= {0.0, 1.0}


def test_settings_reach_the_training(pg):
    pg.set(regularization="l1", reg_rate=0.01, train=30, batch_size=7, hidden=(5, 3, 2))
    s = pg.run.settings
    assert (s.l1, s.l2, s.batch_size, s.hidden) == (0.01, 0.0, 7, (5, 3, 2))
    assert len(pg.run.X_train) == round(0.3 * s.n_samples)
    assert pg.network.key[0] == (2, 5, 3, 2, 1)
    pg.set(regularization="none", train=50, batch_size=10, hidden=(4, 2))


def test_same_settings_same_numbers():
    a, b = small(activation="relu"), small(activation="relu")
    assert a.image.value == b.image.value and a.network_image.value == b.network_image.value
    assert a.final() == b.final()


def test_linear_cannot_solve_the_circle_but_sigmoid_can():
    pg = small(hidden=(8,), learning_rate=1.0, batch_size=30, epochs=200, activation="linear")
    assert pg.final()["train_loss"] > 0.6
    pg.set(activation="sigmoid")
    assert pg.final()["test_accuracy"] > 0.9


@pytest.mark.parametrize("dataset", ["plane", "multi_gauss"])
def test_regression_datasets_train_and_draw(dataset):
    pg = small(dataset=dataset, epochs=30, learning_rate=0.01)
    assert pg.errors == []
    assert pg.run.net.task == "regression"
    assert "squared error" in pg.loss_note.value and "accuracy" not in pg.status.value
    heat = pg.view.heatmap_values()
    assert np.isfinite(heat).all() and heat.std() > 0.01
    assert pg.view.heatmap.get_clim() == (-1.0, 1.0)
    h = pg.run.history
    assert h.train_loss[-1] < h.train_loss[0]
    pg.set(discretize=True)
    assert set(np.unique(pg.view.heatmap_values())) <= {-1.0, 1.0}


def test_play_advances_pause_stops_reset_returns_to_the_same_start():
    pg = small(epochs=0)
    start_png, start_net = pg.image.value, pg.network_image.value
    assert pg.run.epoch == 0
    pg.play()
    assert pg.timer.playing
    for _ in range(3):
        pg.tick()
    assert pg.run.epoch == 3 * pg.epochs_per_frame
    assert pg.image.value != start_png
    pg.pause()
    pg.tick()  # a tick already on its way when Pause was pressed
    assert pg.run.epoch == 3 * pg.epochs_per_frame and not pg.timer.playing
    pg.step()
    assert pg.run.epoch == 4 * pg.epochs_per_frame
    pg.reset()
    assert pg.run.epoch == 0
    assert pg.image.value == start_png and pg.network_image.value == start_net
    assert '<b class="pg-epoch">0</b>' in pg.epoch_label.value


def test_rewind_shows_an_earlier_boundary_and_back():
    pg = small(epochs=60)
    latest = pg.view.heatmap_values().copy()
    assert pg.rewind.max == 60 and pg.rewind.value == 60
    pg.rewind.value = 10
    assert pg.errors == []
    earlier = pg.view.heatmap_values().copy()
    assert not np.allclose(earlier, latest, atol=1e-3)
    # It is exactly the boundary of a fresh run trained 10 epochs.
    fresh = small(epochs=10)
    np.testing.assert_array_equal(earlier, fresh.view.heatmap_values())
    assert pg.run.epoch == 60 and "showing epoch 10 of 60" in pg.status.value
    pg.rewind.value = 60
    np.testing.assert_array_equal(pg.view.heatmap_values(), latest)


def test_export_json_round_trips_through_mlp_from_dict(pg):
    pg.export()
    links = pg.export_links.value
    m = re.search(r'href="data:application/json;base64,([^"]+)"', links)
    assert m and 'href="data:image/png;base64,' in links and "share link" in links
    data = json.loads(base64.b64decode(m.group(1)))
    net = MLP.from_dict(data["network"])
    X = featurize(pg.run.X_test, pg.run.settings.features)
    np.testing.assert_array_equal(net.predict_proba(X), pg.run.net.predict_proba(X))
    assert data["playground"]["activation"] == pg.read_values()["activation"]
    assert parse_query(data["query"]).settings() == {**pg.read_values(),
                                                     "features": tuple(pg.read_values()["features"]),
                                                     "hidden": tuple(pg.read_values()["hidden"])}
    assert ins.load_network(data).layer_sizes == pg.run.net.layer_sizes
    png = base64.b64decode(re.search(r'href="data:image/png;base64,([^"]+)"', links).group(1))
    assert png == pg.image.value


def test_divergence_is_reported_in_words_and_not_drawn_as_garbage():
    pg = small(activation="relu", learning_rate=10.0, hidden=(8, 8), batch_size=1, epochs=20)
    assert pg.run.history.diverged
    assert "diverged" in pg.status.value and "learning rate" in pg.status.value
    assert np.isfinite(pg.view.heatmap_values()).all()
    assert pg.view.alert.get_visible()
    assert pg.view.boundary_artists() == []  # no boundary of a diverged network
    pg.play()
    assert not pg.playing  # nothing to play after divergence until Reset or a change


# ------------------------------------------------------------------ the boundary drawn live (#10 §2)
def _assert_pg_boundary(pg, net=None):
    """The boundary drawn now is the shown network's: its exact line, or its 0.5 contour."""
    net = pg.run.net if net is None else net
    drawn = pg.view.boundary_artists()
    features = pg.run.settings.features
    if pg.run.settings.activation == "linear":
        return assert_straight_boundary(drawn, net, features)
    values = ins.output_grid(net, features, pg.resolution)
    if pg.controls["discretize"].value:  # the boundary of the picture shown
        values = ins.discretize(values)
    return assert_contour_boundary(drawn, lambda P: net.predict_proba(featurize(P, features)), pg.resolution,
                                   values)


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
def test_the_boundary_is_drawn_on_every_frame(activation):
    pg = small(activation=activation, learning_rate=0.3)
    first = assert_boundary_through_playback(pg, _assert_pg_boundary)
    pg.set(learning_rate=0.1)  # a control change retrains
    _assert_pg_boundary(pg)
    pg.set(hidden=(3, 3, 2))
    now = _assert_pg_boundary(pg)
    pg.regenerate()
    _assert_pg_boundary(pg)
    pg.set(discretize=True)  # a view option redraws: the boundary stays
    _assert_pg_boundary(pg)
    if activation == "linear":  # one Line2D, moved in place
        assert now is first
    assert pg.errors == []


def test_rewind_draws_the_boundary_of_the_earlier_network():
    pg = small(activation="linear", learning_rate=0.3, epochs=60)
    pg.rewind.value = 10
    shown, net = ins.net_at(pg.run, 10)
    assert pg.shown_epoch == shown
    _assert_pg_boundary(pg, net)
    pg.rewind.value = 60
    _assert_pg_boundary(pg)


def test_scenario2_preset_shows_the_straight_line():
    pg = Playground("dataset=circle&activation=linear&hidden=8", resolution=40, node_resolution=10, epochs=30)
    line = _assert_pg_boundary(pg)
    for change in ({"hidden": (8, 8, 8)}, {"learning_rate": 0.1}, {"optimizer": "adam"}, {"noise": 20},
                   {"batch_size": 30}):
        pg.set(**change)
        assert not pg.run.history.diverged
        assert _assert_pg_boundary(pg) is line  # the current network's line, moved in place


def test_nonlinear_inputs_bend_a_linear_networks_boundary():
    pg = small(activation="linear", features=("x1", "x2", "x1^2", "x2^2"), learning_rate=0.03, epochs=100)
    assert pg.final()["test_accuracy"] > 0.9  # the ring, separated
    assert_contour_boundary(pg.view.boundary_artists(),
                            lambda P: pg.run.net.predict_proba(featurize(P, pg.run.settings.features)),
                            pg.resolution)


@pytest.mark.parametrize("dataset", ["plane", "multi_gauss"])
def test_regression_has_no_decision_boundary(dataset):
    pg = small(dataset=dataset, activation="linear", learning_rate=0.01)
    assert pg.errors == [] and pg.run.net.task == "regression"
    assert_no_boundary(pg.view.boundary_artists())
    pg.step()
    assert_no_boundary(pg.view.boundary_artists())
    labels = [t.get_text() for t in pg.view.ax_boundary.get_legend().get_texts()]
    assert "decision boundary" not in labels and "target > 0" in labels
    pg.set(dataset="circle")  # back to classification: a fresh view with a boundary
    _assert_pg_boundary(pg)
    assert "decision boundary" in [t.get_text() for t in pg.view.ax_boundary.get_legend().get_texts()]


def test_a_nan_network_draws_no_boundary_and_says_why():
    pg = small(activation="linear")
    pg.run.net.set_params([(np.full_like(W, np.nan), np.full_like(b, np.nan)) for W, b in pg.run.net.params])
    pg.step()  # must not raise
    assert pg.errors == []
    assert_no_boundary(pg.view.boundary_artists())
    assert "diverged" in pg.status.value
    pg.reset()
    _assert_pg_boundary(pg)


def test_url_preset_applies_and_hides_controls():
    pg = Playground("dataset=xor&activation=linear&hidden=3&hide=activation,hidden,network",
                    resolution=40, node_resolution=10, epochs=10)
    assert pg.errors == [] and pg.notice.value == ""
    v = pg.read_values()
    assert (v["dataset"], v["activation"], v["hidden"]) == ("xor", "linear", (3,))
    assert pg.is_hidden("activation") and pg.is_hidden("hidden") and pg.is_hidden("network")
    assert not pg.is_hidden("dataset") and not pg.is_hidden("learning_rate")


def test_bad_url_values_are_explained_in_the_dashboard():
    pg = Playground("dataset=moon&activation=relu&lr=7", resolution=40, node_resolution=10, epochs=10)
    assert pg.read_values()["activation"] == "relu" and pg.read_values()["dataset"] == "circle"
    notice = pg.notice.value
    assert "moon" in notice and "circle" in notice and "learning_rate" in notice and "0.03" in notice
    assert 'role="status"' in notice


def test_bad_arguments_raise_with_the_valid_names():
    with pytest.raises(ValueError, match="activation"):
        Playground(colour="red")
    with pytest.raises(ValueError, match="rewind"):
        Playground(hide=("everything",))


def test_an_impossible_setting_is_shown_not_raised(pg):
    for box in pg.controls["features"].values():
        box.value = False  # no input at all
    assert pg.errors and "at least one input feature" in pg.errors[-1]
    assert "x1" in pg.status.value
    pg.set(features=("x1", "x2"))
    assert pg.run.settings.features == ("x1", "x2")


def test_every_hideable_name_hides_something():
    pg = Playground(hide=HIDEABLE, resolution=40, node_resolution=10, epochs=0)
    for name in HIDEABLE:
        if name in ("gradients", "data_seed"):
            continue
        assert pg.is_hidden(name), name
    assert not pg.network.gradients_shown()


def test_network_diagram_and_gradient_chart_show_the_current_network(pg):
    pg.set(hidden=(3, 2), activation="tanh")
    net = pg.run.net
    a = pg.network.artists
    assert [len(lc.get_segments()) for lc in a["edges"]] == [2 * 3, 3 * 2, 2 * 1]
    for lc, (W, _) in zip(a["edges"], net.params):  # colour is the sign, width grows with the size
        colours, widths = lc.get_colors(), lc.get_linewidths()
        w = W.ravel()
        assert np.array_equal(colours[:, 2] > 0.5, w >= 0)  # blue (positive) has the larger blue channel
        assert np.array_equal(np.argsort(widths, kind="stable"), np.argsort(np.minimum(np.abs(w), 3), kind="stable"))
    assert [len(sc.get_offsets()) for sc in a["biases"]] == [3, 2, 1]  # every bias, the output's too
    assert a["output_bias"].get_text() == f"bias {net.params[-1][1][0]:+.2f}"
    heights = [bar.get_height() for bar in pg.network.bars]
    np.testing.assert_allclose(heights, ins.run_gradient_norms(pg.run))
    pg.set(hidden=(4, 2))


def test_keyword_settings_are_checked_like_url_values():
    with pytest.raises(ValueError, match="0.03"):
        Playground(learning_rate=0.05)
    with pytest.raises(ValueError, match="circle"):
        Playground(dataset="nope")
    with pytest.raises(ValueError, match="1 to 8"):
        Playground(hidden=(10,))


def test_view_options_keep_a_rewound_picture():
    pg = small(epochs=60)
    pg.rewind.value = 10
    earlier = pg.view.heatmap_values().copy()
    pg.controls["show_test"].value = not pg.controls["show_test"].value
    assert pg.shown_epoch == 10 and pg.rewind.value == 10
    np.testing.assert_array_equal(pg.view.heatmap_values(), earlier)


def test_is_hidden_knows_every_hideable_name():
    pg = small(hide=("gradients", "data_seed"))
    assert pg.is_hidden("gradients") and pg.is_hidden("data_seed")


# ------------------------------------------------------------------ three classes
@pytest.fixture(scope="module")
def pg3():
    return small(query="preset=three_classes", epochs=60)


def test_a_three_class_preset_trains_a_softmax_and_draws_three_classes(pg3):
    net = pg3.run.net
    assert net.output.name == "softmax" and net.layer_sizes == [2, 8, 8, 3]
    assert "ln 3 = 1.099 is a network that learned nothing" in pg3.loss_note.value
    assert "cross-entropy" in pg3.loss_note.value and "binary" not in pg3.loss_note.value
    assert "Output: softmax over 3 units, one per class" in pg3.loss_note.value
    # The picture: an RGB class map, the class boundaries, chance at ln 3 and 33 %.
    grid = ins.output_grid(net, ("x1", "x2"), pg3.resolution)
    assert grid.shape == (40, 40, 3)
    from course_utils.plots.boundary import class_map
    np.testing.assert_allclose(pg3.view.heatmap_values(), class_map(grid))
    (contour,) = pg3.view.boundary_artists()
    vertices = np.concatenate([p.vertices for p in contour.get_paths() if len(p.vertices)])
    from course_utils.plots import draw_boundary, new_figure
    expected = draw_boundary(new_figure()[1], grid)  # the class boundaries of the network's own grid
    np.testing.assert_allclose(vertices, np.concatenate([p.vertices for p in expected.get_paths()]), atol=1e-9)
    p = net.predict_proba(featurize(vertices, ("x1", "x2")))
    top2 = np.sort(p, axis=1)[:, -2:]
    assert np.median(top2[:, 1] - top2[:, 0]) < 0.1  # where the two likeliest classes tie (40 x 40 grid)
    chance = pg3.view.ax_loss.lines[0]
    assert chance.get_label() == "ln 3 (chance)" and chance.get_ydata()[0] == pytest.approx(np.log(3))
    assert pg3.view.ax_loss.get_ylabel() == "loss (cross-entropy)"
    labels = [t.get_text() for t in pg3.network.ax_net.texts]
    assert {"class 0", "class 1", "class 2", "output\n(3 classes)"} <= set(labels)
    assert [t.get_text() for t in pg3.network.artists["output_biases"]] == [f"bias {b:+.2f}" for b in net.params[-1][1]]


def test_export_and_import_round_trip_a_three_class_run(pg3):
    pg3.export()
    m = re.search(r'href="data:application/json;base64,([^"]+)"', pg3.export_links.value)
    data = json.loads(base64.b64decode(m.group(1)))
    assert data["loss"] == "cross-entropy" and data["network"]["output"] == "softmax"
    X = featurize(pg3.run.X_test, pg3.run.settings.features)
    net = ins.load_network(data)
    np.testing.assert_array_equal(net.predict_proba(X), pg3.run.net.predict_proba(X))
    again = small(query=data["query"], epochs=60)  # the share link rebuilds the same run
    assert again.read_values() == pg3.read_values()
    np.testing.assert_array_equal(again.run.net.theta, pg3.run.net.theta)
    assert again.run.history == pg3.run.history


def test_switching_between_two_and_three_classes_swaps_the_head_and_the_picture():
    pg = small(dataset="blobs3", activation="linear")
    assert pg.run.net.output.name == "softmax" and pg.view.n_classes == 3
    assert pg.run.history.final()["train_accuracy"] > 0.95  # three blobs: straight lines suffice
    pg.set(dataset="circle")
    assert pg.run.net.output.name == "sigmoid" and pg.run.net.layer_sizes[-1] == 1
    assert pg.view.n_classes == 2 and pg.view.ax_loss.lines[0].get_label() == "ln 2 (chance)"
    assert "ln 2 = 0.693" in pg.loss_note.value
    pg.controls["discretize"].value = True
    pg.set(dataset="spiral3")
    values = pg.view.heatmap_values()  # discretized: every pixel a pure class colour
    from course_utils.plots.style import class_colours
    from matplotlib.colors import to_rgb
    pure = np.array([to_rgb(c) for c in class_colours(3)])
    assert np.isclose(values.reshape(-1, 1, 3), pure[None]).all(axis=2).any(axis=1).all()


# ------------------------------------------------------------------ layout and Play speed (#12 parts 4, 5)
def test_controls_stand_under_their_headings_most_used_first():
    from course_utils.widgets.playground import CONTROL_GROUPS

    pg = small()
    assert list(CONTROL_GROUPS) == ["Data", "Features", "Network", "Training", "Your own data"]
    for heading, names in CONTROL_GROUPS.items():
        box = pg.group_boxes[heading]
        assert heading in box.children[0].value
        assert list(box.children[1:]) == [pg.parts[name][-1] for name in names]
    assert CONTROL_GROUPS["Data"][0] == "dataset" and CONTROL_GROUPS["Training"][0] == "learning_rate"
    # Every setting's control stands in a group (none is lost in the move).
    grouped = {w for box in pg.group_boxes.values() for w in box.children}
    for name in ("dataset", "noise", "train", "activation", "learning_rate", "optimizer", "batch_size",
                 "regularization", "reg_rate", "epochs", "seed"):
        assert pg.controls[name] in grouped, name
    # The output picture is large and shown at its own size; the curves are a picture of their own.
    assert int(pg.image.layout.width.rstrip("px")) >= 360
    assert pg.curves_image.value[:8] == b"\x89PNG\r\n\x1a\n" and pg.curves_image.value != pg.image.value


def test_play_frames_redraw_the_diagram_less_often_and_catch_up_on_pause():
    pg = small(epochs=0, network_every=3600.0)  # at most one diagram an hour while playing
    pg.play()
    net_png, first = pg.network_image.value, pg.network_redraws
    for _ in range(3):
        png, curves = pg.image.value, pg.curves_image.value
        pg.tick()
        assert pg.image.value != png and pg.curves_image.value != curves  # every frame
    assert pg.network_redraws == first and pg.network_image.value == net_png  # not the diagram
    assert '<b class="pg-epoch">30</b>' in pg.epoch_label.value and "epoch 30" in pg.status.value
    assert pg.view.ax_loss.get_xlim() == (0, 50)  # while playing the epoch axis grows in 1, 2, 5 steps
    pg.pause()  # Play stops: the diagram catches up with the latest network, the axis fits again
    assert pg.network_redraws == first + 1 and pg.network_image.value != net_png
    assert pg.view.ax_loss.get_xlim() == (0, 30)
    assert pg.rewind.max == pg.run.epoch == 3 * pg.epochs_per_frame
    heights = [bar.get_height() for bar in pg.network.bars]
    np.testing.assert_allclose(heights, ins.run_gradient_norms(pg.run))
    pg.step()  # anything but a Play frame draws the diagram at once
    assert pg.network_redraws == first + 2


def test_a_tick_in_the_kernel_defers_its_frame_and_returns_at_once():
    """In a kernel (an event loop running), a tick only schedules its frame, so the kernel
    reports idle and the browser's next tick travels while the frame is drawn; a tick that
    finds a frame still waiting is dropped, and a frame that runs after Pause does nothing."""
    import asyncio

    pg = small(epochs=0)

    async def scenario():
        pg.play()
        pg.timer.value += 1
        assert pg.run.epoch == 0  # scheduled, not drawn yet
        pg.timer.value += 1  # the first frame still waits: dropped
        await asyncio.sleep(0.01)
        assert pg.run.epoch == pg.epochs_per_frame and pg.dropped_ticks == 1
        pg.timer.value += 1
        pg.pause()  # before the loop ran that frame
        await asyncio.sleep(0.01)
        assert pg.run.epoch == pg.epochs_per_frame

    asyncio.run(scenario())
    assert pg.errors == []


def test_gradient_chart_is_on_a_log_scale_and_curves_fit_the_epochs_trained():
    pg = small(epochs=60)
    ax = pg.network.ax_grad
    assert ax.get_yscale() == "log"
    lo, hi = ax.get_ylim()
    norms = ins.run_gradient_norms(pg.run)
    assert lo <= norms.min() and norms.max() <= hi
    assert np.log10(lo) == int(np.log10(lo)) and np.log10(hi) == int(np.log10(hi))  # whole decades
    assert pg.view.ax_loss.get_xlim() == (0, 60) and pg.view.ax_accuracy.get_xlim() == (0, 60)
    pg.set(epochs=130)
    assert pg.view.ax_loss.get_xlim() == (0, 150)  # the next of 1, 1.2, 1.5, 2 ... x 10^k


def test_a_long_play_keeps_a_bounded_number_of_rewind_points():
    pg = small(epochs=0)
    pg.max_snapshots = 8
    pg.play()
    for _ in range(12):  # 120 epochs: 25 snapshots every 5 epochs, thinned to at most 8
        pg.tick()
    pg.pause()
    epochs = [e for e, _ in pg.run.history.snapshots]
    assert len(epochs) <= 8 and epochs[0] == 0 and epochs[-1] == 120 and epochs == sorted(epochs)
    pg.rewind.value = 50  # lands on the nearest point kept, and says which
    shown, net = ins.net_at(pg.run, 50)
    assert pg.shown_epoch == shown <= 50 and f"showing epoch {shown} of 120" in pg.status.value
    assert pg.errors == []


def test_a_long_play_keeps_a_bounded_number_of_frame_bitmaps():
    pg = small(epochs=0)
    pg.epochs_per_frame = 100  # the epoch axis passes 100, 200, 500, 1000, 2000, 5000
    pg.play()
    for _ in range(40):
        pg.tick()
    pg.pause()
    view = pg.view
    assert pg.run.epoch == 4000 and pg.errors == []
    assert view.frames_redrawn > view.frame_cache  # more axis ranges than bitmaps kept ...
    assert 1 <= len(view._frames) <= view.frame_cache == 3  # ... and only the newest kept
    assert len(pg.run.history.snapshots) <= pg.max_snapshots


def test_a_long_play_keeps_a_bounded_loss_record_and_curves_that_end_at_the_latest_epoch():
    pg = small(epochs=0)
    pg.max_history = 30
    pg.play()
    for _ in range(12):  # 120 epochs, the record thinned to at most 30 entries after each frame
        pg.tick()
    pg.pause()
    h = pg.run.history
    assert h.epochs_run == pg.run.epoch == 120 and len(h.epochs) <= 30 and h.epochs[0] == 1
    x, y = pg.view.curves["train_loss"].get_data()
    np.testing.assert_array_equal(x, h.epochs)  # the curve is drawn at the epochs kept
    assert y[-1] == h.final()["train_loss"] and pg.errors == []
    assert f"epoch {pg.run.epoch}" == pg.view.title.get_text()
