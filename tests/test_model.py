import copy
import json

import numpy as np
import pytest

from course_utils import ACTIVATIONS, MLP, OUTPUTS, collapse, make_dataset, tanh_as_sigmoid

DEPTHS = {0: [2, 1], 1: [2, 5, 1], 3: [2, 4, 3, 4, 1]}
REGS = {"none": (0.0, 0.0), "l1": (0.01, 0.0), "l2": (0.0, 0.05)}
K = 3  # classes for the softmax head


def _sizes(depth, output):
    """DEPTHS[depth] with the output units ``output`` needs: 1, or K for the softmax."""
    return [*DEPTHS[depth][:-1], K if OUTPUTS[output].vector else 1]


def _targets(output, rng, n):
    """Targets a head accepts: labels 0/1, labels 0..K-1, or real numbers."""
    head = OUTPUTS[output]
    if head.task == "regression":
        return rng.normal(size=n)
    return rng.integers(0, K if head.vector else 2, size=n).astype(float)


def _numeric_grads(net, X, y, l1, l2, h=1e-6):
    out = []
    for W, b in net.params:
        pair = []
        for arr in (W, b):
            g = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + h
                up = net.loss(X, y, l1, l2)
                arr[idx] = old - h
                down = net.loss(X, y, l1, l2)
                arr[idx] = old
                g[idx] = (up - down) / (2 * h)
            pair.append(g)
        out.append(pair)
    return out


@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("reg", list(REGS))
@pytest.mark.parametrize("depth", list(DEPTHS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_match_finite_differences(activation, depth, reg, output):
    """loss_and_gradients runs model.Pass, the pass train() runs (see test_train)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    y = _targets(output, rng, 12)
    net = MLP(_sizes(depth, output), activation, seed=1, output=output)
    for _, b in net.params:  # non-zero biases so every parameter matters
        b += rng.normal(scale=0.3, size=b.shape)
    l1, l2 = REGS[reg]
    loss, grads = net.loss_and_gradients(X, y, l1, l2)
    assert loss == pytest.approx(net.loss(X, y, l1, l2), rel=1e-12)
    numeric = _numeric_grads(net, X, y, l1, l2)
    for (dW, db), (nW, nb) in zip(grads, numeric):
        np.testing.assert_allclose(dW, nW, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(db, nb, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("depth", list(DEPTHS))
def test_a_loaded_batch_runs_again_after_the_weights_change(depth):
    """Full-batch training loads its data into the pass once and then calls forward() alone."""
    from course_utils.model import Pass

    X, y = make_dataset("xor", n_samples=30, seed=0)
    net = MLP(DEPTHS[depth], "tanh", seed=0)
    layers = Pass(net, len(X))
    layers.load(X)
    for _ in range(3):
        z = layers.forward().copy()
        np.testing.assert_array_equal(z, net.logits(X))  # the bias inside [X 1][W; b] is b itself
        net.theta -= 0.5 * layers.backward(y)
    X0 = X.copy()
    X[:] = 0.0  # the pass keeps its own copy of the loaded batch, for both directions
    fresh = Pass(net, len(X0))
    fresh.forward(X0)
    np.testing.assert_array_equal(layers.forward(), fresh.z)
    np.testing.assert_array_equal(layers.backward(y), fresh.backward(y))


@pytest.mark.parametrize("name", [n for n, a in ACTIVATIONS.items() if a.from_output is not None])
def test_derivative_from_outputs_written_into_a_buffer(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-3, 3, 13).reshape(13, 1) * np.ones((1, 2))
    buf = np.full_like(z, np.nan)
    got = act.grad_from(z, act.value(z), buf)
    np.testing.assert_array_equal(np.broadcast_to(got, z.shape), act.grad_from(z, act.value(z)) * np.ones_like(z))
    np.testing.assert_allclose(np.broadcast_to(got, z.shape), act.derivative(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_regression_head_gradients(activation):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(10, 2))
    y = rng.normal(size=10)
    net = MLP([2, 4, 1], activation, seed=3, output="linear")
    loss, grads = net.loss_and_gradients(X, y, 0.0, 0.01)
    numeric = _numeric_grads(net, X, y, 0.0, 0.01)
    for (dW, db), (nW, nb) in zip(grads, numeric):
        np.testing.assert_allclose(dW, nW, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(db, nb, rtol=1e-5, atol=1e-7)
    z = net.predict(X)
    assert loss == pytest.approx(0.5 * np.mean((z - y) ** 2) + 0.005 * sum((W ** 2).sum() for W, _ in net.params))


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_each_output_head_holds_its_loss_beside_its_derivative(name):
    head = OUTPUTS[name]
    z = np.linspace(-30, 30, 241)
    labels = (0.0, 1.0) if head.task == "classification" else (-1.3, 0.0, 2.5)
    if head.vector:  # K logits per sample: a spread of scores around each class
        z = np.column_stack([z, -0.5 * z[::-1], np.sin(z) * 20])
        labels = (0.0, 1.0, 2.0)
    h = 1e-6
    for y in labels:
        yy = np.full(z.shape[0], y)
        numeric = np.empty_like(z)
        for idx in np.ndindex(z.shape):  # each logit nudged on its own
            up, down = z.copy(), z.copy()
            up[idx] += h
            down[idx] -= h
            row = idx[0]
            numeric[idx] = (head.losses(up, yy)[row] - head.losses(down, yy)[row]) / (2 * h)
        np.testing.assert_allclose(head.dloss(z, yy), numeric, rtol=1e-6, atol=1e-8)
        out = np.empty_like(z)
        np.testing.assert_array_equal(head.dloss(z, yy, out=out), head.dloss(z, yy))
    z2, y2 = z[[100, 140]], np.array([1.0, 0.0])
    assert head.loss(z2, y2) == pytest.approx(np.mean(head.losses(z2, y2)))


def test_the_parameters_are_views_into_one_flat_vector():
    net = MLP([2, 4, 3, 1], "tanh", seed=0)
    assert net.theta.size == sum(W.size + b.size for W, b in net.params)
    net.theta[...] = np.arange(net.theta.size)
    (W1, b1), (W2, _), _ = net.params
    assert W1[0, 0] == 0 and b1[0] == 8 and W2[0, 0] == 12  # layer by layer, W then b
    twin = copy.deepcopy(net)
    twin.theta[0] = -1.0
    assert twin.params[0][0][0, 0] == -1.0 and net.params[0][0][0, 0] == 0.0
    np.testing.assert_array_equal(net.copy().theta, net.theta)


def test_one_example_worked_by_hand():
    # A 1-1-1 net: z1 = 2x + 0, a1 = tanh(z1), z = 3 a1 - 1, p = sigmoid(z), y = 1.
    net = MLP([1, 1, 1], "tanh", seed=0)
    net.set_params([(np.array([[2.0]]), np.array([0.0])), (np.array([[3.0]]), np.array([-1.0]))])
    x, a1 = 0.5, np.tanh(1.0)
    z = 3 * a1 - 1
    p = 1 / (1 + np.exp(-z))
    loss, grads = net.loss_and_gradients(np.array([[x]]), np.array([1]))
    assert loss == pytest.approx(-np.log(p), rel=1e-12)
    dz = p - 1
    assert grads[1][0][0, 0] == pytest.approx(dz * a1, rel=1e-12)
    assert grads[1][1][0] == pytest.approx(dz, rel=1e-12)
    assert grads[0][0][0, 0] == pytest.approx(dz * 3 * (1 - a1 ** 2) * x, rel=1e-12)


def test_softmax_worked_by_hand():
    # Logits (1, 2, 3) for class 0: loss = log(e + e^2 + e^3) - 1; d/dz = softmax - onehot.
    head = OUTPUTS["softmax"]
    z = np.array([[1.0, 2.0, 3.0]])
    p = np.exp(z) / np.exp(z).sum()
    assert head.losses(z, np.array([0]))[0] == pytest.approx(np.log(np.exp(z).sum()) - 1.0, rel=1e-14)
    np.testing.assert_allclose(head.dloss(z, np.array([0])), p - [[1, 0, 0]], rtol=1e-14)
    np.testing.assert_allclose(head.link(z), p, rtol=1e-14)
    assert head.decide(z).tolist() == [2] and head.correct(z, np.array([2])).tolist() == [True]


@pytest.mark.parametrize("scale", [1e2, 1e3, 1e4])
def test_softmax_cross_entropy_is_stable_for_huge_logits(scale):
    head = OUTPUTS["softmax"]
    z = np.array([[scale, -scale, 0.0], [-scale, -scale, scale], [scale, scale, -scale]])
    y = np.array([1, 2, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        losses, dz, p = head.losses(z, y), head.dloss(z, y), head.link(z)
    # wrong by 2*scale nats; exactly right; a tie between two classes: ln 2
    np.testing.assert_allclose(losses, [2 * scale, 0.0, np.log(2.0)], rtol=1e-12)
    np.testing.assert_allclose(dz, [[1, -1, 0], [0, 0, 0], [-0.5, 0.5, 0]], atol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)


def test_a_softmax_net_predicts_k_probabilities_and_the_most_probable_class():
    net = MLP([2, 5, 4], "tanh", seed=0, output="softmax")
    X = np.random.default_rng(0).normal(size=(9, 2))
    p = net.predict_proba(X)
    assert p.shape == (9, 4) and ((p > 0) & (p < 1)).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    pred = net.predict(X)
    assert pred.dtype == np.int64 and pred.tolist() == p.argmax(axis=1).tolist()
    assert net.logits(X).shape == (9, 4) and net.n_classes == 4


def test_softmax_labels_are_checked_against_the_number_of_outputs():
    net = MLP([2, 3], "linear", seed=0, output="softmax")
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="labels 0, 1 and 2, one per output unit; found \\[3.0\\]"):
        net.loss_and_gradients(X, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="found \\[-1.0, 0.5\\]"):
        net.loss(X, np.array([0, -1, 0.5, 2]))
    with pytest.raises(ValueError, match="use output='softmax'"):
        MLP([2, 3], "linear", output="sigmoid")
    with pytest.raises(ValueError, match="at least 2"):
        MLP([2, 4, 1], "linear", output="softmax")


def test_the_chance_loss_is_ln_k():
    from course_utils.numeric import LN2, chance_loss

    assert chance_loss() == LN2 and chance_loss(3) == pytest.approx(1.0986122886681098)
    net = MLP([2, 3], "linear", seed=0, output="softmax")
    net.set_params([(np.zeros((2, 3)), np.zeros(3))])  # every class 1/3: learned nothing
    X = np.random.default_rng(0).normal(size=(6, 2))
    assert net.loss(X, np.arange(6) % 3) == pytest.approx(chance_loss(3), rel=1e-14)


def test_bce_is_stable_for_huge_logits():
    net = MLP([1, 1], "linear", seed=0)
    net.set_params([(np.array([[1.0]]), np.array([0.0]))])
    X = np.array([[800.0], [-800.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grads = net.loss_and_gradients(X, np.array([0, 1]))
    assert loss == pytest.approx(800.0)  # each sample is 800 nats wrong
    assert np.isfinite(grads[0][0]).all()


@pytest.mark.parametrize("sizes", [[2, 1], [2, 3, 1], [2, 4, 4, 4, 4, 4, 1], [2, 3], [2, 4, 4, 3]])
def test_collapse_reproduces_deep_linear_net(sizes):
    k = sizes[-1]
    net = MLP(sizes, "linear", seed=4, output="sigmoid" if k == 1 else "softmax")
    for _, b in net.params:
        b += np.random.default_rng(5).normal(size=b.shape)
    X, _ = make_dataset("circle", n_samples=200, seed=0)
    W, b = collapse(net)
    assert W.shape == (2, k) and b.shape == (k,)
    np.testing.assert_allclose((X @ W + b).reshape(net.logits(X).shape), net.logits(X), rtol=0, atol=1e-10)
    if k > 1:  # K affine scores: the class regions are where one score is the largest
        np.testing.assert_array_equal(np.argmax(X @ W + b, axis=1), net.predict(X))


def test_collapse_refuses_nonlinear_nets():
    with pytest.raises(ValueError, match="linear"):
        collapse(MLP([2, 3, 1], "tanh", seed=0))


def test_shapes_predictions_and_hidden_outputs():
    net = MLP([2, 4, 3, 1], "relu", seed=0)
    assert [(W.shape, b.shape) for W, b in net.params] == [((2, 4), (4,)), ((4, 3), (3,)), ((3, 1), (1,))]
    X = np.random.default_rng(0).normal(size=(7, 2))
    p = net.predict_proba(X)
    assert p.shape == (7,) and ((p > 0) & (p < 1)).all()
    assert net.predict(X).dtype == np.int64
    np.testing.assert_array_equal(net.predict(X), (p > 0.5).astype(int))
    hidden = net.hidden_outputs(X)
    assert [h.shape for h in hidden] == [(7, 4), (7, 3)]
    assert (hidden[0] >= 0).all()  # ReLU outputs


def test_same_seed_same_weights():
    a, b, c = MLP([2, 5, 1], seed=9), MLP([2, 5, 1], seed=9), MLP([2, 5, 1], seed=10)
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(a.params, b.params))
    assert not np.array_equal(a.params[0][0], c.params[0][0])


@pytest.mark.parametrize("sizes, output", [([2, 3, 2, 1], "sigmoid"), ([2, 3, 3], "softmax")])
def test_json_round_trip_is_exact(sizes, output):
    net = MLP(sizes, "gelu", seed=1, output=output)
    again = MLP.from_dict(json.loads(json.dumps(net.to_dict())))
    assert again.layer_sizes == net.layer_sizes and again.activation.name == "gelu"
    assert again.output.name == output
    X = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_array_equal(again.logits(X), net.logits(X))
    with pytest.raises(ValueError, match="saved MLP"):
        MLP.from_dict({"layer_sizes": [2, 1]})


def test_loss_and_gradients_do_not_mutate_inputs():
    net = MLP([2, 3, 1], "tanh", seed=0)
    X, y = make_dataset("xor", n_samples=20, seed=0)
    X0, y0, P0 = X.copy(), y.copy(), net.get_params()
    net.loss_and_gradients(X, y, 0.1, 0.1)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert all(np.array_equal(W, W0) for (W, _), (W0, _) in zip(net.params, P0))


@pytest.mark.parametrize("sizes, words", [
    ([2, 4, 2], "exactly 1 unit"), ([2, 4, 3], "softmax"),
    ([2, 0, 1], r"layer_sizes\[1\] must be a whole number from 1 to 1024, got 0"),
    ([2], "layer_sizes"), ("abc", "layer_sizes"), ([2, 2.5, 1], r"layer_sizes\[1\] must be a whole number"),
    ([2, 2000, 1], "from 1 to 1024"), ([2] + [3] * 17 + [1], "At most 16 hidden layers"), (5, "layer_sizes"),
])
def test_bad_layer_sizes(sizes, words):
    with pytest.raises(ValueError, match=words):
        MLP(sizes)


def test_bad_inputs_are_explained():
    net = MLP([2, 3, 1], "tanh", seed=0)
    good = np.zeros((4, 2))
    with pytest.raises(ValueError, match="activation"):
        MLP([2, 1], "swish-ish")
    with pytest.raises(ValueError, match="relu"):
        MLP([2, 1], "swish-ish")
    with pytest.raises(ValueError, match="column"):
        net.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="2-D"):
        net.predict(np.zeros(4))
    with pytest.raises(ValueError, match="NaN or infinity"):
        net.predict(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="labels 0 and 1"):
        net.loss_and_gradients(good, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="one entry per row"):
        net.loss_and_gradients(good, np.array([0, 1]))
    with pytest.raises(ValueError, match=">= 0"):
        net.loss_and_gradients(good, np.array([0, 1, 0, 1]), l1=-1)


@pytest.mark.parametrize("sizes", [[2, 1], [2, 5, 1], [2, 8, 8, 1], [3, 4, 4, 4, 1]])
def test_tanh_as_sigmoid_computes_the_same_logit(sizes):
    net = MLP(sizes, "tanh", seed=7)
    before = net.get_params()
    twin = tanh_as_sigmoid(net)
    X = np.random.default_rng(1).uniform(-6, 6, size=(500, sizes[0]))
    assert twin.activation.name == "sigmoid" and twin.layer_sizes == net.layer_sizes
    np.testing.assert_allclose(twin.logits(X), net.logits(X), rtol=0, atol=1e-12)
    for (W, b), (W0, b0) in zip(net.get_params(), before):  # the tanh net is untouched
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


def test_tanh_as_sigmoid_refuses_other_activations():
    with pytest.raises(ValueError, match="'relu'"):
        tanh_as_sigmoid(MLP([2, 3, 1], "relu", seed=0))
