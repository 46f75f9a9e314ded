"""Opening the box: filmstrips, hidden units, hidden space, width sweep, pieces - maths and pictures.

The maths is checked against the network itself (``net.logits``, ``net.predict``, one long
training run); the pictures are checked to draw exactly the arrays they are given, from
made-up data, so they cannot be training anything.
"""
import dataclasses

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from course_utils import MLP, evaluate, featurize, train
from course_utils import experiments as ex
from course_utils import inspection as ins
from course_utils import pieces as pc
from course_utils import plots
from course_utils.grid import heatmap_points


@pytest.fixture(scope="module")
def run3():
    return ex.run_scenario("scenario3")


# ---------------------------------------------------------------------------- filmstrip (maths)
def test_filmstrip_epoch_0_is_the_untrained_network():
    strip = ex.filmstrip("scenario3", epochs=(0, 1), resolution=30)
    untrained = ex.prepare("scenario3")
    np.testing.assert_array_equal(strip.snapshots[0].grid, ex.probability_grid(untrained, 30))
    assert strip.snapshots[0].epoch == 0 and strip.snapshots[0].grid.shape == (30, 30)


@pytest.mark.parametrize("changes", [{}, {"batch_size": 25}], ids=["full batch", "mini-batches"])
def test_filmstrip_trained_in_chunks_equals_one_long_run(changes):
    s = ex.SCENARIOS["scenario3"].replace(**changes)
    strip = ex.filmstrip(s, epochs=(20, 0, 5, 1, 5), resolution=30)  # unsorted, repeated
    assert [f.epoch for f in strip.snapshots] == [0, 1, 5, 20]
    one = ex.run_scenario(s, epochs=20)
    np.testing.assert_array_equal(strip.snapshots[-1].grid, ex.probability_grid(one, 30))
    assert strip.history == one.history
    loss, acc = evaluate(one.net, one.X_train, one.y_train)
    assert strip.snapshots[-1].loss == loss and strip.snapshots[-1].accuracy == acc


def test_filmstrip_keeps_the_collapsed_line_only_for_linear_nets_on_x1_x2():
    strip = ex.filmstrip("scenario2", epochs=(0, 5), resolution=30)
    run = ex.prepare("scenario2")
    for snap in strip.snapshots:
        w, b = snap.line
        # points on the line get P = 0.5 exactly: it is the network's own boundary
        t = np.linspace(-3, 3, 7)
        normal = w / np.dot(w, w)
        on_line = -b * normal + np.outer(t, [-w[1], w[0]])
        if snap.epoch > run.epoch:
            ex.advance(run, snap.epoch - run.epoch)
        np.testing.assert_allclose(run.predict_proba(on_line), 0.5, atol=1e-12)
    assert all(s.line is None for s in ex.filmstrip("scenario3", epochs=(0,), resolution=10).snapshots)
    assert all(s.line is None for s in ex.filmstrip("features", epochs=(0,), resolution=10).snapshots)


def test_filmstrip_rejects_negative_epochs():
    with pytest.raises(ValueError, match="epochs"):
        ex.filmstrip("scenario3", epochs=(-1, 5))


# ---------------------------------------------------------------------------- hidden units (maths)
def test_hidden_units_weighted_sum_plus_bias_is_the_logit(run3):
    u = ins.hidden_units(run3, resolution=40)
    assert u.activations.shape == (8, 40, 40) and u.output_weights.shape == (8,)
    z = run3.net.logits(heatmap_points(40)).reshape(40, 40)
    np.testing.assert_allclose(u.logit, z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.tensordot(u.output_weights, u.activations, axes=1) + u.output_bias, z,
                               atol=1e-12)
    assert 0.0 <= u.activations.min() and u.activations.max() <= 1.0  # sigmoid units


def test_hidden_units_unit_j_is_column_j_of_the_hidden_layer(run3):
    u = ins.hidden_units(run3.net, resolution=20)
    H = run3.net.hidden_outputs(heatmap_points(20))[0]  # (400, 8)
    np.testing.assert_array_equal(u.activations[3].ravel(), H[:, 3])


def test_hidden_pictures_need_exactly_one_hidden_layer():
    with pytest.raises(ValueError, match="one hidden layer"):
        ins.hidden_units(MLP([2, 4, 4, 1], "sigmoid", seed=0))
    with pytest.raises(ValueError, match="one hidden layer"):
        ins.hidden_space(MLP([2, 1], seed=0), np.zeros((3, 2)))


# ---------------------------------------------------------------------------- hidden space (maths)
def test_hidden_features_have_one_column_per_unit(run3):
    H = ins.hidden_features(run3, run3.X_train)
    assert H.shape == (len(run3.X_train), 8)


def test_projection_along_the_output_weights_keeps_the_boundary_exact(run3):
    space = ins.hidden_space(run3, run3.X_train)
    assert space.coords.shape == (len(run3.X_train), 2) and space.axes.shape == (8, 2)
    w, b = space.line
    np.testing.assert_allclose(space.coords @ w + b, run3.net.logits(run3.X_train), atol=1e-10)
    # the two axes are orthonormal
    np.testing.assert_allclose(space.axes.T @ space.axes, np.eye(2), atol=1e-12)


def test_a_linear_classifier_on_the_hidden_features_reaches_the_nets_accuracy(run3):
    H = ins.hidden_features(run3, run3.X_train)
    _, net_acc = evaluate(run3.net, run3.X_train, run3.y_train)
    assert net_acc >= 0.99  # scenario 3 separates the circle (one point in 250 may sit on the wrong side)
    logreg = MLP([8, 1], seed=0)  # no hidden layer: logistic regression on the 8 features
    train(logreg, H, run3.y_train, epochs=300, learning_rate=1.0)
    _, acc = evaluate(logreg, H, run3.y_train)
    assert acc >= net_acc
    # ...whereas on the raw coordinates no line does better than about 70 %
    flat = MLP([2, 1], seed=0)
    train(flat, run3.X_train, run3.y_train, epochs=300, learning_rate=1.0)
    assert evaluate(flat, run3.X_train, run3.y_train)[1] < 0.75
    # in the 2-D picture the drawn line separates the classes as well as the net does
    space = ins.hidden_space(run3, run3.X_train)
    w, b = space.line
    assert np.mean((space.coords @ w + b > 0) == run3.y_train) == net_acc


def test_other_projections_draw_the_line_only_when_exact(run3):
    assert ins.hidden_space(run3, run3.X_train, method="pca").line is None
    assert ins.hidden_space(run3, run3.X_train, method="units").line is None
    two = ex.run_scenario("scenario3", hidden=(2,), epochs=50)
    for method in ins.PROJECTIONS:
        space = ins.hidden_space(two, two.X_train, method=method)
        w, b = space.line
        np.testing.assert_allclose(space.coords @ w + b, two.net.logits(two.X_train), atol=1e-10)
    with pytest.raises(ValueError, match="output, pca, units"):
        ins.hidden_space(run3, run3.X_train, method="tsne")


# ---------------------------------------------------------------------------- width sweep (maths)
def test_width_sweep_goes_from_a_line_to_a_closed_boundary():
    sweep = ex.width_sweep(resolution=30)
    assert sweep.widths == (1, 2, 3, 4, 8) and sweep.grids.shape == (5, 30, 30)
    assert sweep.accuracy.shape == sweep.test_accuracy.shape == (5,)
    assert sweep.accuracy[0] < 0.75  # one unit: a straight line
    assert sweep.accuracy[-1] == 1.0 and sweep.test_accuracy[-1] >= 0.98
    assert np.all(np.diff(sweep.accuracy) >= 0)
    one = ex.run_scenario(ex.WIDTH_SWEEP, hidden=(3,))
    np.testing.assert_array_equal(sweep.grids[2], ex.probability_grid(one, 30))


# ---------------------------------------------------------------------------- pieces (maths)
@pytest.mark.parametrize("unit", list(pc.PIECE_UNITS))
def test_pieces_sum_to_the_reported_fit(unit):
    p = pc.fit_pieces("sin", 6, unit)
    assert p.pieces.shape == (6, p.x.size) and p.knots.shape == p.weights.shape == (6,)
    np.testing.assert_allclose(p.pieces.sum(axis=0) + p.bias, p.fit, atol=1e-12)
    assert p.max_error == pytest.approx(np.abs(p.fit - np.sin(p.x)).max())


@pytest.mark.parametrize("target", ["sin", "x^2"])
@pytest.mark.parametrize("unit", list(pc.PIECE_UNITS))
def test_more_pieces_smaller_error(target, unit):
    errors = [pc.fit_pieces(target, k, unit).max_error for k in range(1, 13)]
    assert errors[2] > errors[5] > errors[11]
    if unit == "relu":  # knots of k pieces... every broken line with fewer knots is no better
        assert all(b <= a + 1e-12 for a, b in zip(errors, errors[1:]))


def test_relu_pieces_are_ramps_starting_at_their_knots():
    p = pc.fit_pieces("x^2", 4, "relu")
    for j, t in enumerate(p.knots):
        np.testing.assert_allclose(p.pieces[j], p.weights[j] * np.maximum(p.x - t, 0.0))


def test_pieces_placed_by_hand_sit_where_they_are_put():
    even = pc.fit_pieces("x^2", 3, "relu")
    np.testing.assert_array_equal(even.knots, pc.even_knots("relu", 3, "x^2"))
    moved = pc.fit_pieces("x^2", 3, "relu", knots=[-3.0, -0.5, 0.5])
    np.testing.assert_array_equal(moved.knots, [-3.0, -0.5, 0.5])
    assert np.all(moved.pieces[1][moved.x < -0.5] == 0) and np.all(moved.pieces[1][moved.x > -0.45] != 0)
    # Where the kinks sit matters: bunched on one side, the other side's curve gets no kink.
    bunched = pc.fit_pieces("x^2", 3, "relu", knots=[-3.0, 2.0, 2.5])
    assert bunched.max_error > 2 * even.max_error


def test_a_moved_sigmoid_step_keeps_its_shape():
    a = pc.fit_pieces("sin", 4, "sigmoid", knots=[-2.0, -1.0, 0.0, 1.0], weights=[1, 1, 1, 1])
    b = pc.fit_pieces("sin", 4, "sigmoid", knots=[-2.0, -1.0, 0.0, 2.5], weights=[1, 1, 1, 1])
    shift = int(round(1.5 / (a.x[1] - a.x[0])))  # 1.5 in x is exactly 100 samples (spacing 6 / 400)
    np.testing.assert_allclose(b.pieces[3][shift:], a.pieces[3][:-shift], atol=1e-12)


def test_hand_weights_are_kept_and_only_the_bias_is_fitted():
    p = pc.fit_pieces("sin", 3, "relu", weights=[0.5, -1.0, 0.25])
    np.testing.assert_array_equal(p.weights, [0.5, -1.0, 0.25])
    np.testing.assert_allclose(p.pieces.sum(axis=0) + p.bias, p.fit, atol=1e-12)
    assert np.mean(p.target - p.fit) == pytest.approx(0.0, abs=1e-12)  # the best shift for these weights
    best = pc.fit_pieces("sin", 3, "relu")  # least squares: no hand weights give a smaller squared error
    assert np.sum((best.fit - best.target) ** 2) < np.sum((p.fit - p.target) ** 2)


def test_pieces_placed_by_hand_are_checked_in_words():
    with pytest.raises(ValueError, match="kink of piece 2 is at 4, outside \\[-3, 3\\]"):
        pc.fit_pieces("sin", 2, "relu", knots=[0.0, 4.0])
    with pytest.raises(ValueError, match="step of piece 1"):
        pc.fit_pieces("sin", 1, "sigmoid", knots=[-9.0])
    with pytest.raises(ValueError, match="one of the knots per piece: 3 numbers, not 2"):
        pc.fit_pieces("sin", 3, knots=[0.0, 1.0])
    with pytest.raises(ValueError, match="weights must be finite"):
        pc.fit_pieces("sin", 2, weights=[1.0, float("nan")])


def test_pieces_reject_unknown_names_and_bad_k():
    with pytest.raises(ValueError, match="relu, sigmoid"):
        pc.fit_pieces("sin", 3, "tanh")
    with pytest.raises(ValueError, match="sin"):
        pc.fit_pieces("cos", 3)
    with pytest.raises(ValueError, match="k must"):
        pc.fit_pieces("sin", 0)


# ---------------------------------------------------------------------------- pictures, from made-up data
def _fake_strip(epochs=(0, 7, 30), res=12, line=True):
    rng = np.random.default_rng(0)
    snaps = [ex.Snapshot(e, rng.uniform(size=(res, res)), (np.array([1.0, -0.5]), 0.3) if line else None,
                         0.5, 0.5) for e in epochs]
    X = rng.uniform(-5, 5, size=(20, 2))
    return ex.Filmstrip(ex.SCENARIOS["scenario2"], X, (X[:, 0] > 0).astype(int), snaps, None)


def _draw(fig):
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def test_filmstrip_figure_draws_the_given_grids_on_one_scale_titled_by_epoch():
    strip = _fake_strip()
    fig, artists = plots.filmstrip_figure(strip, "takeaway", "settings")
    panels = artists["panels"]
    assert [p["title"].get_text() for p in panels] == ["epoch 0", "epoch 7", "epoch 30"]
    for p, s in zip(panels, strip.snapshots):
        np.testing.assert_array_equal(p["heatmap"].get_array(), s.grid)
        assert p["heatmap"].get_clim() == (0.0, 1.0) and p["heatmap"].get_extent() == [-6.0, 6.0, -6.0, 6.0]
        np.testing.assert_array_equal(p["points"].get_offsets(), strip.X_train)
        xy = p["line"].get_xydata()
        np.testing.assert_allclose(xy @ s.line[0] + s.line[1], 0.0, atol=1e-12)
        assert p["boundary"] is not None
    axes = [p["heatmap"].axes for p in panels]
    assert len({ax.get_xlim() for ax in axes}) == 1 and len({ax.get_ylim() for ax in axes}) == 1
    assert axes[0].get_ylabel() == "x2" and all(ax.get_xlabel() == "x1" for ax in axes)
    assert artists["colorbar"].ax.get_ylabel() == "P(class 1)"
    no_line = plots.filmstrip_figure(_fake_strip(line=False), "t")[1]["panels"]
    assert all(p["line"] is None for p in no_line)


def test_a_long_title_and_subtitle_are_wrapped_inside_the_figure():
    title = "A linear network can only ever draw a straight boundary, " * 4
    fig, _ = plots.filmstrip_figure(_fake_strip(epochs=(0, 1)), title, "circle, linear, hidden [8] " * 6)
    renderer = _draw(fig)
    box = fig.bbox
    for text in (fig._suptitle, fig.subfigs[0]._suptitle):
        b = text.get_window_extent(renderer)
        assert box.x0 <= b.x0 and b.x1 <= box.x1 and box.y0 <= b.y0 and b.y1 <= box.y1, (b, box)
    # the title stays above the subtitle, and both above the panels
    title_box = fig._suptitle.get_window_extent(renderer)
    sub_box = fig.subfigs[0]._suptitle.get_window_extent(renderer)
    assert title_box.y0 >= sub_box.y1 - 1
    for ax in fig.subfigs[0].axes:
        assert ax.get_tightbbox(renderer).y1 <= sub_box.y0 + 1


def test_hidden_units_figure_draws_each_unit_and_the_sum():
    rng = np.random.default_rng(1)
    units = ins.HiddenUnits(rng.uniform(size=(3, 10, 10)), np.array([1.5, -2.0, 0.25]), -0.5,
                            rng.normal(size=(10, 10)))
    fig, artists = plots.hidden_units_figure(units, title="t")
    assert len(artists["units"]) == 3
    for j, a in enumerate(artists["units"]):
        np.testing.assert_array_equal(a["image"].get_array(), units.activations[j])
    assert "+1.50" in artists["units"][0]["title"].get_text()
    assert "-2.00" in artists["units"][1]["title"].get_text()
    np.testing.assert_array_equal(artists["logit"]["image"].get_array(), units.logit)
    assert artists["logit"]["boundary"] is not None and artists["logit"]["points"] is None
    vmin, vmax = artists["logit"]["image"].get_clim()
    assert vmin == -vmax  # 0 is white: the boundary's colour
    assert len(artists["colorbars"]) == 2


def test_hidden_units_figure_of_scenario_3(run3):
    u = ins.hidden_units(run3, resolution=20)
    fig, artists = plots.hidden_units_figure(u, run3.X_train, run3.y_train)
    assert len(artists["units"]) == 8 and artists["logit"]["points"] is not None
    visible = [ax for ax in fig.subfigs[0].axes if ax.get_visible() and ax.images]
    assert len(visible) == 9


def test_hidden_space_draws_the_given_points_and_says_when_the_line_is_missing():
    rng = np.random.default_rng(2)
    C = rng.normal(size=(15, 2))
    y = (C[:, 0] > 0).astype(int)
    exact = ins.HiddenSpace(C, np.eye(2), np.zeros(2), ("u1", "u2"), (np.array([1.0, 0.0]), 0.0), "output")
    fig, ax = plots.new_figure()
    a = plots.draw_hidden_space(ax, exact, y)
    np.testing.assert_array_equal(a["points"].get_offsets(), C)
    np.testing.assert_allclose(a["line"].get_xdata(), 0.0)
    assert ax.get_xlabel() == "u1" and ax.get_legend() is not None
    assert "straight line separates" in a["title"].get_text()
    blurred = ins.HiddenSpace(C, np.eye(2), np.zeros(2), ("pc1", "pc2"), None, "pca")
    fig, ax = plots.new_figure()
    a = plots.draw_hidden_space(ax, blurred, y)
    assert a["line"] is None and "not drawn" in a["title"].get_text()


def test_hidden_space_figure_shows_plane_and_hidden_space(run3):
    space = ins.hidden_space(run3, run3.X_train)
    fig, artists = plots.hidden_space_figure(run3.X_train, run3.y_train, space, ex.probability_grid(run3, 20))
    np.testing.assert_array_equal(artists["plane"]["points"].get_offsets(), run3.X_train)
    assert artists["hidden"]["line"] is not None


def test_width_sweep_figure_titles_say_units_and_accuracy():
    rng = np.random.default_rng(3)
    X = rng.uniform(-5, 5, size=(10, 2))
    sweep = ex.WidthSweep(ex.WIDTH_SWEEP, (1, 2, 8), rng.uniform(size=(3, 8, 8)), np.array([0.52, 0.814, 1.0]),
                          np.array([0.5, 0.8, 1.0]), X, (X[:, 1] > 0).astype(int))
    fig, panels = plots.width_sweep_figure(sweep, "more units, more edges")
    assert [p["title"].get_text() for p in panels] == ["1 unit: 52 %", "2 units: 81 %", "8 units: 100 %"]
    for p, g in zip(panels, sweep.grids):
        np.testing.assert_array_equal(p["heatmap"].get_array(), g)
    assert "relu" in fig._suptitle.get_text() or "relu" in fig.subfigs[0]._suptitle.get_text()


def test_pieces_drawing_shows_the_given_fit_and_updates_in_place():
    p3, p5 = pc.fit_pieces("sin", 3), pc.fit_pieces("x^2", 5, "sigmoid")
    fig, ax = plots.new_figure()
    a = plots.draw_pieces(ax, p3, max_pieces=5)
    assert len(a["pieces"]) == 5 and [l.get_visible() for l in a["pieces"]] == [True] * 3 + [False] * 2
    np.testing.assert_array_equal(a["fit"].get_ydata(), p3.fit)
    np.testing.assert_array_equal(a["pieces"][1].get_ydata(), p3.pieces[1])
    np.testing.assert_array_equal(a["target"].get_ydata(), p3.target)
    assert "0.292" in a["title"].get_text() and ax.get_legend() is not None
    lines_before = len(ax.lines)
    plots.update_pieces(a, p5)
    assert len(ax.lines) == lines_before and all(l.get_visible() for l in a["pieces"])
    np.testing.assert_array_equal(a["fit"].get_ydata(), p5.fit)
    with pytest.raises(ValueError, match="piece lines"):
        plots.update_pieces(a, pc.fit_pieces("sin", 6))


def test_pieces_panel_redraws_on_each_control():
    pytest.importorskip("ipywidgets")
    from course_utils.widgets import PiecesPanel

    panel = PiecesPanel(k=3)
    first = panel.image.value
    assert first[:4] == b"\x89PNG" and panel.pieces.k == 3
    panel.k.value = 12
    assert panel.pieces.k == 12 and panel.image.value != first
    panel.unit.value = "sigmoid"
    panel.target.value = "x^2"
    assert (panel.pieces.unit, panel.pieces.target_name) == ("sigmoid", "x^2")
    assert "largest error" in panel.status.value and not panel.errors


def test_hidden_space_of_any_layer_is_the_chosen_units_activations():
    run = ex.run_scenario("scenario3", hidden=(4, 3), epochs=20)
    X = run.X_train
    H = run.net.hidden_outputs(featurize(X, run.settings.features))  # [(n, 4), (n, 3)]
    first = ins.hidden_space(run, X, method="units", layer=0, units=(3, 1))
    np.testing.assert_array_equal(first.coords, H[0][:, [3, 1]])
    assert first.labels == ("unit 4", "unit 2") and first.line is None  # the output does not read layer 1
    last = ins.hidden_space(run, X, method="units", layer=-1, units=(0, 2))
    np.testing.assert_array_equal(last.coords, H[1][:, [0, 2]])
    assert last.line is None  # the output reads unit 2 too
    np.testing.assert_array_equal(ins.hidden_features(run, X, layer=1), H[1])
    with pytest.raises(ValueError, match="needs the last hidden layer"):
        ins.hidden_space(run, X, method="output", layer=0)
    with pytest.raises(ValueError, match="no hidden layer 2.*0 to 1"):
        ins.hidden_space(run, X, layer=2)
    with pytest.raises(ValueError, match="each from 1 to 4"):
        ins.hidden_space(run, X, method="units", layer=0, units=(0, 4))


def test_a_two_unit_last_layer_holds_the_exact_line_in_its_own_coordinates():
    run = ex.run_scenario("scenario3", hidden=(5, 2), epochs=30)
    space = ins.hidden_space(run, run.X_train, method="units", units=(1, 0))
    w, b = space.line
    np.testing.assert_allclose(space.coords @ w + b, run.net.logits(run.X_train), atol=1e-12)


def test_update_hidden_space_moves_the_same_artists():
    run = ex.run_scenario("scenario3", hidden=(2,), epochs=5)
    view = plots.HiddenSpaceView()
    view.update(ins.hidden_space(run, run.X_train, method="units"), run.y_train)
    points, line = view.artists["points"], view.artists["line"]
    ex.advance(run, 50)
    space = ins.hidden_space(run, run.X_train, method="units")
    view.update(space, run.y_train)
    assert view.artists["points"] is points and view.artists["line"] is line and line.get_visible()
    np.testing.assert_array_equal(points.get_offsets(), space.coords)
    view.update(dataclasses.replace(space, line=None), run.y_train)
    assert not line.get_visible() and view.png()[:4] == b"\x89PNG"
