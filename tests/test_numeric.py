"""The one ln 2 and the one whole-number check (course_utils.numeric)."""
import math
import re

import numpy as np
import pytest

from course_utils import MLP, data, grid, numeric, pieces, plots, train
from course_utils.numeric import LN2, whole_number


def test_ln2_is_the_loss_of_a_guess_of_one_half():
    assert LN2 == pytest.approx(-math.log(0.5))
    assert plots.LN2 is numeric.LN2  # defined once, re-exported


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(12)])
def test_whole_numbers_pass_as_int(value):
    out = whole_number(value, "k", 1, 12)
    assert out == value and type(out) is int


@pytest.mark.parametrize("value", [0, 13, -1, 2.0, 0.5, True, "3", None])
def test_other_values_are_refused_in_plain_words(value):
    with pytest.raises(ValueError, match=r"k must be a whole number from 1 to 12, got"):
        whole_number(value, "k", 1, 12)


def test_without_an_upper_bound_the_message_says_at_least():
    with pytest.raises(ValueError, match="epochs must be a whole number of at least 1, got 0"):
        whole_number(0, "epochs")
    assert whole_number(0, "epoch", at_least=0) == 0


@pytest.mark.parametrize("call", [
    lambda: grid.random_layers(1.5),
    lambda: grid.heatmap_points(True),
    lambda: grid.grid_lines(n_lines=1),
    lambda: data.make_dataset("circle", 2.5),
    lambda: pieces.fit_pieces("x^2", 0, "relu"),
])
def test_every_whole_number_argument_uses_the_one_check(call):
    with pytest.raises(ValueError, match="must be a whole number"):
        call()


def test_every_table_is_looked_up_one_way():
    """One message for every unknown name, listing the table's own keys in order."""
    from course_utils import ACTIVATIONS, DATASETS, OUTPUTS, get_activation, make_dataset
    from course_utils.numeric import lookup
    from course_utils.optimizers import OPTIMIZERS, get_optimizer
    from course_utils.experiments import SCENARIOS, get_scenario

    assert lookup({"a": 1, "b": 2}, "b", "letter") == 2
    with pytest.raises(ValueError, match=r"^Unknown letter 'z'\. Choose one of: a, b\.$"):
        lookup({"a": 1, "b": 2}, "z", "letter")
    with pytest.raises(ValueError, match="Unknown letter"):
        lookup({"a": 1}, ["unhashable"], "letter")
    for call, table, what in [(get_activation, ACTIVATIONS, "activation"),
                              (lambda n: make_dataset(n, 10), DATASETS, "dataset"),
                              (lambda n: get_optimizer(n, 0.1), OPTIMIZERS, "optimizer"),
                              (get_scenario, SCENARIOS, "preset")]:
        with pytest.raises(ValueError) as err:
            call("nope")
        assert str(err.value).startswith(f"Unknown {what} 'nope'. Choose one of: {next(iter(table))}")
    with pytest.raises(ValueError, match="Unknown output 'nope'. Choose one of: " + ", ".join(OUTPUTS)):
        from course_utils import MLP
        MLP([2, 1], output="nope")


def test_features_and_experiment_datasets_use_the_one_lookup():
    from course_utils import DATASETS
    from course_utils.experiments import Settings, prepare
    from course_utils.features import FEATURES, check_features

    choices = ", ".join(map(re.escape, FEATURES))
    with pytest.raises(ValueError, match=rf"^Unknown feature 'x3'\. Choose one of: {choices}\.$"):
        check_features(["x1", "x3"])
    with pytest.raises(ValueError, match=r"^Unknown dataset 'nope'\. Choose one of: " + next(iter(DATASETS))):
        prepare(Settings(dataset="nope"))


@pytest.mark.parametrize("call", [
    lambda: MLP([2, 2.0, 1]),
    lambda: train(MLP([2, 1]), np.zeros((4, 2)), np.zeros(4), epochs=2.0, learning_rate=0.1),
    lambda: train(MLP([2, 1]), np.zeros((4, 2)), np.zeros(4), epochs=2, learning_rate=0.1, batch_size=True),
    lambda: train(MLP([2, 1]), np.zeros((4, 2)), np.zeros(4), epochs=2, learning_rate=0.1, snapshot_every=0),
])
def test_model_and_train_counts_use_the_one_check(call):
    with pytest.raises(ValueError, match="must be a whole number"):
        call()
