"""Plot helpers (``ax`` in, artists out, updated in place) and the geometry they draw."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgba

from course_utils import History, MLP, collapse, grid
from course_utils import experiments as ex
from course_utils import plots
from course_utils.plots.style import CLASS_COLOURS


@pytest.fixture(scope="module")
def run3():
    return ex.run_scenario("scenario3")


def _history(losses, accs):
    h = History()
    h._reserve(len(losses))
    for loss, acc in zip(losses, accs):
        h._record(loss, acc, loss + 0.01, acc)
    return h


# ---------------------------------------------------------------------------- boundary
def test_heatmap_draws_the_given_array_and_updates_in_place():
    fig, ax = plots.new_figure()
    values = np.linspace(0, 1, 100 * 100).reshape(100, 100)
    image = plots.draw_heatmap(ax, values)
    assert image in ax.images and np.array_equal(image.get_array(), values)
    assert image.get_extent() == [-6.0, 6.0, -6.0, 6.0]
    assert ax.get_xlabel() == "x1" and ax.get_ylabel() == "x2"
    plots.update_heatmap(image, 1 - values)
    assert len(ax.images) == 1 and np.array_equal(image.get_array(), 1 - values)


def test_points_take_the_class_colours_and_test_points_another_shape():
    fig, ax = plots.new_figure()
    X = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    y = np.array([0, 1, 1])
    train = plots.draw_points(ax, X, y)
    test = plots.draw_points(ax, X, y, test=True)
    np.testing.assert_array_equal(train.get_offsets(), X)
    face = train.get_facecolor()
    assert tuple(face[0]) == to_rgba(CLASS_COLOURS[0]) and tuple(face[1]) == to_rgba(CLASS_COLOURS[1])
    assert not np.array_equal(train.get_paths()[0].vertices, test.get_paths()[0].vertices)
    plots.update_points(train, X[:2] + 1, y[:2][::-1])
    np.testing.assert_array_equal(train.get_offsets(), X[:2] + 1)
    assert tuple(train.get_facecolor()[0]) == to_rgba(CLASS_COLOURS[1])


def test_class_colours_differ_on_the_blue_yellow_axis():
    # Red/green pairs differ mostly in red vs green, which the commonest colour-vision
    # deficiencies confuse; blue vs orange differ strongly in the blue channel.
    (_, _, b0, _), (_, _, b1, _) = (to_rgba(c) for c in CLASS_COLOURS)
    assert abs(b0 - b1) > 0.4


def test_boundary_line_lies_where_the_linear_score_is_zero():
    fig, ax = plots.new_figure()
    w, b = np.array([0.5, -2.0]), np.array([1.0])
    line = plots.draw_line(ax, w, b)
    xy = line.get_xydata()
    np.testing.assert_allclose(xy @ w + b, 0.0, atol=1e-12)
    plots.update_line(line, np.array([3.0, 0.0]), np.array([-3.0]))  # the vertical line x1 = 1
    np.testing.assert_allclose(line.get_xydata()[:, 0], 1.0)


# ---------------------------------------------------------------------------- curves
def test_curves_follow_the_history_and_rescale():
    fig, (a1, a2) = plots.new_figure(ncols=2)
    lines = plots.draw_curves(a1, a2, max_epochs=300)
    assert set(lines) == {"train_loss", "test_loss", "train_accuracy", "test_accuracy"}
    h = _history([2.6, 1.0, 0.5], [0.5, 0.75, 1.0])
    plots.update_curves(lines, h, max_epochs=300)
    x, yv = lines["train_loss"].get_data()
    np.testing.assert_array_equal(x, [1, 2, 3]) and np.testing.assert_array_equal(yv, [2.6, 1.0, 0.5])
    np.testing.assert_array_equal(lines["train_accuracy"].get_ydata(), [50, 75, 100])
    assert a1.get_ylim()[1] >= 2.61 and a1.get_xlim() == (0, 300)
    assert a1.get_xlabel() == "epoch" and "loss" in a1.get_ylabel() and "%" in a2.get_ylabel()
    assert a1.get_legend() is not None and a2.get_legend() is not None
    long = _history([0.5] * 700, [0.9] * 700)
    plots.update_curves(lines, long, max_epochs=300)
    assert a1.get_xlim()[1] >= 700


def test_an_exploding_loss_is_capped_on_the_chart():
    fig, (a1, a2) = plots.new_figure(ncols=2)
    lines = plots.draw_curves(a1, a2)
    plots.update_curves(lines, _history([0.7, 1e30, 0.6], [0.5, 0.5, 0.5]))
    assert a1.get_ylim()[1] <= 5.0


# ---------------------------------------------------------------------------- figures
def test_scenario_figure_is_labelled(run3):
    fig, artists = plots.scenario_figure(run3, ex.probability_grid(run3))
    ax_b, ax_l, ax_a = fig.axes[:3]
    for ax in (ax_b, ax_l, ax_a):
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    assert artists["boundary"] is not None  # scenario 3 has a boundary inside the square
    assert "sigmoid" in ax_b.get_title()


def test_comparison_figure_shares_scales(run3):
    run2 = ex.run_scenario("scenario2")
    fig, artists = plots.comparison_figure([run2, run3], [ex.probability_grid(r) for r in (run2, run3)],
                                           ["linear", "sigmoid"])
    loss_axes = [a["train_loss"].axes for a in artists]
    assert loss_axes[0].get_ylim() == loss_axes[1].get_ylim()
    assert loss_axes[0].get_xlim() == loss_axes[1].get_xlim()


def test_png_has_no_version_stamp(run3):
    fig, _ = plots.scenario_figure(run3, ex.probability_grid(run3))
    png = plots.figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"Matplotlib" not in png
    assert plots.figure_png(fig) == png  # same figure, same bytes


@pytest.mark.parametrize("max_epochs", [300, 1000])
def test_training_view_blits_the_same_picture_as_a_full_redraw(run3, max_epochs):
    view = plots.TrainingView()
    view.show_data(run3.X_train, run3.y_train, run3.X_test, run3.y_test)
    view.update(ex.probability_grid(run3), _history([2.6, 0.5], [0.5, 0.5]), max_epochs=300)
    view.render()  # first frame, other axis ranges
    view.update(ex.probability_grid(run3), run3.history, max_epochs=max_epochs)
    view.render()  # the curve axes changed range: redrawn into the frame
    blitted = view.render().copy()  # restores the cached frame
    assert view.frames_redrawn == 2
    for artist in view._animated:
        artist.set_animated(False)
    view.canvas.draw()
    full = np.asarray(view.canvas.buffer_rgba())
    differing = np.any(np.abs(blitted.astype(int) - full.astype(int)) > 8, axis=-1).mean()
    assert differing < 0.01, f"{differing:.1%} of the pixels differ"


def test_training_view_changes_pixels_and_keeps_its_frame(run3):
    view = plots.TrainingView()
    grid_values = ex.probability_grid(run3)
    view.update(grid_values, run3.history, max_epochs=300)
    a = view.png()
    view.update(1 - grid_values, run3.history, max_epochs=300)
    b = view.png()
    assert a != b and view.frames_redrawn == 1
    np.testing.assert_array_equal(view.heatmap_values(), 1 - grid_values)
    view.update(grid_values, run3.history, max_epochs=300, alert="training diverged")
    assert view.alert.get_visible() and view.alert.get_text() == "training diverged"


# ---------------------------------------------------------------------------- geometry (course_utils.grid)
@pytest.mark.parametrize("depth", [1, 3, 8])
def test_linear_layers_keep_lines_straight_and_parallel(depth):
    lines = grid.grid_lines()
    out = grid.warp(lines, grid.random_layers(depth, seed=depth), "linear")
    assert grid.straightness(out).max() < 1e-9
    assert grid.parallelism(out) < 1e-9


@pytest.mark.parametrize("activation, depth", [("tanh", 3), ("sigmoid", 3), ("gelu", 3), ("relu", 1)])
def test_nonlinear_layers_bend_the_grid(activation, depth):
    lines = grid.grid_lines()
    out = grid.warp(lines, grid.random_layers(depth, seed=2), activation)
    assert grid.straightness(out).max() > 1e-3


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(1, 10), seed=st.integers(0, 2**32 - 1))
def test_any_stack_of_linear_layers_is_affine(depth, seed):
    lines = grid.grid_lines(n_lines=4, n_points=9)
    layers = grid.random_layers(depth, seed=seed)
    out = grid.warp(lines, layers, "linear")
    assert grid.straightness(out).max() < 1e-9 and grid.parallelism(out) < 1e-9
    # and it is the single affine map W = W1 W2 ..., b = (b1 W2 + b2) ...
    W, b = np.eye(2), np.zeros(2)
    for Wl, bl in layers:
        W, b = W @ Wl, b @ Wl + bl
    np.testing.assert_allclose(out, lines @ W + b, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(out).max()))


def test_warp_stages_and_shapes():
    lines = grid.grid_lines(n_lines=5, n_points=7)
    assert lines.shape == (10, 7, 2)
    stages = grid.warp_stages(lines, grid.random_layers(2, seed=0), "tanh")
    assert len(stages) == 3 and all(s.shape == lines.shape for s in stages)
    assert np.array_equal(stages[0], lines)


def test_grid_errors_name_the_problem():
    with pytest.raises(ValueError, match="depth"):
        grid.random_layers(0)
    with pytest.raises(ValueError, match="Choose one of"):
        grid.warp(grid.grid_lines(), grid.random_layers(1), "swish-ish")
    with pytest.raises(ValueError, match="resolution"):
        grid.heatmap_points(1)


def test_same_seed_same_layers():
    a, b = grid.random_layers(3, seed=5), grid.random_layers(3, seed=5)
    assert all(np.array_equal(W1, W2) and np.array_equal(b1, b2) for (W1, b1), (W2, b2) in zip(a, b))


def test_heatmap_grid_orientation():
    # rows are x2 from the bottom, columns x1 from the left
    values = grid.heatmap_grid(lambda X: X[:, 0] + 10 * X[:, 1], resolution=4)
    assert values[0, 0] < values[0, -1] < values[-1, 0]


def test_the_collapsed_line_is_the_linear_networks_boundary():
    net = MLP([2, 3, 3, 1], "linear", seed=4)
    W, b = collapse(net)
    fig, ax = plots.new_figure()
    xy = plots.draw_line(ax, W[:, 0], b).get_xydata()
    np.testing.assert_allclose(net.predict_proba(xy), 0.5, atol=1e-9)


def test_training_view_reuses_frames_for_ranges_seen_before(run3):
    view = plots.TrainingView()
    g = ex.probability_grid(run3)
    pictures = []
    for max_epochs in (300, 1000, 300):
        view.update(g, run3.history, max_epochs=max_epochs)
        pictures.append(view.png())
    assert pictures[0] == pictures[2] and pictures[0] != pictures[1]
    assert view.frames_redrawn == 2


# ---------------------------------------------------------------------------- one loss scale
def test_scenario_figures_share_one_loss_scale_with_ln2_marked(run3):
    fig, artists = plots.scenario_figure(run3, ex.probability_grid(run3, 20))
    ax = artists["train_loss"].axes
    assert ax.get_ylim() == (0.0, plots.LOSS_SCALE) == (0.0, 1.0)
    assert any(np.allclose(line.get_ydata(), plots.LN2) for line in ax.lines if len(line.get_ydata()) == 2)
    assert not artists["clip_note"].get_visible()  # scenario 3 never goes above 1
    assert len(artists["train_loss_clipped"].get_xdata()) == 0


def test_a_loss_above_the_scale_is_clipped_at_the_top_and_said_in_words():
    fig, (a1, a2) = plots.new_figure(ncols=2)
    lines = plots.draw_curves(a1, a2, loss_max=1.0)
    h = _history([0.7, 1.06, 1.2, 0.6], [0.5] * 4)  # test loss = train + 0.01
    plots.update_curves(lines, h)
    assert a1.get_ylim() == (0.0, 1.0)  # not rescaled
    x, yv = lines["train_loss_clipped"].get_data()
    np.testing.assert_array_equal(x, [2, 3]) and np.testing.assert_array_equal(yv, [1.0, 1.0])
    note = lines["clip_note"]
    assert note.get_visible() and "train loss > 1 at epochs 2-3 (peak 1.20 at epoch 3), clipped" in note.get_text()
    assert "test loss" in note.get_text()
    plots.update_curves(lines, _history([0.7, 0.6], [0.5, 0.5]))
    assert not note.get_visible() and len(lines["train_loss_clipped"].get_xdata()) == 0


def test_scenario_2_spikes_above_1_early_and_its_figure_says_so():
    run2 = ex.run_scenario("scenario2")
    loss = run2.history.train_loss
    assert 1.0 < loss.max() < 1.1 and int(np.argmax(loss)) + 1 == 3  # lr 1 overshoots for a few epochs
    fig, artists = plots.scenario_figure(run2, ex.probability_grid(run2, 20))
    assert artists["clip_note"].get_visible() and "epoch 3" in artists["clip_note"].get_text()
    assert artists["train_loss"].axes.get_ylim() == (0.0, 1.0)


def test_scenario_and_comparison_figures_take_a_takeaway_title():
    from course_utils import experiments as ex

    run = ex.run_scenario("scenario1", epochs=3)
    grid = ex.probability_grid(run, resolution=20)
    fig, _ = plots.scenario_figure(run, grid, takeaway="A line is all this data needs")
    assert fig._suptitle is not None and fig._suptitle.get_text() == "A line is all this data needs"
    assert fig.axes[0].get_title().replace("\n", " ") == plots.describe(run.settings)  # the settings stay
    fig, _ = plots.comparison_figure([run, run], [grid, grid], ["a", "b"], takeaway="same twice")
    assert fig._suptitle.get_text() == "same twice"
    fig, _ = plots.scenario_figure(run, grid)
    assert fig._suptitle is None


def test_a_long_settings_title_is_wrapped_inside_the_figure():
    from course_utils import experiments as ex

    run = ex.run_scenario("features", epochs=2)
    fig, _ = plots.scenario_figure(run, ex.probability_grid(run, resolution=20), takeaway="an ellipse")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    title = fig.axes[0].title
    box = title.get_window_extent(renderer)
    assert "\n" in title.get_text()  # too long for one line over the boundary panel
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width


# ---------------------------------------------------------------------------- the live boundary (#10 §2)
def _pixel(view, x1, x2):
    """The RGB of the rendered picture at data point (x1, x2) of the boundary axes, darkest of a 3x3 patch."""
    pixels = view.render()
    px, py = view.ax_boundary.transData.transform((x1, x2))
    row, col = int(round(pixels.shape[0] - py)), int(round(px))
    return pixels[row - 1:row + 2, col - 1:col + 2, :3].reshape(-1, 3).min(axis=0)


def test_live_boundary_moves_a_line_in_place_and_replaces_a_contour():
    fig, ax = plots.new_figure()
    art = plots.draw_live_boundary(ax, line=(np.array([1.0, 2.0]), 0.5))
    (line,) = plots.live_boundary_artists(art)
    assert line.get_label() == "decision boundary" and line.get_color() == "black" and line.get_linewidth() == 2
    plots.update_live_boundary(art, line=(np.array([0.0, 1.0]), -1.0))  # the line x2 = 1
    assert plots.live_boundary_artists(art) == [line]
    np.testing.assert_allclose(line.get_ydata(), 1.0)
    values = grid.heatmap_grid(lambda X: (X[:, 0] > 1.0).astype(float), 40)
    plots.update_live_boundary(art, values=values)
    (contour,) = plots.live_boundary_artists(art)
    assert not line.get_visible() and contour in ax.get_children()
    plots.update_live_boundary(art, values=values)  # the old contour is removed, not piled up
    assert contour not in ax.get_children() and len(plots.live_boundary_artists(art)) == 1
    for nothing in ({}, {"values": np.full((40, 40), np.nan)}, {"line": (np.array([np.nan, 1.0]), 0.0)},
                    {"values": np.full((40, 40), 0.9)}):
        plots.update_live_boundary(art, **nothing)
        assert plots.live_boundary_artists(art) == []
    assert not any(type(a).__name__.endswith("ContourSet") for a in ax.get_children())


def test_training_view_draws_the_boundary_into_the_picture(run3):
    run2 = ex.run_scenario("scenario2")
    view = plots.TrainingView()
    view.show_data(run2.X_train, run2.y_train, run2.X_test, run2.y_test)
    line = ex.decision_line(run2.net, run2.settings.features)
    view.update(ex.probability_grid(run2), run2.history, max_epochs=300, line=line)
    (drawn,) = view.boundary_artists()
    mid = drawn.get_xydata().mean(axis=0)  # inside the square for scenario 2's line
    assert np.abs(mid).max() < 6 and _pixel(view, *mid).max() < 60  # black where the line is
    view.update(ex.probability_grid(run3), run3.history, max_epochs=300)  # no line: the contour
    (contour,) = view.boundary_artists()
    x, y = contour.get_paths()[0].vertices[0]
    assert _pixel(view, x, y).max() < 60
    view.update(ex.probability_grid(run3), run3.history, max_epochs=300, alert="training diverged",
                boundary=False)
    assert view.boundary_artists() == []
    labels = [t.get_text() for t in view.ax_boundary.get_legend().get_texts()]
    assert "decision boundary" in labels


def test_decision_line_is_the_collapsed_networks_line_in_the_plane():
    net = MLP([2, 4, 3, 1], "linear", seed=2)
    w, b = ex.decision_line(net)
    W, b0 = collapse(net)
    np.testing.assert_allclose(w, W[:, 0]) and np.testing.assert_allclose(b, b0[0])
    swapped = MLP([2, 3, 1], "linear", seed=3)  # inputs in the order (x2, x1)
    w, b = ex.decision_line(swapped, ("x2", "x1"))
    P = np.array([[1.0, 2.0], [-3.0, 0.5]])
    np.testing.assert_allclose(P @ w + b, swapped.logits(P[:, ::-1]))
    assert ex.decision_line(MLP([2, 3, 1], "tanh", seed=0)) is None  # bends
    assert ex.decision_line(MLP([4, 3, 1], "linear", seed=0), ("x1", "x2", "x1^2", "x2^2")) is None
    assert ex.decision_line(MLP([2, 3, 1], "linear", seed=0, output="linear")) is None  # regression
    assert ex.decision_line(MLP([2, 1], "relu", seed=0)) is not None  # no hidden layer: logistic regression
    nan = MLP([2, 3, 1], "linear", seed=0)
    nan.set_params([(W * np.nan, b) for W, b in nan.params])
    assert ex.decision_line(nan) is None


def test_grid_figure_takes_a_takeaway_title():
    lines = grid.grid_lines()
    fig, colls = plots.grid_figure({"input grid": lines, "again": lines}, takeaway="what to see")
    assert fig._suptitle.get_text() == "what to see" and len(colls) == 2
