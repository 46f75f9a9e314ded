"""Looking inside a Playground run: every node's picture, rewinding, exporting (NumPy only).

The dashboard (``course_utils.widgets.playground``) calls these and hands the arrays to
``course_utils.plots``; nothing here draws or displays anything.

Shapes: a grid of ``r`` x ``r`` points over the data square (``grid.heatmap_points``);
a node picture is (r, r) with x2 along the rows, as the heatmaps draw it.
"""
from __future__ import annotations

import math

import numpy as np

from .diagnostics import gradient_norms
from .experiments import Run, Settings
from .features import featurize
from .grid import heatmap_points
from .model import MLP

__all__ = ["node_grids", "output_grid", "discretize", "snapshot_at", "net_at", "run_gradient_norms",
           "export_state", "load_network", "EXPORT_FORMAT"]

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
