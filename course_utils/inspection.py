"""Looking inside a Playground run: every node's picture, rewinding, exporting (NumPy only).

The dashboard (``course_utils.widgets.playground``) calls these and hands the arrays to
``course_utils.plots``; nothing here draws or displays anything.

Shapes: a grid of ``r`` x ``r`` points over the data square (``grid.heatmap_points``);
a node picture is (r, r) with x2 along the rows, as the heatmaps draw it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .diagnostics import gradient_norms
from .experiments import Run, Settings
from .features import featurize
from .grid import heatmap_points
from .model import MLP
from .numeric import lookup

__all__ = ["node_grids", "output_grid", "discretize", "snapshot_at", "thin_snapshots", "net_at", "run_gradient_norms",
           "export_state", "load_network", "EXPORT_FORMAT", "HiddenUnits", "hidden_units",
           "hidden_features", "HiddenSpace", "PROJECTIONS", "hidden_space"]

EXPORT_FORMAT = "course_utils.playground/1"


def output_grid(net: MLP, features, resolution: int = 100) -> np.ndarray:
    """The network's output on the heatmap grid: P(class 1), or the predicted value.

    Returns
    -------
    ndarray of float64, shape (resolution, resolution)
    """
    X = featurize(heatmap_points(resolution), features)
    return net.predict_proba(X).reshape(resolution, resolution)


def node_grids(net: MLP, features, resolution: int = 20) -> list[np.ndarray]:
    """What every node computes over the input square, column by column.

    Parameters
    ----------
    net : MLP
    features : sequence of str
        The input features the network was built for.
    resolution : int
        Grid side for each node's picture.

    Returns
    -------
    list of ndarray
        ``[inputs, hidden 1, ..., hidden k, output]``, each float64 of shape
        (resolution, resolution, width): the input features, each hidden neuron's output
        (``MLP.hidden_outputs``) and the output unit's P(class 1) or value.
    """
    r = int(resolution)
    X = featurize(heatmap_points(r), features)  # (r*r, n_inputs)
    columns = [X, *net.hidden_outputs(X), net.predict_proba(X)[:, None]]
    return [np.asarray(c, dtype=np.float64).reshape(r, r, -1) for c in columns]


def discretize(values: np.ndarray, task: str = "classification") -> np.ndarray:
    """The Playground's "discretize output": each point gets its decided class (0 or 1),
    or, for regression, the sign of the prediction (-1 or +1). Same shape as ``values``."""
    values = np.asarray(values, dtype=np.float64)
    if task == "classification":
        return (values > 0.5).astype(np.float64)
    return np.where(values >= 0.0, 1.0, -1.0)


def snapshot_at(run: Run, epoch: int) -> tuple[int, list]:
    """The latest weight snapshot at or before ``epoch``: ``(its epoch, params)``.

    Needs ``settings.snapshot_every``; raises ``ValueError`` when there is no snapshot.
    """
    snaps = run.history.snapshots
    if not snaps:
        raise ValueError("This run kept no weight snapshots: set snapshot_every to rewind.")
    epochs = [e for e, _ in snaps]
    i = int(np.searchsorted(epochs, int(epoch), side="right")) - 1
    return snaps[max(i, 0)]


def thin_snapshots(run: Run, keep: int = 500) -> None:
    """Keep at most ``keep`` weight snapshots, so a run left playing for hours holds bounded
    memory: past ``keep``, every other snapshot is dropped (the first and the latest stay),
    and rewinding lands on the nearest one kept, which :func:`snapshot_at` reports."""
    snaps = run.history.snapshots
    while len(snaps) > max(int(keep), 2):
        snaps[:] = [*snaps[:-1][::2], snaps[-1]]


def net_at(run: Run, epoch: int) -> tuple[int, MLP]:
    """A copy of the run's network with the weights it had at ``epoch`` (nearest snapshot
    at or before it); the run itself is not changed. Returns ``(snapshot epoch, net)``."""
    e, params = snapshot_at(run, epoch)
    net = run.net.copy()
    net.set_params(params)
    return e, net


def run_gradient_norms(run: Run, net: MLP | None = None) -> np.ndarray:
    """Gradient norm per weight matrix on the run's training set (input side first), (n_layers,)."""
    net = run.net if net is None else net
    return gradient_norms(net, featurize(run.X_train, run.settings.features), run.y_train)


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def export_state(run: Run, extra: dict | None = None) -> dict:
    """A JSON-ready record of the run: its settings, the current weights and the figures.

    ``network`` is ``MLP.to_dict()`` (rebuild it with :func:`load_network`); ``extra`` is
    merged in (e.g. the dashboard's own settings and share link).
    """
    s: Settings = run.settings
    final = run.history.final()
    out = {
        "format": EXPORT_FORMAT,
        "settings": {k: _plain(v) for k, v in s.__dict__.items()},
        "epoch": run.epoch,
        "final": {k: _plain(v) for k, v in final.items()},
        "diverged": bool(run.history.diverged),
        "loss": run.net.output.loss_name,
        "network": run.net.to_dict(),
    }
    if extra:
        out.update(extra)
    return out


def load_network(data: dict) -> MLP:
    """The network inside an :func:`export_state` record (or a bare ``MLP.to_dict``)."""
    if not isinstance(data, dict):
        raise ValueError(f"Expected a dict read from an exported JSON file, got {type(data).__name__}.")
    return MLP.from_dict(data.get("network", data))


# --------------------------------------------------------------------------------------
# Opening the box: a one-hidden-layer network, unit by unit
# --------------------------------------------------------------------------------------
def _one_hidden_layer(net: MLP):
    if len(net.hidden_sizes) != 1:
        raise ValueError(f"This picture needs a network with exactly one hidden layer; this one has "
                         f"{len(net.hidden_sizes)} ({net.hidden_sizes}).")
    (W1, b1), (W2, b2) = net.params
    return W1, b1, W2[:, 0], float(b2[0])


def _net_and_features(run_or_net, features):
    if isinstance(run_or_net, Run):
        return run_or_net.net, run_or_net.settings.features
    if features is None:
        features = ("x1", "x2")
    return run_or_net, features


@dataclass(frozen=True)
class HiddenUnits:
    """What each hidden unit of a one-hidden-layer network computes over the input square.

    Attributes
    ----------
    activations : ndarray of float64, shape (h, resolution, resolution)
        Unit ``j``'s output ``a_j = act(x . W1[:, j] + b1[j])`` on the heatmap grid (x2
        along the rows). For sigmoid units each is a soft step across a straight line.
    output_weights : ndarray of float64, shape (h,)
        ``v_j``, the weight from unit ``j`` to the output.
    output_bias : float
        ``c``, the output unit's bias.
    logit : ndarray of float64, shape (resolution, resolution)
        ``sum_j v_j a_j + c``: the output's input; its 0 contour is the decision boundary.
    """

    activations: np.ndarray
    output_weights: np.ndarray
    output_bias: float
    logit: np.ndarray


def hidden_units(run_or_net, features=None, resolution: int = 60) -> HiddenUnits:
    """Each hidden unit's picture, the output weights, and their weighted sum.

    Parameters
    ----------
    run_or_net : Run or MLP
        With exactly one hidden layer (scenario 3: 8 sigmoid units).
    features : sequence of str, optional
        The network's input features (taken from the run; default ``("x1", "x2")``).
    resolution : int

    Returns
    -------
    HiddenUnits
        ``logit`` equals ``net.logits`` on the grid, up to rounding.
    """
    net, features = _net_and_features(run_or_net, features)
    _, _, v, c = _one_hidden_layer(net)
    r = int(resolution)
    X = featurize(heatmap_points(r), features)  # (r*r, d)
    A = net.hidden_outputs(X)[0]  # (r*r, h)
    z = A @ v + c  # (r*r,)
    return HiddenUnits(A.T.reshape(-1, r, r).copy(), v.copy(), c, z.reshape(r, r))


def hidden_features(run_or_net, X, features=None) -> np.ndarray:
    """The hidden layer's output for data points ``X`` (raw coordinates, (n, 2)) -> (n, h)."""
    net, features = _net_and_features(run_or_net, features)
    _one_hidden_layer(net)
    return net.hidden_outputs(featurize(X, features))[0]


@dataclass(frozen=True)
class HiddenSpace:
    """Data points drawn in two coordinates of the hidden layer's space.

    Attributes
    ----------
    coords : ndarray of float64, shape (n, 2)
        Each point's two coordinates.
    axes : ndarray of float64, shape (h, 2)
        ``coords = (H - centre) @ axes``, with ``H`` the hidden features (n, h).
    centre : ndarray of float64, shape (h,)
    labels : tuple of str
        What each coordinate is, for the axis labels.
    line : tuple (w, b) or None
        The output layer's boundary in these coordinates, ``w[0] u1 + w[1] u2 + b = 0``,
        when it is exact (the logit depends on the two coordinates only); None when the
        projection drops part of the logit.
    method : str
    """

    coords: np.ndarray
    axes: np.ndarray
    centre: np.ndarray
    labels: tuple
    line: tuple | None
    method: str


def _project_output(H, v, c):
    # u1 along the output weights, so the logit is |v| u1 + c exactly; u2 the direction
    # that spreads the points most among those orthogonal to v (PCA of the rest).
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        raise ValueError("The output weights are all zero: the output ignores the hidden layer.")
    e1 = v / norm  # (h,)
    centre = H.mean(axis=0)
    rest = (H - centre) - np.outer((H - centre) @ e1, e1)  # (n, h), v's direction removed
    _, _, Vt = np.linalg.svd(rest, full_matrices=False)
    e2 = Vt[0] if H.shape[1] > 1 else np.zeros_like(e1)
    axes = np.column_stack([e1, e2])  # (h, 2)
    # u1 = (H - centre) . e1, so logit = norm * u1 + (c + v . centre)
    return axes, centre, ("hidden space along the output weights", "largest spread across them"), \
        (np.array([norm, 0.0]), c + float(v @ centre))


def _project_pca(H, v, c):
    centre = H.mean(axis=0)
    _, _, Vt = np.linalg.svd(H - centre, full_matrices=False)
    axes = Vt[:2].T  # (h, 2)
    if axes.shape[1] < 2:
        axes = np.column_stack([axes, np.zeros(H.shape[1])])
    w = v @ axes  # (2,)
    exact = np.allclose(axes @ w, v, atol=1e-9 * max(1.0, float(np.abs(v).max())))
    return axes, centre, ("principal component 1", "principal component 2"), \
        ((w, c + float(v @ centre)) if exact else None)


def _project_units(H, v, c):
    top = np.argsort(-np.abs(v), kind="stable")[:2]
    axes = np.zeros((H.shape[1], 2))
    axes[top, np.arange(len(top))] = 1.0
    exact = H.shape[1] <= 2
    return axes, np.zeros(H.shape[1]), tuple(f"unit {j + 1}" for j in top), \
        ((v @ axes, c) if exact else None)


PROJECTIONS = {"output": _project_output, "pca": _project_pca, "units": _project_units}
"""Projection name -> ``f(H, v, c) -> (axes, centre, labels, line or None)``:

``"output"`` (default): the first axis along the output weights ``v`` and the second the
direction of largest spread orthogonal to it. The logit depends only on the first
coordinate, so the output layer's boundary is exactly the vertical line ``|v| u1 + c' = 0``
for any number of hidden units.
``"pca"``: the two principal components (SVD of the centred features); the boundary is
drawn only when ``v`` lies in their plane (always for 2 units).
``"units"``: the two units with the largest ``|v|``; exact only for 2 units."""


def hidden_space(run_or_net, X, features=None, method: str = "output") -> HiddenSpace:
    """The data points ``X`` (n, 2) in the hidden layer's coordinates, projected to 2-D.

    Parameters
    ----------
    run_or_net : Run or MLP
        With one hidden layer.
    X : ndarray of float, shape (n, 2)
        Raw coordinates.
    method : {"output", "pca", "units"}
        See :data:`PROJECTIONS`.

    Returns
    -------
    HiddenSpace
    """
    project = lookup(PROJECTIONS, method, "projection")
    net, features = _net_and_features(run_or_net, features)
    _, _, v, c = _one_hidden_layer(net)
    H = hidden_features(net, X, features)  # (n, h)
    axes, centre, labels, line = project(H, v, c)
    return HiddenSpace((H - centre) @ axes, axes, centre, labels, line, method)
