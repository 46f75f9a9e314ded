"""Training: the checks, the history of a run, and the rules of the loop.

The steps themselves (forward, backward, update) run in :mod:`course_utils.engine`,
which lays the same maths out for speed; this module validates the arguments, cuts the
run into chunks (at snapshots, callbacks, and the engine's own chunk size), and records
what happened.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import engine as _engine
from .model import MLP, _check_reg, check_Xy

__all__ = ["OPTIMIZERS", "History", "train", "evaluate", "get_optimizer"]


# The optimizers work on the engine's flat parameter vector; see engine.py.
OPTIMIZERS = _engine.OPTIMIZERS


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
        self._net = None  # the network that optimizer state belongs to

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

    def _extend(self, measured: dict) -> None:
        k = len(measured["train_loss"])
        self._reserve(k)
        for f in self._FIELDS:
            self._buf[f][self._n:self._n + k] = measured[f]
        self._n += k

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

    size = sum(W.size + b.size for W, b in net.params)
    opt = hist._optimizer
    # Continue the same optimizer (Adam's moments, momentum's velocity) when the history
    # goes on with the same network, optimizer and learning rate; start afresh otherwise.
    if not (type(opt) is opt_cls and opt.lr == lr and opt.size == size and hist._net is net):
        opt = opt_cls(size, lr)
    hist._optimizer, hist._net = opt, net
    # Each epoch's shuffle comes from (base, epoch number), so training in chunks (Play,
    # Step, ``history=``) visits the batches in the same order as one long run.
    base = int(np.random.default_rng(seed).integers(2**63)) if batch_size is not None else 0
    eng = _engine.Engine(net, X, y, optimizer=opt, batch_size=batch_size, l1=l1, l2=l2,
                         base_seed=base, X_test=X_test if has_test else None,
                         y_test=y_test if has_test else None, epochs=epochs)
    limits = []  # the run's first loss and the blow-up limit it sets, once known

    def limit_of(first_batch_loss):
        if not limits:
            limits.append(_limit(hist, first_batch_loss))
        return limits[0]

    end = start + epochs
    e = start  # epochs done
    with np.errstate(all="ignore"):  # non-finite numbers are detected and reported below
        while e < end:
            k = min(end - e, eng.chunk_epochs)
            if callback is not None:
                k = 1
            if snapshot_every:
                k = min(k, snapshot_every - e % snapshot_every)
            measured, event = eng.run_chunk(e + 1, k, limit_of)
            hist._extend(measured)
            e += len(measured["train_loss"])
            if event is not None:
                bad_epoch, value, first = event
                hist.diverged = True
                hist.message = _divergence_message(bad_epoch, value, lr, first)
                break
            if snapshot_every and e % snapshot_every == 0:
                eng.packed.store(net)
                hist.snapshots.append((e, net.get_params()))
            if callback is not None:
                eng.packed.store(net)
                stop = callback(e, net, hist) is False
                eng.packed.load(net)  # the callback may have changed the weights
                if stop:
                    hist.stopped_early = True
                    hist.message = f"Stopped early at epoch {e}, as the callback asked."
                    break

        if not hist.diverged and not np.isfinite(eng.packed.P).all():
            # The very last update overflowed: step back to the parameters before it.
            np.copyto(eng.packed.P, eng.backup)
            hist.diverged = True
            first = limits[0][0] if limits else math.nan
            hist.message = _divergence_message(hist.epochs_run + 1, math.inf, lr, first)
    eng.packed.store(net)
    return hist


def _limit(hist: History, loss: float):
    first = float(hist._buf["train_loss"][0]) if hist.epochs_run else loss
    if not math.isfinite(first):
        first = 1.0
    return first, BLOWUP_FACTOR * max(1.0, first)


def _measure(net: MLP, X, y, classify: bool):
    z = net._logits(X)
    loss = net.output.loss(z, y)
    acc = np.count_nonzero((z > 0) == y) / len(y) if classify else math.nan
    return loss, acc
