"""Training: optimizers, a history of the run, and a loop that says forward, backward, update.

Everything around the loop (validation, history, snapshots, divergence, callbacks)
lives outside the three lines that do the work.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .model import MLP, _check_reg, check_Xy

__all__ = ["OPTIMIZERS", "History", "train", "evaluate", "get_optimizer"]


# --------------------------------------------------------------------------------------
# Optimizers: name -> class with step(grads), updating the parameter arrays in place.
# --------------------------------------------------------------------------------------
class SGD:
    """Plain gradient descent: ``p -= lr * g``."""

    def __init__(self, arrays, learning_rate: float):
        self.arrays = arrays
        self.lr = learning_rate

    def step(self, grads) -> None:
        lr = self.lr
        for p, g in zip(self.arrays, grads):
            g *= lr  # the gradients are ours to overwrite: saves a temporary
            p -= g


class Momentum(SGD):
    """Heavy-ball momentum: ``v = beta v - lr g; p += v`` (beta = 0.9)."""

    beta = 0.9

    def __init__(self, arrays, learning_rate: float):
        super().__init__(arrays, learning_rate)
        self.velocity = [np.zeros_like(p) for p in arrays]

    def step(self, grads) -> None:
        for p, g, v in zip(self.arrays, grads, self.velocity):
            v *= self.beta
            g *= self.lr
            v -= g
            p += v


class Adam(SGD):
    """Adam (Kingma & Ba), beta1 = 0.9, beta2 = 0.999, eps = 1e-8, bias-corrected."""

    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, arrays, learning_rate: float):
        super().__init__(arrays, learning_rate)
        self.m = [np.zeros_like(p) for p in arrays]
        self.v = [np.zeros_like(p) for p in arrays]
        self.t = 0

    def step(self, grads) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step = self.lr * math.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        for p, g, m, v in zip(self.arrays, grads, self.m, self.v):
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * (g * g)
            p -= step * m / (np.sqrt(v) + self.eps)


OPTIMIZERS: dict[str, type] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
"""Optimizer name -> class; the widgets' dropdown is built from this table."""


def get_optimizer(name: str):
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown optimizer {name!r}. Choose one of: {', '.join(OPTIMIZERS)}.") from None


# --------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------
class History:
    """What happened during training, one entry per completed epoch.

    Attributes
    ----------
    train_loss, train_accuracy : ndarray of float64, shape (epochs_run,)
        Mean data loss (no regularization penalty) and accuracy over the epoch's
        batches, measured as each batch was seen (before its update) - the convention
        of scikit-learn and Keras. Accuracy is NaN for regression.
    test_loss, test_accuracy : ndarray of float64, shape (epochs_run,)
        On the test set with the parameters at the end of each epoch; NaN when no
        test set was given.
    snapshots : list of (int, list of (W, b))
        ``(epoch, params)`` copies: epoch 0 is the initial weights, then every
        ``snapshot_every`` epochs (the network itself holds the latest). Empty unless
        asked for.
    diverged : bool
        True when training stopped because the loss or the weights stopped being
        finite numbers; the network was left at its last finite parameters.
    message : str
        A plain-words account of how training ended (why it diverged, or stopped).
    stopped_early : bool
        True when the callback asked to stop.
    """

    _FIELDS = ("train_loss", "train_accuracy", "test_loss", "test_accuracy")

    def __init__(self):
        self._n = 0
        self._buf = {f: np.empty(0) for f in self._FIELDS}
        self.snapshots: list[tuple[int, list]] = []
        self.diverged = False
        self.stopped_early = False
        self.message = ""
        self._optimizer = None  # kept so that training in chunks equals one long run

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        for f, a in self._buf.items():
            if a.size < need:
                grown = np.full(max(need, 2 * a.size), np.nan)
                grown[: self._n] = a[: self._n]
                self._buf[f] = grown

    def _record(self, train_loss, train_acc, test_loss, test_acc) -> None:
        i = self._n
        b = self._buf
        b["train_loss"][i] = train_loss
        b["train_accuracy"][i] = train_acc
        b["test_loss"][i] = test_loss
        b["test_accuracy"][i] = test_acc
        self._n = i + 1

    @property
    def epochs_run(self) -> int:
        """Number of completed epochs recorded."""
        return self._n

    def __len__(self) -> int:
        return self._n

    def __getattr__(self, name):
        if name in History._FIELDS:
            return self._buf[name][: self._n].copy()
        raise AttributeError(name)

    def final(self) -> dict:
        """The last epoch's figures as plain floats (NaN when nothing was recorded)."""
        if not self._n:
            return {f: math.nan for f in self._FIELDS}
        return {f: float(self._buf[f][self._n - 1]) for f in self._FIELDS}

    def __eq__(self, other) -> bool:
        if not isinstance(other, History):
            return NotImplemented
        same_arrays = all(np.array_equal(getattr(self, f), getattr(other, f), equal_nan=True)
                          for f in self._FIELDS)
        same_snaps = len(self.snapshots) == len(other.snapshots) and all(
            e1 == e2 and all(np.array_equal(W1, W2) and np.array_equal(b1, b2)
                             for (W1, b1), (W2, b2) in zip(p1, p2))
            for (e1, p1), (e2, p2) in zip(self.snapshots, other.snapshots))
        return (same_arrays and same_snaps and self.diverged == other.diverged
                and self.message == other.message and self.stopped_early == other.stopped_early)

    def __repr__(self) -> str:
        f = self.final()
        state = "diverged" if self.diverged else "stopped early" if self.stopped_early else "ok"
        return (f"History(epochs={self._n}, train_loss={f['train_loss']:.4g}, "
                f"train_accuracy={f['train_accuracy']:.3g}, {state})")


# --------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------
def _positive_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be a whole number of at least 1, got {value!r}.")
    return int(value)


def _flat(params):
    return [a for pair in params for a in pair]


def _all_finite(arrays) -> bool:
    return all(np.isfinite(a).all() for a in arrays)


BLOWUP_FACTOR = 100.0
"""Training counts as diverged once the loss exceeds this many times its first value (or 1,
whichever is larger): a loss that large only comes from weights running away, as with a
ReLU net at learning rate 50, even while the numbers are still finite."""


def _divergence_message(epoch: int, value: float, learning_rate: float, first: float) -> str:
    if math.isnan(value):
        what = "became NaN (not a number)"
    elif math.isinf(value):
        what = "became infinite"
    else:
        what = f"exploded from {first:.3g} to {value:.3g}"
    return (f"Training diverged at epoch {epoch}: the loss {what} because the weights grew "
            f"without bound. The learning rate {learning_rate:g} is too large for this network; "
            f"try {learning_rate / 10:g} or smaller. The network was left at its last good weights, "
            f"from just before the step that blew up.")


def _bad(loss: float, limit: float) -> bool:
    return not (loss <= limit)  # also True for NaN


def evaluate(net: MLP, X, y) -> tuple[float, float]:
    """Data loss and accuracy (NaN for regression) of ``net`` on ``(X, y)``."""
    X, y = check_Xy(X, y, net.n_inputs, net.task)
    with np.errstate(all="ignore"):
        loss, acc = _measure(net, X, y, net.task == "classification")
    return loss, float(acc)


def train(net: MLP, X, y, *, epochs: int, learning_rate: float, optimizer: str = "sgd",
          batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0, seed=None,
          X_test=None, y_test=None, callback: Callable | None = None,
          snapshot_every: int | None = None, history: History | None = None) -> History:
    """Train ``net`` in place by gradient descent on ``(X, y)``.

    Parameters
    ----------
    net : MLP
        Updated in place.
    X : ndarray of float, shape (n, net.n_inputs)
    y : ndarray, shape (n,)
        Labels 0/1 (classification) or targets (regression). Neither array is modified.
    epochs : int, >= 1
        Passes over the training set.
    learning_rate : float, > 0
    optimizer : {"sgd", "momentum", "adam"}
    batch_size : int or None
        None: full batch (one update per epoch). Otherwise shuffled mini-batches,
        reshuffled every epoch from ``seed`` and the epoch number.
    l1, l2 : float, >= 0
        Weight regularization rates (biases are not regularized).
    seed : None, int, or anything ``numpy.random.default_rng`` accepts
        Controls the mini-batch order. Same net, data and seed -> identical history,
        whether trained in one call or continued in chunks with ``history=``.
    X_test, y_test : ndarray, optional
        A held-out set measured at the end of every epoch.
    callback : callable, optional
        ``callback(epoch, net, history)`` after every epoch (1-based); return ``False``
        to stop early.
    snapshot_every : int, optional
        Keep a copy of the parameters every this many epochs (and at the start and end).
    history : History, optional
        Continue this history instead of starting a new one (for Play / Step).

    Returns
    -------
    History
        If the loss stops being finite, training stops, the network is restored to its
        last finite parameters, and ``history.diverged`` / ``history.message`` say so.
    """
    if not isinstance(net, MLP):
        raise ValueError(f"train expects an MLP as its first argument, got {type(net).__name__}.")
    X, y = check_Xy(X, y, net.n_inputs, net.task)
    has_test = X_test is not None or y_test is not None
    if has_test:
        if X_test is None or y_test is None:
            raise ValueError("Give both X_test and y_test, or neither.")
        X_test, y_test = check_Xy(X_test, y_test, net.n_inputs, net.task)
    epochs = _positive_int(epochs, "epochs")
    try:
        lr = float(learning_rate)
    except (TypeError, ValueError):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}.") from None
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning_rate must be a positive finite number, got {learning_rate!r}.")
    opt_cls = get_optimizer(optimizer)
    l1, l2 = _check_reg(l1, l2)
    n = X.shape[0]
    if batch_size is not None:
        batch_size = min(_positive_int(batch_size, "batch_size"), n)
        if batch_size == n:
            batch_size = None
    if snapshot_every is not None:
        snapshot_every = _positive_int(snapshot_every, "snapshot_every")
    if callback is not None and not callable(callback):
        raise ValueError("callback must be a function callback(epoch, net, history).")

    hist = history if history is not None else History()
    start = hist.epochs_run
    hist.diverged, hist.stopped_early, hist.message = False, False, ""
    if snapshot_every and not hist.snapshots:
        hist.snapshots.append((start, net.get_params()))
    hist._reserve(epochs)

    arrays = _flat(net.params)
    backup = [a.copy() for a in arrays]  # the last parameters known to give a finite loss
    opt = hist._optimizer
    # Continue the same optimizer (Adam's moments, momentum's velocity) when the history
    # goes on with the same network, optimizer and learning rate; start afresh otherwise.
    if not (type(opt) is opt_cls and opt.lr == lr and len(opt.arrays) == len(arrays)
            and all(a is b for a, b in zip(opt.arrays, arrays))):
        opt = opt_cls(arrays, lr)
    hist._optimizer = opt
    # Each epoch's shuffle comes from (base, epoch number), so training in chunks (Play,
    # Step, ``history=``) visits the batches in the same order as one long run.
    base = int(np.random.default_rng(seed).integers(2**63)) if batch_size is not None else 0
    classify = net.task == "classification"
    y_pos = y > 0.5  # labels as booleans: comparing bools is the cheapest accuracy count
    nan = math.nan
    first = limit = None  # the run's first loss, and the blow-up limit it sets

    with np.errstate(all="ignore"):  # non-finite numbers are detected and reported below
        for e in range(start + 1, start + epochs + 1):
            if batch_size is None:
                loss, grads, z = net._loss_grads(X, y, l1, l2)  # forward + backward
                if limit is None:
                    first, limit = _limit(hist, loss)
                if _bad(loss, limit):
                    _restore(arrays, backup)
                    hist.diverged, hist.message = True, _divergence_message(e, loss, lr, first)
                    break
                for a, c in zip(arrays, backup):
                    np.copyto(c, a)
                opt.step(_flat(grads))  # update
                ep_loss = loss
                ep_acc = np.count_nonzero((z > 0) == y_pos) / n if classify else nan
            else:
                order = np.random.default_rng((base, e)).permutation(n)
                total_loss = total_correct = 0.0
                bad = None
                for s in range(0, n, batch_size):
                    idx = order[s:s + batch_size]
                    Xb, yb, pb = X[idx], y[idx], y_pos[idx]
                    loss, grads, z = net._loss_grads(Xb, yb, l1, l2)
                    if limit is None:
                        first, limit = _limit(hist, loss)
                    if _bad(loss, limit):
                        bad = loss
                        break
                    for a, c in zip(arrays, backup):
                        np.copyto(c, a)
                    opt.step(_flat(grads))
                    total_loss += loss * len(idx)
                    if classify:
                        total_correct += np.count_nonzero((z > 0) == pb)
                if bad is not None:
                    _restore(arrays, backup)
                    hist.diverged, hist.message = True, _divergence_message(e, bad, lr, first)
                    break
                ep_loss = total_loss / n
                ep_acc = total_correct / n if classify else nan
            if has_test:
                test_loss, test_acc = _measure(net, X_test, y_test, classify)
                if not math.isfinite(test_loss):
                    _restore(arrays, backup)
                    hist.diverged, hist.message = True, _divergence_message(e, test_loss, lr, first)
                    break
            else:
                test_loss = test_acc = nan
            hist._record(ep_loss, ep_acc, test_loss, test_acc)
            if snapshot_every and e % snapshot_every == 0:
                hist.snapshots.append((e, net.get_params()))
            if callback is not None and callback(e, net, hist) is False:
                hist.stopped_early = True
                hist.message = f"Stopped early at epoch {e}, as the callback asked."
                break

        if not hist.diverged and not _all_finite(arrays):
            # The very last update overflowed: step back to the parameters before it.
            _restore(arrays, backup)
            hist.diverged = True
            hist.message = _divergence_message(hist.epochs_run + 1, math.inf, lr, first)

    return hist


def _limit(hist: History, loss: float):
    first = float(hist._buf["train_loss"][0]) if hist.epochs_run else loss
    if not math.isfinite(first):
        first = 1.0
    return first, BLOWUP_FACTOR * max(1.0, first)


def _restore(arrays, backup) -> None:
    for a, c in zip(arrays, backup):
        np.copyto(a, c)


def _measure(net: MLP, X, y, classify: bool):
    z = net._logits(X)
    loss = net.output.loss(z, y)
    acc = np.count_nonzero((z > 0) == y) / len(y) if classify else math.nan
    return loss, acc
