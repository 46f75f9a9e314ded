"""Property-based tests: random (and extreme) input to the public API and to every control.

What must hold whatever a learner does - lr 10 with six layers of 8 ReLUs, 50 % noise,
batch 1, a 10 % training share, odd URL parameters:

* no exception escapes: bad values are refused with an error naming the valid choices,
  and a panel shows any problem in its status line instead of raising;
* every array that gets drawn is finite (probabilities in [0, 1]);
* divergence is reported in words ("diverged ... learning rate ...").

Example counts are kept small (see ``settings`` below) so the module runs in well under a
minute; hypothesis' database remembers and replays any failure it finds.
"""
from __future__ import annotations

import string

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from course_utils import ACTIVATIONS, DATASETS, make_dataset
from course_utils import experiments as ex
from course_utils.activations import get_activation
from course_utils.train import OPTIMIZERS

FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DIVERGED_WORDS = ("diverged", "learning rate")


def assert_reported_in_words(history) -> None:
    if history.diverged:
        text = history.message.lower()
        assert all(w in text for w in DIVERGED_WORDS), history.message


# ------------------------------------------------------------------ the maths
@SOME
@given(name=st.sampled_from(sorted(DATASETS)), n=st.integers(2, 300),
       noise=st.floats(0.0, 0.5), seed=st.integers(0, 2**32 - 1))
def test_datasets_are_finite_labelled_and_reproducible(name, n, noise, seed):
    assume(n >= DATASETS[name].n_classes)  # fewer points than classes is refused (test_data)
    X, y = make_dataset(name, n, noise, seed=seed)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert np.isfinite(X).all()
    assert set(np.unique(y)) <= set(range(DATASETS[name].n_classes))
    X2, y2 = make_dataset(name, n, noise, seed=seed)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


@SOME
@given(bad=st.text(string.ascii_letters + "_ ()'", min_size=1, max_size=20))
def test_unknown_names_are_refused_with_the_choices(bad):
    assume(bad not in DATASETS and bad not in ACTIVATIONS and bad not in OPTIMIZERS)
    for call, table in [(lambda: make_dataset(bad, 10), DATASETS), (lambda: get_activation(bad), ACTIVATIONS),
                        (lambda: ex.run_scenario(ex.Settings(optimizer=bad, epochs=1)), OPTIMIZERS)]:
        with pytest.raises(ValueError) as info:
            call()
        message = str(info.value)
        assert any(valid in message for valid in table), f"{message!r} does not name the valid choices"


@SOME
@given(name=st.sampled_from(sorted(ACTIVATIONS)),
       z=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50))
def test_activations_and_derivatives_stay_finite_on_extreme_inputs(name, z):
    act = get_activation(name)
    z = np.asarray(z, dtype=float)
    a, d = act(z), act.derivative(z)
    assert np.isfinite(a).all() and np.isfinite(d).all()


@SOME
@given(z=st.lists(st.lists(st.floats(-1e4, 1e4, allow_nan=False), min_size=3, max_size=3), min_size=1,
                  max_size=20),
       labels=st.lists(st.integers(0, 2), min_size=20, max_size=20))
def test_softmax_head_stays_finite_for_logits_up_to_1e4(z, labels):
    from course_utils import OUTPUTS

    head = OUTPUTS["softmax"]
    z = np.asarray(z, dtype=float)
    y = np.asarray(labels[:len(z)], dtype=float)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        losses, dz, p = head.losses(z, y), head.dloss(z, y), head.link(z)
    assert np.isfinite(losses).all() and (losses >= 0).all()
    assert np.isfinite(dz).all() and np.allclose(dz.sum(axis=1), 0.0, atol=1e-12)  # softmax - onehot
    assert np.allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    # never below the margin by which the own class trails the best one
    assert (losses >= z.max(axis=1) - z[np.arange(len(z)), y.astype(int)] - 1e-9).all()


extreme_settings = st.builds(
    dict,
    dataset=st.sampled_from(sorted(DATASETS)),
    noise=st.sampled_from([0.0, 0.25, 0.5]),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    hidden=st.one_of(st.just(()), st.lists(st.integers(1, 8), min_size=1, max_size=6).map(tuple)),
    learning_rate=st.sampled_from(ex.LEARNING_RATES),
    optimizer=st.sampled_from(sorted(OPTIMIZERS)),
    batch_size=st.sampled_from([None, 1, 2, 10, 30]),
    test_fraction=st.sampled_from([0.1, 0.5, 0.9]),
    seed=st.integers(0, 9999),
    data_seed=st.integers(0, 9999),
)


def _epochs_for(s: dict) -> int:
    return 3 if s["batch_size"] in (1, 2) else 20  # batch 1 is 250+ updates an epoch


@FEW
@given(s=extreme_settings)
@example(s=dict(dataset="circle", noise=0.5, activation="relu", hidden=(8,) * 6, learning_rate=10.0,
                optimizer="sgd", batch_size=1, test_fraction=0.9, seed=0, data_seed=0))
def test_any_experiment_trains_or_reports_divergence_in_words(s):
    run = ex.run_scenario(ex.Settings(epochs=_epochs_for(s), **s))
    h = run.history
    assert h.epochs_run >= 1 or h.diverged  # may diverge inside its very first epoch
    assert_reported_in_words(h)
    losses = h.train_loss
    assert np.isfinite(losses).all(), "a NaN/inf loss was recorded (it would be drawn)"
    grid = ex.probability_grid(run, 24)
    k = DATASETS[s["dataset"]].n_classes
    assert grid.shape == ((24, 24) if k == 2 else (24, 24, k)) and np.isfinite(grid).all()
    assert (grid >= 0).all() and (grid <= 1).all()
    if k > 2:  # one probability per class, summing to 1
        np.testing.assert_allclose(grid.sum(axis=-1), 1.0, rtol=1e-12)
    level, text = ex.status_text(run)
    assert text and level in ("ok", "warning", "error")
    if h.diverged:
        assert level == "error"


# ------------------------------------------------------------------ the live panels
_PANEL = {}


def training_panel():
    """One TrainingPanel for the module (building one costs a figure)."""
    if "panel" not in _PANEL:
        from course_utils.widgets.panel import TrainingPanel
        _PANEL["panel"] = TrainingPanel("scenario3", resolution=20, epochs_per_frame=5, epochs=10)
    return _PANEL["panel"]


def control_values(panel) -> st.SearchStrategy:
    """Every control of a TrainingPanel, drawn from its own options / range (ends included)."""
    parts = {}
    for name, w in panel.controls.items():
        if hasattr(w, "options") and w.options:
            values = [o[1] if isinstance(o, tuple) else o for o in w.options]
            parts[name] = st.sampled_from(values)
        elif name == "epochs":
            parts[name] = st.sampled_from([w.min, w.min + w.step])  # keep it quick
        elif hasattr(w, "min"):
            step = getattr(w, "step", 1) or 1
            parts[name] = st.integers(0, (w.max - w.min) // step).map(lambda k, w=w, step=step: w.min + k * step)
    return st.fixed_dictionaries(parts)


def _check_panel_picture(panel) -> None:
    assert panel.image.value[:8] == b"\x89PNG\r\n\x1a\n", "no picture"
    assert panel.status.value, "no status line"
    if panel.run is not None:
        grid = ex.probability_grid(panel.run, 16)
        assert np.isfinite(grid).all() and (grid >= 0).all() and (grid <= 1).all()
        assert np.isfinite(panel.run.history.train_loss).all()
        if panel.run.history.diverged:
            text = panel.status.value.lower()
            assert "diverged" in text and "learning rate" in text, panel.status.value


@FEW
@given(data=st.data())
def test_training_panel_survives_any_combination_of_controls(data):
    panel = training_panel()
    values = data.draw(control_values(panel))
    before = len(panel.errors)
    panel.set(**values)  # must not raise for any value the controls offer
    new_errors = panel.errors[before:]
    assert not any(e.startswith("Something went wrong") for e in new_errors), new_errors
    assert panel.read_settings().dataset == values["dataset"]
    _check_panel_picture(panel)


def test_training_panel_extreme_corner_reports_divergence():
    """lr 10, six layers of 8 ReLUs, 50 % noise: trains or says in words that it diverged."""
    panel = training_panel()
    panel.set(dataset="circle", noise=50, activation="relu", layers=6, neurons=8, learning_rate=10.0,
              optimizer="sgd", epochs=10)
    for _ in range(5):
        panel.tick()
        panel.step()
    _check_panel_picture(panel)
    assert not panel.playing or not panel.run.history.diverged


# ------------------------------------------------------------------ the Playground dashboard
_PLAYGROUND = {}


def playground():
    if "pg" not in _PLAYGROUND:
        from course_utils.widgets.playground import Playground
        _PLAYGROUND["pg"] = Playground(resolution=20, node_resolution=8, epochs_per_frame=3, epochs=10)
    return _PLAYGROUND["pg"]


def playground_values():
    from course_utils.presets import CHOICES

    def pick(name):
        return st.sampled_from(list(CHOICES[name]))

    return st.fixed_dictionaries({
        "dataset": pick("dataset"), "noise": st.sampled_from([0, 5, 25, 50]),
        "train": st.sampled_from([10, 50, 90]),
        "hidden": st.one_of(st.just(()), st.lists(st.integers(1, 8), min_size=1, max_size=6).map(tuple)),
        "activation": pick("activation"), "learning_rate": pick("learning_rate"),
        "optimizer": pick("optimizer"), "batch_size": st.sampled_from([1, 2, 10, 30]),
        "regularization": pick("regularization"), "reg_rate": pick("reg_rate"),
        "seed": st.integers(0, 9999), "show_test": st.booleans(), "discretize": st.booleans(),
        "features": st.sets(st.sampled_from(["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]),
                            min_size=0, max_size=7).map(tuple),
    })


def _playground_epochs(v: dict) -> int:
    return 0 if v["batch_size"] == 1 else 10  # batch 1 is hundreds of updates per epoch


@FEW
@given(data=st.data())
def test_playground_survives_any_combination_of_controls(data):
    from course_utils.widgets.playground import SETTING_CONTROLS

    pg = playground()
    v = data.draw(playground_values())
    assert set(v) | {"epochs"} == set(SETTING_CONTROLS), "a dashboard control is not exercised"
    from course_utils.features import FEATURES
    v["features"] = tuple(f for f in v["features"] if f in FEATURES)
    before = len(pg.errors)
    pg.set(epochs=_playground_epochs(v), **v)
    new_errors = pg.errors[before:]
    assert not any(e.startswith("Something went wrong") for e in new_errors), new_errors
    if not new_errors:
        assert pg.run is not None
        grid = ex.probability_grid(pg.run, 16)
        assert np.isfinite(grid).all()
        assert np.isfinite(pg.run.history.train_loss).all()
        assert_reported_in_words(pg.run.history)
    for _ in range(2):
        pg.step()
    assert pg.image.value[:4] == b"\x89PNG"


@SOME
@given(query=st.text(string.printable, max_size=80))
@example(query="lr=10&hidden=8,8,8,8,8,8&activation=relu&noise=50&batch=1&train=10")
@example(query="dataset=__import__('os')&hide=everything&noise=-5&lr=nan&hidden=0,99")
def test_any_url_query_is_parsed_without_raising(query):
    from course_utils.presets import parse_query

    preset = parse_query(query)
    values = preset.settings()
    assert isinstance(values, dict)
    for err in preset.errors:
        assert isinstance(err, str) and err


def test_rejected_numbers_are_explained():
    from course_utils.presets import parse_query

    preset = parse_query("noise=500&lr=banana")
    assert preset.errors, "bad URL values should be explained"
    text = " ".join(preset.errors)
    assert "noise" in text and ("learning" in text or "lr" in text)
