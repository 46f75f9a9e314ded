"""The lesson self-checks, driven without a browser: set a control, check, read the feedback.

Setting ``value`` from Python runs observers synchronously, and ``Button.click()`` runs
its handlers, exactly as when the browser sends the event.
"""
import html
import subprocess
import sys

import ipywidgets as W
import pytest

from course_utils.checks import MultipleChoice, NumberCheck, parse_number

OPTIONS = ["a straight line", "a circle", "it depends on the depth"]
WHY = "Linear layers compose into one affine map."


def descendants(widget):
    """Every widget inside ``widget`` (depth first), to find controls nested in rows."""
    for child in getattr(widget, "children", ()):
        yield child
        yield from descendants(child)


@pytest.fixture
def mc():
    return MultipleChoice("Which <b>boundary</b>?", OPTIONS, answer=0, why=WHY,
                          wrong_why={"a circle": "a circle needs a bend, and affine maps never bend."})


@pytest.fixture
def num():
    return NumberCheck("Final loss?", answer=0.69, tolerance=0.01, why="It is ln 2.")


def assert_feedback(check, prefix):
    """``message`` starts with ``prefix`` and the HTML line shows exactly that message."""
    assert check.message.startswith(prefix), check.message
    assert html.escape(check.message) in check.feedback.value
    assert 'role="status"' in check.feedback.value


# Multiple choice

def test_mc_nothing_chosen_is_none_and_asks_for_an_answer(mc):
    assert mc.choices.value is None
    assert mc.check() is None
    assert mc.message == "Choose an answer first."


def test_mc_right_option_says_why(mc):
    mc.choices.value = "a straight line"
    assert mc.check() is True
    assert mc.message == "\u2713 Right: " + WHY
    assert_feedback(mc, "\u2713 Right: ")


def test_mc_wrong_option_with_wrong_why_shows_that_explanation(mc):
    mc.choices.value = "a circle"
    assert mc.check() is False
    assert mc.message == "\u2717 Not quite: a circle needs a bend, and affine maps never bend."
    assert_feedback(mc, "\u2717 Not quite: ")


def test_mc_wrong_option_without_wrong_why_gets_a_hint_not_the_answer(mc):
    mc.choices.value = "it depends on the depth"
    assert mc.check() is False
    assert mc.message.startswith("\u2717 Not quite: ")
    assert WHY not in mc.message and "a straight line" not in mc.message


def test_mc_answer_by_text_equals_answer_by_index():
    by_text = MultipleChoice("q", OPTIONS, answer="a circle", why=WHY)
    by_text.choices.value = "a circle"
    assert by_text.check() is True
    by_text.choices.value = "a straight line"
    assert by_text.check() is False


@pytest.mark.parametrize("answer", [3, -1, "a square", True, 0.0])
def test_mc_bad_answer_raises_naming_the_options(answer):
    with pytest.raises(ValueError) as err:
        MultipleChoice("q", OPTIONS, answer=answer, why=WHY)
    for option in OPTIONS:
        assert repr(option) in str(err.value)
    assert "0 to 2" in str(err.value)


def test_mc_wrong_why_key_that_is_no_option_raises():
    with pytest.raises(ValueError, match="a square"):
        MultipleChoice("q", OPTIONS, answer=0, why=WHY, wrong_why={"a square": "no"})


def test_mc_widget_is_a_vbox_with_question_options_button_feedback(mc):
    assert isinstance(mc.widget, W.VBox)
    assert mc.widget.children == (mc.question, mc.choices, mc.button, mc.feedback)
    assert isinstance(mc.choices, W.ToggleButtons) and list(mc.choices.options) == OPTIONS
    assert list(mc.choices.tooltips) == OPTIONS  # the full text, should a narrow screen cut one short
    assert "<b>boundary</b>" in mc.question.value  # the question is HTML, not escaped


def test_mc_clicking_check_updates_feedback(mc):
    mc.button.click()
    assert mc.message == "Choose an answer first."
    mc.choices.value = "a straight line"
    mc.button.click()
    assert_feedback(mc, "\u2713 Right: ")


def test_displays_through_the_widget(mc, num):
    for check in (mc, num):
        bundle = check._repr_mimebundle_()
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == check.widget.model_id


# Number check

@pytest.mark.parametrize("typed, right", [("0.69", True), ("0,69", True), ("69 %", True), ("69%", True),
                                          (" 0.7 ", True), ("0.5", False), ("0,8", False), ("50 %", False)])
def test_number_right_and_wrong(num, typed, right):
    num.text.value = typed
    assert num.check() is right
    assert_feedback(num, "\u2713 Right: It is ln 2." if right else "\u2717 Not quite: ")


@pytest.mark.parametrize("typed, side", [("0.5", "too low"), ("50 %", "too low"), ("0,8", "too high")])
def test_number_wrong_says_too_high_or_too_low(num, typed, side):
    num.text.value = typed
    assert num.check() is False
    assert num.message == f"\u2717 Not quite: {typed} is {side}."


@pytest.mark.parametrize("typed", ["abc", "0.5.1", "1,2,3", "1,5.0", "inf", "nan", "%", "--1"])
def test_number_unparsable_is_none_and_says_what_to_type(num, typed):
    num.text.value = typed
    assert num.check() is None
    assert num.message == "Type a number, e.g. 0.5"


def test_number_empty_box_is_none(num):
    assert num.text.value == ""
    assert num.check() is None
    assert num.message == "Choose an answer first."


@pytest.mark.parametrize("typed, right", [("0.68", True), ("0.70", True),  # edges are in
                                          ("0.6799", False), ("0.7001", False)])  # just past them is out
def test_number_tolerance_edges(num, typed, right):
    num.text.value = typed
    assert num.check() is right


def test_number_zero_tolerance_needs_the_exact_value():
    check = NumberCheck("Hidden layers?", answer=3, tolerance=0, why="Count them.")
    check.text.value = "3"
    assert check.check() is True
    check.text.value = "3.01"
    assert check.check() is False


def test_percent_means_percent_points_when_the_answer_is_above_one():
    check = NumberCheck("Accuracy in %?", answer=69, tolerance=2, why="The ring's caps.")
    check.text.value = "69 %"
    assert check.check() is True  # 69, not 0.69
    check.text.value = "0.69"
    assert check.check() is False
    assert check.message.endswith("too low.")


def test_number_accepts_its_unit_and_shows_it():
    check = NumberCheck("Time?", answer=3, tolerance=0.5, why="w", unit="s")
    check.text.value = "3,2 s"
    assert check.check() is True
    labels = [w.value for w in descendants(check.widget) if isinstance(w, W.Label)]
    assert labels == ["s"]


def test_parse_number_rules():
    assert parse_number("\u22120,25") == -0.25  # typographic minus and decimal comma
    assert parse_number("1e-3") == 0.001
    assert parse_number("50 %") == 0.5
    assert parse_number("50 %", percent_is_fraction=False) == 50.0
    assert parse_number("1,000") == 1.0  # a comma is always a decimal comma


@pytest.mark.parametrize("kwargs", [{"tolerance": -0.1}, {"tolerance": float("nan")}, {"answer": float("inf")}])
def test_number_bad_settings_raise(kwargs):
    with pytest.raises(ValueError, match="tolerance"):
        NumberCheck("q", **{"answer": 0.5, "tolerance": 0.1, "why": "w", **kwargs})


def test_number_widget_is_a_vbox_with_a_text_box_and_button(num):
    assert isinstance(num.widget, W.VBox)
    inside = list(descendants(num.widget))
    assert num.question in inside and num.feedback in inside
    assert num.text in inside and num.button in inside
    assert type(num.text) is W.Text  # not FloatText: "0,5" and "50 %" must reach the parser
    assert num.text.continuous_update is False


def test_number_clicking_check_updates_feedback(num):
    num.text.value = "0.69"  # also checks (Enter); reset the line to see the click do it
    num.feedback.value, num.message = "", ""
    num.button.click()
    assert_feedback(num, "\u2713 Right: ")


def test_number_enter_in_the_box_checks():
    check = NumberCheck("q", answer=0.5, tolerance=0.0, why="w")
    check.text.value = "0,5"  # what the browser sends on Enter when continuous_update is False
    assert check.message == "\u2713 Right: w"
    check.text.value = "2"
    assert check.message == "\u2717 Not quite: 2 is too high."


def test_why_is_plain_text_shown_literally():
    check = MultipleChoice("q", ["yes", "no"], answer="yes", why="p < 0.5 means class 0")
    check.choices.value = "yes"
    check.check()
    assert "p &lt; 0.5 means class 0" in check.feedback.value  # not swallowed as a tag


def test_checks_do_not_import_matplotlib():
    code = "import sys, course_utils.checks; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
