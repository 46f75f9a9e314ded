"""The training engine behind :func:`course_utils.train`: the same maths, laid out for speed.

For the small networks of this course, NumPy's cost is the number of calls, not the
arithmetic (a call on a few thousand numbers takes about a microsecond, most of it fixed).
The engine therefore does each epoch's work in as few calls as it can:

* **One flat parameter vector.** Layer ``l`` is the block ``[W.T | b]``, shaped
  (fan_out, fan_in + 1), inside one array ``P``; the gradients fill a twin array ``G``. The
  optimizer's update is one call on the whole vector, whatever the depth.
* **Samples as columns, with a row of ones.** Each layer's activations are stored
  (units + 1, batch) with a last row of ones, so ``[W.T | b] @ A`` is the affine map and
  its bias in a single matrix product, and the same product gives the bias gradients.
* **Buffers allocated once** and written with ``out=``.
* **The loss measured in bulk.** Every step keeps its logits (and, for the sigmoid output,
  ``tanh(z / 2)``, which the gradient needs anyway); losses, accuracies and the divergence
  check are computed for a whole chunk of epochs at once. If a chunk turns out to contain a
  blow-up, the engine replays it from its start (training is deterministic) to hand back
  the last good parameters, exactly where a step-by-step check would have stopped.

None of this is visible from outside: ``MLP.params`` keep their shapes, and a run's
``History`` reads as before. ``MLP.loss_and_gradients`` stays the plain textbook version;
the tests check the two against each other.
"""
from __future__ import annotations

import math

import numpy as np

LOG2 = math.log(2.0)
CHUNK_VALUES = 1 << 15
"""Logits kept per chunk before the losses are measured: a quarter of a MiB per stored
array, small enough to stay in cache."""
MAX_CHUNK_EPOCHS = 64


# --------------------------------------------------------------------------------------
# Optimizers on the flat vector. ``G`` arrives already multiplied by ``scale``.
# --------------------------------------------------------------------------------------
class SGD:
    """Plain gradient descent: ``p -= lr * g``."""

    def __init__(self, size: int, learning_rate: float):
        self.lr = learning_rate
        self.scale = learning_rate  # the engine folds the learning rate into the gradient
        self.size = size

    def step(self, P, G, tmp) -> None:
        np.subtract(P, G, out=P)

    def state(self):
        return ()

    def set_state(self, state) -> None:
        pass


class Momentum(SGD):
    """Heavy-ball momentum: ``v = beta v - lr g; p += v`` (beta = 0.9)."""

    beta = 0.9

    def __init__(self, size: int, learning_rate: float):
        super().__init__(size, learning_rate)
        self.velocity = np.zeros(size)

    def step(self, P, G, tmp) -> None:
        v = self.velocity
        np.multiply(v, self.beta, out=v)
        np.subtract(v, G, out=v)
        np.add(P, v, out=P)

    def state(self):
        return (self.velocity.copy(),)

    def set_state(self, state) -> None:
        np.copyto(self.velocity, state[0])


class Adam(SGD):
    """Adam (Kingma & Ba), beta1 = 0.9, beta2 = 0.999, eps = 1e-8, bias-corrected."""

    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, size: int, learning_rate: float):
        super().__init__(size, learning_rate)
        self.scale = 1.0  # Adam needs the raw gradient
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self.t = 0

    def step(self, P, G, tmp) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step = self.lr * math.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        m, v = self.m, self.v
        np.multiply(m, b1, out=m)
        np.multiply(G, 1.0 - b1, out=tmp)
        np.add(m, tmp, out=m)
        np.multiply(v, b2, out=v)
        np.multiply(G, G, out=tmp)
        np.multiply(tmp, 1.0 - b2, out=tmp)
        np.add(v, tmp, out=v)
        np.sqrt(v, out=tmp)
        np.add(tmp, self.eps, out=tmp)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, step, out=tmp)
        np.subtract(P, tmp, out=P)

    def state(self):
        return (self.m.copy(), self.v.copy(), self.t)

    def set_state(self, state) -> None:
        np.copyto(self.m, state[0])
        np.copyto(self.v, state[1])
        self.t = state[2]


OPTIMIZERS: dict[str, type] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
"""Optimizer name -> class; the widgets' dropdown is built from this table."""


# --------------------------------------------------------------------------------------
# Parameters packed into one vector
# --------------------------------------------------------------------------------------
class Packed:
    """An MLP's parameters as one flat vector ``P``, with per-layer block views."""

    def __init__(self, net):
        sizes = net.layer_sizes
        shapes = [(fan_out, fan_in + 1) for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]
        total = sum(r * c for r, c in shapes)
        self.P = np.empty(total)
        self.G = np.empty(total)
        self.tmp = np.empty(total)
        self.weight_mask = np.zeros(total)
        self.blocks, self.gblocks = [], []
        start = 0
        for r, c in shapes:
            part = slice(start, start + r * c)
            self.blocks.append(self.P[part].reshape(r, c))
            self.gblocks.append(self.G[part].reshape(r, c))
            self.weight_mask[part].reshape(r, c)[:, :-1] = 1.0
            start += r * c
        self.load(net)

    def load(self, net) -> None:
        for block, (W, b) in zip(self.blocks, net.params):
            block[:, :-1] = W.T
            block[:, -1] = b

    def store(self, net) -> None:
        for block, (W, b) in zip(self.blocks, net.params):
            W[...] = block[:, :-1].T
            b[...] = block[:, -1]


class Buffers:
    """Activations (with their row of ones), pre-activations and backward scratch for a
    batch of ``width`` samples."""

    def __init__(self, sizes, width: int, linear: bool):
        self.A = [np.ones((sizes[0] + 1, width))]  # the input; filled by the caller
        self.Z, self.S, self.D = [], [], []
        for fan in sizes[1:-1]:
            A = np.ones((fan + 1, width))
            self.A.append(A)
            self.Z.append(A[:fan] if linear else np.empty((fan, width)))
            self.S.append(np.empty((fan, width)))
            self.D.append(np.empty((fan, width)))
        self.dz = np.empty((1, width))


# --------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------
class Engine:
    """Runs training steps for one network on one training set (and optional test set).

    ``run_chunk`` trains a chunk of epochs and returns their measurements;
    :func:`course_utils.train` cuts a run into chunks and keeps the history. The network's
    own arrays are untouched until ``packed.store(net)``.
    """

    def __init__(self, net, X, y, *, optimizer, batch_size, l1, l2, base_seed, X_test=None, y_test=None,
                 epochs: int = MAX_CHUNK_EPOCHS):
        self.act = net.activation
        self.linear = net.activation.name == "linear"
        self.classify = net.task == "classification"
        self.sizes = net.layer_sizes
        self.packed = Packed(net)
        self.opt = optimizer
        n = X.shape[0]
        self.n = n
        self.batch = batch_size  # None: full batch
        self.base_seed = base_seed
        self.X1 = np.ones((X.shape[1] + 1, n))
        self.X1[:-1] = X.T
        self.y = y
        scale = optimizer.scale
        mask = self.packed.weight_mask
        self.l1v = mask * (scale * l1) if l1 else None
        self.l2v = mask * (scale * l2) if l2 else None
        # Batches: positions [start, stop) of each epoch's (shuffled) order.
        if batch_size is None:
            bounds = [(0, n)]
        else:
            bounds = [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
        self.bounds = bounds
        self.starts = np.array([s for s, _ in bounds])
        widths = sorted({e - s for s, e in bounds})
        self.bufs = {w: Buffers(self.sizes, w, self.linear) for w in widths}
        self.steps = {w: self._compile(b) for w, b in self.bufs.items()}
        # Per-position gradient scale: scale / (size of the batch the position falls in).
        cpos = np.empty(n)
        for s, e in bounds:
            cpos[s:e] = scale / (e - s)
        self.cpos = cpos
        self.X_test, self.y_test = X_test, y_test
        self.sign_row = 2.0 * y - 1.0
        self.ypos_row = y > 0.5
        if X_test is not None:
            self.test_bufs = Buffers(self.sizes, X_test.shape[0], self.linear)
            self.test_bufs.A[0][:-1] = X_test.T
        if batch_size is None:
            self.bufs[n].A[0][...] = self.X1
            self.ybias = self._targets(self.y)
        self.steps_per_epoch = len(bounds)
        self.chunk_epochs = max(1, min(MAX_CHUNK_EPOCHS, CHUNK_VALUES // n, epochs))
        self._alloc_store(self.chunk_epochs)
        self.backup = self.packed.P.copy()  # parameters before the latest step

    def _alloc_store(self, k: int) -> None:
        n = self.n
        self.Zs = np.empty((k, n))
        self.Ts = np.empty((k, n)) if self.classify else None
        self.Ys = np.empty((k, n))  # each epoch's targets, in the order seen
        if self.batch is None:
            self.Ys[...] = self.y
        self.Ls = np.empty((k, n))  # per-sample losses
        self.Ms = np.empty((k, n), dtype=bool)  # scratch mask
        self.Ss = np.empty((k, n)) if self.batch is not None else None  # +-1 per target
        if self.X_test is not None:
            m = self.X_test.shape[0]
            self.ZTs = np.empty((k, m))

    def _targets(self, y_order):
        # What the output's gradient adds to the scaled tanh (sigmoid head) or subtracts
        # from the logit (linear head), per position.
        if self.classify:
            return self.cpos * (0.5 - y_order)  # c (sigmoid - y) = c/2 tanh(z/2) + c (1/2 - y)
        return y_order

    # ------------------------------------------------------------------ one step
    def _compile(self, bufs):
        """A function ``step(zrow, trow, ybias, c)``: forward, backward and update on the
        batch in ``bufs.A[0]``, writing the logits to ``zrow`` (and tanh(z/2) to ``trow``).

        Everything it touches is bound here once, so each step is NumPy calls and little
        else: positional ``out`` arguments, no attribute look-ups, no temporaries for the
        common activations.
        """
        blocks, gblocks = self.packed.blocks, self.packed.gblocks
        act = self.act
        value_into = act.value_into_fn or act.value_into
        deriv_into = act.derivative_into_fn or act.derivative_into
        A, Z, S, D = bufs.A, bufs.Z, bufs.S, bufs.D
        L = len(blocks)
        dot, multiply, add, subtract, tanh = np.dot, np.multiply, np.add, np.subtract, np.tanh
        # forward through the hidden layers: (W, input, pre-activation, activation)
        hidden = [(blocks[l], A[l], Z[l], A[l + 1][:-1]) for l in range(L - 1)]
        if self.linear:
            hidden = [(W, A_in, Z_l, None) for W, A_in, Z_l, _ in hidden]
        W_out, A_top, AT_top, G_out = blocks[-1], A[L - 1], A[L - 1].T, gblocks[-1]
        dz = bufs.dz
        classify = self.classify
        P, G, tmp = self.packed.P, self.packed.G, self.packed.tmp
        l1v, l2v = self.l1v, self.l2v
        sgd = type(self.opt) is SGD
        opt_step = self.opt.step
        if L > 1:
            top = L - 2
            w = blocks[-1][:, :-1].T  # (fan, 1): the output unit's weights
            Z_t, A_t, S_t = Z[top], A[top + 1][:-1], S[top]
            G_top, A_below, AT_below_top = gblocks[top], A[top], A[top].T
            # One hidden layer with fewer inputs than units: scale the inputs by dz rather
            # than the units' derivatives (a broadcast over fewer rows).
            narrow = L == 2 and A[0].shape[0] < S_t.shape[0]
            if narrow:
                Xs = np.empty_like(A[0])
                XsT = Xs.T
            # further down: (W, S above, D, Z, A, S, A below transposed, G)
            lower = [(blocks[l][:, :-1], S[l], D[l - 1], Z[l - 1], A[l][:-1], S[l - 1],
                      A[l - 1].T, gblocks[l - 1]) for l in range(top, 0, -1)]

        def step(zrow, trow, ybias, c):
            for W, A_in, Z_l, A_l in hidden:
                dot(W, A_in, Z_l)
                if A_l is not None:
                    value_into(Z_l, A_l)
            dot(W_out, A_top, zrow)
            if classify:  # sigmoid output: dz = c (sigmoid(z) - y) = c/2 tanh(z/2) + c (1/2 - y)
                multiply(zrow, 0.5, trow)
                tanh(trow, trow)
                multiply(trow, 0.5 * c, dz)
                add(dz, ybias, dz)
            else:  # linear output, squared error: dz = c (z - y)
                subtract(zrow, ybias, dz)
                multiply(dz, c, dz)
            dot(dz, AT_top, G_out)
            if L > 1:
                # The top hidden layer feeds one unit, so its error is the outer product
                # w dz f'(z): keep w aside and apply it to the small gradient block instead.
                deriv_into(Z_t, A_t, S_t)
                if narrow:
                    multiply(A_below, dz, Xs)
                    dot(S_t, XsT, G_top)
                else:
                    multiply(S_t, dz, S_t)
                    dot(S_t, AT_below_top, G_top)
                multiply(G_top, w, G_top)
                for i, (W, S_above, D_l, Z_l, A_l, S_l, AT_below, G_l) in enumerate(lower):
                    if i == 0:
                        W = W * w  # the pending w, on the small weight matrix
                    dot(W.T, S_above, D_l)
                    deriv_into(Z_l, A_l, S_l)
                    multiply(S_l, D_l, S_l)
                    dot(S_l, AT_below, G_l)
            if l1v is not None:
                np.sign(P, tmp)
                multiply(tmp, l1v, tmp)
                add(G, tmp, G)
            if l2v is not None:
                multiply(P, l2v, tmp)
                add(G, tmp, G)
            if sgd:
                subtract(P, G, P)
            else:
                opt_step(P, G, tmp)

        return step

    def _test_forward(self, zrow) -> None:
        bufs, blocks = self.test_bufs, self.packed.blocks
        A, Z = bufs.A, bufs.Z
        L = len(blocks)
        for l in range(L - 1):
            np.dot(blocks[l], A[l], Z[l])
            if not self.linear:
                self.act.value_into(Z[l], A[l + 1][:-1])
        np.dot(blocks[-1], A[L - 1], zrow)

    # ------------------------------------------------------------------ a chunk of epochs
    def _run_steps(self, first_epoch: int, epochs: int, max_steps: int | None = None) -> None:
        """Train ``epochs`` epochs from ``first_epoch`` (1-based), keeping every logit.

        With ``max_steps``, stop after that many steps (used to replay up to a blow-up).
        Otherwise the parameters are copied to ``self.backup`` before the chunk's last step.
        """
        last = epochs * self.steps_per_epoch - 1 if max_steps is None else None
        P = self.packed.P
        if self.batch is None:  # one step per epoch, on buffers that already hold the data
            step, n, c = self.steps[self.n], self.n, self.cpos[0]
            ybias = self.ybias.reshape(1, n)
            Zs = self.Zs
            Ts = self.Ts if self.Ts is not None else Zs  # (unused by the linear head)
            test = self.X_test is not None and max_steps is None
            count = epochs if max_steps is None else min(epochs, max_steps)
            for k in range(count):
                if k == last:
                    np.copyto(self.backup, P)
                step(Zs[k:k + 1], Ts[k:k + 1], ybias, c)
                if test:
                    self._test_forward(self.ZTs[k:k + 1])
            return
        step_no = 0
        for k in range(epochs):
            zrow_all = self.Zs[k]
            trow_all = self.Ts[k] if self.Ts is not None else zrow_all
            order = np.random.default_rng((self.base_seed, first_epoch + k)).permutation(self.n)
            X1 = np.take(self.X1, order, axis=1)
            ys = self.Ys[k]
            np.take(self.y, order, out=ys)
            ybias = self._targets(ys)
            for s, e in self.bounds:
                if max_steps is not None and step_no >= max_steps:
                    return
                m = e - s
                bufs = self.bufs[m]
                np.copyto(bufs.A[0][:-1], X1[:-1, s:e])
                if step_no == last:
                    np.copyto(self.backup, P)
                self.steps[m](zrow_all[s:e].reshape(1, m), trow_all[s:e].reshape(1, m),
                              ybias[s:e].reshape(1, m), self.cpos[s])
                step_no += 1
            if self.X_test is not None and max_steps is None:
                self._test_forward(self.ZTs[k:k + 1])

    def run_chunk(self, first_epoch: int, epochs: int, limit_of):
        """Train up to ``epochs`` epochs (at most one chunk) and measure them.

        ``limit_of(first_batch_loss) -> (first, limit)`` gives the blow-up limit.
        Returns ``(measured, event)``: ``measured`` is a dict of per-epoch arrays for the
        epochs that completed cleanly; ``event`` is None or ``(epoch, value, first)``
        describing a divergence, after which the parameters are the last good ones.
        """
        if epochs > self.Zs.shape[0]:
            self._alloc_store(epochs)
        P0 = self.packed.P.copy()
        opt_state = self.opt.state()
        backup0 = self.backup.copy()
        self._run_steps(first_epoch, epochs)
        k = epochs
        loss_el = self._per_sample_loss(k)
        nb = self.steps_per_epoch
        if nb == 1:
            batch_loss = loss_el.mean(axis=1)[:, None]
        else:
            lens = np.diff(np.append(self.starts, self.n))
            batch_loss = np.add.reduceat(loss_el, self.starts, axis=1) / lens
        first, limit = limit_of(float(batch_loss[0, 0]))
        flat = batch_loss.ravel()
        bad = np.flatnonzero(~(flat <= limit))
        bad_step = int(bad[0]) if bad.size else None
        train_loss = loss_el.mean(axis=1)
        self._refine_small(train_loss)
        if self.classify:
            M = self.Ms[:k]
            np.greater(self.Zs[:k], 0.0, M)
            np.equal(M, self.ypos_row if self.batch is None else self.Ys[:k] > 0.5, M)
            acc = np.count_nonzero(M, axis=1) / self.n
        else:
            acc = np.full(k, math.nan)
        if self.X_test is not None:
            test_loss, test_acc = self._test_measure(k)
        else:
            test_loss = test_acc = np.full(k, math.nan)

        # The first thing that went wrong, in time order: a batch loss past the limit
        # (before its step), or a non-finite test loss (after an epoch's last step).
        event = None
        ok_epochs = k
        restore_steps = None  # replay this many steps from the chunk start
        if bad_step is not None:
            ok_epochs = bad_step // nb
            event = (ok_epochs + first_epoch, float(flat[bad_step]), first)
            restore_steps = bad_step - 1  # the parameters before the previous step
        bad_test = np.flatnonzero(~np.isfinite(test_loss[:ok_epochs])) if self.X_test is not None else ()
        if len(bad_test):
            e = int(bad_test[0])
            ok_epochs = e
            event = (e + first_epoch, float(test_loss[e]), first)
            restore_steps = (e + 1) * nb - 1  # before that epoch's last step
        if event is not None:
            if restore_steps < 0:
                np.copyto(self.packed.P, backup0)
            else:
                np.copyto(self.packed.P, P0)
                self.opt.set_state(opt_state)
                self._run_steps(first_epoch, epochs, max_steps=restore_steps)
        measured = {"train_loss": train_loss[:ok_epochs], "train_accuracy": acc[:ok_epochs],
                    "test_loss": test_loss[:ok_epochs], "test_accuracy": test_acc[:ok_epochs]}
        return measured, event

    # ------------------------------------------------------------------ measuring
    def _per_sample_loss(self, k: int) -> np.ndarray:
        if not self.classify:
            return per_sample_loss(self.Zs[:k], self.Ys[:k], False, out=self.Ls[:k])
        if self.batch is None:
            sign = self.sign_row
        else:
            sign = self.Ss[:k]
            np.multiply(self.Ys[:k], 2.0, sign)
            np.subtract(sign, 1.0, sign)
        return per_sample_loss(self.Zs[:k], self.Ys[:k], True, T=self.Ts[:k], sign=sign,
                               out=self.Ls[:k], mask=self.Ms[:k])

    def _refine_small(self, train_loss) -> None:
        # The tanh route carries an absolute error of about 1e-16 per sample: for a loss
        # below 1e-6 that is too coarse relatively, so such epochs are measured exactly.
        if not self.classify:
            return
        small = np.flatnonzero(train_loss < 1e-6)
        for i in small:
            z, s = self.Zs[i], 2.0 * self.Ys[i] - 1.0
            train_loss[i] = np.mean(np.logaddexp(0.0, -s * z))

    def _test_measure(self, k: int):
        Z = self.ZTs[:k]
        y = self.y_test
        loss = per_sample_loss(Z, y, self.classify).mean(axis=1)
        if self.classify:
            acc = np.count_nonzero((Z > 0) == (y > 0.5), axis=1) / len(y)
        else:
            acc = np.full(k, math.nan)
        return loss, acc


def per_sample_loss(Z, Y, classify: bool, T=None, sign=None, out=None, mask=None) -> np.ndarray:
    """Each sample's loss from its logit ``Z`` and target ``Y`` (``Y`` may broadcast).

    Classification, binary cross-entropy: with s = +1 for class 1 and -1 for class 0, the
    loss is softplus(-s z) = log 2 - log1p(s tanh(z/2)). ``T = tanh(Z / 2)`` and
    ``sign = s`` may be passed in when already known, ``out`` and ``mask`` (float and bool
    arrays shaped like ``Z``) to work without temporaries. Where s tanh(z/2) < -1/2 the
    argument of log1p would lose digits, so those few are computed from z directly; an
    infinite logit (weights that ran away) gives NaN. Regression: half the squared error.
    """
    if out is None:
        out = np.empty(Z.shape)
    if not classify:
        np.subtract(Z, Y, out)
        np.multiply(out, out, out)
        np.multiply(out, 0.5, out)
        return out
    if T is None:
        T = np.tanh(0.5 * Z)
    if sign is None:
        sign = 2.0 * np.asarray(Y) - 1.0
    if mask is None:
        mask = np.empty(Z.shape, dtype=bool)
    U = out
    with np.errstate(all="ignore"):  # log1p(-1) for the few recomputed below
        np.multiply(T, sign, U)
        np.less(U, -0.5, mask)
        poor = mask.any()
        np.log1p(U, U)
        np.subtract(LOG2, U, U)
        if poor:
            idx = np.flatnonzero(mask)
            sz = np.broadcast_to(sign, Z.shape).ravel()[idx] * Z.ravel()[idx]
            U.flat[idx] = np.logaddexp(0.0, -sz)
        if not np.isfinite(Z.sum()):
            U[np.isinf(Z)] = np.nan
    return U
