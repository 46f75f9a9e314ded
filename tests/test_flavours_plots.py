"""Tests for notebook 05's figures (course_utils.plots.flavours) and its comparison panel
(course_utils.widgets.compare), without a browser."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from course_utils import ACTIVATIONS, make_dataset, train_test_split  # noqa: E402
from course_utils.data import TWO_CLASS_DATASETS  # noqa: E402
from course_utils import diagnostics as dg  # noqa: E402
from course_utils.grid import heatmap_grid  # noqa: E402
from course_utils.plots import figure_png, flavours, live_boundary_artists, new_figure  # noqa: E402
from course_utils.widgets import compare as compare_module  # noqa: E402
from course_utils.widgets.compare import ComparePanel  # noqa: E402

from boundary_checks import assert_contour_boundary, assert_no_boundary, assert_straight_boundary  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_dataset("circle", n_samples=120, noise=0.0, seed=1)
    return train_test_split(X, y, 0.5, seed=1)


# ------------------------------------------------------------------ styles
def test_every_activation_has_its_own_style():
    styles = [(to_hex(flavours.style_for(n)["color"]), str(flavours.style_for(n)["linestyle"]))
              for n in ACTIVATIONS]
    assert len(set(s[0] for s in styles)) == len(ACTIVATIONS)  # distinct colours
    assert all(c.lower() != "#f0e442" for c, _ in styles)  # no faint yellow lines today
    assert flavours.style_for("made-up")["color"]  # unknown names still get a style


# ------------------------------------------------------------------ static figures
def test_activation_curves_draw_the_arrays_given():
    z = np.linspace(-3, 3, 31)
    curves = dg.activation_curves(["sigmoid", "relu"], z)
    fig, axes = new_figure(ncols=2)
    lines = flavours.draw_activation_curves(axes, curves, z)
    assert len(lines) == 4
    assert [line.get_label() for line in lines] == ["sigmoid", "relu", "sigmoid", "relu"]
    np.testing.assert_array_equal(lines[2].get_ydata(), curves["sigmoid"][1])
    for ax in axes:
        assert ax.get_xlabel() and ax.get_ylabel()
    assert axes[0].get_legend() is not None


def test_activation_curves_figure_has_a_takeaway_title():
    z = np.linspace(-1, 1, 5)
    fig, lines = flavours.activation_curves_figure(dg.activation_curves(["tanh"], z), z, title="what to see")
    assert len(lines) == 2 and lines[0].axes is not lines[1].axes
    assert lines[0].get_figure(root=True) is fig and fig.get_suptitle() == "what to see"
    assert plt.get_fignums() == []  # off pyplot: shown once, by plots.show_figure


def test_gradient_norms_on_a_log_axis():
    study = {"sigmoid": (np.array([1e-6, 1e-3, 0.1]), np.array([0.0, 1e-4, 0.1])),
             "relu": (np.array([0.1, 0.1, 0.1]), np.array([0.01, 0.02, 0.03]))}
    fig, lines = flavours.gradient_norms_figure(study, title="what to see")
    axes = [lines[0].axes, lines[1].axes]
    assert len(lines) == 4
    assert all(ax.get_yscale() == "log" and ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    assert lines[1].get_ydata()[0] > 0  # a zero norm is drawn at the floor, not lost
    assert axes[0].get_legend() is not None


def test_silent_units_lines_are_the_mean_over_seeds():
    study = {"relu": {"silent": np.array([[0.0, 0.5, 0.5], [0.0, 0.25, 0.0]])},
             "gelu": {"silent": np.array([[0.1, 0.1, 0.0]])}}
    fig, lines = flavours.silent_units_figure(study, title="what to see")
    ax = lines[0].axes
    assert [line.get_label() for line in lines] == ["relu (mean of 2 runs)", "gelu (mean of 1 runs)"]
    np.testing.assert_allclose(lines[0].get_ydata(), [0, 37.5, 25])
    np.testing.assert_array_equal(lines[0].get_xdata(), [0, 1, 2])
    assert fig.get_suptitle() == "what to see"
    assert ax.get_ylabel() and ax.get_xlabel() and ax.get_legend() is not None


def test_loss_curves_and_mean_outputs(data):
    X, Xt, y, yt = data
    runs = dg.compare_activations(["sigmoid", "tanh"], X, y, Xt, yt, hidden=(3,), epochs=12,
                                  learning_rate=0.3)
    means = {r.activation: dg.mean_hidden_output(r.net, X) for r in runs}
    fig, artists = flavours.loss_and_means_figure(runs, means, title="what to see")
    lines, m = artists["loss"], artists["means"]
    np.testing.assert_array_equal(lines[1].get_ydata(), runs[1].history.train_loss)
    assert [line.get_label() for line in lines] == ["sigmoid", "tanh"]
    np.testing.assert_array_equal(m[0].get_ydata(), means["sigmoid"])
    flavours.update_loss_curves(lines, runs[::-1])  # in place: same lines, new data and styles
    assert [line.get_label() for line in lines] == ["tanh", "sigmoid"]
    assert lines[0].get_color() == flavours.style_for("tanh")["color"]
    np.testing.assert_array_equal(lines[0].get_ydata(), runs[1].history.train_loss)
    with pytest.raises(ValueError, match="Choose one of: train_loss, test_loss"):
        flavours.draw_loss_curves(lines[0].axes, runs, which="loss")


def test_boundary_draws_the_values_given_and_updates_in_place(data):
    X, _, y, _ = data
    fig, ax = new_figure()
    values = heatmap_grid(lambda P: (P[:, 0] > 0).astype(float), 20)
    art = flavours.draw_run_boundary(ax, values, X, y)
    image = art["heatmap"]
    P = image.get_array()
    assert P.shape == (20, 20)
    assert P[:, -1].min() == 1.0 and P[:, 0].max() == 0.0  # right half is class 1
    assert art["contour"] is not None
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"
    n_images = len(ax.images)
    flavours.update_run_boundary(art, np.full((20, 20), 0.9), title="all blue")
    assert art["heatmap"] is image and len(ax.images) == n_images  # same artist, new data
    assert np.all(image.get_array() == 0.9)
    assert art["contour"] is None  # no 0.5 crossing left
    assert ax.get_title() == "all blue"


def test_small_multiples_do_not_train_and_hide_spare_axes(data):
    X, Xt, y, yt = data
    runs = dg.compare_activations(["tanh", "relu", "gelu"], X, y, Xt, yt, hidden=(3,), epochs=5,
                                  learning_rate=0.3)
    before = [r.net.get_params() for r in runs]
    grids = [heatmap_grid(r.net.predict_proba, 12) for r in runs]
    fig, panels = flavours.small_multiples_figure(runs, grids, Xt, yt, title="what to see", ncols=2)
    assert len(panels) == 3
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    for r, p, params in zip(runs, panels, before):
        assert r.activation in p["heatmap"].axes.get_title()
        for (W, b), (W0, b0) in zip(r.net.params, params):
            np.testing.assert_array_equal(W, W0)


def test_png_is_deterministic_and_carries_no_version_stamp():
    def picture():
        z = np.linspace(-2, 2, 9)
        fig, _ = flavours.activation_curves_figure(dg.activation_curves(["relu"], z), z, title="t")
        return figure_png(fig)

    a, b = picture(), picture()
    assert a.startswith(PNG_MAGIC)
    assert a == b
    assert b"Software" not in a and b"matplotlib" not in a.lower()
    assert plt.get_fignums() == []  # off-screen: nothing for the notebook to show again


# ------------------------------------------------------------------ the panel
@pytest.fixture(scope="module")
def panel():
    return ComparePanel(dataset="circle", first="sigmoid", second="relu", epochs=50)


def test_panel_controls_come_from_the_tables(panel):
    assert tuple(panel.first.options) == tuple(ACTIVATIONS)
    assert tuple(panel.second.options) == tuple(ACTIVATIONS)
    assert tuple(panel.dataset.options) == tuple(TWO_CLASS_DATASETS)  # one sigmoid output: two classes
    assert [v for _, v in panel.learning_rate.options] == list(compare_module.LEARNING_RATES)


def test_panel_is_keyboard_usable(panel):
    import ipywidgets as widgets

    for control in panel.controls:
        # Native selects and sliders take focus with Tab and change with the arrow keys.
        assert isinstance(control, (widgets.Dropdown, widgets.FloatSlider))
        assert control.description, "every control needs a visible label"
        assert control.tabbable is not False and not control.disabled


def test_panel_starts_with_a_picture_and_words(panel):
    assert bytes(panel.image.value).startswith(PNG_MAGIC)
    assert "sigmoid" in panel.status.value and "relu" in panel.status.value
    assert "binary cross-entropy" in panel.status.value
    assert [r.activation for r in panel.runs] == ["sigmoid", "relu"]


@pytest.mark.parametrize("control, value", [("first", "tanh"), ("second", "leaky_relu"),
                                            ("dataset", "xor"), ("noise", 0.2),
                                            ("learning_rate", 0.03), ("epochs", 100)])
def test_changing_a_control_retrains_and_redraws(panel, control, value):
    before_png, before_updates = panel.image.value, panel.updates
    getattr(panel, control).value = value
    assert panel.updates == before_updates + 1
    assert panel.image.value != before_png
    assert "Error: " not in panel.status.value
    names = [r.activation for r in panel.runs]
    assert names == [panel.first.value, panel.second.value]
    assert all(len(r.history) == panel.epochs.value or r.diverged for r in panel.runs)


def test_divergence_is_explained_in_the_panel():
    p = ComparePanel(dataset="gauss", first="linear", second="tanh", learning_rate=10.0, epochs=50)
    assert p.runs[0].diverged
    assert "diverged" in p.status.value and "learning rate" in p.status.value
    assert "Error: " not in p.status.value  # a result, shown in words, not a crash


# ------------------------------------------------------------------ the boundary drawn live (#10 §2)
def _assert_compare_boundaries(p):
    """Each network's boundary is drawn: the exact collapsed line when linear, else the contour."""
    out = []
    for art, run in zip(p.boundaries, p.runs):
        drawn = live_boundary_artists(art)
        if run.activation == "linear":
            out.append(assert_straight_boundary(drawn, run.net))
        else:
            resolution = art["heatmap"].get_array().shape[0]
            out.append(assert_contour_boundary(drawn, run.net.predict_proba, resolution))
    return out


def test_compare_panel_draws_each_boundary_and_keeps_it_through_changes():
    p = ComparePanel(first="linear", second="relu", epochs=100)
    line, _ = _assert_compare_boundaries(p)  # after construction
    for control, value in [("noise", 0.1), ("learning_rate", 0.03), ("epochs", 50), ("dataset", "xor"),
                           ("second", "tanh")]:
        getattr(p, control).value = value  # a control change retrains both
        assert _assert_compare_boundaries(p)[0] is line  # the linear one's line, moved in place
    p.first.value = "sigmoid"  # bends: the line gives way to a contour ...
    _assert_compare_boundaries(p)
    p.first.value = "linear"  # ... and back
    assert _assert_compare_boundaries(p)[0] is line
    legend = p.boundaries[0]["heatmap"].axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["decision boundary"]
    assert "Error: " not in p.status.value


def test_compare_panel_draws_no_boundary_for_a_diverged_network():
    p = ComparePanel(dataset="gauss", first="linear", second="tanh", learning_rate=10.0, epochs=50)
    assert p.runs[0].diverged
    assert_no_boundary(live_boundary_artists(p.boundaries[0]))
    assert "diverged" in p.status.value and "Error: " not in p.status.value
    p.learning_rate.value = 0.3
    _assert_compare_boundaries(p)


def test_compare_panel_survives_a_nan_network(monkeypatch):
    p = ComparePanel(first="linear", second="relu", epochs=50)
    real = compare_module.compare_activations

    def nan_weights(*args, **kwargs):
        runs = real(*args, **kwargs)
        for r in runs:
            r.net.set_params([(np.full_like(W, np.nan), np.full_like(b, np.nan)) for W, b in r.net.params])
        return runs

    monkeypatch.setattr(compare_module, "compare_activations", nan_weights)
    p.noise.value = 0.1  # must not raise
    assert "Error: " not in p.status.value and p.status.value
    for art in p.boundaries:
        assert_no_boundary(live_boundary_artists(art))
    monkeypatch.undo()
    p.noise.value = 0.0
    _assert_compare_boundaries(p)


def test_boundary_helper_draws_a_given_line_instead_of_the_contour(data):
    X, _, y, _ = data
    fig, ax = new_figure()
    net_w, net_b = np.array([1.0, -1.0]), 0.5
    predict = lambda P: 1 / (1 + np.exp(-(P @ net_w + net_b)))  # noqa: E731
    values = heatmap_grid(predict, 30)
    art = flavours.draw_run_boundary(ax, values, X, y, line=(net_w, net_b))
    (line,) = live_boundary_artists(art)
    np.testing.assert_allclose(line.get_xydata() @ net_w + net_b, 0.0, atol=1e-12)
    flavours.update_run_boundary(art, values)  # no line given: the contour, the line hidden
    assert_contour_boundary(live_boundary_artists(art), predict, 30)
    assert not line.get_visible()
    flavours.update_run_boundary(art, np.full((30, 30), np.nan))  # NaN: nothing, no error
    assert_no_boundary(live_boundary_artists(art))
    flavours.update_run_boundary(art, values, line=(net_w, net_b), boundary=False)
    assert_no_boundary(live_boundary_artists(art))


def test_errors_are_shown_in_the_panel(monkeypatch):
    p = ComparePanel(epochs=50)
    png = p.image.value

    def broken(*args, **kwargs):
        raise ValueError("the training set is empty")

    monkeypatch.setattr(compare_module, "compare_activations", broken)
    p.first.value = "gelu"  # must not raise
    assert p.errors and "Error: " in p.status.value and "the training set is empty" in p.status.value
    assert "compare-status-error" in p.status._dom_classes
    assert p.image.value == png  # the last good picture stays
    monkeypatch.undo()
    p.second.value = "tanh"
    assert "Error: " not in p.status.value and p.image.value != png


def test_same_settings_same_picture():
    a = ComparePanel(first="tanh", second="relu", epochs=50, seed=3)
    b = ComparePanel(first="tanh", second="relu", epochs=50, seed=3)
    assert a.image.value == b.image.value


@pytest.mark.parametrize("kwargs, match", [({"first": "rectifier"}, "Choose one of: linear"),
                                           ({"dataset": "moon"}, "Choose one of: gauss"),
                                           ({"learning_rate": 0.5}, "Choose one of: 1e-05"),
                                           ({"epochs": 7}, "Choose one of: 50"),
                                           ({"noise": 0.9}, "between 0 and 0.5")])
def test_bad_settings_name_the_choices(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ComparePanel(**kwargs)


def test_panel_displays_as_one_widget(panel):
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == panel.widget.model_id
    assert plt.get_fignums() == []  # the Figure is off pyplot: never shown a second time
    assert "compare-panel" in panel.widget._dom_classes


def test_compare_panel_is_a_panel_like_the_others():
    from course_utils.widgets import ComparePanel as exported
    from course_utils.widgets.base import PanelBase

    assert exported is ComparePanel and issubclass(ComparePanel, PanelBase)
    from course_utils.presets import LEARNING_RATES

    p = ComparePanel(epochs=50)
    assert [v for _, v in p.learning_rate.options] == list(LEARNING_RATES)  # one learning-rate table
    assert p.widget is not None and p.errors == []
