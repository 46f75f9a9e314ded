"""The fast training engine against the textbook version of the same maths.

``course_utils.engine`` packs parameters into one vector, keeps samples as columns and
measures losses in bulk; here a plain loop over ``MLP.loss_and_gradients`` (the
reference the gradient checks already trust) trains a copy of the same network, and the
two must agree on every loss, accuracy and weight.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import ACTIVATIONS, MLP, evaluate, make_dataset, train
from course_utils import engine
from course_utils.train import BLOWUP_FACTOR


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


@pytest.mark.parametrize("optimizer", list(engine.OPTIMIZERS))
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
def test_the_engines_chunk_size_changes_nothing(monkeypatch, chunk, case):
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
    monkeypatch.setattr(engine, "MAX_CHUNK_EPOCHS", chunk)
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


def test_bulk_loss_is_the_cross_entropy_to_rounding_everywhere():
    z = np.concatenate([np.linspace(-800, 800, 4001), [-1e-300, 0.0, 1e-300, 37.0, -37.0]])
    for label in (0.0, 1.0):
        y = np.full_like(z, label)
        exact = np.logaddexp(0.0, -(2 * label - 1) * z)  # softplus(-s z): no cancellation
        got = engine.per_sample_loss(z[None, :], y, True)[0]
        # (the tanh route is exact to about 1e-16 absolute; tiny epochs are re-measured)
        np.testing.assert_allclose(got, exact, rtol=1e-12, atol=1e-15)
    got = engine.per_sample_loss(np.array([[np.inf, -np.inf, 1.0]]), np.array([1.0, 0.0, 1.0]), True)
    assert np.isnan(got[0, :2]).all() and np.isfinite(got[0, 2])


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


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_in_place_forms_equal_the_activation_table(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-12, 12, 97).reshape(1, -1) * np.array([[1.0], [0.5], [1e-3]])
    a = act.value(z)
    out = np.empty_like(z)
    act.value_into(z, out)
    np.testing.assert_array_equal(out, a)
    act.derivative_into(z, a, out)
    np.testing.assert_allclose(out, act.derivative(z), rtol=1e-12, atol=1e-15)


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
