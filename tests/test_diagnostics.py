"""Tests for course_utils.diagnostics: the measurements behind notebook 05."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import ACTIVATIONS, MLP, make_dataset, train_test_split
from course_utils import diagnostics as dg
from course_utils.train import History


@pytest.fixture(scope="module")
def circle():
    X, y = make_dataset("circle", n_samples=200, noise=0.0, seed=3)
    return train_test_split(X, y, test_fraction=0.5, seed=3)


def test_math_module_imports_no_plotting_or_widgets():
    code = ("import sys, course_utils.diagnostics; "
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"course_utils.diagnostics pulled in {done.stdout.strip()}: {done.stderr}"


def test_flavours_are_every_nonlinear_table_entry():
    assert set(dg.FLAVOURS) == set(ACTIVATIONS) - {"linear"}
    assert list(dg.FLAVOURS) == [n for n in ACTIVATIONS if n != "linear"]


# ------------------------------------------------------------------ curves
def test_activation_curves_match_the_table():
    z = np.linspace(-4, 4, 81)
    curves = dg.activation_curves(list(ACTIVATIONS), z)
    assert list(curves) == list(ACTIVATIONS)
    for name, (value, der) in curves.items():
        np.testing.assert_array_equal(value, ACTIVATIONS[name].value(z))
        np.testing.assert_array_equal(der, ACTIVATIONS[name].derivative(z))
        assert value.shape == der.shape == z.shape


def test_sigmoid_slope_never_exceeds_a_quarter():
    z = np.linspace(-30, 30, 6001)
    (_, der), = dg.activation_curves(["sigmoid"], z).values()
    assert der.max() <= 0.25 and der.max() == pytest.approx(0.25)


@pytest.mark.parametrize("bad", [np.zeros((2, 2)), np.array([]), np.array([0.0, np.nan])])
def test_activation_curves_reject_bad_z(bad):
    with pytest.raises(ValueError, match="1-D array of finite numbers"):
        dg.activation_curves(["relu"], bad)


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="Choose one of: .*relu"):
        dg.activation_curves(["rectifier"], np.zeros(3))
    with pytest.raises(ValueError, match="Choose one of"):
        dg.compare_activations(["relu", "nope"], np.zeros((4, 2)), np.array([0, 1, 0, 1]))


# ------------------------------------------------------------------ inside a net
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_pre_activations_feed_the_hidden_outputs(name, circle):
    X = circle[0]
    net = MLP([2, 5, 3, 1], name, seed=1)
    Zs = dg.pre_activations(net, X)
    As = net.hidden_outputs(X)
    assert [Z.shape for Z in Zs] == [(len(X), 5), (len(X), 3)]
    for Z, A in zip(Zs, As):
        np.testing.assert_allclose(ACTIVATIONS[name].value(Z), A, rtol=1e-12, atol=1e-12)


def test_gradient_norms_are_the_norms_of_loss_and_gradients(circle):
    X, _, y, _ = circle
    net = MLP([2, 4, 4, 1], "tanh", seed=0)
    norms = dg.gradient_norms(net, X, y)
    _, grads = net.loss_and_gradients(X, y)
    assert norms.shape == (3,)
    np.testing.assert_allclose(norms, [np.sqrt((dW ** 2).sum()) for dW, _ in grads])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_gradients_vanish_towards_the_input(seed, circle):
    """The notebook's claim: in a deep sigmoid net the first layers get far less gradient."""
    X, _, y, _ = circle
    sizes = [2] + [8] * 8 + [1]
    sig = dg.gradient_norms(MLP(sizes, "sigmoid", seed=seed), X, y)
    tanh = dg.gradient_norms(MLP(sizes, "tanh", seed=seed), X, y)
    relu = dg.gradient_norms(MLP(sizes, "relu", seed=seed), X, y)
    ratio = lambda n: n[0] / n[-1]  # noqa: E731
    assert ratio(sig) < ratio(tanh) / 100
    assert ratio(sig) < ratio(relu) / 100
    # Each step back through a sigmoid layer shrinks it (slope <= 0.25).
    assert np.all(np.diff(sig[:-1]) > 0), sig


def test_diagnostics_do_not_change_the_net_or_data(circle):
    X, _, y, _ = circle
    X0, y0 = X.copy(), y.copy()
    net = MLP([2, 6, 1], "relu", seed=0)
    before = net.get_params()
    dg.gradient_norms(net, X, y)
    dg.dead_units(net, X)
    dg.silent_units(net, X)
    dg.mean_hidden_output(net, X)
    for (W, b), (W0, b0) in zip(net.params, before):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def _net_with_one_pushed_unit(name: str, bias: float) -> MLP:
    """[2, 4, 1] net whose unit 1 has zero incoming weights and the given bias."""
    net = MLP([2, 4, 1], name, seed=0)
    W, b = net.params[0]
    W[:, 1] = 0.0
    b[1] = bias
    return net


def test_a_relu_unit_pushed_below_zero_is_dead_and_silent(circle):
    X = circle[0]
    net = _net_with_one_pushed_unit("relu", -5.0)
    dead, = dg.dead_units(net, X)
    silent, = dg.silent_units(net, X)
    assert dead[1] and silent[1]
    assert dg.dead_fraction(net, X) >= 0.25
    # Worked by hand: kill two of the four units -> at least half are dead.
    net.params[0][0][:, 2] = 0.0
    net.params[0][1][2] = -1.0
    assert dg.dead_fraction(net, X) >= 0.5


def test_leaky_relu_unit_is_silent_but_not_dead(circle):
    X = circle[0]
    net = _net_with_one_pushed_unit("leaky_relu", -5.0)
    assert dg.silent_units(net, X)[0][1]
    assert not dg.dead_units(net, X)[0][1]


def test_gelu_unit_dies_only_far_below_zero(circle):
    X = circle[0]
    assert not dg.dead_units(_net_with_one_pushed_unit("gelu", -1.0), X)[0][1]
    assert dg.dead_units(_net_with_one_pushed_unit("gelu", -40.0), X)[0][1]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-3, 3),
       name=st.sampled_from(["relu", "leaky_relu", "gelu", "elu"]))
def test_dead_units_never_fire(seed, shift, name):
    """Dead implies silent for every activation whose slope is tiny only below zero."""
    X = np.random.default_rng(seed).uniform(-6, 6, size=(40, 2))
    net = MLP([2, 6, 6, 1], name, seed=seed)
    for _, b in net.params[:-1]:
        b += shift
    for dead, silent in zip(dg.dead_units(net, X), dg.silent_units(net, X)):
        assert not np.any(dead & ~silent)
    if name == "leaky_relu":  # slope 0.01 everywhere below zero: never dead
        assert dg.dead_fraction(net, X) == 0.0
    assert 0.0 <= dg.dead_fraction(net, X) <= dg.silent_fraction(net, X) <= 1.0


def test_dead_units_rejects_a_bad_tolerance(circle):
    with pytest.raises(ValueError, match="tol"):
        dg.dead_units(MLP([2, 3, 1], "relu", seed=0), circle[0], tol=-1)


def test_sigmoid_layers_are_not_zero_centred(circle):
    X = circle[0]
    sig = dg.mean_hidden_output(MLP([2, 8, 8, 1], "sigmoid", seed=0), X)
    tanh = dg.mean_hidden_output(MLP([2, 8, 8, 1], "tanh", seed=0), X)
    assert sig.shape == tanh.shape == (2,)
    assert np.all(sig > 0) and np.all(np.abs(tanh) < np.abs(sig))


# ------------------------------------------------------------------ histories
def _history(test_acc):
    # Built through History's own recorder so the test does not depend on training.
    h = History()
    h._reserve(len(test_acc))
    for a in test_acc:
        h._record(0.5, 0.0, 0.5, a)
    return h


def test_epochs_to_accuracy_worked_by_hand():
    h = _history([0.5, 0.9, 0.97, 0.99, 0.96])
    assert dg.epochs_to_accuracy(h, 0.97) == 3
    assert dg.epochs_to_accuracy(h, 0.98) == 4
    assert dg.epochs_to_accuracy(h, 1.0) is None
    assert dg.epochs_to_accuracy(h, 0.97, which="train") is None
    assert dg.epochs_to_accuracy(_history([np.nan, 1.0])) == 2


def test_epochs_to_accuracy_bad_input_names_choices():
    h = _history([0.5])
    with pytest.raises(ValueError, match="Choose one of: test, train"):
        dg.epochs_to_accuracy(h, 0.9, which="validation")
    with pytest.raises(ValueError, match="target"):
        dg.epochs_to_accuracy(h, 1.5)
    with pytest.raises(ValueError, match="History"):
        dg.epochs_to_accuracy([0.5], 0.9)


# ------------------------------------------------------------------ comparisons
def test_compare_activations_is_deterministic_and_ordered(circle):
    X, Xt, y, yt = circle
    kw = dict(hidden=(4,), epochs=40, learning_rate=0.3, seed=5)
    a = dg.compare_activations(["tanh", "relu"], X, y, Xt, yt, **kw)
    b = dg.compare_activations(["tanh", "relu"], X, y, Xt, yt, **kw)
    assert [r.activation for r in a] == ["tanh", "relu"]
    for r1, r2 in zip(a, b):
        assert r1.history == r2.history
        assert r1.final_loss == r2.final_loss
        assert r1.net.activation.name == r1.activation
        assert r1.net.layer_sizes == [2, 4, 1]


def test_compare_activations_reports_the_trained_net(circle):
    X, Xt, y, yt = circle
    run, = dg.compare_activations(["relu"], X, y, Xt, yt, hidden=(6,), epochs=60, learning_rate=0.3)
    assert run.final_loss == pytest.approx(run.history.test_loss[-1])
    assert run.epochs_to_target == dg.epochs_to_accuracy(run.history, 0.97)
    # Without a test set the training accuracy is used.
    run2, = dg.compare_activations(["relu"], X, y, hidden=(6,), epochs=60, learning_rate=0.3)
    assert run2.epochs_to_target == dg.epochs_to_accuracy(run2.history, 0.97, which="train")


@pytest.mark.slow
def test_sigmoid_is_slower_than_relu_on_the_circle():
    """The side-by-side lesson: same net, data and seed; sigmoid needs more epochs."""
    X, y = make_dataset("circle", n_samples=500, noise=0.0, seed=0)
    X, Xt, y, yt = train_test_split(X, y, 0.5, seed=0)
    sig, relu = dg.compare_activations(["sigmoid", "relu"], X, y, Xt, yt, hidden=(8, 8), epochs=400,
                                       learning_rate=0.3)
    assert relu.epochs_to_target is not None
    assert sig.epochs_to_target is None or sig.epochs_to_target > 2 * relu.epochs_to_target
    assert sig.final_loss > relu.final_loss


def test_format_table_lists_every_run_rounded(circle):
    X, Xt, y, yt = circle
    runs = dg.compare_activations(["sigmoid", "relu"], X, y, Xt, yt, hidden=(4,), epochs=30,
                                  learning_rate=0.3)
    text = dg.format_table(runs, decimals=3)
    lines = text.splitlines()
    assert "epochs to 97%" in lines[0] and len(lines) == 2 + len(runs)
    for run, line in zip(runs, lines[2:]):
        cells = line.split()
        assert cells[0] == run.activation
        assert cells[1] == ("not" if run.epochs_to_target is None
                            else dg.round_epochs(run.epochs_to_target).split()[0])
        assert cells[-2] == f"{run.final_loss:.3f}"


@pytest.mark.parametrize("epochs, shown", [(1, "1"), (19, "19"), (20, "≈ 20"), (73, "≈ 70"),
                                           (76, "≈ 80"), (831, "≈ 830")])
def test_epochs_are_rounded_to_ten_from_twenty(epochs, shown):
    assert dg.round_epochs(epochs) == shown


def test_divergence_is_reported_in_the_table():
    X, y = make_dataset("gauss", n_samples=200, noise=0.0, seed=0)
    run, = dg.compare_activations(["linear"], X, y, hidden=(8, 8), epochs=50, learning_rate=10.0)
    assert run.diverged and "diverged" in run.message
    assert "(diverged)" in dg.format_table([run])


def test_gradient_norm_study_shapes_and_determinism(circle):
    X, _, y, _ = circle
    a = dg.gradient_norm_study(["sigmoid", "relu"], X, y, depth=3, width=4, epochs=5)
    b = dg.gradient_norm_study(["sigmoid", "relu"], X, y, depth=3, width=4, epochs=5)
    assert list(a) == ["sigmoid", "relu"]
    for name in a:
        before, after = a[name]
        assert before.shape == after.shape == (4,)
        assert np.all(np.isfinite(before)) and np.all(before >= 0)
        np.testing.assert_array_equal(before, b[name][0])
        np.testing.assert_array_equal(after, b[name][1])
        assert not np.array_equal(before, after)  # training moved the weights


def test_silent_unit_study_relu_units_stay_silent_leaky_units_come_back():
    """A narrow net at a large learning rate: some ReLU runs lose a unit for good and
    pay in accuracy; leaky ReLU's silent units fire again by the end."""
    X, y = make_dataset("circle", n_samples=500, noise=0.0, seed=0)
    X, Xt, y, yt = train_test_split(X, y, test_fraction=0.5, seed=0)
    study = dg.silent_unit_study(["relu", "leaky_relu"], X, y, Xt, yt, hidden=(3,), learning_rate=3.0,
                                 epochs=300, seeds=range(8))
    relu, leaky = study["relu"], study["leaky_relu"]
    assert relu["silent"].shape == (8, 301) and relu["accuracy"].shape == (8,)
    assert np.all((0 <= relu["silent"]) & (relu["silent"] <= 1))
    # a ReLU unit silent on every training point never fires again
    for run in relu["silent"]:
        first = np.flatnonzero(run > 0)
        if first.size:
            assert np.all(np.diff(run[first[0]:]) >= 0)
    assert relu["silent"][:, -1].max() > 0 and leaky["silent"][:, -1].max() == 0
    assert leaky["silent"].max() > 0  # leaky units did fall silent, then came back
    assert relu["accuracy"].min() < 0.9 <= leaky["accuracy"].min()
    text = dg.format_silent_study(study)
    assert "never fire: peak" in text and text.count("of 8") == 2

def test_a_target_not_reached_says_in_how_many_epochs_not_never(circle):
    X, Xt, y, yt = circle
    run, = dg.compare_activations(["sigmoid"], X, y, Xt, yt, hidden=(4,), epochs=5, learning_rate=0.01)
    assert run.epochs_to_target is None
    assert dg.epochs_label(run) == "not in 5"
    assert "not in 5" in dg.format_table([run]) and "never" not in dg.format_table([run])
