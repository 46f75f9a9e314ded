"""The live panels, driven without a browser: set a control, look at the picture.

Setting a widget's ``value`` from Python runs its observers synchronously, exactly what
happens when the browser sends the change, so these tests exercise the real callbacks.
"""
import subprocess
import sys

import numpy as np
import pytest

from boundary_checks import (assert_boundary_through_playback, assert_contour_boundary, assert_no_boundary,
                             assert_straight_boundary)
from browser import VOILA_TEST_ARGS, browser, page, wait_for_new_src  # noqa: F401 (fixtures)
from course_utils import experiments as ex
from course_utils.widgets import CONTROLS, GridWarpPanel, PiecesPanel, TinyNetPanel, TrainingPanel

# A different valid value for every control of the scenario-3 preset.
NEW_VALUES = {
    "dataset": "xor", "noise": 20, "activation": "tanh", "layers": 2, "neurons": 3,
    "learning_rate": 0.3, "optimizer": "adam", "epochs": 100, "seed": 7,
}


@pytest.fixture
def panel():
    return TrainingPanel("scenario2")


def test_every_control_is_tested():
    assert set(NEW_VALUES) == set(CONTROLS)


def test_starts_trained_with_a_picture_and_a_status(panel):
    assert panel.errors == []
    assert panel.run.epoch == panel.settings.epochs
    assert panel.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "final loss" in panel.status.value


@pytest.mark.parametrize("name", CONTROLS)
def test_changing_a_control_retrains_and_redraws(name):
    # Scenario 3: there every control changes the trained boundary. (In scenario 2 most
    # of them do not - every linear network converges to the same line: the lesson.)
    panel = TrainingPanel("scenario3")
    heat_before = panel.view.heatmap_values().copy()
    png_before = panel.image.value
    redraws = panel.redraws
    panel.controls[name].value = NEW_VALUES[name]
    assert panel.errors == []
    assert panel.redraws == redraws + 1
    assert panel.image.value != png_before
    s = panel.run.settings
    expected = {"noise": NEW_VALUES["noise"] / 100, "layers": 2, "neurons": 3}
    if name == "layers":
        assert len(s.hidden) == 2
    elif name == "neurons":
        assert set(s.hidden) == {3}
    else:
        assert getattr(s, name) == expected.get(name, NEW_VALUES[name])
    if name not in ("epochs",):  # fewer epochs changes the curves; the boundary barely moves
        assert not np.allclose(panel.view.heatmap_values(), heat_before, atol=1e-3)


def test_linear_to_sigmoid_solves_the_circle(panel):
    assert panel.final()["train_loss"] > 0.6
    panel.controls["activation"].value = "sigmoid"
    assert panel.final()["train_loss"] < 0.3
    assert panel.final()["test_accuracy"] > 0.95


def test_fifty_rapid_changes_end_showing_the_last_value(panel):
    values = [5 * (i % 11) for i in range(50)]  # 0..50 %, ending on 45
    for v in values:
        panel.controls["noise"].value = v
    assert panel.errors == []
    assert panel.settings.noise == pytest.approx(values[-1] / 100)
    fresh = TrainingPanel("scenario2", noise=values[-1] / 100)
    np.testing.assert_array_equal(panel.view.heatmap_values(), fresh.view.heatmap_values())
    assert panel.image.value == fresh.image.value
    assert panel.status.value == fresh.status.value


def test_set_changes_several_controls_with_one_retrain(panel):
    redraws = panel.redraws
    panel.set(activation="tanh", layers=2, neurons=4)
    assert panel.redraws == redraws + 1
    assert panel.run.settings.hidden == (4, 4) and panel.run.settings.activation == "tanh"
    with pytest.raises(ValueError, match="Controls: dataset"):
        panel.set(colour="red")


def test_play_trains_on_each_tick_and_pause_ignores_late_ticks(panel):
    start = panel.run.epoch
    panel.play()
    assert panel.playing and panel.timer.playing
    assert panel.play_button.description == "Pause"
    for _ in range(3):
        png = panel.image.value
        panel.timer.value += 1  # what the browser's timer sends
        assert panel.image.value != png
    assert panel.run.epoch == start + 3 * panel.epochs_per_frame
    assert f"epoch {panel.run.epoch}" in panel.status.value
    panel.pause()
    assert not panel.playing and not panel.timer.playing
    png = panel.image.value
    for _ in range(5):  # ticks already in flight when Pause was pressed
        panel.timer.value += 1
    assert panel.run.epoch == start + 3 * panel.epochs_per_frame
    assert panel.image.value == png


def test_step_trains_a_few_epochs_and_pauses(panel):
    panel.play()
    start = panel.run.epoch
    panel.step()
    assert not panel.playing
    assert panel.run.epoch == start + panel.epochs_per_frame


def test_reset_returns_to_the_same_initial_weights(panel):
    first = [(W.copy(), b.copy()) for W, b in ex.prepare(panel.settings).net.params]
    panel.step()
    panel.reset()
    assert panel.run.epoch == 0 and not panel.playing
    for (W, b), (W0, b0) in zip(panel.run.net.params, first):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)
    assert "epoch 0" in panel.status.value


def test_play_from_reset_retraces_the_one_shot_run():
    panel = TrainingPanel("scenario3", epochs_per_frame=50)
    trained = panel.run.net.get_params()
    panel.reset()
    panel.play()
    for _ in range(panel.settings.epochs // 50):
        panel.tick()
    assert panel.run.epoch == panel.settings.epochs
    for (W, b), (W1, b1) in zip(panel.run.net.params, trained):
        np.testing.assert_allclose(W, W1, rtol=0, atol=1e-12)
        np.testing.assert_allclose(b, b1, rtol=0, atol=1e-12)


def test_divergence_is_reported_in_words_not_drawn_as_nan(panel):
    panel.controls["learning_rate"].value = 10.0
    assert panel.run.history.diverged
    assert "diverged" in panel.status.value and "learning rate" in panel.status.value
    assert "nan" not in panel.status.value.lower().replace("nan (not a number)", "")
    assert np.isfinite(panel.view.heatmap_values()).all()
    assert panel.view.alert.get_visible()
    panel.play()  # refused, with a reason
    assert not panel.playing and "Reset" in panel.status.value
    panel.controls["learning_rate"].value = 1.0
    assert not panel.run.history.diverged and not panel.view.alert.get_visible()


# ---------------------------------------------------------------------------- the boundary drawn live (#10 §2)
def _assert_panel_boundary(panel):
    """The boundary the panel draws now is its network's: the exact line, or the 0.5 contour."""
    drawn = panel.view.boundary_artists()
    if panel.run.settings.activation == "linear":
        return assert_straight_boundary(drawn, panel.run.net, panel.run.settings.features)
    return assert_contour_boundary(drawn, panel.run.predict_proba, panel.resolution)


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
def test_the_boundary_is_drawn_on_every_frame(activation):
    panel = TrainingPanel("scenario2", activation=activation)
    first = assert_boundary_through_playback(panel, _assert_panel_boundary)
    panel.controls["neurons"].value = 3  # a control change retrains
    now = _assert_panel_boundary(panel)
    panel.controls["layers"].value = 3
    _assert_panel_boundary(panel)
    if activation == "linear":  # one Line2D, moved in place on every frame
        assert now is first and panel.view.boundary["line"] is first
    assert panel.errors == []


def test_scenario2_shows_its_straight_line_while_controls_change(panel):
    # The lesson: whatever the learner drags, the boundary stays one straight line.
    # (Often the very same line: every linear network has the same single optimum.)
    line = _assert_panel_boundary(panel)
    for name, value in [("noise", 10), ("learning_rate", 0.3), ("layers", 3), ("neurons", 2), ("seed", 5),
                        ("optimizer", "adam"), ("epochs", 100)]:
        panel.controls[name].value = value
        assert not panel.run.history.diverged
        assert _assert_panel_boundary(panel) is line  # the current network's line, moved in place
    panel.controls["activation"].value = "sigmoid"  # now it bends
    _assert_panel_boundary(panel)
    assert not panel.view.boundary["line"].get_visible()
    panel.controls["activation"].value = "linear"  # and back to the line, in place
    assert _assert_panel_boundary(panel) is line and panel.view.boundary["contour"] is None


def test_with_squared_inputs_a_linear_network_has_a_curved_boundary():
    panel = TrainingPanel("features")  # linear activation, inputs x1, x2, x1^2, x2^2: a ring
    assert_contour_boundary(panel.view.boundary_artists(), panel.run.predict_proba, panel.resolution)
    panel.set(features=("x1",))  # x1 alone: the line x1 = constant
    line = assert_straight_boundary(panel.view.boundary_artists(), panel.run.net, ("x1",))
    assert np.ptp(line.get_xdata()) < 1e-9


def test_a_nan_network_draws_no_boundary_and_says_why(panel):
    panel.run.net.set_params([(np.full_like(W, np.nan), np.full_like(b, np.nan)) for W, b in panel.run.net.params])
    panel.step()  # must not raise
    assert panel.errors == []
    assert_no_boundary(panel.view.boundary_artists())
    assert "diverged" in panel.status.value and panel.view.alert.get_visible()
    panel.reset()  # the same initial weights: the line is back
    _assert_panel_boundary(panel)


def test_a_diverged_run_draws_no_boundary(panel):
    panel.controls["learning_rate"].value = 10.0
    assert panel.run.history.diverged
    assert_no_boundary(panel.view.boundary_artists())
    panel.controls["learning_rate"].value = 1.0
    _assert_panel_boundary(panel)


def test_a_bad_choice_is_shown_in_the_panel_and_keeps_the_last_picture():
    panel = TrainingPanel("features")
    png = panel.image.value
    panel.set(features=())
    assert panel.errors and "Choose at least one input feature" in panel.status.value
    # Said in words: a glyph such as U+26D4 is an empty box with Debian's browser fonts.
    assert ">Error: Choose at least one" in panel.status.value and "\u26d4" not in panel.status.value
    assert panel.image.value == png
    panel.feature_boxes["x1"].value = True  # recovers
    assert "final loss" in panel.status.value


def test_an_unexpected_error_in_a_callback_is_shown_not_lost(panel, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ex, "advance", broken)
    panel.controls["seed"].value = 3
    assert "Something went wrong" in panel.status.value and "disk on fire" in panel.status.value


def test_bad_arguments_name_the_valid_choices():
    with pytest.raises(ValueError, match="scenario1"):
        TrainingPanel("scenario9")
    with pytest.raises(ValueError, match="controls are: dataset"):
        TrainingPanel(hide=["colour"])


def test_hidden_controls_are_left_out_of_the_layout():
    panel = TrainingPanel("scenario2", hide=["dataset", "optimizer"])
    shown = [w for row in panel.widget.children for w in getattr(row, "children", [])]
    assert panel.controls["dataset"] not in shown and panel.controls["activation"] in shown


def test_panels_display_as_one_widget_and_never_through_pyplot():
    code = ("import sys; from course_utils.widgets import TrainingPanel, TinyNetPanel, GridWarpPanel; "
            "b = TrainingPanel('scenario1')._repr_mimebundle_(); TinyNetPanel(); GridWarpPanel(); "
            "print('application/vnd.jupyter.widget-view+json' in b, 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False"]


def test_keyboard_usable_controls(panel):
    # Sliders update on release/keypress (not on every pixel of a drag) and every button has a label.
    for name in ("noise", "layers", "neurons", "learning_rate", "epochs"):
        assert panel.controls[name].continuous_update is False
    for button in (panel.play_button, panel.step_button, panel.reset_button, panel.regenerate_button):
        assert button.description and button.tooltip


def test_new_data_changes_the_points_not_the_settings(panel):
    before = panel.run.X_train.copy()
    panel.regenerate_button.click()
    assert panel.errors == []
    assert not np.array_equal(panel.run.X_train, before)
    assert panel.run.settings.dataset == "circle" and panel.run.settings.data_seed == 1


# ---------------------------------------------------------------------------- notebook 01
def test_grid_panel_keeps_lines_straight_only_when_linear():
    p = GridWarpPanel(depth=3, activation="linear")
    assert "straight" in p.status.value
    png = p.image.value
    p.activation.value = "tanh"
    assert "bend" in p.status.value and p.image.value != png
    p.depth.value = 5
    p.activation.value = "linear"
    assert "still straight" in p.status.value
    assert p.errors == []


def test_grid_panel_says_when_relu_squashes_the_grid_flat():
    p = GridWarpPanel(depth=3, activation="relu", seed=2)  # one unit is 0 over the whole grid
    assert "squashed onto a line" in p.status.value and "still straight" not in p.status.value
    p.seed.value = 0
    assert "bend" in p.status.value
    assert p.errors == []


def test_tiny_net_boundary_line_is_where_the_network_says_one_half():
    p = TinyNetPanel()
    for key, value in {"w11": -1.3, "v2": 0.7, "c": -0.4}.items():
        before = p.line.get_xydata().copy()
        p.sliders[key].value = value
        assert not np.allclose(p.line.get_xydata(), before)
    W, b = p.collapsed()
    (x0, y0), (x1, y1) = p.line.get_xydata()
    points = np.array([[x0, y0], [(x0 + x1) / 2, (y0 + y1) / 2], [x1, y1]])
    np.testing.assert_allclose(p.net.predict_proba(points), 0.5, atol=1e-9)
    assert f"{W[0, 0]:.2f}" in p.formula.value and f"{b[0]:.2f}" in p.formula.value
    assert p.errors == []


# ---------------------------------------------------------------------------- in a real browser
@pytest.mark.browser
@pytest.mark.slow
# ---------------------------------------------------------------------------- notebook 05: pieces
def test_moving_one_piece_moves_its_kink_and_refits_the_weights():
    p = PiecesPanel(k=3, target="x^2")
    lines = list(p.ax.lines)
    png, weights_before = p.image.value, p.pieces.weights.copy()
    p.piece.value = 2
    assert p.at.value == pytest.approx(-1.0) and p.at.description == "kink at"
    assert p.artists["pieces"][1].get_linewidth() > p.artists["pieces"][0].get_linewidth()  # the chosen one is bold
    p.at.value = -0.5
    assert p.pieces.knots.tolist() == [-3.0, -0.5, 1.0]
    ramp = p.artists["pieces"][1].get_ydata()
    assert np.all(ramp[p.pieces.x < -0.5] == 0) and ramp[-1] != 0  # the bold line starts at the new kink
    assert not np.allclose(p.pieces.weights, weights_before)  # least squares followed the kink
    assert p.weight.value == pytest.approx(p.pieces.weights[1]) and p.weight.disabled
    assert p.image.value != png and list(p.ax.lines) == lines  # the same artists, moved
    assert "kink at -0.50" in p.status.value and "(fitted)" in p.status.value and not p.errors


def test_weights_by_hand_are_kept_and_shown():
    p = PiecesPanel(k=3)
    p.weight.value = 5.0  # while the weights are fitted the slider only shows them
    assert p.pieces.weights[0] != 5.0
    p.fit.value = False
    assert not p.weight.disabled and "(set by hand)" in p.status.value
    kept = p.pieces.weights.copy()
    p.piece.value = 3
    p.weight.value = 0.0
    assert p.pieces.weights.tolist() == [kept[0], kept[1], 0.0]
    assert np.all(p.artists["pieces"][2].get_ydata() == 0)  # a zero weight: the piece lies flat
    p.piece.value = 1
    assert p.weight.value == pytest.approx(kept[0])  # the slider shows the chosen piece's weight
    p.at.value = 0.0  # moving a knot by hand keeps the hand weights
    assert p.pieces.weights.tolist() == [kept[0], kept[1], 0.0]
    p.fit.value = True
    assert p.pieces.weights[2] != 0.0 and "(fitted)" in p.status.value and not p.errors


def test_a_new_k_unit_or_target_starts_from_even_knots():
    p = PiecesPanel(k=6)
    p.piece.value = 6
    p.at.value = 0.0
    p.k.value = 4
    assert p.piece.max == 4 and p.piece.value == 4 and len(p.pieces.knots) == 4
    assert p.pieces.knots.tolist() == [-3.0, -1.5, 0.0, 1.5]
    p.unit.value = "sigmoid"
    assert p.at.description == "step at" and p.pieces.knots.tolist() == [-2.25, -0.75, 0.75, 2.25]
    assert sum(line.get_visible() for line in p.artists["pieces"]) == 4 and not p.errors


def test_a_large_fitted_weight_widens_the_weight_slider_instead_of_clamping():
    p = PiecesPanel(k=2, unit="sigmoid", target="x^2")  # a U from two steps: down 12, then up 12
    assert abs(p.pieces.weights[0]) > 10 and p.weight.max >= abs(p.pieces.weights[0])
    assert p.weight.value == pytest.approx(p.pieces.weights[0]) and not p.errors


def test_a_pieces_error_is_shown_in_words_and_keeps_the_picture():
    p = PiecesPanel(k=3)
    png = p.image.value
    p.knots[1] = 7.0  # as if a slider had let it past the domain
    p.at.value = 0.25  # the next move of piece 1 refits with the bad knot of piece 2
    assert "kink of piece 2 is at 7, outside [-3, 3]" in p.status.value and "Error: " in p.status.value
    assert p.image.value == png


def test_pieces_panel_is_keyboard_usable():
    p = PiecesPanel()
    controls = (p.k, p.unit, p.target, p.piece, p.at, p.weight, p.fit)
    shown = [w for row in p.widget.children for w in getattr(row, "children", [])]
    assert all(c in shown and c.description for c in controls)


def test_play_pause_reset_in_voila(page):  # noqa: F811 - `page` is the fixture from tests/browser.py
    """Play runs on the browser's timer (the hidden ipywidgets.Play): only a browser shows it."""
    import re
    import time

    from servers import voila_server

    def epoch():
        page.wait_for_selector(".training-panel-status [role=status]")
        m = re.search(r"epoch (\d+)", page.locator(".training-panel-status").inner_text())
        return int(m.group(1)) if m else -1

    with voila_server("notebooks/02_scenario1_gauss.ipynb", VOILA_TEST_ARGS) as url:
        page.goto(url, wait_until="domcontentloaded")
        first = wait_for_new_src(page, ".training-panel-image", None, 240_000)
        assert epoch() == 300
        page.get_by_role("button", name="Play").click()
        page.wait_for_function("() => /epoch (3[3-9]\\d|[4-9]\\d\\d|\\d{4})/.test("
                               "document.querySelector('.training-panel-status').innerText)", timeout=60_000)
        assert page.locator(".training-panel-image").get_attribute("src") != first
        page.get_by_role("button", name="Pause").click()
        # The button reads "Play" again once the kernel has handled Pause - and with it every
        # tick queued before it; after that the epoch must not move.
        page.get_by_role("button", name="Play").wait_for()
        paused_at = epoch()
        time.sleep(1.5)
        assert epoch() == paused_at > 300
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function("() => document.querySelector('.training-panel-status').innerText"
                               ".includes('epoch 0')")
        page.keyboard.press("Tab")  # the controls are reachable from the keyboard
        page.console.assert_clean()


def test_play_refuses_to_train_the_old_run_while_the_controls_are_invalid():
    panel = TrainingPanel("features", epochs=50)
    epoch = panel.run.epoch
    panel.set(features=())  # no input at all: the controls no longer describe a network
    panel.play()
    panel.tick()
    assert not panel.playing and panel.run.epoch == epoch
    assert "could not be used" in panel.status.value
    panel.feature_boxes["x1"].value = True  # a valid setting again: Play works
    panel.play()
    panel.tick()
    assert panel.playing and panel.run.epoch == panel.settings.epochs + panel.epochs_per_frame


def test_an_error_during_play_pauses_instead_of_repeating(panel, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    panel.play()
    monkeypatch.setattr(ex, "advance", broken)
    panel.tick()
    panel.tick()
    assert not panel.playing and len(panel.errors) == 1
