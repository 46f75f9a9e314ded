"""Checks shared by the panel tests: is the decision boundary drawn, and is it the right one?

``artists`` is what a picture shows as its boundary now: ``TrainingView.boundary_artists()``
or ``plots.live_boundary_artists(d)`` for a dict from ``flavours.draw_run_boundary``.
"""
import numpy as np
from matplotlib.contour import ContourSet
from matplotlib.lines import Line2D

from course_utils import collapse, featurize
from course_utils.grid import heatmap_grid
from course_utils.plots import draw_boundary, new_figure


def assert_straight_boundary(artists, net, features=("x1", "x2")):
    """One visible Line2D across the square, on which the network's logit is 0 - the line of
    ``collapse(net)``, not an approximation of the heatmap."""
    assert len(artists) == 1, artists
    (line,) = artists
    assert isinstance(line, Line2D) and line.get_visible()
    assert line.get_label() == "decision boundary"
    xy = np.asarray(line.get_xydata(), dtype=float)  # (2, 2): the ends
    assert xy.shape == (2, 2) and np.isfinite(xy).all()
    assert np.hypot(*(xy[1] - xy[0])) >= 12.0  # spans the 12-wide square
    along = np.linspace(0.0, 1.0, 7)[:, None]
    points = xy[0] + along * (xy[1] - xy[0])  # (7, 2): the ends and points between
    X = featurize(points, features)
    W, b = collapse(net)
    np.testing.assert_allclose(X @ W[:, 0] + b[0], 0.0, atol=1e-9)
    np.testing.assert_allclose(net.logits(X), 0.0, atol=1e-9)
    return line


def assert_contour_boundary(artists, predict, resolution: int, values=None):
    """The boundary drawn is the 0.5 contour of the network's own heatmap, now.

    ``predict`` maps raw points (m, 2) to P(class 1); ``values`` is the heatmap the panel
    shows if it is not ``heatmap_grid(predict, resolution)`` (the Playground's "discretize").
    When the square holds no 0.5 crossing, no boundary may be drawn.
    """
    smooth = values is None  # P itself, not a discretized picture of it
    if smooth:
        values = heatmap_grid(predict, resolution)
    fig, ax = new_figure()
    expected = draw_boundary(ax, values)
    if expected is None:
        assert list(artists) == [], "a boundary drawn where the network has none"
        return None
    assert len(artists) == 1, artists
    (contour,) = artists
    assert isinstance(contour, ContourSet) and contour.axes is not None and contour.get_visible()
    vertices = np.concatenate([p.vertices for p in contour.get_paths() if len(p.vertices)])
    want = np.concatenate([p.vertices for p in expected.get_paths() if len(p.vertices)])
    assert vertices.shape == want.shape and len(vertices) > 10
    np.testing.assert_allclose(vertices, want, atol=1e-9)
    if smooth:  # ... and it is where the network is undecided, up to the grid's resolution
        assert np.median(np.abs(predict(vertices) - 0.5)) < 0.05
    return contour


def assert_no_boundary(artists):
    assert list(artists) == []


def assert_boundary_through_playback(panel, check):
    """Run ``check(panel)`` (a boundary assertion returning the drawn artist) after the panel is
    built, after Step, on two Play ticks, and after Pause and Reset (back at epoch 0);
    returns what it returned first. Works for any panel with the playback controls."""
    first = check(panel)  # after construction
    panel.step()
    check(panel)
    panel.play()
    for _ in range(2):
        panel.tick()
        check(panel)
    panel.pause()
    panel.reset()
    assert panel.run.epoch == 0
    check(panel)
    return first
