"""A small multilayer perceptron in NumPy: forward, backward, and nothing else.

Shapes: a batch ``X`` is (n, d); layer ``l`` holds ``W`` (fan_in, fan_out) and ``b``
(fan_out,); pre-activations ``Z`` and activations ``A`` are (n, fan_out). The output is
one unit - a **sigmoid with binary cross-entropy** for two classes (the loss is
computed from the logit, so it never takes log(0)), or a linear unit with squared
error for regression - or K units with a **softmax and cross-entropy** for K classes
(the heads: :data:`OUTPUTS`).

:class:`Pass` is the network's one forward and one backward pass: predictions, the loss
and its gradients, the diagnostics and :func:`course_utils.train` all run it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .activations import ACTIVATIONS, Activation, get_activation
from .numeric import lookup, whole_number

__all__ = ["MLP", "OUTPUTS", "Output", "Pass", "collapse", "tanh_as_sigmoid", "check_Xy"]

MAX_HIDDEN_LAYERS = 16
MAX_WIDTH = 1024


# --------------------------------------------------------------------------------------
# Output heads: a loss beside its derivative, like the activations.
# --------------------------------------------------------------------------------------
_sigmoid = ACTIVATIONS["sigmoid"].value  # the one overflow-free sigmoid of the course


def _bce_losses(z, y):
    # -[y log p + (1 - y) log(1 - p)], p = sigmoid(z), is softplus(u) with u = (1 - 2y) z;
    # as max(u, 0) + log1p(e^-|u|) it never overflows, a tiny loss keeps its digits, and
    # exp and log1p run vectorised (np.logaddexp does not: it is 10x slower).
    # Two arrays, written in place: on a chunk of epochs (128 KiB) a fresh temporary per step
    # costs more than the maths (its memory goes back to the system and is mapped in again).
    u = np.asarray((1.0 - 2.0 * y) * z, dtype=np.float64)  # arrays even for scalars: both are written into
    t = np.abs(u, out=np.empty_like(u))
    t = np.log1p(np.exp(np.negative(t, t), t), t)  # log1p(e^-|u|)
    return np.add(np.maximum(u, 0.0, out=u), t, u)


def _bce_dz(z, y, out=None):
    out = _sigmoid(z, out)  # d/dz softplus(-s z) = sigmoid(z) - y
    return np.subtract(out, y, out)


def _logsumexp(z):
    # log sum_k e^{z_k} over the last axis, shifted by the largest logit so that no
    # exponential overflows (logits of +-1e4 give exact answers, not inf - inf).
    m = z.max(axis=-1, keepdims=True)
    m[~np.isfinite(m)] = 0.0  # a non-finite logit stays non-finite below, without a spurious NaN
    e = np.subtract(z, m)
    return np.log(np.exp(e, e).sum(axis=-1)) + m[..., 0]  # exp written into e (see _bce_losses)


def _picked(z, y):
    """``z[..., y]``: each sample's logit of its own class; z (..., K), y (...) -> (...).

    ``y`` broadcasts against ``z``'s leading axes (one test set's labels for a chunk's epochs)."""
    y = np.broadcast_to(np.asarray(y, dtype=np.intp), z.shape[:-1])
    return np.take_along_axis(z, y[..., None], axis=-1)[..., 0]


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _ce_losses(z, y):
    # -log softmax(z)[y] = logsumexp(z) - z[y], from the logits: never log(0).
    return _logsumexp(z) - _picked(z, y)


def _ce_dz(z, y, out=None):
    p = _softmax(z)
    if out is None:
        out = p
    else:
        np.copyto(out, p)
    # d/dz_k = softmax(z)_k - [k == y]
    y = np.broadcast_to(np.asarray(y, dtype=np.intp), out.shape[:-1])[..., None]
    np.put_along_axis(out, y, np.take_along_axis(out, y, axis=-1) - 1.0, axis=-1)
    return out


def _se_losses(z, y):
    d = np.asarray(z - y, dtype=np.float64)
    return np.multiply(np.multiply(0.5, d), d, d)  # 0.5 d d; written into d (see _bce_losses)


def _se_dz(z, y, out=None):
    return np.subtract(z, y, out)


@dataclass(frozen=True)
class Output:
    """An output head: how the logits become a prediction, a loss and a gradient.

    Targets ``y`` have any shape: (n,) for a batch, (epochs, n) for a chunk of a run.
    A head with one output unit (``vector=False``) reads logits ``z`` of the same shape
    as ``y``; a head with K units (``vector=True``, the softmax) reads ``z`` shaped
    ``y.shape + (K,)``. Either way ``losses`` and ``correct`` return ``z``'s shape without
    the K axis, and ``dloss`` returns ``z``'s. ``y`` may also be broadcast against ``z``:
    a full-batch run measures its chunk of logits (epochs, n[, K]) against y (n,).

    Attributes
    ----------
    losses : callable
        ``losses(z, y)`` -> each sample's loss.
    dloss : callable
        ``dloss(z, y, out=None)`` -> each sample's d loss / d z (the caller divides by n).
    link : callable
        ``link(z)`` -> the prediction: P(class 1), each class's probability (K of them,
        summing to 1), or the value itself.
    correct : callable
        ``correct(z, y)`` -> True where the prediction is right (its mean is the
        accuracy); NaN for regression, where accuracy means nothing.
    decide : callable
        ``decide(z)`` -> what :meth:`MLP.predict` returns: class labels 0/1 (or
        0...K-1) as int64, or the value itself.
    vector : bool
        True when the head reads all of the last layer's K >= 2 units (softmax); False
        when it reads one unit.
    """

    name: str
    task: str
    losses: Callable[[np.ndarray, np.ndarray], np.ndarray]
    dloss: Callable[..., np.ndarray]
    link: Callable[[np.ndarray], np.ndarray]
    correct: Callable[[np.ndarray, np.ndarray], np.ndarray]
    decide: Callable[[np.ndarray], np.ndarray]
    loss_name: str
    vector: bool = False

    def loss(self, z, y) -> float:
        """Mean loss over the batch."""
        return float(np.mean(self.losses(z, y)))


OUTPUTS: dict[str, Output] = {
    "sigmoid": Output("sigmoid", "classification", _bce_losses, _bce_dz, _sigmoid,
                      correct=lambda z, y: (z > 0) == (y > 0.5),
                      decide=lambda z: (z > 0).astype(np.int64),
                      loss_name="binary cross-entropy"),
    "linear": Output("linear", "regression", _se_losses, _se_dz, lambda z: z,
                     correct=lambda z, y: np.full(np.shape(z), np.nan),
                     decide=lambda z: z,
                     loss_name="squared error (halved)"),
    "softmax": Output("softmax", "classification", _ce_losses, _ce_dz, _softmax,
                      correct=lambda z, y: np.argmax(z, axis=-1) == y,
                      decide=lambda z: np.argmax(z, axis=-1).astype(np.int64),
                      loss_name="cross-entropy", vector=True),
}
"""Output name -> :class:`Output`; the forward and backward pass read the head from here."""


def _get_output(name: str) -> Output:
    return lookup(OUTPUTS, name, "output")


def check_Xy(X, y=None, n_inputs: int | None = None, task: str = "classification", n_classes: int = 2):
    """Validate a batch; returns ``(X, y)`` as float64 / matching arrays.

    Raises ``ValueError`` saying what is wrong: shapes, NaN or infinity in ``X``,
    labels outside {0, ..., n_classes - 1} for classification.
    """
    X = np.asarray(X)
    if X.dtype == object or not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"X must hold real numbers; got dtype {X.dtype}.")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, shaped (n_samples, n_features); got shape {X.shape}.")
    if X.shape[0] == 0:
        raise ValueError("X is empty: it needs at least one row.")
    if n_inputs is not None and X.shape[1] != n_inputs:
        raise ValueError(f"X has {X.shape[1]} column(s) but the network expects {n_inputs} input(s) "
                         f"(layer_sizes[0]).")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinity; every input must be a finite number.")
    if y is None:
        return X, None
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must be 1-D with one entry per row of X ({X.shape[0]}); got shape {y.shape}.")
    if task == "classification":
        labels = np.arange(float(n_classes))
        valid = ("0 and 1" if n_classes == 2 else
                 f"{', '.join(str(k) for k in range(n_classes - 1))} and {n_classes - 1}, one per output unit")
        if not np.issubdtype(y.dtype, np.number) and y.dtype != bool:
            raise ValueError(f"y must hold the labels {valid}; got dtype {y.dtype}.")
        yf = np.asarray(y, dtype=np.float64)
        if not np.isin(yf, labels).all():
            bad = np.unique(yf[~np.isin(yf, labels)])[:5]
            raise ValueError(f"y must hold only the labels {valid}; found {bad.tolist()}.")
        return X, yf
    yf = np.asarray(y, dtype=np.float64)
    if not np.isfinite(yf).all():
        raise ValueError("y contains NaN or infinity; every target must be a finite number.")
    return X, yf


class MLP:
    """A fully connected network with one hidden activation and an output head.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_inputs, hidden_1, ..., hidden_k, K]``: zero or more hidden layers, and
        the output units: K = 1 for the sigmoid and linear heads, K >= 2 (one per class)
        for the softmax.
    activation : str or Activation
        The hidden activation, a key of :data:`course_utils.ACTIVATIONS`.
    seed : None, int, or anything ``numpy.random.default_rng`` accepts
        Same seed -> identical initial weights.
    output : {"sigmoid", "linear", "softmax"}
        ``"sigmoid"``: probability of class 1 with binary cross-entropy (two classes);
        ``"linear"``: a real number with squared error (regression);
        ``"softmax"``: a probability for each of K classes with cross-entropy.

    Attributes
    ----------
    params : list of (W, b)
        ``W`` float64 (fan_in, fan_out), ``b`` float64 (fan_out,). Training updates
        these arrays in place.
    theta : ndarray of float64, shape (n_parameters,)
        Every parameter in one vector, layer by layer, each W then its b; ``params``
        are views into it, so an optimizer updates the whole network in one call.

    Notes
    -----
    Weights start Glorot-normal, scaled by the activation's gain (sqrt(2) for the ReLU
    family); biases start at zero.
    """

    def __init__(self, layer_sizes: Sequence[int], activation="tanh", seed=None, output: str = "sigmoid"):
        self.output: Output = _get_output(output)
        sizes = self._check_sizes(layer_sizes, self.output)
        self.layer_sizes = sizes
        self.activation: Activation = get_activation(activation)
        self.seed = seed if isinstance(seed, (int, np.integer, type(None))) else None
        rng = np.random.default_rng(seed)
        # Every W and b is a view into one flat vector, so an optimizer updates all layers in one call.
        self.theta = np.zeros(n_parameters(sizes))
        self.params: list[tuple[np.ndarray, np.ndarray]] = layer_views(self.theta, sizes)
        last = len(self.params) - 1
        for i, (W, b) in enumerate(self.params):  # W (fan_in, fan_out); b (fan_out,) stays zero
            gain = 1.0 if i == last else self.activation.init_gain
            W[...] = rng.standard_normal(W.shape) * (gain * np.sqrt(2.0 / sum(W.shape)))

    # ---------------------------------------------------------------- description
    @staticmethod
    def _check_sizes(layer_sizes, output: Output) -> list[int]:
        if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__") or len(layer_sizes) < 2:
            raise ValueError(f"layer_sizes must be a list of whole numbers like [2, 4, 4, 1]; "
                             f"got {layer_sizes!r}.")
        if len(layer_sizes) - 2 > MAX_HIDDEN_LAYERS:
            raise ValueError(f"At most {MAX_HIDDEN_LAYERS} hidden layers; got {len(layer_sizes) - 2}.")
        sizes = [whole_number(s, f"layer_sizes[{i}]", 1, MAX_WIDTH) for i, s in enumerate(layer_sizes)]
        if output.vector and sizes[-1] < 2:
            raise ValueError(f"The {output.name} output needs one unit per class, at least 2, in the last "
                             f"layer; got {sizes[-1]}.")
        if not output.vector and sizes[-1] != 1:
            raise ValueError(f"The last layer must have exactly 1 unit (the {output.name} output); got "
                             f"{sizes[-1]}. For {sizes[-1]} classes use output='softmax'.")
        return sizes

    @property
    def n_inputs(self) -> int:
        return self.layer_sizes[0]

    @property
    def hidden_sizes(self) -> list[int]:
        return self.layer_sizes[1:-1]

    @property
    def task(self) -> str:
        return self.output.task

    @property
    def n_classes(self) -> int | None:
        """How many classes the network tells apart: K for the softmax, 2 for the sigmoid,
        None for regression."""
        if self.task != "classification":
            return None
        return self.layer_sizes[-1] if self.output.vector else 2

    def __repr__(self) -> str:
        return (f"MLP({self.layer_sizes}, activation={self.activation.name!r}, "
                f"output={self.output.name!r})")

    # ---------------------------------------------------------------- forward
    def logits(self, X) -> np.ndarray:
        """The output units' input ``z`` for each row of ``X``: (n, d) -> (n,) for one output
        unit, (n, K) for the softmax's K."""
        X, _ = check_Xy(X, n_inputs=self.n_inputs)
        with np.errstate(over="ignore", invalid="ignore"):
            return Pass(self, len(X)).forward(X).copy()

    def predict_proba(self, X) -> np.ndarray:
        """Probability of class 1, (n,); each class's probability, (n, K) rows summing to 1
        (softmax); or the prediction (regression), (n,)."""
        return self.output.link(self.logits(X))

    def predict(self, X) -> np.ndarray:
        """Class labels 0/1 (0...K-1 for the softmax: the most probable) as int64, or
        predictions (regression); (n,)."""
        return self.output.decide(self.logits(X))

    def hidden_outputs(self, X) -> list[np.ndarray]:
        """Every hidden neuron's output for a batch: one (n, width) array per hidden layer.

        Column ``j`` of entry ``l`` is neuron ``j`` of hidden layer ``l``; the Playground
        draws each column as that neuron's own heatmap.
        """
        X, _ = check_Xy(X, n_inputs=self.n_inputs)
        layers = Pass(self, len(X))
        with np.errstate(over="ignore", invalid="ignore"):
            layers.forward(X)
        return layers.A[1:]

    # ---------------------------------------------------------------- loss and backward
    def _penalty(self, l1: float, l2: float) -> float:
        p = 0.0
        for W, _ in self.params:
            if l1:
                p += l1 * float(np.abs(W).sum())
            if l2:
                p += 0.5 * l2 * float((W * W).sum())
        return p

    def loss(self, X, y, l1: float = 0.0, l2: float = 0.0) -> float:
        """Mean data loss on ``(X, y)`` plus the regularization penalty."""
        X, y = check_Xy(X, y, self.n_inputs, self.task, self.n_classes)
        with np.errstate(over="ignore", invalid="ignore"):
            z = Pass(self, len(X)).forward(X)
            return self.output.loss(z, y) + self._penalty(l1, l2)

    def loss_and_gradients(self, X, y, l1: float = 0.0, l2: float = 0.0):
        """Loss and its gradient with respect to every parameter.

        The same forward and backward pass that :func:`course_utils.train` runs.

        Parameters
        ----------
        X : ndarray of float, shape (n, n_inputs)
        y : ndarray, shape (n,)
            Labels 0...K-1 (classification; K = 2 for the sigmoid) or real targets.
        l1, l2 : float, >= 0
            Regularization on the weights (not the biases): the penalty is
            ``l1 * sum|W| + l2 / 2 * sum W**2``.

        Returns
        -------
        loss : float
            Mean data loss plus the penalty.
        grads : list of (dW, db)
            Same shapes as :attr:`params`.
        """
        X, y = check_Xy(X, y, self.n_inputs, self.task, self.n_classes)
        l1, l2 = _check_reg(l1, l2)
        layers = Pass(self, len(X))
        with np.errstate(over="ignore", invalid="ignore"):
            z = layers.forward(X)
            loss = self.output.loss(z, y) + self._penalty(l1, l2)
            layers.backward(y, l1, l2)
        return loss, layers.grads

    # ---------------------------------------------------------------- state
    def __getstate__(self):  # copy / pickle: rebuild the views into the new flat vector
        return {k: v for k, v in self.__dict__.items() if k != "params"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.params = layer_views(self.theta, self.layer_sizes)

    def get_params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """A deep copy of the parameters (for snapshots and resets)."""
        return [(W.copy(), b.copy()) for W, b in self.params]

    def set_params(self, params) -> None:
        """Copy ``params`` (same shapes) into the network's own arrays, in place."""
        if len(params) != len(self.params):
            raise ValueError(f"Expected {len(self.params)} (W, b) pairs, got {len(params)}.")
        for (W, b), (W_new, b_new) in zip(self.params, params):
            W_new, b_new = np.asarray(W_new, dtype=np.float64), np.asarray(b_new, dtype=np.float64)
            if W_new.shape != W.shape or b_new.shape != b.shape:
                raise ValueError(f"Shape mismatch: expected W {W.shape} and b {b.shape}, "
                                 f"got {W_new.shape} and {b_new.shape}.")
            np.copyto(W, W_new)
            np.copyto(b, b_new)

    def copy(self) -> "MLP":
        """An independent network with the same architecture and parameters."""
        return MLP.from_dict(self.to_dict())

    def to_dict(self) -> dict:
        """A JSON-ready description: architecture, activation, output and every parameter."""
        return {
            "format": "course_utils.MLP/1",
            "layer_sizes": list(self.layer_sizes),
            "activation": self.activation.name,
            "output": self.output.name,
            "params": [{"W": W.tolist(), "b": b.tolist()} for W, b in self.params],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "MLP":
        """Rebuild a network saved with :meth:`to_dict` (floats round-trip exactly)."""
        try:
            net = cls(data["layer_sizes"], data["activation"], seed=0, output=data.get("output", "sigmoid"))
            net.set_params([(p["W"], p["b"]) for p in data["params"]])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"Not a saved MLP: missing or malformed field {exc}.") from None
        return net


def _check_reg(l1, l2):
    l1, l2 = float(l1), float(l2)
    if not (np.isfinite(l1) and np.isfinite(l2)) or l1 < 0 or l2 < 0:
        raise ValueError(f"Regularization rates must be finite and >= 0; got l1={l1}, l2={l2}.")
    return l1, l2


# --------------------------------------------------------------------------------------
# The forward and backward pass: the one implementation of the network's maths
# --------------------------------------------------------------------------------------
def n_parameters(layer_sizes) -> int:
    """How many weights and biases a network of these layer sizes has."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]))


def layer_views(flat: np.ndarray, layer_sizes) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(W, b), ...]`` as views into ``flat`` (n_parameters,): each layer's W
    (fan_in, fan_out), then its b (fan_out,)."""
    views, start = [], 0
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = flat[start:start + fan_in * fan_out].reshape(fan_in, fan_out)
        b = flat[start + fan_in * fan_out:start + (fan_in + 1) * fan_out]
        views.append((W, b))
        start += (fan_in + 1) * fan_out
    return views


class Pass:
    """The forward and the backward pass of ``net`` for batches of ``n`` rows.

    Training, :meth:`MLP.loss_and_gradients`, the predictions and the diagnostics all run
    these two methods, so the finite-difference tests check the path training takes.
    Buffers are allocated once and written with ``out=``: a small network's cost is the
    number of NumPy calls, not the arithmetic, and a training run makes thousands of passes.

    Attributes (after :meth:`forward`)
    ----------------------------------
    A : list of ndarray
        Each layer's input: ``A[0]`` is (the pass's copy of) the batch ``X`` (n, d),
        ``A[l + 1] = activation(Z[l])``.
    X1 : ndarray, (n, d + 1)
        The batch with a column of ones, ``[X 1]``, for the first layer's product.
    Z : list of ndarray
        Pre-activations ``Z[l] = A[l] W_l + b_l``, (n, fan_out); ``Z[-1]`` holds the logits, (n, K).
    z : ndarray
        What the output head reads: ``Z[-1]`` itself, (n, K), for a vector head (softmax),
        its one column, (n,), otherwise.
    grad : ndarray, (n_parameters,)
        After :meth:`backward`: the gradient, laid out like ``net.theta``;
        ``grads`` views it as ``[(dW, db), ...]`` like ``net.params``.
    """

    def __init__(self, net, n: int):
        self.net = net
        sizes = net.layer_sizes
        self.A = [None] + [np.empty((n, m)) for m in sizes[1:-1]]
        self.Z = [np.empty((n, m)) for m in sizes[1:]]
        self.dZ = [np.empty((n, m)) for m in sizes[1:]]
        self.dA = [np.empty((n, m)) for m in sizes[1:-1]]  # f'(z) of each hidden layer
        # The head's logits and their gradient: (n, K) for a vector head, else one column (n,).
        last = slice(None) if net.output.vector else 0
        self.z, self.dz = self.Z[-1][:, last], self.dZ[-1][:, last]
        self._one_over_n = np.array(1.0 / n)  # a 0-d array, like every scalar of a step (see forward)
        self.ones = np.ones(n)  # db = 1ᵀ dZ: one product, much faster than dZ.sum(axis=0) on small arrays
        # The first layer's input with a column of ones, [X 1] (n, d + 1): its bias rides in the
        # product [X 1] [W; b] (the same sums as X W + b, bit for bit), which saves adding b to
        # each of the n rows - a slow broadcast. theta holds each layer as the block [W; b].
        self.X1 = np.ones((n, sizes[0] + 1))
        self.A[0] = np.empty((n, sizes[0]))  # the batch itself, (n, d): the pass's own copy
        self.Wb = net.theta[:(sizes[0] + 1) * sizes[1]].reshape(sizes[0] + 1, sizes[1])
        self.grad = np.empty(n_parameters(sizes))
        self.grads = layer_views(self.grad, sizes)
        # Each step's arrays, views (.T) and functions, gathered once: a step is a few dozen
        # NumPy calls on small arrays, so the Python around them (indexing, making views,
        # looking attributes up) costs as much as some of the calls.
        act, Z, A, params = net.activation, self.Z, self.A, net.params
        self._f, self._f_prime, self._dloss = act.value, act.grad_from, net.output.dloss
        # forward, hidden layer l: a = f(z), then the next layer's z = a W + b; a one-unit
        # layer's b (1,) goes in as a 0-d view, which NumPy adds to (n, 1) in half the time
        self._up = [(Z[l], A[l + 1], W, b.reshape(()) if b.size == 1 else b, Z[l + 1])
                    for l, (W, b) in enumerate(params[1:])]
        # backward, top layer first: dW = aᵀ dz, db = 1ᵀ dz, then (above the first layer) the
        # dz of the layer below, whose output a = f(z) is this layer's input
        self._down = []
        for l in range(len(params) - 1, -1, -1):
            W = params[l][0]
            below = (W.T, self.dZ[l - 1], Z[l - 1], A[l], self.dA[l - 1]) if l else None
            self._down.append((A[l].T, self.dZ[l], *self.grads[l], W, below))

    def load(self, X: np.ndarray) -> None:
        """Copy in the batch ``X`` (n, d) that :meth:`forward` runs on until the next one."""
        # (by assignment: np.copyto runs a Python dispatcher first, and mini-batches load every step)
        self.A[0][...] = X
        self.X1[:, :-1] = X

    def forward(self, X: np.ndarray | None = None) -> np.ndarray:
        """Logits ``z`` (n,) or (n, K) of the batch ``X`` (n, d); keeps every ``A`` and ``Z``.

        ``X=None`` runs the batch loaded last again (:meth:`load`; the weights have changed):
        full-batch training copies its data in once.
        """
        # (A step makes a few dozen NumPy calls on small arrays, so each call is made the cheap
        # way, measured: outputs passed by position - NumPy parses an ``out=`` keyword; products
        # as ``a.dot(W, out)`` - ``np.dot`` first runs a Python dispatcher, 0.2 µs a call; and
        # scalars as 0-d arrays - a Python float is converted anew on every call, 0.2 µs.)
        f = self._f
        if X is not None:
            self.load(X)
        self.X1.dot(self.Wb, self.Z[0])  # z = [x 1] [W; b] = x W + b, (n, fan_out)
        for Z, A, W, b, Z_next in self._up:
            f(Z, A)  # a = f(z), (n, fan_out)
            A.dot(W, Z_next)  # the next layer's z = a W + b, (n, its fan_out)
            np.add(Z_next, b, Z_next)
        return self.z

    def backward(self, y: np.ndarray, l1: float = 0.0, l2: float = 0.0) -> np.ndarray:
        """Gradient of the batch's mean loss plus the penalty, after :meth:`forward`.

        ``y`` (n,) are the batch's targets; ``l1``, ``l2`` the weight penalty rates.
        Returns :attr:`grad` (n_parameters,): the forward pass in reverse.
        """
        f_prime, ones = self._f_prime, self.ones
        self._dloss(self.z, y, self.dz)  # each sample's d loss / d z, (n,) or (n, K)
        np.multiply(self.dz, self._one_over_n, self.dz)  # the loss is the batch mean
        for AT, dZ, dW, db, W, below in self._down:
            AT.dot(dZ, dW)  # dW = aᵀ dz, (fan_in, fan_out)
            ones.dot(dZ, db)  # db = 1ᵀ dz, (fan_out,)
            if l1:
                dW += l1 * np.sign(W)
            if l2:
                dW += l2 * W
            if below is not None:
                WT, dZ_below, Z_below, A_below, dA_below = below
                dZ.dot(WT, dZ_below)  # d loss / d a = dz Wᵀ, (n, fan_in)
                # f'(z) from the outputs a, written into a buffer rather than a new array
                np.multiply(dZ_below, f_prime(Z_below, A_below, dA_below), dZ_below)
        return self.grad


def collapse(net: MLP) -> tuple[np.ndarray, np.ndarray]:
    """The single affine map equal to a linear-activation network's logits.

    ``W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)``, applied layer by layer; in this
    course's row convention ``z = X @ W + b``.

    Parameters
    ----------
    net : MLP
        Every hidden activation must be ``"linear"``.

    Returns
    -------
    W : ndarray, shape (n_inputs, K)
    b : ndarray, shape (K,)
        ``X @ W + b`` equals the logits ``net.logits(X)`` (as a column when K = 1) up to
        rounding. With a softmax head that is K affine scores, so the class regions are
        bounded by the straight lines where two scores tie: a linear softmax network is
        multinomial logistic regression.
    """
    if not isinstance(net, MLP):
        raise ValueError(f"collapse expects an MLP, got {type(net).__name__}.")
    if net.hidden_sizes and net.activation.name != "linear":
        raise ValueError(
            f"Only a network with linear hidden activations collapses to one affine map; this one "
            f"uses {net.activation.name!r}, which bends the space between layers.")
    W_total = np.eye(net.n_inputs)
    b_total = np.zeros(net.n_inputs)
    for W, b in net.params:
        W_total = W_total @ W  # (n_inputs, fan_out)
        b_total = b_total @ W + b  # (fan_out,)
    return W_total, b_total



def tanh_as_sigmoid(net: MLP) -> MLP:
    """A sigmoid network computing exactly the same logit as a tanh network.

    ``tanh z = 2 sigmoid(2z) - 1``: each tanh unit is a sigmoid unit whose input is
    doubled and whose output is doubled and shifted down by 1. Both changes are absorbed
    into the weights and biases, so tanh and sigmoid networks of one shape compute the
    same set of functions; only the coordinates gradient descent moves in differ.
    With ``s`` the sigmoid layer's output and ``a = 2s - 1`` the tanh layer's:

    - first layer: ``W' = 2 W``, ``b' = 2 b`` (the input is doubled);
    - later hidden layers: ``z' = 2 (a W + b) = s (4 W) + 2 (b - 1ᵀW)``;
    - output layer: ``z = a W + b = s (2 W) + (b - 1ᵀW)``.

    Parameters
    ----------
    net : MLP
        Its hidden activation must be ``"tanh"``.

    Returns
    -------
    MLP
        A new network with hidden activation ``"sigmoid"``; ``net`` is unchanged.
    """
    if not isinstance(net, MLP):
        raise ValueError(f"tanh_as_sigmoid expects an MLP, got {type(net).__name__}.")
    if net.activation.name != "tanh":
        raise ValueError(f"tanh_as_sigmoid rewrites a tanh network; this one uses {net.activation.name!r}.")
    params = []
    last = len(net.params) - 1
    for i, (W, b) in enumerate(net.params):  # W (fan_in, fan_out), b (fan_out,)
        if i == 0:
            W_new, b_new = W, b  # the input is the data itself
        else:
            W_new, b_new = 2 * W, b - W.sum(axis=0)  # the layer's input is a = 2s - 1
        if i < last:
            W_new, b_new = 2 * W_new, 2 * b_new  # a hidden layer's sigmoid gets its input doubled
        params.append((W_new, b_new))
    out = MLP(net.layer_sizes, "sigmoid", seed=0, output=net.output.name)
    out.set_params(params)
    return out
