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
    """The network's output on the heatmap grid: P(class 1), or the predicted value; each
    class's probability for a softmax network.

    Returns
    -------
    ndarray of float64, shape (resolution, resolution), or (resolution, resolution, K)
    """
    X = featurize(heatmap_points(resolution), features)
    p = net.predict_proba(X)
    return p.reshape(resolution, resolution, *p.shape[1:])


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
        (``MLP.hidden_outputs``) and the output unit's P(class 1) or value (each output
        unit's class probability, for a softmax network).
    """
    r = int(resolution)
    X = featurize(heatmap_points(r), features)  # (r*r, n_inputs)
    columns = [X, *net.hidden_outputs(X), net.predict_proba(X).reshape(len(X), -1)]
    return [np.asarray(c, dtype=np.float64).reshape(r, r, -1) for c in columns]


def discretize(values: np.ndarray, task: str = "classification") -> np.ndarray:
    """The Playground's "discretize output": each point gets its decided class (0 or 1),
    or, for regression, the sign of the prediction (-1 or +1). Same shape as ``values``.

    K classes' probabilities, (..., K), become certainty: 1 for the most probable class, 0
    for the others."""
    values = np.asarray(values, dtype=np.float64)
    if task == "classification" and values.ndim == 3:
        return (values.argmax(axis=-1)[..., None] == np.arange(values.shape[-1])).astype(np.float64)
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


def _hidden_layer(net: MLP, layer: int) -> int:
    """The index of hidden layer ``layer`` (0-based, negative from the end) or a ValueError."""
    n = len(net.hidden_sizes)
    if n == 0:
        raise ValueError("This picture needs a network with at least one hidden layer; this one has none.")
    if not -n <= int(layer) < n:
        raise ValueError(f"There is no hidden layer {layer}: this network has {n} "
                         f"({net.hidden_sizes}); give 0 to {n - 1}, or -1 for the last.")
    return int(layer) % n


def hidden_features(run_or_net, X, features=None, layer: int | None = None) -> np.ndarray:
    """A hidden layer's output for data points ``X`` (raw coordinates, (n, 2)) -> (n, h).

    ``layer`` (0-based, -1 the last) picks the layer; None needs a network with exactly one.
    """
    net, features = _net_and_features(run_or_net, features)
    if layer is None:
        _one_hidden_layer(net)
        layer = 0
    return net.hidden_outputs(featurize(X, features))[_hidden_layer(net, layer)]


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


def _project_output(H, v, c, units=None):
    if v is None:
        raise ValueError("The 'output' projection needs the last hidden layer (the one the output unit "
                         "reads); for an earlier layer choose 'units' or 'pca'.")
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


def _project_pca(H, v, c, units=None):
    centre = H.mean(axis=0)
    _, _, Vt = np.linalg.svd(H - centre, full_matrices=False)
    axes = Vt[:2].T  # (h, 2)
    if axes.shape[1] < 2:
        axes = np.column_stack([axes, np.zeros(H.shape[1])])
    labels = ("principal component 1", "principal component 2")
    if v is None:
        return axes, centre, labels, None
    w = v @ axes  # (2,)
    exact = np.allclose(axes @ w, v, atol=1e-9 * max(1.0, float(np.abs(v).max())))
    return axes, centre, labels, ((w, c + float(v @ centre)) if exact else None)


def _project_units(H, v, c, units=None):
    # The layer's own coordinates: no centring, so coords are the units' outputs themselves.
    h = H.shape[1]
    if units is None:
        units = (np.argsort(-np.abs(v), kind="stable") if v is not None else np.arange(h))[:2]
        units = (*units, *units)[:2]  # a one-unit layer: the same unit on both axes
    units = tuple(int(j) for j in units)
    if len(units) != 2 or not all(0 <= j < h for j in units):
        raise ValueError(f"Choose two units of this layer, each from 1 to {h}; got "
                         f"{', '.join(str(j + 1) for j in units)}.")
    axes = np.zeros((h, 2))
    axes[units, [0, 1]] = 1.0
    line = None
    if v is not None and set(units) == set(range(h)):  # the logit reads these units only
        w = np.zeros(2)
        w[0] = v[units[0]]
        if units[1] != units[0]:
            w[1] = v[units[1]]
        line = (w, c)
    return axes, np.zeros(h), tuple(f"unit {j + 1}" for j in units), line


PROJECTIONS = {"output": _project_output, "pca": _project_pca, "units": _project_units}
"""Projection name -> ``f(H, v, c, units) -> (axes, centre, labels, line or None)``, where
``v``, ``c`` are the output unit's weights and bias (None for a layer it does not read):

``"output"`` (default): the first axis along the output weights ``v`` and the second the
direction of largest spread orthogonal to it. The logit depends only on the first
coordinate, so the output layer's boundary is exactly the vertical line ``|v| u1 + c' = 0``
for any number of hidden units.
``"pca"``: the two principal components (SVD of the centred features); the boundary is
drawn only when ``v`` lies in their plane (always for 2 units).
``"units"``: two units' own outputs (``units``, default the two with the largest ``|v|``);
exact when the two are all the layer has."""


def hidden_space(run_or_net, X, features=None, method: str = "output", layer: int = -1,
                 units=None) -> HiddenSpace:
    """The data points ``X`` (n, 2) in a hidden layer's coordinates, projected to 2-D.

    Parameters
    ----------
    run_or_net : Run or MLP
        With at least one hidden layer.
    X : ndarray of float, shape (n, 2)
        Raw coordinates.
    method : {"output", "pca", "units"}
        See :data:`PROJECTIONS`.
    layer : int
        Which hidden layer, 0-based (-1: the last, the one the output unit reads). The output
        layer's boundary can be drawn only in the last layer's coordinates.
    units : pair of int, optional
        For ``"units"``: the two units (0-based) whose outputs are the coordinates
        (default: the two the output weighs most, or the first two of an earlier layer).

    Returns
    -------
    HiddenSpace
        For ``"units"``, ``coords[:, k]`` is unit ``units[k]``'s output for each point.
    """
    project = lookup(PROJECTIONS, method, "projection")
    net, features = _net_and_features(run_or_net, features)
    index = _hidden_layer(net, layer)
    H = hidden_features(net, X, features, layer=index)  # (n, h)
    W_out, b_out = net.params[-1]
    last = index == len(net.hidden_sizes) - 1
    # The output unit's weights v and bias c when it reads this layer directly (one output unit).
    v, c = (W_out[:, 0], float(b_out[0])) if last and W_out.shape[1] == 1 else (None, None)
    axes, centre, labels, line = project(H, v, c, units)
    return HiddenSpace((H - centre) @ axes, axes, centre, labels, line, method)
