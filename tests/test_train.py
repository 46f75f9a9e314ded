"""Training: reproducibility, continuation, divergence, and agreement with a plain loop.

``train`` measures losses in bulk for chunks of epochs and keeps parameter copies to step
back after a blow-up; ``reference_train`` below is the loop without any of that - one
``MLP.loss_and_gradients`` call per batch, the optimizers written out on lists - and the two
must agree on every loss, accuracy and weight.
"""
import math
import warnings

import numpy as np
import pytest

from importlib import import_module
from course_utils import (ACTIVATIONS, MLP, OPTIMIZERS, OUTPUTS, History, evaluate, make_dataset, train,
                          train_test_split)
from course_utils.train import BLOWUP_FACTOR, Trainer

train_module = import_module("course_utils.train")  # (the package exports a function of that name)


@pytest.fixture
def xor_data():
    X, y = make_dataset("xor", n_samples=200, seed=0)
    return train_test_split(X, y, seed=0)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("batch_size", [None, 16])
def test_same_seed_gives_bit_identical_history(xor_data, optimizer, batch_size):
    Xtr, Xte, ytr, yte = xor_data
    runs = []
    for _ in range(2):
        net = MLP([2, 6, 1], "tanh", seed=3)
        h = train(net, Xtr, ytr, epochs=40, learning_rate=0.05, optimizer=optimizer, batch_size=batch_size,
                  seed=11, X_test=Xte, y_test=yte, snapshot_every=10)
        runs.append((net, h))
    (n1, h1), (n2, h2) = runs
    assert h1 == h2
    for f in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert np.array_equal(getattr(h1, f), getattr(h2, f))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(n1.params, n2.params))
    assert [e for e, _ in h1.snapshots] == [0, 10, 20, 30, 40]


def test_different_batch_seed_changes_the_run(xor_data):
    Xtr, _, ytr, _ = xor_data
    h = [train(MLP([2, 6, 1], seed=3), Xtr, ytr, epochs=5, learning_rate=0.05, batch_size=8, seed=s)
         for s in (1, 2)]
    assert not np.array_equal(h[0].train_loss, h[1].train_loss)


def test_training_does_not_mutate_the_data(xor_data):
    Xtr, Xte, ytr, yte = xor_data
    copies = [a.copy() for a in xor_data]
    train(MLP([2, 4, 1], seed=0), Xtr, ytr, epochs=10, learning_rate=0.1, batch_size=7, X_test=Xte, y_test=yte)
    for a, b in zip(xor_data, copies):
        np.testing.assert_array_equal(a, b)


def test_history_shapes_and_meaning(xor_data):
    Xtr, Xte, ytr, yte = xor_data
    net = MLP([2, 8, 1], "tanh", seed=0)
    h = train(net, Xtr, ytr, epochs=25, learning_rate=0.1, X_test=Xte, y_test=yte)
    assert len(h) == h.epochs_run == 25
    assert h.train_loss.shape == h.test_accuracy.shape == (25,)
    # Full batch: each epoch's train loss is measured before that epoch's update.
    net0 = MLP([2, 8, 1], "tanh", seed=0)
    assert h.train_loss[0] == pytest.approx(evaluate(net0, Xtr, ytr)[0], rel=1e-12)
    # Test metrics use the parameters at the end of the epoch.
    assert h.test_loss[-1] == pytest.approx(evaluate(net, Xte, yte)[0], rel=1e-12)
    assert h.train_loss[-1] < h.train_loss[0]
    assert not h.diverged and h.message == ""
    no_test = train(MLP([2, 3, 1], seed=0), Xtr, ytr, epochs=3, learning_rate=0.1)
    assert np.isnan(no_test.test_loss).all()


@pytest.mark.parametrize("batch_size", [None, 7])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_continuing_a_run_equals_one_long_run(xor_data, optimizer, batch_size):
    Xtr, Xte, ytr, yte = xor_data
    kw = dict(learning_rate=0.1, optimizer=optimizer, batch_size=batch_size, seed=4, snapshot_every=5,
              X_test=Xte, y_test=yte)
    long_net = MLP([2, 5, 1], seed=2)
    long = train(long_net, Xtr, ytr, epochs=30, **kw)
    net = MLP([2, 5, 1], seed=2)
    trainer = Trainer(net, Xtr, ytr, **kw)
    for chunk in (3, 7, 10, 10):  # chunks that do not line up with the snapshots
        h = trainer.run(chunk)
    assert h is trainer.history and h == long
    assert [e for e, _ in h.snapshots] == [e for e, _ in long.snapshots] == [0, 5, 10, 15, 20, 25, 30]
    assert np.array_equal(h.train_loss, long.train_loss)
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(net.params, long_net.params))


def test_callback_can_stop_early(xor_data):
    Xtr, _, ytr, _ = xor_data
    seen = []

    def cb(epoch, net, history):
        seen.append((epoch, len(history)))
        return epoch < 7

    h = train(MLP([2, 4, 1], seed=0), Xtr, ytr, epochs=100, learning_rate=0.1, callback=cb)
    assert len(h) == 7 and h.stopped_early and "epoch 7" in h.message
    assert seen[:3] == [(1, 1), (2, 2), (3, 3)]


def test_learns_xor_smoke(xor_data):
    Xtr, Xte, ytr, yte = xor_data
    net = MLP([2, 8, 8, 1], "tanh", seed=0)
    train(net, Xtr, ytr, epochs=500, learning_rate=0.05, optimizer="adam")
    assert evaluate(net, Xte, yte)[1] >= 0.9


def test_divergence_is_reported_in_words_and_leaves_finite_weights():
    X, y = make_dataset("circle", seed=0)
    net = MLP([2, 8, 8, 8, 1], "relu", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        h = train(net, X, y, epochs=300, learning_rate=50.0)
    assert h.diverged
    assert "diverged" in h.message and "learning rate" in h.message and "50" in h.message
    assert len(h) < 300
    assert np.isfinite(h.train_loss).all() and h.train_loss.max() < 100 * max(1, h.train_loss[0])
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in net.params)
    assert math.isfinite(evaluate(net, X, y)[0])


def test_nan_loss_is_named_in_the_message():
    X, y = make_dataset("gauss", n_samples=50, seed=0)
    net = MLP([2, 3, 1], "linear", seed=0)
    net.params[0][0][0, 0] = 1e308  # one enormous weight: the logits overflow on the first pass
    h = train(net, X, y, epochs=5, learning_rate=0.1)
    assert h.diverged and len(h) == 0
    assert "NaN" in h.message or "infinite" in h.message


def test_divergence_with_minibatches_and_momentum():
    X, y = make_dataset("spiral", seed=0)
    net = MLP([2, 8, 8, 8, 8, 8, 8, 1], "relu", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(net, X, y, epochs=200, learning_rate=1e6, batch_size=5, optimizer="momentum")
    assert h.diverged and all(np.isfinite(W).all() for W, _ in net.params)


@pytest.mark.parametrize("kwargs, words", [
    (dict(epochs=0), "epochs"),
    (dict(epochs=2.5), "epochs"),
    (dict(learning_rate=0), "learning_rate"),
    (dict(learning_rate=-1), "learning_rate"),
    (dict(learning_rate=float("nan")), "learning_rate"),
    (dict(optimizer="rmsprop"), "sgd, momentum, adam"),
    (dict(batch_size=0), "batch_size"),
    (dict(l2=-0.1), ">= 0"),
    (dict(X_test=np.zeros((3, 2))), "both"),
])
def test_bad_training_arguments(kwargs, words):
    X, y = make_dataset("gauss", n_samples=20, seed=0)
    args = dict(epochs=2, learning_rate=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=words):
        train(MLP([2, 2, 1], seed=0), X, y, **args)


def test_bad_data_is_explained():
    net = MLP([2, 2, 1], seed=0)
    X, y = make_dataset("gauss", n_samples=20, seed=0)
    with pytest.raises(ValueError, match="labels 0 and 1"):
        train(net, X, y * 2 - 1, epochs=1, learning_rate=0.1)
    bad = X.copy()
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        train(net, bad, y, epochs=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="expects 2 input"):
        train(net, X[:, :1], y, epochs=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="MLP"):
        train("net", X, y, epochs=1, learning_rate=0.1)


def test_regression_training_reduces_squared_error():
    X, y = make_dataset("plane", n_samples=200, seed=0)
    net = MLP([2, 4, 1], "tanh", seed=0, output="linear")
    h = train(net, X, y, epochs=200, learning_rate=0.01)
    assert h.train_loss[-1] < 0.1 * h.train_loss[0]
    assert np.isnan(h.train_accuracy).all()


def test_history_repr_and_final():
    h = History()
    assert len(h) == 0 and math.isnan(h.final()["train_loss"])
    assert "epochs=0" in repr(h)


# --------------------------------------------------------------------------------------
# Agreement with the plain loop
# --------------------------------------------------------------------------------------
def reference_train(net, X, y, *, epochs, learning_rate, optimizer="sgd", batch_size=None,
                    l1=0.0, l2=0.0, seed=None):
    """Textbook training: one ``loss_and_gradients`` call per batch, optimizers on lists."""
    arrays = [a for pair in net.params for a in pair]
    n = len(X)
    bs = n if batch_size is None else batch_size
    base = int(np.random.default_rng(seed).integers(2**63)) if batch_size is not None else 0
    vel = [np.zeros_like(a) for a in arrays]
    m = [np.zeros_like(a) for a in arrays]
    v = [np.zeros_like(a) for a in arrays]
    t = 0
    losses, accs = [], []
    for e in range(1, epochs + 1):
        order = np.random.default_rng((base, e)).permutation(n) if batch_size is not None else np.arange(n)
        total = correct = 0.0
        for s in range(0, n, bs):
            idx = order[s:s + bs]
            Xb, yb = X[idx], y[idx]
            total += net.loss(Xb, yb) * len(idx)
            if net.task == "classification":
                correct += np.count_nonzero(net.predict(Xb) == yb)
            _, grads = net.loss_and_gradients(Xb, yb, l1=l1, l2=l2)
            g = [a for pair in grads for a in pair]
            if optimizer == "sgd":
                for p, gi in zip(arrays, g):
                    p -= learning_rate * gi
            elif optimizer == "momentum":
                for p, gi, vi in zip(arrays, g, vel):
                    vi *= 0.9
                    vi -= learning_rate * gi
                    p += vi
            else:
                t += 1
                step = learning_rate * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
                for p, gi, mi, vi in zip(arrays, g, m, v):
                    mi[...] = 0.9 * mi + 0.1 * gi
                    vi[...] = 0.999 * vi + 0.001 * gi * gi
                    p -= step * mi / (np.sqrt(vi) + 1e-8)
        losses.append(total / n)
        accs.append(correct / n if net.task == "classification" else math.nan)
    return np.array(losses), np.array(accs)


def assert_same_run(net_a, net_b, hist, ref_losses, ref_accs):
    np.testing.assert_allclose(hist.train_loss, ref_losses, rtol=1e-9, atol=1e-14)
    np.testing.assert_array_equal(np.isnan(hist.train_accuracy), np.isnan(ref_accs))
    # a logit within rounding of 0 may flip one prediction (1 of >= 100 samples)
    np.testing.assert_allclose(hist.train_accuracy, ref_accs, atol=0.011)
    for (Wa, ba), (Wb, bb) in zip(net_a.params, net_b.params):
        np.testing.assert_allclose(Wa, Wb, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ba, bb, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("hidden", [[], [5], [6, 3, 4]])
def test_every_activation_and_depth_matches_the_textbook_loop(activation, hidden):
    X, y = make_dataset("circle", n_samples=120, noise=0.1, seed=1)
    net = MLP([2, *hidden, 1], activation, seed=3)
    ref = net.copy()
    hist = train(net, X, y, epochs=12, learning_rate=0.3)
    assert_same_run(net, ref, hist, *reference_train(ref, X, y, epochs=12, learning_rate=0.3))


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("batch_size", [None, 16, 50])
@pytest.mark.parametrize("reg", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.02), (0.003, 0.004)])
def test_optimizers_batches_and_regularization_match_the_textbook_loop(optimizer, batch_size, reg):
    X, y = make_dataset("xor", n_samples=100, noise=0.2, seed=2)
    net = MLP([2, 4, 3, 1], "tanh", seed=5)
    ref = net.copy()
    kw = dict(epochs=6, learning_rate=0.05, optimizer=optimizer, batch_size=batch_size,
              l1=reg[0], l2=reg[1], seed=9)
    hist = train(net, X, y, **kw)
    assert_same_run(net, ref, hist, *reference_train(ref, X, y, **kw))


@pytest.mark.parametrize("hidden", [[], [7], [4, 4]])
def test_the_regression_head_matches_the_textbook_loop(hidden):
    X, y = make_dataset("plane", n_samples=90, noise=0.1, seed=4)
    net = MLP([2, *hidden, 1], "relu", seed=2, output="linear")
    ref = net.copy()
    kw = dict(epochs=8, learning_rate=0.01, batch_size=20, seed=1, optimizer="momentum")
    hist = train(net, X, y, **kw)
    assert_same_run(net, ref, hist, *reference_train(ref, X, y, **kw))
    assert np.isnan(hist.train_accuracy).all()


def test_test_set_figures_are_those_of_each_epochs_final_weights():
    X, y = make_dataset("spiral", n_samples=160, noise=0.1, seed=0)
    Xt, yt = make_dataset("spiral", n_samples=70, noise=0.1, seed=1)
    net = MLP([2, 8, 8, 1], "relu", seed=0)
    seen = []
    train(net.copy(), X, y, epochs=9, learning_rate=0.05, batch_size=32, seed=3,
          callback=lambda e, n, h: seen.append(evaluate(n, Xt, yt)))
    hist = train(net, X, y, epochs=9, learning_rate=0.05, batch_size=32, seed=3, X_test=Xt, y_test=yt)
    np.testing.assert_allclose(hist.test_loss, [s[0] for s in seen], rtol=1e-12)
    np.testing.assert_allclose(hist.test_accuracy, [s[1] for s in seen])


@pytest.mark.parametrize("chunk", [1, 2, 3, 64])
@pytest.mark.parametrize("case", ["minibatch_with_test", "diverging"])
def test_the_chunk_size_changes_nothing(monkeypatch, chunk, case):
    def run():
        if case == "diverging":
            X, y = make_dataset("gauss", n_samples=60, seed=0)
            net = MLP([2, 8, 8, 1], "relu", seed=0)
            return net, train(net, X, y, epochs=40, learning_rate=50.0)
        X, y = make_dataset("moons", n_samples=90, noise=0.1, seed=0)
        Xt, yt = make_dataset("moons", n_samples=40, noise=0.1, seed=1)
        net = MLP([2, 6, 1], "gelu", seed=1)
        return net, train(net, X, y, epochs=7, learning_rate=0.2, optimizer="adam", batch_size=25,
                          seed=2, X_test=Xt, y_test=yt)

    net_ref, hist_ref = run()
    monkeypatch.setattr(train_module, "MAX_CHUNK_EPOCHS", chunk)
    net, hist = run()
    assert hist == hist_ref
    for (W, b), (Wr, br) in zip(net.params, net_ref.params):
        assert np.array_equal(W, Wr) and np.array_equal(b, br)
    if case == "diverging":
        assert hist.diverged


def test_divergence_leaves_the_weights_from_before_the_step_that_blew_up():
    X, y = make_dataset("gauss", n_samples=60, seed=0)
    net = MLP([2, 8, 8, 1], "relu", seed=0)
    start = net.copy()
    hist = train(net, X, y, epochs=40, learning_rate=50.0)
    assert hist.diverged and hist.epochs_run >= 1
    bad = hist.epochs_run + 1  # the epoch whose loss crossed the limit
    with np.errstate(all="ignore"):
        losses, _ = reference_train(start.copy(), X, y, epochs=bad, learning_rate=50.0)
    limit = BLOWUP_FACTOR * max(1.0, losses[0])
    assert (losses[:-1] <= limit).all() and not losses[-1] <= limit
    np.testing.assert_allclose(hist.train_loss, losses[:-1], rtol=1e-9)
    # The last good weights: those at the start of epoch bad - 1.
    expected = start.copy()
    reference_train(expected, X, y, epochs=bad - 2, learning_rate=50.0)
    for (W, b), (We, be) in zip(net.params, expected.params):
        np.testing.assert_allclose(W, We, rtol=1e-9)
        np.testing.assert_allclose(b, be, rtol=1e-9)


def test_tiny_losses_keep_their_relative_precision():
    X, y = make_dataset("gauss", n_samples=40, seed=0)
    net = MLP([2, 1], "linear", seed=0)
    net.params[0][0][...] = 30.0  # along the blobs' axis: every point far on its own side
    if evaluate(net, X, y)[1] < 1.0:
        net.params[0][0][...] = -30.0
    z = net.logits(X)
    exact = np.mean(np.logaddexp(0.0, -(2 * y - 1) * z))  # softplus(-s z), free of cancellation
    hist = train(net, X, y, epochs=1, learning_rate=0.1)
    assert 0 < exact < 1e-6
    np.testing.assert_allclose(hist.train_loss[0], exact, rtol=1e-9)


def test_the_benchmark_references_do_the_same_work_as_train():
    """benchmarks/reference_loop.py must train the same net to the same losses, or the speed
    ratios in the README compare different work."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from reference_loop import fused_train, textbook_train
    finally:
        sys.path.pop(0)
    X, y = make_dataset("circle", n_samples=200, seed=0)
    net = MLP([2, 8, 1], "tanh", seed=0)
    start = net.get_params()
    hist = train(net, X, y, epochs=60, learning_rate=0.1)
    for loop in (fused_train, textbook_train):
        (W1, b1), (W2, b2) = [(W.copy(), b.copy()) for W, b in start]
        losses = loop(X, y, W1, b1, W2, b2, epochs=60, learning_rate=0.1)
        np.testing.assert_allclose(losses, hist.train_loss, rtol=1e-9)
        np.testing.assert_allclose(W1, net.params[0][0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b2, net.params[1][1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_a_training_step_is_minus_the_learning_rate_times_loss_and_gradients(activation, output):
    """train and loss_and_gradients run the same pass: one SGD step is bit for bit theirs."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    head = OUTPUTS[output]
    k = 3 if head.vector else 1  # the softmax head: three classes, three output units
    y = rng.normal(size=30) if head.task == "regression" else rng.integers(0, max(k, 2), size=30).astype(float)
    net = MLP([2, 4, 3, k], activation, seed=1, output=output)
    _, grads = net.loss_and_gradients(X, y, l1=0.01, l2=0.02)
    expected = [(W - 0.1 * dW, b - 0.1 * db) for (W, b), (dW, db) in zip(net.params, grads)]
    train(net, X, y, epochs=1, learning_rate=0.1, l1=0.01, l2=0.02)
    for (W, b), (We, be) in zip(net.params, expected):
        np.testing.assert_array_equal(W, We)
        np.testing.assert_array_equal(b, be)


def test_a_softmax_run_reports_loss_and_accuracy_and_continues_in_chunks():
    """Three classes train through the same Trainer: chunks equal one long run, mini-batches too."""
    X, y = make_dataset("blobs3", n_samples=120, noise=0.2, seed=0)
    Xt, yt = make_dataset("blobs3", n_samples=60, noise=0.2, seed=1)
    runs = []
    for chunks in ([40], [13, 27]):
        net = MLP([2, 6, 3], "tanh", seed=2, output="softmax")
        trainer = Trainer(net, X, y, learning_rate=0.3, batch_size=16, seed=5, X_test=Xt, y_test=yt)
        for c in chunks:
            trainer.run(c)
        runs.append((net, trainer.history))
    (net, hist), (net2, hist2) = runs
    assert hist == hist2 and np.array_equal(net.theta, net2.theta)
    assert hist.train_loss[0] > 0.5 and hist.train_loss[-1] < 0.2  # from near ln 3 = 1.10 to low
    loss, acc = evaluate(net, Xt, yt)
    assert hist.test_loss[-1] == pytest.approx(loss, rel=1e-12) and hist.test_accuracy[-1] == acc
    assert acc == np.mean(net.predict(Xt) == yt) and acc > 0.9


def test_a_softmax_run_that_blows_up_is_reported_and_stepped_back():
    X, y = make_dataset("spiral3", n_samples=90, seed=0)
    net = MLP([2, 8, 8, 3], "relu", seed=0, output="softmax")
    hist = train(net, X, y, epochs=30, learning_rate=1e4)
    assert hist.diverged and "learning rate" in hist.message
    assert np.isfinite(net.theta).all() and np.isfinite(hist.train_loss).all()


def test_thinning_bounds_the_record_and_keeps_exact_figures_of_the_epochs_it_keeps(xor_data):
    Xtr, Xte, ytr, yte = xor_data
    kw = dict(learning_rate=0.1, batch_size=16, seed=1, X_test=Xte, y_test=yte)
    full = train(MLP([2, 4, 1], "tanh", seed=0), Xtr, ytr, epochs=300, **kw)
    runner = Trainer(MLP([2, 4, 1], "tanh", seed=0), Xtr, ytr, **kw)
    for _ in range(30):  # Play: 10 epochs a frame, the record thinned after each
        runner.run(10)
        runner.history.thin(40)
        assert len(runner.history.epochs) <= 40
    h = runner.history
    assert h.epochs_run == len(h) == 300 and h.epochs[0] == 1 and h.epochs[-1] == 300
    assert np.all(np.diff(h.epochs) > 0)
    assert np.all(np.diff(h.epochs)[-10:] == 1)  # the latest epochs stay at full resolution
    for name in History._FIELDS:  # every entry kept is that epoch's own figure, bit for bit
        np.testing.assert_array_equal(getattr(h, name), getattr(full, name)[h.epochs - 1])
    assert h.final() == full.final()
    with pytest.raises(ValueError, match="at least 2"):
        h.thin(1)
