"""The course's experiments as data: settings, presets, and a run you can continue.

NumPy only (no matplotlib, no ipywidgets). A :class:`Settings` says everything needed
to reproduce an experiment; :func:`prepare` turns it into a :class:`Run` (data, network
at its initial weights, empty history); :func:`advance` trains it further and
:func:`reset` returns it to the same initial weights. The notebooks and the live panel
use these, so a figure in a notebook and the panel on the same preset show the same run.

The presets differ only where the lesson needs them to: scenarios 2 and 3 share every
setting except the hidden activation.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from .data import get_dataset, make_dataset, train_test_split
from .features import DEFAULT_FEATURES, check_features, featurize
from .grid import heatmap_grid
from .model import MLP, collapse
from .numeric import chance_loss, lookup, whole_number
from .train import History, Trainer, evaluate

__all__ = [
    "Settings", "SCENARIOS", "LEARNING_RATES", "Run", "get_scenario", "prepare", "advance",
    "reset", "run_scenario", "summary_line", "status_text", "probability_grid", "decision_line",
    "FILMSTRIP_EPOCHS", "Snapshot", "Filmstrip", "filmstrip", "WIDTH_SWEEP", "WIDTHS", "WidthSweep",
    "width_sweep", "output_head", "head_for", "chance_note", "THREE_ARMS",
]

from .presets import LEARNING_RATES  # noqa: E402  (the Playground's learning-rate choices)

@dataclass(frozen=True)
class Settings:
    """Everything that defines one experiment. Same settings -> identical run.

    ``hidden`` is the width of each hidden layer (``()`` for none); ``seed`` sets the
    initial weights and ``data_seed`` the data and the train/test split.
    """

    dataset: str = "circle"
    noise: float = 0.0
    activation: str = "tanh"
    hidden: tuple[int, ...] = (8,)
    learning_rate: float = 1.0
    optimizer: str = "sgd"
    epochs: int = 300
    batch_size: int | None = None
    seed: int = 0
    data_seed: int = 0
    n_samples: int = 500
    test_fraction: float = 0.5
    features: tuple[str, ...] = DEFAULT_FEATURES
    # Added for the Playground (notebook 06); the defaults leave every preset unchanged.
    l1: float = 0.0  # weight regularization rates passed to train()
    l2: float = 0.0
    snapshot_every: int | None = None  # keep weight snapshots for rewinding (History.snapshots)

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed (unknown names raise ``ValueError``)."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"Unknown setting(s) {', '.join(unknown)}. Valid settings: {', '.join(sorted(names))}.")
        if "hidden" in changes:
            changes["hidden"] = tuple(int(h) for h in changes["hidden"])
        if "features" in changes:
            changes["features"] = check_features(changes["features"])
        return dataclasses.replace(self, **changes)

    @property
    def layer_sizes(self) -> list[int]:
        return [len(self.features), *self.hidden, output_head(self.dataset)[1]]


def output_head(dataset: str) -> tuple[str, int]:
    """The output head a dataset needs, and its number of output units.

    Regression sets get a linear unit with squared error, ``("linear", 1)``; two classes a
    sigmoid with binary cross-entropy, ``("sigmoid", 1)``; K > 2 classes a softmax over K
    units with cross-entropy, ``("softmax", K)``. Unknown names raise ``ValueError`` listing
    the datasets.
    """
    d = get_dataset(dataset)
    return head_for(d.task, d.n_classes)


def head_for(task: str, n_classes: int | None) -> tuple[str, int]:
    """The output head and its number of units for a task and its class count (a dataset's,
    or the learner's own data: ``userdata.UserData.task`` / ``n_classes``)."""
    if task == "regression":
        return "linear", 1
    return ("sigmoid", 1) if n_classes == 2 else ("softmax", int(n_classes))


# Shared by every preset: one hidden layer of 8, full-batch gradient descent at lr 1, 300
# epochs. "Play from Reset" retraces exactly the path of a one-shot retrain: the Run keeps
# its Trainer, and with it the optimizer's state, from one chunk to the next.
_BASE = Settings(hidden=(8,), learning_rate=1.0, optimizer="sgd", epochs=300)

SCENARIOS: dict[str, Settings] = {
    "scenario1": _BASE.replace(dataset="gauss", activation="linear"),
    "scenario2": _BASE.replace(dataset="circle", activation="linear"),
    "scenario3": _BASE.replace(dataset="circle", activation="sigmoid"),
    "features": _BASE.replace(dataset="circle", activation="linear",
                              features=("x1", "x2", "x1^2", "x2^2"), learning_rate=0.1),
}
"""Preset name -> :class:`Settings` for notebooks 02-04 and the live panel."""


THREE_ARMS = _BASE.replace(dataset="spiral3", hidden=(16,), optimizer="adam", learning_rate=0.03)
"""Three classes for notebook 05: the three-arm spiral, one hidden layer of 16, Adam at lr 0.03,
300 epochs; the output is a softmax over three units (:func:`output_head`). With a linear
activation it stays at 38 % (three straight-edged regions); tanh and ReLU reach 100 %."""


def get_scenario(name) -> Settings:
    """A preset by name (or a :class:`Settings`, returned as is); errors list the presets."""
    if isinstance(name, Settings):
        return name
    return lookup(SCENARIOS, name, "preset")


@dataclass
class Run:
    """One experiment in progress.

    Attributes
    ----------
    settings : Settings
    X_train, X_test : ndarray of float64, shapes (n_train, 2), (n_test, 2)
        Raw coordinates (what the pictures show).
    y_train, y_test : ndarray of int64, shapes (n_train,), (n_test,)
        Labels 0 ... K-1 (float64 targets for a regression set).
    net : MLP
        Its inputs are ``featurize(X, settings.features)``.
    initial_params : list of (W, b)
        The weights at epoch 0, for :func:`reset`.
    history : History
    trainer : Trainer or None
        The run in progress (its optimizer state continues with each :func:`advance`);
        None until the first one, and again after :func:`reset`.
    """

    settings: Settings
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    net: MLP
    initial_params: list
    history: History = field(default_factory=History)
    trainer: Trainer | None = field(default=None, repr=False)

    @property
    def epoch(self) -> int:
        return self.history.epochs_run

    def predict_proba(self, X) -> np.ndarray:
        """P(class 1) for raw coordinates ``X`` (m, 2) -> (m,); (m, K) for K > 2 classes."""
        return self.net.predict_proba(featurize(X, self.settings.features))

    def test_accuracy(self) -> float:
        """Share of test points given their own class, now (any epoch, 0 included)."""
        return float(np.mean(self.net.predict(featurize(self.X_test, self.settings.features)) == self.y_test))


def prepare(settings, data=None) -> Run:
    """Data, split and a network at its initial weights; nothing trained yet.

    ``data`` (a ``userdata.UserData``: the learner's own points) replaces the generated
    dataset: ``dataset``, ``noise`` and ``n_samples`` are then unused, and ``data_seed``
    still draws the train/test split.
    """
    s = get_scenario(settings)
    if data is None:
        output, units = output_head(s.dataset)  # linear, sigmoid or softmax, from the dataset's classes
        X, y = make_dataset(s.dataset, s.n_samples, s.noise, seed=s.data_seed)
    else:
        output, units = head_for(data.task, data.n_classes)
        X, y = data.X, data.y
    X_train, X_test, y_train, y_test = train_test_split(X, y, s.test_fraction, seed=s.data_seed)
    net = MLP([*s.layer_sizes[:-1], units], s.activation, seed=s.seed, output=output)
    return Run(s, X_train, X_test, y_train, y_test, net, net.get_params())


def advance(run: Run, epochs: int | None = None) -> History:
    """Train ``run`` ``epochs`` more epochs (default: ``settings.epochs``), in place."""
    s = run.settings
    if run.trainer is None or run.trainer.history is not run.history:
        f = s.features
        run.trainer = Trainer(run.net, featurize(run.X_train, f), run.y_train,
                              learning_rate=s.learning_rate, optimizer=s.optimizer, batch_size=s.batch_size,
                              seed=s.seed, X_test=featurize(run.X_test, f), y_test=run.y_test,
                              l1=s.l1, l2=s.l2, snapshot_every=s.snapshot_every, history=run.history)
    return run.trainer.run(s.epochs if epochs is None else epochs)


def reset(run: Run) -> Run:
    """Back to the initial weights and an empty history (the same seed, the same start)."""
    run.net.set_params(run.initial_params)
    run.history = History()
    run.trainer = None
    return run


def run_scenario(settings, **changes) -> Run:
    """Prepare and train a preset (optionally with some settings changed)."""
    s = get_scenario(settings)
    if changes:
        s = s.replace(**changes)
    run = prepare(s)
    advance(run)
    return run


def probability_grid(run: Run, resolution: int = 100) -> np.ndarray:
    """P(class 1) on the heatmap grid, shape (resolution, resolution); for K > 2 classes each
    class's probability, (resolution, resolution, K). See ``grid.heatmap_grid``."""
    return heatmap_grid(run.predict_proba, resolution)


# Inputs that are the raw coordinates themselves: through them an affine map of the
# inputs is an affine map of the plane. (x1^2, x1*x2, sin x1 ... bend it.)
_PLANE_AXES = {"x1": 0, "x2": 1}


def decision_line(net: MLP, features=DEFAULT_FEATURES):
    """A network's decision boundary as a straight line in the plane, when it is one.

    A network whose hidden activation is linear is one affine map of its inputs
    (:func:`course_utils.model.collapse`), so P(class 1) = 0.5 exactly where that map is 0.
    When its inputs are the coordinates x1 and/or x2 themselves, that is the line
    ``w[0] x1 + w[1] x2 + b = 0`` however deep or wide the network.

    Parameters
    ----------
    net : MLP
    features : sequence of str
        The inputs the network was built for (``Settings.features``).

    Returns
    -------
    (w, b) or None
        ``w`` float64 (2,), ``b`` float: the line in raw coordinates. None when the boundary
        is not a straight line (a nonlinear hidden activation, or inputs such as ``x1^2``),
        when there is no decision boundary (a regression output), when there are more than
        two classes (their regions are bounded by several lines), or when the collapsed
        weights are not finite or are all zero (a diverged network; one class everywhere).
    """
    features = check_features(features)
    if net.task != "classification" or (net.hidden_sizes and net.activation.name != "linear"):
        return None
    if not set(features) <= set(_PLANE_AXES):
        return None
    W, b = collapse(net)  # (n_inputs, K), (K,)
    if W.shape[1] != 1:
        return None  # K class scores: one line per pair of classes, drawn from the grid instead
    w = np.zeros(2)
    for row, name in enumerate(features):
        w[_PLANE_AXES[name]] = W[row, 0]
    b = float(b[0])
    if not (np.isfinite(w).all() and math.isfinite(b)) or not w.any():
        return None
    return w, b


def chance_note(net: MLP) -> str:
    """The loss of a network that learned nothing, in words: ``"ln 3 = 1.099 is a network
    that learned nothing"`` for three classes (ln 2 = 0.693 for two); "" for regression."""
    k = net.n_classes
    if k is None:
        return ""
    return f"ln {k} = {chance_loss(k):.3f} is a network that learned nothing"


def summary_line(history: History) -> str:
    """One line for learners, rounded so it reads the same on every machine.

    ``final loss 0.691 (test 0.694), accuracy 69 % (test 66 %) after 300 epochs``;
    on divergence, the plain-words message instead.
    """
    if history.diverged:
        return history.message
    if not history.epochs_run:
        return "not trained yet (epoch 0)"
    f = history.final()
    # A loss that explodes or stops being finite ends training with ``history.diverged``
    # (course_utils.train), so what reaches here is a finite loss of a run still going.
    loss, test_loss = f["train_loss"], f["test_loss"]
    text = f"final loss {loss:.3f}"
    if math.isfinite(test_loss):
        text += f" (test {test_loss:.3f})"
    if not math.isfinite(f["train_accuracy"]):  # regression: no accuracy to report
        return text + f" after {history.epochs_run} epochs"
    text += f", accuracy {100 * f['train_accuracy']:.0f} %"
    if math.isfinite(f["test_accuracy"]):
        text += f" (test {100 * f['test_accuracy']:.0f} %)"
    return text + f" after {history.epochs_run} epochs"


def status_text(run: Run) -> tuple[str, str]:
    """``(level, text)`` for a status line: level is ``"ok"`` or ``"error"`` (diverged)."""
    h = run.history
    text = summary_line(h)
    if h.diverged:
        return "error", text
    return "ok", f"epoch {run.epoch}: {text}"


# --------------------------------------------------------------------------------------
# Filmstrips: one run, pictured at a few epochs (replaces the seed's videos)
# --------------------------------------------------------------------------------------
FILMSTRIP_EPOCHS = (0, 1, 5, 20, 100, 300)
"""The default frames: the start, the first steps, and the end of a 300-epoch preset."""


@dataclass(frozen=True)
class Snapshot:
    """The network of a run as it was after ``epoch`` epochs.

    Attributes
    ----------
    epoch : int
    grid : ndarray of float64, shape (resolution, resolution)
        P(class 1) on the heatmap grid (``grid.heatmap_grid``; x2 along the rows).
    line : tuple (w, b) or None
        For a linear-activation network on the raw inputs (x1, x2): its collapsed
        boundary ``w[0] x1 + w[1] x2 + b = 0`` (``model.collapse``), ``w`` (2,), ``b``
        float. None otherwise (a curved boundary, or a line in some other feature space).
    loss, accuracy : float
        Of this network on the training set (accuracy in [0, 1]).
    """

    epoch: int
    grid: np.ndarray
    line: tuple | None
    loss: float
    accuracy: float


@dataclass(frozen=True)
class Filmstrip:
    """Snapshots of one training run, with the training data they were learned from.

    Attributes
    ----------
    settings : Settings
    X_train : ndarray of float64, shape (n_train, 2)
    y_train : ndarray of int64, shape (n_train,)
    snapshots : list of Snapshot
        In increasing epoch order.
    history : History
        The whole run's history (up to the last snapshot).
    """

    settings: Settings
    X_train: np.ndarray
    y_train: np.ndarray
    snapshots: list
    history: History


def _snapshot(run: Run, resolution: int) -> Snapshot:
    line = None
    if run.settings.activation == "linear" and tuple(run.settings.features) == DEFAULT_FEATURES \
            and not run.net.output.vector:
        W, b = collapse(run.net)  # (2, 1), (1,)
        line = (W[:, 0].copy(), float(b[0]))
    loss, acc = evaluate(run.net, featurize(run.X_train, run.settings.features), run.y_train)
    return Snapshot(run.epoch, probability_grid(run, resolution), line, loss, acc)


def filmstrip(settings, epochs=FILMSTRIP_EPOCHS, resolution: int = 60) -> Filmstrip:
    """Train a preset once and keep a picture of its network at each of ``epochs``.

    The run is trained in chunks from one snapshot epoch to the next; training in
    chunks equals one long run (``train``), so the last frame is the network that
    ``run_scenario(settings, epochs=max(epochs))`` ends with.

    Parameters
    ----------
    settings : str or Settings
        A preset name (``"scenario2"``) or settings.
    epochs : sequence of int, >= 0
        Epochs to picture (sorted, repeats dropped); 0 is the untrained network.
    resolution : int
        Side of each probability grid.

    Returns
    -------
    Filmstrip

    Examples
    --------
    >>> strip = filmstrip("scenario3")                                # doctest: +SKIP
    >>> [s.epoch for s in strip.snapshots]                            # doctest: +SKIP
    [0, 1, 5, 20, 100, 300]
    """
    wanted = sorted({whole_number(e, "every epoch in epochs", at_least=0) for e in epochs})
    if not wanted:
        raise ValueError("epochs must list at least one epoch, e.g. (0, 10, 100).")
    run = prepare(settings)
    snaps = []
    for e in wanted:
        if e > run.epoch:
            advance(run, e - run.epoch)
            if run.history.diverged:
                raise ValueError(run.history.message)
        snaps.append(_snapshot(run, resolution))
    return Filmstrip(run.settings, run.X_train, run.y_train, snaps, run.history)


# --------------------------------------------------------------------------------------
# Width sweep: what one hidden layer of 1, 2, 3, 4, 8 units can draw
# --------------------------------------------------------------------------------------
WIDTH_SWEEP = _BASE.replace(dataset="circle", activation="relu", optimizer="adam", learning_rate=0.1,
                            epochs=500, seed=1)
"""The circle with ReLU units, Adam at lr 0.1, 500 epochs, weights seed 1. Each ReLU unit folds
the plane along one line, so the boundary is made of straight pieces: 1 unit draws a line
(69 %), 2 a band (84 %), 3 and 4 polygons (100 %), 8 a polygon close to a circle (100 %).
(Seed 0 leaves the single unit dead - a flat 52 % - which hides the point; seeds 1, 3, 5-7
all draw the line.)"""

WIDTHS = (1, 2, 3, 4, 8)


@dataclass(frozen=True)
class WidthSweep:
    """One hidden layer of each width, trained on the same data from the same seed.

    Attributes
    ----------
    settings : Settings
        The shared settings (``hidden`` is replaced by each width).
    widths : tuple of int, (k,)
    grids : ndarray of float64, shape (k, resolution, resolution)
        P(class 1) of each trained network on the heatmap grid.
    accuracy, test_accuracy : ndarray of float64, shape (k,)
        Final training and test accuracy, in [0, 1].
    X_train : ndarray of float64, shape (n_train, 2)
    y_train : ndarray of int64, shape (n_train,)
    """

    settings: Settings
    widths: tuple
    grids: np.ndarray
    accuracy: np.ndarray
    test_accuracy: np.ndarray
    X_train: np.ndarray
    y_train: np.ndarray


def width_sweep(widths=WIDTHS, settings=WIDTH_SWEEP, resolution: int = 60) -> WidthSweep:
    """Train ``settings`` with one hidden layer of each width; about 0.3 s for the defaults.

    Returns
    -------
    WidthSweep
    """
    base = get_scenario(settings)
    widths = tuple(int(w) for w in widths)
    grids, acc, test_acc = [], [], []
    run = None
    for w in widths:
        run = run_scenario(base, hidden=(w,))
        f = run.history.final()
        grids.append(probability_grid(run, resolution))
        acc.append(f["train_accuracy"])
        test_acc.append(f["test_accuracy"])
    if run is None:
        raise ValueError("Give at least one width.")
    return WidthSweep(base, widths, np.array(grids), np.array(acc), np.array(test_acc), run.X_train,
                      run.y_train)
