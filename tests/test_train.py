import math
import warnings

import numpy as np
import pytest

from course_utils import MLP, OPTIMIZERS, History, evaluate, make_dataset, train, train_test_split


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
def test_continuing_a_history_equals_one_long_run(xor_data, optimizer, batch_size):
    Xtr, _, ytr, _ = xor_data
    kw = dict(learning_rate=0.1, optimizer=optimizer, batch_size=batch_size, seed=4, snapshot_every=5)
    long_net = MLP([2, 5, 1], seed=2)
    long = train(long_net, Xtr, ytr, epochs=30, **kw)
    net = MLP([2, 5, 1], seed=2)
    h = train(net, Xtr, ytr, epochs=3, **kw)  # chunks that do not line up with the snapshots
    for chunk in (7, 10, 10):
        h = train(net, Xtr, ytr, epochs=chunk, history=h, **kw)
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
