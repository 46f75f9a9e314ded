"""The presets' pure translations from the dashboard's controls to training settings."""
import pytest

from course_utils import experiments as ex
from course_utils.presets import (CHOICES, PLAYGROUND_DEFAULTS, REGULARIZATIONS, holdout_fraction,
                                  regularization_rates, settings_fields, slider_range)


@pytest.mark.parametrize("regularization, expected", [("none", (0.0, 0.0)), ("l1", (0.03, 0.0)),
                                                      ("l2", (0.0, 0.03))])
def test_regularization_puts_the_rate_on_its_own_penalty(regularization, expected):
    assert regularization_rates(regularization, 0.03) == expected
    assert regularization_rates(regularization, 0.0) == (0.0, 0.0)


def test_an_unknown_regularization_names_the_choices():
    with pytest.raises(ValueError, match="Choose one of: " + ", ".join(REGULARIZATIONS)):
        regularization_rates("l3", 0.1)


@pytest.mark.parametrize("train, expected", [(50, 0.5), (80, 0.2), (10, 0.9), (90, 0.1)])
def test_the_test_share_is_what_training_leaves(train, expected):
    assert holdout_fraction(train) == pytest.approx(expected)


@pytest.mark.parametrize("name", ["noise", "train", "batch_size", "epochs", "seed", "data_seed"])
def test_slider_ranges_offer_exactly_the_choices(name):
    r = slider_range(name)
    assert tuple(range(r["min"], r["max"] + 1, r["step"])) == tuple(CHOICES[name])


@pytest.mark.parametrize("name", ["dataset", "learning_rate", "show_test", "nope"])
def test_only_whole_number_ranges_have_a_slider_range(name):
    with pytest.raises(ValueError, match="not a range"):
        slider_range(name)


def test_settings_fields_by_hand():
    values = {**PLAYGROUND_DEFAULTS, "noise": 15, "train": 30, "regularization": "l1", "reg_rate": 0.01,
              "epochs": 0, "hidden": [5, 3], "data_seed": 4}
    fields = settings_fields(values)
    assert fields["noise"] == pytest.approx(0.15) and fields["test_fraction"] == pytest.approx(0.7)
    assert (fields["l1"], fields["l2"]) == (0.01, 0.0)
    assert fields["epochs"] == 1  # 0 epochs after a change still makes a run of some length
    assert fields["hidden"] == (5, 3) and fields["data_seed"] == 4
    assert values["hidden"] == [5, 3]  # pure: the input is not changed


def test_settings_fields_are_what_experiments_accepts():
    settings = ex.Settings(**settings_fields(PLAYGROUND_DEFAULTS))
    assert settings.activation == PLAYGROUND_DEFAULTS["activation"]
    assert settings.test_fraction == pytest.approx(1 - PLAYGROUND_DEFAULTS["train"] / 100)


def test_a_named_preset_opens_three_classes_and_other_parameters_go_on_top():
    from course_utils.presets import PRESETS, parse_query

    p = parse_query("preset=three_classes")
    assert p.errors == [] and p.values["dataset"] == "spiral3" and p.values["activation"] == "tanh"
    p = parse_query("activation=relu&preset=three_classes_linear&hide=noise")
    assert p.values["dataset"] == "spiral3" and p.values["activation"] == "relu"  # the URL's own wins
    assert p.hide == ("activation", "noise")
    bad = parse_query("preset=four_classes&dataset=blobs3")
    assert bad.values == {"dataset": "blobs3"}
    assert bad.errors == [f"Unknown preset 'four_classes'. Choose one of: {', '.join(PRESETS)}."]


def test_a_three_class_dataset_gets_a_softmax_over_three_units():
    values = {**PLAYGROUND_DEFAULTS, "dataset": "spiral3"}
    settings = ex.Settings(**settings_fields(values))
    assert settings.layer_sizes == [2, 4, 2, 3] and ex.output_head("spiral3") == ("softmax", 3)
    assert ex.output_head("circle") == ("sigmoid", 1) and ex.output_head("plane") == ("linear", 1)
    run = ex.prepare(settings)
    assert run.net.output.name == "softmax" and run.net.n_classes == 3
    assert "ln 3 = 1.099" in ex.chance_note(run.net) and ex.chance_note(ex.prepare("scenario2").net).startswith(
        "ln 2 = 0.693")
    with pytest.raises(ValueError, match="Choose one of: gauss, circle"):
        ex.output_head("spiral4")
