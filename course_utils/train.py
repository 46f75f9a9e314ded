"""Training: the checks, the history of a run, and the loop.

The loop is forward / backward / update on the network's one pass
(:class:`course_utils.model.Pass`, the same one ``MLP.loss_and_gradients`` runs) with an
optimizer from :mod:`course_utils.optimizers`. Around it: the run is cut into chunks of
epochs (at snapshots, callbacks and :data:`MAX_CHUNK_EPOCHS`); each chunk keeps its logits and
measures losses and accuracies in bulk at its end, and a :class:`Trainer` keeps what a
run needs to be continued.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .model import MLP, Pass, _check_reg, check_Xy
from .numeric import whole_number
from .optimizers import OPTIMIZERS, get_optimizer

__all__ = ["OPTIMIZERS", "History", "Trainer", "train", "evaluate", "get_optimizer"]

CHUNK_VALUES = 1 << 14
"""Logits kept per chunk before they are measured: NumPy calls on a whole chunk cost little
more than on one epoch, and at 128 KiB per array the temporaries are still recycled rather
than mapped afresh from the system on every call (twice as slow, measured)."""
MAX_CHUNK_EPOCHS = 64


# --------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------
class History:
    """What happened during training, one entry per completed epoch (fewer once :meth:`thin`
    bounded a long run's record).

    Attributes
    ----------
    train_loss, train_accuracy : ndarray of float64, shape (entries,) = (epochs_run,) unless thinned
        Mean data loss (no regularization penalty) and accuracy over the epoch's
        batches, measured as each batch was seen (before its update) - the convention
        of scikit-learn and Keras. Accuracy is NaN for regression.
    test_loss, test_accuracy : ndarray of float64, shape (entries,)
        On the test set with the parameters at the end of each epoch; NaN when no
        test set was given.
    epochs : ndarray of int, shape (entries,)
        The epoch of each entry: ``1 ... epochs_run`` unless :meth:`thin` dropped some.
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
        self._n = 0  # entries held
        self._epochs = 0  # epochs recorded (more than the entries once thinned)
        self._buf = {f: np.empty(0) for f in (*self._FIELDS, "epoch")}
        self.snapshots: list[tuple[int, list]] = []
        self.diverged = False
        self.stopped_early = False
        self.message = ""

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        for f, a in self._buf.items():
            if a.size < need:
                grown = np.full(max(need, 2 * a.size), np.nan)
                grown[: self._n] = a[: self._n]
                self._buf[f] = grown

    def _record(self, train_loss, train_acc, test_loss, test_acc) -> None:
        self._extend({"train_loss": [train_loss], "train_accuracy": [train_acc], "test_loss": [test_loss],
                      "test_accuracy": [test_acc]})

    def _extend(self, measured: dict) -> None:
        k = len(measured["train_loss"])
        self._reserve(k)
        for f in self._FIELDS:
            self._buf[f][self._n:self._n + k] = measured[f]
        self._buf["epoch"][self._n:self._n + k] = np.arange(self._epochs + 1, self._epochs + k + 1)
        self._n += k
        self._epochs += k

    def thin(self, max_entries: int) -> None:
        """Hold at most ``max_entries`` entries: while there are more, the older half keeps
        every other one (the first epoch and the latest are always kept).

        For a run that goes on for as long as Play runs: its record stays bounded, recent
        epochs stay at full resolution and older ones grow sparser. Every entry kept is
        the exact figures of its epoch (:attr:`epochs` says which); what is lost are the
        epochs in between - a spike shorter than the gap can drop out of a curve.
        """
        if int(max_entries) < 2:
            raise ValueError(f"max_entries must be at least 2 (the first epoch and the latest), got {max_entries}.")
        while self._n > max_entries:
            half = self._n // 2
            keep = np.concatenate([np.arange(0, half, 2), np.arange(half, self._n)])
            for a in self._buf.values():
                a[: keep.size] = a[keep]
            self._n = keep.size

    @property
    def epochs_run(self) -> int:
        """Number of completed epochs recorded."""
        return self._epochs

    @property
    def epochs(self) -> np.ndarray:
        """The epoch of each entry, (entries,) int: ``1 ... epochs_run`` unless thinned."""
        return self._buf["epoch"][: self._n].astype(int)

    def __len__(self) -> int:
        return self._epochs

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
                          for f in self._FIELDS) and np.array_equal(self.epochs, other.epochs)
        same_snaps = len(self.snapshots) == len(other.snapshots) and all(
            e1 == e2 and all(np.array_equal(W1, W2) and np.array_equal(b1, b2)
                             for (W1, b1), (W2, b2) in zip(p1, p2))
            for (e1, p1), (e2, p2) in zip(self.snapshots, other.snapshots))
        return (same_arrays and same_snaps and self.diverged == other.diverged
                and self.message == other.message and self.stopped_early == other.stopped_early)

    def __repr__(self) -> str:
        f = self.final()
        state = "diverged" if self.diverged else "stopped early" if self.stopped_early else "ok"
        return (f"History(epochs={self._epochs}, train_loss={f['train_loss']:.4g}, "
                f"train_accuracy={f['train_accuracy']:.3g}, {state})")


# --------------------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------------------
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
    X, y = check_Xy(X, y, net.n_inputs, net.task, net.n_classes)
    with np.errstate(all="ignore"):
        z = Pass(net, len(X)).forward(X)
        return net.output.loss(z, y), float(np.mean(net.output.correct(z, y)))


class Trainer:
    """A training run that can be continued: network, data, settings, optimizer, history.

    ``Trainer(net, X, y, learning_rate=0.1).run(epochs)`` trains ``net`` in place.
    Calling :meth:`run` again continues the same run - the optimizer's state (momentum's
    velocity, Adam's moments), the mini-batch order from (seed, epoch) and the blow-up
    limit - so training in chunks is bit-for-bit one long run (Play / Step in the panels).
    The parameters are described at :func:`train`; ``history`` continues an existing
    record instead of starting a new one.

    Attributes
    ----------
    history : History
    optimizer : SGD, Momentum or Adam
        Starts afresh after a divergence (the network steps back to its last good weights).
    """

    def __init__(self, net: MLP, X, y, *, learning_rate: float, optimizer: str = "sgd",
                 batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0, seed=None,
                 X_test=None, y_test=None, snapshot_every: int | None = None,
                 history: History | None = None):
        if not isinstance(net, MLP):
            raise ValueError(f"train expects an MLP as its first argument, got {type(net).__name__}.")
        X, y = check_Xy(X, y, net.n_inputs, net.task, net.n_classes)
        if (X_test is None) != (y_test is None):
            raise ValueError("Give both X_test and y_test, or neither.")
        if X_test is not None:
            X_test, y_test = check_Xy(X_test, y_test, net.n_inputs, net.task, net.n_classes)
        try:
            lr = float(learning_rate)
        except (TypeError, ValueError):
            raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}.") from None
        if not (math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning_rate must be a positive finite number, got {learning_rate!r}.")
        self.optimizer = get_optimizer(optimizer, lr)
        self.l1, self.l2 = _check_reg(l1, l2)
        n = X.shape[0]
        if batch_size is not None:
            batch_size = min(whole_number(batch_size, "batch_size"), n)
        if batch_size == n:
            batch_size = None
        if snapshot_every is not None:
            snapshot_every = whole_number(snapshot_every, "snapshot_every")
        self.net, self.X, self.y, self.X_test, self.y_test = net, X, y, X_test, y_test
        self.learning_rate, self.batch_size, self.snapshot_every = lr, batch_size, snapshot_every
        self.history = history if history is not None else History()
        # Each epoch's shuffle comes from (base, epoch number), so a run continued in chunks
        # visits the batches in the same order as one long run.
        self._base = int(np.random.default_rng(seed).integers(2**63)) if batch_size is not None else 0
        step = batch_size or n
        bounds = [(s, min(s + step, n)) for s in range(0, n, step)]  # each batch's rows
        passes = {e - s: Pass(net, e - s) for s, e in bounds}  # one per batch width
        self._batches = [(s, e, passes[e - s]) for s, e in bounds]  # each batch's rows and its pass
        self._test_pass = Pass(net, len(X_test)) if X_test is not None else None
        # Data that is the same every epoch (the full batch, the test set) is copied into its
        # pass once; each step then runs forward() on it without handing it over again.
        if batch_size is None:
            passes[n].load(X)
        if X_test is not None:
            self._test_pass.load(X_test)
        self._before_last = net.theta.copy()  # the parameters before the latest step
        self._limits = None  # (first loss, blow-up limit), once known
        steps_kept = max(1, CHUNK_VALUES // (len(bounds) * net.theta.size))
        self._chunk_epochs = max(1, min(MAX_CHUNK_EPOCHS, CHUNK_VALUES // n, steps_kept))
        k, n_test = self._chunk_epochs, 0 if X_test is None else len(X_test)
        per_row = self._batches[0][2].z.shape[1:]  # a row's logits: () or (K,) for softmax
        self._Z, self._Y = np.empty((k, n, *per_row)), np.empty((k, n))  # logits and targets, in the order seen
        self._Z_test = np.empty((k, n_test, *per_row))
        self._P = np.empty((k * len(bounds) + 1, net.theta.size))  # the parameters before each step

    # ------------------------------------------------------------------ the loop
    def run(self, epochs: int, callback: Callable | None = None) -> History:
        """Train ``epochs`` more epochs; returns :attr:`history` (see :func:`train`)."""
        epochs = whole_number(epochs, "epochs")
        if callback is not None and not callable(callback):
            raise ValueError("callback must be a function callback(epoch, net, history).")
        net, hist, every = self.net, self.history, self.snapshot_every
        start = hist.epochs_run
        hist.diverged, hist.stopped_early, hist.message = False, False, ""
        if every and not hist.snapshots:
            hist.snapshots.append((start, net.get_params()))
        hist._reserve(epochs)
        e, end = start, start + epochs
        with np.errstate(all="ignore"):  # non-finite numbers are detected and reported below
            while e < end:
                k = 1 if callback is not None else min(end - e, self._chunk_epochs)
                if every:
                    k = min(k, every - e % every)
                e += self._train_chunk(e + 1, k)
                if hist.diverged:
                    break
                if every and e % every == 0:
                    hist.snapshots.append((e, net.get_params()))
                if callback is not None and callback(e, net, hist) is False:
                    hist.stopped_early = True
                    hist.message = f"Stopped early at epoch {e}, as the callback asked."
                    break
            if not hist.diverged and not np.isfinite(net.theta).all():
                # The very last update overflowed: step back to the parameters before it.
                self._diverge(self._before_last, hist.epochs_run + 1, math.inf)
        return hist

    def _order(self, epoch: int) -> np.ndarray:
        """The rows of a mini-batch run in the epoch's order, shuffled from (seed, epoch)."""
        return np.random.default_rng((self._base, epoch)).permutation(len(self.y))

    def _train_chunk(self, first_epoch: int, k: int) -> int:
        """Train epochs ``first_epoch`` .. ``first_epoch + k - 1`` and record them.

        Returns the number of epochs recorded (fewer than ``k`` after a divergence).
        """
        theta, opt, P, Z, test = self.net.theta, self.optimizer, self._P, self._Z, self._test_pass
        full, X, y, l1, l2 = self.batch_size is None, self.X, self.y, self.l1, self.l2
        # (Copies by assignment, P[j] = theta: np.copyto(P[j], theta) runs a Python dispatcher
        # and makes the view P[j] first - twice the time, and a step makes two copies.)
        P[0] = self._before_last
        step = 0
        for i in range(k):
            if not full:  # mini-batches: this epoch's order of the rows
                order = self._order(first_epoch + i)
                X, y = self.X[order], self.y[order]
                self._Y[i] = y
            for s, e, layers in self._batches:
                P[step + 1] = theta  # kept to step back to if this run blows up
                # (a full batch sits in its pass already: forward() runs it without a copy)
                Z[i, s:e] = layers.forward(None if full else X[s:e])
                opt.step(theta, layers.backward(y[s:e], l1, l2))
                step += 1
            if test is not None:
                self._Z_test[i] = test.forward()
        return self._record(first_epoch, k)

    # ------------------------------------------------------------------ measuring
    def _record(self, first_epoch: int, k: int) -> int:
        """Measure a chunk's kept logits, stop at the first blow-up, extend the history."""
        out, nb = self.net.output, len(self._batches)
        Z = self._Z[:k]
        Y = self._Y[:k] if self.batch_size else self.y  # full batch: every row's targets are y
        losses = _losses(out, Z, Y)  # (k, n): each sample's loss as its batch saw it
        starts = [s for s, _, _ in self._batches]
        batch_losses = (np.add.reduceat(losses, starts, axis=1) / np.diff([*starts, len(self.y)])).ravel()
        measured = {"train_loss": losses.mean(axis=1), "train_accuracy": out.correct(Z, Y).mean(axis=1)}
        if self._test_pass is not None:
            ZT = self._Z_test[:k]
            measured["test_loss"] = _losses(out, ZT, self.y_test).mean(axis=1)
            measured["test_accuracy"] = out.correct(ZT, self.y_test).mean(axis=1)
        else:
            measured["test_loss"] = measured["test_accuracy"] = np.full(k, np.nan)
        if self._limits is None:
            self._limits = _limit(self.history, float(batch_losses[0]))
        # The first thing that went wrong, in time order: a batch loss past the limit
        # (measured before its step), or a non-finite test loss (after an epoch's last step).
        ok, event = k, None
        bad = np.flatnonzero(~(batch_losses <= self._limits[1]))
        if bad.size:
            j = int(bad[0])
            ok, event = j // nb, (self._P[j], float(batch_losses[j]))  # back to before the step before j
        bad_test = np.flatnonzero(~np.isfinite(measured["test_loss"][:ok])) if self._test_pass else []
        if len(bad_test):
            ok = int(bad_test[0])
            event = (self._P[(ok + 1) * nb], float(measured["test_loss"][ok]))  # before its last step
        self.history._extend({f: a[:ok] for f, a in measured.items()})
        if event is not None:
            self._diverge(event[0], first_epoch + ok, event[1])
        else:
            np.copyto(self._before_last, self._P[k * nb])
        return ok

    def _diverge(self, good_params, epoch: int, value: float) -> None:
        np.copyto(self.net.theta, good_params)
        hist = self.history
        hist.diverged = True
        first = self._limits[0] if self._limits else math.nan
        hist.message = _divergence_message(epoch, value, self.learning_rate, first)
        self.optimizer = type(self.optimizer)(self.learning_rate)  # its state belonged to the lost steps


def train(net: MLP, X, y, *, epochs: int, learning_rate: float, optimizer: str = "sgd",
          batch_size: int | None = None, l1: float = 0.0, l2: float = 0.0, seed=None,
          X_test=None, y_test=None, callback: Callable | None = None,
          snapshot_every: int | None = None) -> History:
    """Train ``net`` in place by gradient descent on ``(X, y)``.

    Parameters
    ----------
    net : MLP
        Updated in place.
    X : ndarray of float, shape (n, net.n_inputs)
    y : ndarray, shape (n,)
        Labels 0/1 (0...K-1 for a softmax net) or targets (regression). Neither array is
        modified.
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
        Controls the mini-batch order. Same net, data and seed -> identical history.
    X_test, y_test : ndarray, optional
        A held-out set measured at the end of every epoch.
    callback : callable, optional
        ``callback(epoch, net, history)`` after every epoch (1-based); return ``False``
        to stop early.
    snapshot_every : int, optional
        Keep a copy of the parameters every this many epochs (and at the start and end).

    Returns
    -------
    History
        If the loss stops being finite, training stops, the network is restored to its
        last finite parameters, and ``history.diverged`` / ``history.message`` say so.

    See Also
    --------
    Trainer : the same run, to be continued in chunks (Play / Step).
    """
    epochs = whole_number(epochs, "epochs")
    return Trainer(net, X, y, learning_rate=learning_rate, optimizer=optimizer, batch_size=batch_size,
                   l1=l1, l2=l2, seed=seed, X_test=X_test, y_test=y_test,
                   snapshot_every=snapshot_every).run(epochs, callback)


def _losses(out, Z, Y):
    """Each sample's loss from its logit(s); NaN where a logit ran away (it has no meaningful loss)."""
    losses = out.losses(Z, Y)
    if not math.isfinite(np.add.reduce(Z, None)):  # one cheap sum tells whether any logit ran away
        ran_away = ~np.isfinite(Z)
        losses[ran_away.reshape(*losses.shape, -1).any(axis=-1)] = np.nan  # any of a row's K logits
    return losses


def _limit(hist: History, loss: float):
    first = float(hist._buf["train_loss"][0]) if hist.epochs_run else loss
    if not math.isfinite(first):
        first = 1.0
    return first, BLOWUP_FACTOR * max(1.0, first)
