"""The one ln 2 and the one whole-number check (course_utils.numeric)."""
import math

import numpy as np
import pytest

from course_utils import data, grid, numeric, pieces, plots
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
