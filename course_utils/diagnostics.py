"""Measurements behind notebook 05, "activation flavours" (NumPy only).

Each function looks at a network, a batch or a training history and returns numbers:
gradient norms per layer (vanishing gradients), units that never fire or pass no
gradient (dead ReLUs), the mean output of each hidden layer (zero-centred or not),
epochs needed to reach an accuracy, and one helper that trains the same network with
several activations for a side-by-side table. Nothing here draws or displays anything;
``course_utils.plots.flavours`` draws what these functions return.

Shapes: a batch ``X`` is (n, d); layer ``l`` of a network holds ``W`` (fan_in, fan_out)
and ``b`` (fan_out,); per-layer results list the hidden layers from the input side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .activations import ACTIVATIONS, get_activation
from .model import MLP, Pass, check_Xy
from .numeric import lookup
from .train import History, evaluate, train

__all__ = [
    "activation_curves", "pre_activations", "gradient_norms", "dead_units", "silent_units",
    "dead_fraction", "silent_fraction", "mean_hidden_output", "epochs_to_accuracy",
    "Run", "compare_activations", "format_table", "FLAVOURS",
    "gradient_norm_study", "silent_unit_study", "format_silent_study", "round_epochs", "epochs_label",
]

FLAVOURS: tuple[str, ...] = tuple(name for name in ACTIVATIONS if name != "linear")
"""The non-linear activations notebook 05 compares, in the order of ``ACTIVATIONS``."""


# --------------------------------------------------------------------------------------
# Shapes of the functions themselves
# --------------------------------------------------------------------------------------
def activation_curves(names: Sequence[str], z) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Value and derivative of each named activation on the points ``z``.

    Parameters
    ----------
    names : sequence of str
        Keys of :data:`course_utils.ACTIVATIONS`; an unknown name raises ``ValueError``
        listing the valid ones.
    z : array_like of float, shape (m,)

    Returns
    -------
    dict
        ``name -> (value, derivative)``, two float64 arrays of shape (m,), in the order given.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1 or z.size == 0 or not np.isfinite(z).all():
        raise ValueError(f"z must be a non-empty 1-D array of finite numbers; got shape {z.shape}.")
    out = {}
    for name in names:
        act = get_activation(name)
        out[act.name] = (np.asarray(act.value(z), dtype=np.float64),
                         np.asarray(act.derivative(z), dtype=np.float64))
    return out


# --------------------------------------------------------------------------------------
# Looking inside a network
# --------------------------------------------------------------------------------------
def _check_net(net) -> MLP:
    if not isinstance(net, MLP):
        raise ValueError(f"Expected an MLP, got {type(net).__name__}.")
    return net


def pre_activations(net: MLP, X) -> list[np.ndarray]:
    """Each hidden layer's pre-activation ``Z = A_prev @ W + b`` for a batch.

    Parameters
    ----------
    net : MLP
    X : ndarray of float, shape (n, net.n_inputs)

    Returns
    -------
    list of ndarray
        One float64 array (n, width) per hidden layer, from the input side; empty for a
        network without hidden layers.
    """
    _check_net(net)
    X, _ = check_Xy(X, n_inputs=net.n_inputs)
    layers = Pass(net, len(X))
    with np.errstate(over="ignore", invalid="ignore"):
        layers.forward(X)
    return layers.Z[:-1]


def gradient_norms(net: MLP, X, y) -> np.ndarray:
    """Size of the loss gradient reaching each layer's weights.

    Parameters
    ----------
    net : MLP
    X : ndarray of float, shape (n, net.n_inputs)
    y : ndarray, shape (n,)

    Returns
    -------
    ndarray of float64, shape (n_layers,)
        Frobenius norm of ``dLoss/dW`` for every weight matrix, input layer first and
        output layer last. With a saturating activation these shrink towards the input.
    """
    _check_net(net)
    _, grads = net.loss_and_gradients(X, y)
    return np.array([float(np.linalg.norm(dW)) for dW, _ in grads])


def dead_units(net: MLP, X, tol: float = 1e-6) -> list[np.ndarray]:
    """Hidden units through which no gradient flows for any row of ``X``.

    A unit is *dead* when ``|activation'(z)| <= tol`` on every row: gradient descent
    cannot change its incoming weights any more, so on this data it stays as it is.
    A ReLU unit whose ``z <= 0`` everywhere is dead; a leaky ReLU unit never is
    (its slope is 0.01 below zero); a GELU unit is only when ``z`` is far below zero.

    Returns
    -------
    list of ndarray of bool
        One (width,) mask per hidden layer, True where the unit is dead.
    """
    tol = float(tol)
    if not (math.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}.")
    der = net.activation.derivative
    with np.errstate(over="ignore", invalid="ignore"):
        return [np.all(np.abs(der(Z)) <= tol, axis=0) for Z in pre_activations(net, X)]


def silent_units(net: MLP, X) -> list[np.ndarray]:
    """Hidden units that never fire: ``z <= 0`` on every row of ``X``.

    For ReLU a silent unit outputs 0 everywhere and is also dead; a silent leaky-ReLU
    or GELU unit still passes a little gradient and can come back.

    Returns
    -------
    list of ndarray of bool
        One (width,) mask per hidden layer.
    """
    return [np.all(Z <= 0, axis=0) for Z in pre_activations(net, X)]


def _fraction(masks: list[np.ndarray]) -> float:
    total = sum(m.size for m in masks)
    return float(sum(int(m.sum()) for m in masks) / total) if total else 0.0


def dead_fraction(net: MLP, X, tol: float = 1e-6) -> float:
    """Share of all hidden units that are dead on ``X`` (see :func:`dead_units`), in [0, 1]."""
    return _fraction(dead_units(net, X, tol))


def silent_fraction(net: MLP, X) -> float:
    """Share of all hidden units that never fire on ``X`` (see :func:`silent_units`), in [0, 1]."""
    return _fraction(silent_units(net, X))


def mean_hidden_output(net: MLP, X) -> np.ndarray:
    """Mean output of each hidden layer over the batch and its units.

    Sigmoid layers sit near 0.5 (every output positive), tanh layers near 0: the next
    layer's weight gradients ``A_prev.T @ dZ`` then share one sign per unit for sigmoid,
    which makes gradient descent zig-zag.

    Returns
    -------
    ndarray of float64, shape (n_hidden_layers,)
    """
    _check_net(net)
    return np.array([float(np.mean(A)) for A in net.hidden_outputs(X)])


# --------------------------------------------------------------------------------------
# Training histories
# --------------------------------------------------------------------------------------
def epochs_to_accuracy(history: History, target: float = 0.97, which: str = "test") -> int | None:
    """First epoch (1-based) whose accuracy reaches ``target``; ``None`` if none did.

    Parameters
    ----------
    history : History
    target : float in (0, 1]
    which : {"test", "train"}
        Test accuracy is measured after each epoch's update; train accuracy during it.
    """
    if not isinstance(history, History):
        raise ValueError(f"Expected a History, got {type(history).__name__}.")
    column = lookup({"test": "test_accuracy", "train": "train_accuracy"}, which, "accuracy")
    target = float(target)
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target must be in (0, 1], got {target!r}.")
    acc = getattr(history, column)
    hit = np.flatnonzero(acc >= target)  # NaN compares False
    return int(history.epochs[hit[0]]) if hit.size else None


@dataclass
class Run:
    """One activation's training run in a comparison.

    Attributes
    ----------
    activation : str
    net : MLP
        The trained network.
    history : History
    epochs_to_target : int or None
        First epoch with test accuracy >= ``target``; None if never reached.
    target : float
    final_loss : float
        Test loss at the end (training loss when there is no test set); NaN if diverged
        before the first epoch.
    final_accuracy : float
    """

    activation: str
    net: MLP = field(repr=False)
    history: History = field(repr=False)
    epochs_to_target: int | None
    target: float
    final_loss: float
    final_accuracy: float

    @property
    def diverged(self) -> bool:
        return self.history.diverged

    @property
    def message(self) -> str:
        return self.history.message


def compare_activations(names: Sequence[str], X, y, X_test=None, y_test=None, *,
                        hidden: Sequence[int] = (8, 8), epochs: int = 500,
                        learning_rate: float = 0.1, optimizer: str = "sgd",
                        batch_size: int | None = None, seed=0,
                        target: float = 0.97) -> list[Run]:
    """Train the same network once per activation, from the same seed, on the same data.

    Parameters
    ----------
    names : sequence of str
        Keys of :data:`course_utils.ACTIVATIONS` (checked before any training).
    X, y : ndarray, shapes (n, d) and (n,)
        Training set.
    X_test, y_test : ndarray, optional
        Held-out set; ``epochs_to_target`` uses its accuracy (else the training accuracy).
    hidden : sequence of int
        Hidden layer widths; the network is ``[d, *hidden, 1]``.
    epochs, learning_rate, optimizer, batch_size
        Passed to :func:`course_utils.train`.
    seed : int
        Seeds both the initial weights and the mini-batch order: same seed -> identical runs.
    target : float
        Accuracy whose first epoch is reported.

    Returns
    -------
    list of Run
        One per name, in the order given.
    """
    acts = [get_activation(n).name for n in names]
    if not acts:
        raise ValueError(f"Give at least one activation. Choose from: {', '.join(ACTIVATIONS)}.")
    X, y = check_Xy(X, y)
    sizes = [X.shape[1], *[int(h) for h in hidden], 1]
    has_test = X_test is not None
    runs = []
    for name in acts:
        net = MLP(sizes, name, seed=seed)
        hist = train(net, X, y, epochs=epochs, learning_rate=learning_rate, optimizer=optimizer,
                     batch_size=batch_size, seed=seed, X_test=X_test, y_test=y_test)
        if has_test:
            loss, acc = evaluate(net, X_test, y_test)
        else:
            loss, acc = evaluate(net, X, y)
        runs.append(Run(name, net, hist,
                        epochs_to_accuracy(hist, target, "test" if has_test else "train"),
                        float(target), float(loss), float(acc)))
    return runs


def round_epochs(epochs: int) -> str:
    """An epoch count as a table shows it: exact below 20, else to the nearest 10 ("≈ 70").

    The exact epoch at which a threshold is first crossed can move by one or two on
    another CPU or BLAS; the rounded figure is what the lesson's sentences rely on.
    """
    epochs = int(epochs)
    return str(epochs) if epochs < 20 else f"≈ {int(round(epochs, -1))}"


def epochs_label(run: Run) -> str:
    """Epochs to the run's target, rounded (:func:`round_epochs`), or "not in N" when the
    N epochs trained did not reach it - not "never": more epochs might."""
    if run.epochs_to_target is None:
        return f"not in {run.history.epochs_run}"
    return round_epochs(run.epochs_to_target)


def format_table(runs: Sequence[Run], decimals: int = 3) -> str:
    """A plain-text table of a comparison, rounded so it reads the same on every machine.

    Columns: activation, epochs to the target accuracy (:func:`epochs_label`),
    final loss and final accuracy (rounded to ``decimals``), and a note when training
    diverged.
    """
    target = runs[0].target if runs else 0.97
    head = ("activation", f"epochs to {target:.0%}", "final loss", "final accuracy")
    rows = []
    for r in runs:
        reached = epochs_label(r)
        note = "  (diverged)" if r.diverged else ""
        rows.append((r.activation, reached, f"{r.final_loss:.{decimals}f}",
                     f"{r.final_accuracy:.{decimals}f}{note}"))
    return _layout(head, rows)


def _layout(head, rows) -> str:
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(head)]

    def line(cells):
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)])


# --------------------------------------------------------------------------------------
# Small studies the notebook runs in one call each
# --------------------------------------------------------------------------------------
def gradient_norm_study(names: Sequence[str], X, y, *, depth: int = 8, width: int = 8,
                        epochs: int = 300, learning_rate: float = 0.1, seed=0
                        ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Gradient norm per layer of a deep net, at initialisation and after training.

    For each activation a fresh ``[d, width x depth, 1]`` network (same seed) is measured
    with :func:`gradient_norms`, trained by full-batch gradient descent, and measured again.

    Returns
    -------
    dict
        ``name -> (before, after)``, each float64 of shape (depth + 1,), input layer first.
    """
    acts = [get_activation(n).name for n in names]
    X, y = check_Xy(X, y)
    sizes = [X.shape[1], *[int(width)] * int(depth), 1]
    out = {}
    for name in acts:
        net = MLP(sizes, name, seed=seed)
        before = gradient_norms(net, X, y)
        train(net, X, y, epochs=epochs, learning_rate=learning_rate)
        out[name] = (before, gradient_norms(net, X, y))
    return out


def silent_unit_study(names: Sequence[str], X, y, X_test=None, y_test=None, *,
                      hidden: Sequence[int] = (16, 16), learning_rate: float = 3.0,
                      epochs: int = 500, seeds: Sequence[int] = (0, 1, 2)) -> dict[str, dict]:
    """Share of hidden units that fire for no training point, epoch by epoch.

    A unit that never fires (``z <= 0`` on every training row, :func:`silent_units`)
    outputs 0 for ReLU and passes no gradient: whether it ever fires again is what
    decides if it is lost. Leaky ReLU and GELU still pass a little gradient there, so
    their silent units *can* come back; this measures whether they do.

    Parameters
    ----------
    names : sequence of str
        Keys of :data:`course_utils.ACTIVATIONS`.
    X, y : ndarray, shapes (n, d) and (n,)
        Training set (silence is measured on it).
    X_test, y_test : ndarray, optional
        Held-out set for the final accuracy (else the training set).
    hidden, learning_rate, epochs
        The network ``[d, *hidden, 1]`` and its full-batch gradient descent.
    seeds : sequence of int
        One run per seed (initial weights).

    Returns
    -------
    dict
        ``name -> {"silent": float64 (n_seeds, epochs + 1), "accuracy": float64 (n_seeds,),
        "diverged": int}``; column 0 of ``silent`` is the untrained network.
    """
    acts = [get_activation(n).name for n in names]
    X, y = check_Xy(X, y)
    if not len(seeds):
        raise ValueError("Give at least one seed.")
    sizes = [X.shape[1], *[int(h) for h in hidden], 1]
    X_eval, y_eval = (X, y) if X_test is None else (X_test, y_test)
    out = {}
    for name in acts:
        silent, acc, diverged = [], [], 0
        for seed in seeds:
            net = MLP(sizes, name, seed=seed)
            curve = [silent_fraction(net, X)]
            hist = train(net, X, y, epochs=epochs, learning_rate=learning_rate,
                         callback=lambda epoch, n, h: curve.append(silent_fraction(n, X)))
            curve += [curve[-1]] * (epochs + 1 - len(curve))  # a diverged run stops early
            silent.append(curve)
            acc.append(evaluate(net, X_eval, y_eval)[1])
            diverged += hist.diverged
        out[name] = {"silent": np.array(silent, dtype=np.float64),
                     "accuracy": np.array(acc, dtype=np.float64), "diverged": diverged}
    return out


def format_silent_study(study: dict[str, dict], good: float = 0.95) -> str:
    """A plain-text table of :func:`silent_unit_study`, in whole percentages.

    Columns: the largest share of silent units at any epoch and the share at the end
    (means over seeds), the mean final accuracy, and how many runs ended below ``good``.
    """
    head = ("activation", "never fire: peak", "never fire: end", "accuracy",
            f"runs below {good:.0%}")
    rows = []
    for name, r in study.items():
        curve = r["silent"].mean(axis=0)
        n_runs = len(r["accuracy"])
        note = f"  ({r['diverged']} diverged)" if r["diverged"] else ""
        rows.append((name, f"{curve.max():.0%}", f"{curve[-1]:.0%}", f"{r['accuracy'].mean():.0%}",
                     f"{int(np.sum(r['accuracy'] < good))} of {n_runs}{note}"))
    return _layout(head, rows)
