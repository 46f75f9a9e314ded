"""Plot helpers (``ax`` in, artists out, updated in place) and the geometry they draw."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_rgba

from course_utils import ACTIVATIONS, History, MLP, collapse, grid
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


def test_a_log_epoch_axis_gives_the_first_epochs_room():
    fig, (a1, a2) = plots.new_figure(ncols=2)
    lines = plots.draw_curves(a1, a2, max_epochs=300, epoch_scale="log")
    h = _history([0.43, 0.007, 0.006], [1.0, 1.0, 1.0])
    plots.update_curves(lines, h, max_epochs=300)
    for ax in (a1, a2):
        assert ax.get_xscale() == "log" and ax.get_xlim() == (1, 300) and "log" in ax.get_xlabel()
    np.testing.assert_array_equal(lines["train_loss"].get_xdata(), [1, 2, 3])  # the same data
    # Epochs 1-2 take a tenth of the axis' width (a 300th on a linear one).
    x0, x2 = a1.transAxes.inverted().transform(a1.transData.transform([[1, 0], [2, 0]]))[:, 0]
    assert x2 - x0 > 0.1
    fig.canvas.draw()
    labels = [t.get_text() for t in a1.get_xticklabels() if t.get_visible() and t.get_text()]
    assert {"1", "10", "100"} <= set(labels)  # plain numbers, not 10^k
    plots.update_curves(lines, _history([0.5] * 700, [0.9] * 700), max_epochs=300)
    assert a1.get_xlim()[0] == 1 and a1.get_xlim()[1] >= 700  # grows, never back to 0
    with pytest.raises(ValueError, match="Choose one of: linear, log"):
        plots.draw_curves(a1, a2, epoch_scale="sqrt")


def test_scenario_figure_takes_a_log_epoch_axis(run3):
    fig, _ = plots.scenario_figure(run3, ex.probability_grid(run3, 20), epoch_scale="log")
    assert [ax.get_xscale() for ax in fig.axes[1:3]] == ["log", "log"]


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


def test_training_view_keeps_at_most_frame_cache_bitmaps(run3):
    view = plots.TrainingView(frame_cache=2)
    grid = ex.probability_grid(run3)
    for top in (300, 500, 1000, 2000, 5000):  # five epoch-axis ranges (300 epochs run), five bitmaps
        view.update(grid, run3.history, max_epochs=top)
        view.render()
        assert len(view._frames) <= 2
    assert view.frames_redrawn == 5
    view.update(grid, run3.history, max_epochs=2000)  # kept: restored, not redrawn
    view.render()
    assert view.frames_redrawn == 5
    view.update(grid, run3.history, max_epochs=300)  # dropped: redrawn, the cache stays at 2
    view.render()
    assert view.frames_redrawn == 6 and len(view._frames) == 2
    with pytest.raises(ValueError, match="frame_cache must be at least 1"):
        plots.TrainingView(frame_cache=0)


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


def test_nonlinear_layers_either_bend_the_grid_or_squash_it_flat():
    """What notebook 01 says of its grid panel: with any activation but linear the grid bends,
    or (a ReLU unit that is 0 over the whole grid) it is squashed onto a line or a point."""
    lines = grid.grid_lines()
    assert grid.dimensions(lines) == 2
    squashed = set()
    for name in ACTIVATIONS:
        for depth in range(1, 9):
            for seed in range(51):  # the panel's sliders
                out = grid.warp(lines, grid.random_layers(depth, seed=seed), name)
                flat = grid.dimensions(out) < 2
                straight = grid.straightness(out).max() < 1e-9 and grid.parallelism(out) < 1e-6
                if name == "linear":
                    assert straight and not flat
                else:
                    assert flat or not straight, (name, depth, seed)
                if flat:
                    squashed.add(name)
    assert squashed == {"relu"}  # leaky ReLU shrinks a deep stack, but never to a line
    assert grid.dimensions(grid.warp(lines, grid.random_layers(3, seed=2), "relu")) == 1  # the panel's start


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


def test_live_boundary_moves_a_line_and_a_contour_in_place():
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
    moved = grid.heatmap_grid(lambda X: (X[:, 1] > -2.0).astype(float), 40)
    plots.update_live_boundary(art, values=moved)  # the same contour, moved: not piled up, not rebuilt
    assert plots.live_boundary_artists(art) == [contour]
    assert sum(type(a).__name__.endswith("ContourSet") for a in ax.get_children()) == 1
    _, ax2 = plots.new_figure()
    fresh = plots.draw_boundary(ax2, moved)  # what drawing it anew gives: the same vertices
    np.testing.assert_allclose(contour.get_paths()[0].vertices, fresh.get_paths()[0].vertices, atol=1e-12)
    assert np.allclose(contour.get_paths()[0].vertices[:, 1], -2.0, atol=0.2)  # the line x2 = -2 now
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


def test_grid_figure_title_and_legend_fit_on_the_first_draw():
    """Notebook 01's four panels: the takeaway clears every panel title and the legend under
    the first panel stays inside the picture, on the one draw that makes the PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    lines = grid.grid_lines()
    layers = grid.random_layers(3, seed=2)
    panels = {"input grid": lines, **{f"3 {a} layers": grid.warp(lines, layers, a) for a in ("linear", "tanh", "sigmoid")}}
    fig, _ = plots.grid_figure(panels, takeaway="Linear layers keep the grid straight and parallel; tanh and sigmoid bend it")
    fig.set_dpi(80)  # show_figure's resolution
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    title_bottom = fig._suptitle.get_window_extent(renderer).y0
    assert max(ax.title.get_window_extent(renderer).y1 for ax in fig.axes) < title_bottom
    assert min(ax.get_tightbbox(renderer).y0 for ax in fig.axes) >= 0


# ---------------------------------------------------------------------------- K classes
def _srgb_to_linear(c):
    c = np.asarray(c, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


# Machado, Oliveira & Fernandes (2009), severity 1: colour vision without one cone type.
_CVD = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


@pytest.mark.parametrize("vision", ["normal", *_CVD])
def test_the_class_palette_stays_apart_under_colour_blindness(vision):
    from matplotlib.colors import to_rgb

    from course_utils.plots.style import CLASS_PALETTE

    lin = _srgb_to_linear([to_rgb(c) for c in CLASS_PALETTE])  # (K, 3)
    if vision != "normal":
        lin = np.clip(lin @ np.array(_CVD[vision]).T, 0.0, 1.0)
    gaps = [np.abs(lin[i] - lin[j]).max() for i in range(len(lin)) for j in range(i)]
    assert min(gaps) > 0.12, gaps  # some channel differs by at least 12 % of its range
    assert (lin.mean(axis=1) < 0.6).all()  # every class colour stays clearly darker than white


def test_class_map_hue_is_the_class_and_lightness_the_confidence():
    from matplotlib.colors import to_rgb

    from course_utils.plots.boundary import class_map
    from course_utils.plots.style import class_colours

    probs = np.array([[1 / 3, 1 / 3, 1 / 3], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.1, 0.6, 0.3]])
    rgb = class_map(probs)
    np.testing.assert_allclose(rgb[0], 1.0)  # unsure: white
    np.testing.assert_allclose(rgb[1], to_rgb(class_colours(3)[0]))  # sure: the class's own colour
    np.testing.assert_allclose(rgb[2], to_rgb(class_colours(3)[2]))
    sure = (0.6 - 1 / 3) / (2 / 3)  # halfway-ish towards class 1's blue
    np.testing.assert_allclose(rgb[3], (1 - sure) + sure * np.array(to_rgb(class_colours(3)[1])))
    np.testing.assert_allclose(class_map(np.full((2, 3), np.nan)), 1.0)  # a diverged network: white
    with pytest.raises(ValueError, match="2 to 5 classes"):
        class_colours(9)


def test_a_k_class_heatmap_is_drawn_and_updated_as_a_class_map():
    from course_utils.plots.boundary import class_map

    fig, ax = plots.new_figure()
    probs = np.random.default_rng(0).dirichlet([1, 1, 1], size=(20, 20))
    image = plots.draw_heatmap(ax, probs)
    np.testing.assert_allclose(image.get_array(), class_map(probs))
    plots.update_heatmap(image, probs[::-1])
    assert len(ax.images) == 1
    np.testing.assert_allclose(image.get_array(), class_map(probs[::-1]))


def test_class_boundaries_lie_where_the_most_probable_class_changes():
    # Three linear scores: the regions are bounded by straight lines meeting at one point.
    W = np.array([[1.0, -1.0, 0.0], [0.5, 0.5, -1.0]])
    b = np.array([0.0, 0.3, -0.2])
    probs = grid.heatmap_grid(lambda X: np.exp(X @ W + b) / np.exp(X @ W + b).sum(axis=1, keepdims=True), 60)
    fig, ax = plots.new_figure()
    contour = plots.draw_boundary(ax, probs)
    vertices = np.concatenate([p.vertices for p in contour.get_paths() if len(p.vertices)])
    s = np.sort(vertices @ W + b, axis=1)
    gap = s[:, -1] - s[:, -2]  # the two best scores tie on the lines (but in the cells where they meet)
    assert np.mean(gap < 1e-9) > 0.95 and gap.max() < 0.1
    assert len(vertices) > 60
    assert plots.draw_boundary(ax, np.tile([0.2, 0.7, 0.1], (10, 10, 1))) is None  # one class everywhere
    assert plots.draw_boundary(ax, np.full((10, 10, 3), np.nan)) is None


def test_loss_chart_marks_chance_at_ln_k():
    fig, (a, b) = plots.new_figure(ncols=2)
    lines = plots.draw_curves(a, b, _history([1.2, 0.9], [0.4, 0.6]), n_classes=3, loss_max=plots.LOSS_SCALE)
    chance_loss, chance_acc = a.lines[0], b.lines[0]
    assert chance_loss.get_label() == "ln 3 (chance)" and chance_loss.get_ydata()[0] == pytest.approx(np.log(3))
    assert chance_acc.get_label() == "33 % (chance)" and chance_acc.get_ydata()[0] == pytest.approx(100 / 3)
    assert a.get_ylabel() == "loss (cross-entropy)" and a.get_ylim() == (0.0, 1.5)  # ln 3 stays in view
    np.testing.assert_allclose(lines["train_loss"].get_ydata(), [1.2, 0.9])
    fig, (a, b) = plots.new_figure(ncols=2)
    plots.update_curves(plots.draw_curves(a, b, n_classes=3), _history([0.2, 0.1], [0.9, 1.0]))
    assert a.get_ylim() == (0.0, 1.5)  # live: the axis never drops chance out of sight


def test_scenario_figure_of_three_classes_shows_three_classes():
    run = ex.run_scenario(ex.Settings(dataset="blobs3", activation="linear", hidden=(), epochs=30, n_samples=90))
    fig, art = plots.scenario_figure(run, ex.probability_grid(run, 30))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:3] == ["class 0", "class 1", "class 2"]
    assert art["heatmap"].get_array().shape == (30, 30, 3) and art["boundary"] is not None
    assert fig.axes[1].lines[0].get_label() == "ln 3 (chance)"


def test_long_curves_are_decimated_keeping_every_spike_and_the_last_value():
    rng = np.random.default_rng(0)
    values = 0.3 + 0.01 * rng.standard_normal(9_001)
    values[4_321] = 2.4  # a one-epoch spike
    values[7_000] = 0.01  # and a dip
    values[103:109] = np.nan  # inside one stretch of 10 epochs
    epochs, drawn = plots.curves.decimate(values)
    assert len(drawn) <= plots.curves.DECIMATE_ABOVE + 1 and np.all(np.diff(epochs) >= 0)
    assert np.nanmax(drawn) == 2.4 and np.nanmin(drawn) == 0.01
    assert epochs[0] == 1 and epochs[-1] == 9_001 and drawn[-1] == values[-1]
    assert not np.isnan(drawn).any()  # a stretch with a few NaN still has a value
    short = np.arange(5.0)
    np.testing.assert_array_equal(plots.curves.decimate(short)[0], np.arange(1.0, 6.0))
    h = _history(values, np.full(values.size, 0.5))
    lines = plots.draw_curves(history=h)
    x, yv = lines["train_loss"].get_data()
    assert len(x) <= plots.curves.DECIMATE_ABOVE + 1 and np.nanmax(yv) == 2.4 and x[-1] == 9_001
    assert lines["train_loss"].axes.get_ylim()[1] == 2.5  # the spike (2.41 in the test loss) still sets the loss axis
    h.thin(3_000)  # a thinned record draws at its own epochs
    plots.update_curves(lines, h)
    x, _ = lines["train_loss"].get_data()
    assert x[0] == 1 and x[-1] == 9_001 and len(x) <= len(h.epochs)


def test_the_play_title_drawn_from_glyphs_matches_the_text(run3):
    def title_pixels(playing):
        view = plots.TrainingView(resolution=40)
        view.show_data(run3.X_train, run3.y_train, run3.X_test, run3.y_test)
        view.update(ex.probability_grid(run3, 40), run3.history, max_epochs=300, playing=playing)
        pixels = view.render().astype(int)
        box = view.title.get_window_extent(view.canvas.get_renderer())
        h = pixels.shape[0]
        return pixels[int(h - box.y1) - 2:int(h - box.y0) + 2, int(box.x0) - 4:int(box.x1) + 4, :3], view

    text, _ = title_pixels(False)
    glyphs, view = title_pixels(True)
    assert view.title.get_text() == f"epoch {run3.history.epochs_run}" and view._glyphs is not None
    ink_text, ink_glyphs = (255 - text).sum(axis=(0, 2)), (255 - glyphs).sum(axis=(0, 2))
    assert ink_glyphs.sum() == pytest.approx(ink_text.sum(), rel=0.1)  # the same letters, as dark
    cols = lambda ink: np.flatnonzero(ink > 0)  # noqa: E731
    assert abs(cols(ink_glyphs)[0] - cols(ink_text)[0]) <= 2 and abs(cols(ink_glyphs)[-1] - cols(ink_text)[-1]) <= 2
    assert all(len(key) == 1 for key in view._glyphs.cache)  # one bitmap per character, not per string
