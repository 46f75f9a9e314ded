"""Self-checks a lesson puts right after a claim: answer, press Check, read why.

Nothing is graded or recorded; a check only tells the learner at once whether they
understood, and why. Display one by making it the last expression of a cell::

    MultipleChoice("A deep network with linear activations draws which boundary?",
                   ["a straight line", "a curve", "it depends on the depth"], answer=0,
                   why="Linear layers compose into one affine map, whatever the depth.")

    NumberCheck("Loss of scenario 2 after training?", answer=0.693, tolerance=0.02,
                why="Logistic regression on a ring cannot beat ln 2.")

Like the panels in ``course_utils.widgets``, each check keeps its controls as
attributes (tests set them and call ``check()`` or the button's ``click()``) and
displays through ``_repr_mimebundle_``. This module is not imported by
``import course_utils`` and does not import matplotlib, so a quiz cell stays light.
"""
from __future__ import annotations

import html
import math
import re

import ipywidgets as W

from .status import status_html

__all__ = ["MultipleChoice", "NumberCheck", "parse_number"]

RIGHT = "\u2713 Right: "  # ✓ and ✗ are in DejaVu Sans, which Debian's browsers fall back to
WRONG = "\u2717 Not quite: "
CHOOSE_FIRST = "Choose an answer first."
TYPE_A_NUMBER = "Type a number, e.g. 0.5"

class _Check:
    """What both checks share: ``widget``, ``feedback`` (+ ``message``), ``check()``, display."""

    def __init__(self, why: str):
        self.why = why
        self.message = ""
        """The plain text of the feedback line (what the learner reads)."""
        self.feedback = W.HTML(status_html("prompt", ""))
        self.button = W.Button(description="Check", tooltip="Check your answer",
                               button_style="", icon="check")
        self.button.on_click(lambda _: self.check())
        self.widget: W.VBox | None = None

    def _say(self, kind: str, text: str) -> None:
        self.message = text
        self.feedback.value = status_html(kind, text)

    def _verdict(self, right: bool | None, hint: str) -> bool | None:
        if right is None:
            self._say("prompt", hint)
        elif right:
            self._say("right", RIGHT + self.why)
        else:
            self._say("wrong", WRONG + hint)
        return right

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class MultipleChoice(_Check):
    """Pick one option and check it.

    Parameters
    ----------
    question : str
        Shown as HTML above the options.
    options : sequence of str
        At least two distinct option texts, shown as toggle buttons (keyboard: Tab to an
        option, Enter or Space to choose it; then Tab to Check).
    answer : int or str
        The right option, by index or by its text.
    why : str
        Plain text shown after "✓ Right: " when the right option is checked.
    wrong_why : dict of str -> str, optional
        Option text -> plain-text explanation, shown after "✗ Not quite: " when that
        wrong option is checked. Wrong options without one get a general hint.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Question, ``choices``, ``button``, ``feedback``.
    choices : ipywidgets.ToggleButtons
        ``value`` is None until the learner picks one.

    Notes
    -----
    Buttons, because Enter and Space on a focused button work in Voila *and* in JupyterLab
    (both seen in Chromium, tests/test_browser.py). Not ``RadioButtons``: ipywidgets 8 draws
    radio inputs without a shared ``name``, so in Voila the arrow keys run on past the last
    option into the next question and tick an answer there. Not a ``Select`` list box: in
    JupyterLab's command mode the arrow keys move between cells instead (a ``<select>`` is not
    an editable element to JupyterLab; ipywidgets issue 3912).
    """

    def __init__(self, question: str, options, answer, why: str, wrong_why: dict | None = None):
        super().__init__(why)
        self.options = [str(o) for o in options]
        if len(self.options) < 2 or len(set(self.options)) != len(self.options):
            raise ValueError(f"options must be at least two different texts; got {self.options!r}")
        self.answer = self._answer_text(answer)
        self.wrong_why = dict(wrong_why or {})
        unknown = [k for k in self.wrong_why if k not in self.options]
        if unknown:
            raise ValueError(f"wrong_why has keys that are not options: {unknown!r}; "
                             f"the options are {self.options!r}")
        self.question = W.HTML(question)
        # One button per option, each as wide as its text (they wrap onto more lines when the row
        # is full); the full text is also the tooltip, should a narrow screen cut one short.
        self.choices = W.ToggleButtons(options=self.options, value=None, tooltips=self.options,
                                       style={"button_width": "auto"}, layout=W.Layout(max_width="100%"))
        self.widget = W.VBox([self.question, self.choices, self.button, self.feedback])

    def _answer_text(self, answer) -> str:
        if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < len(self.options):
            return self.options[answer]
        if isinstance(answer, str) and answer in self.options:
            return answer
        raise ValueError(f"answer must be one of the options {self.options!r} or an index "
                         f"0 to {len(self.options) - 1}; got {answer!r}")

    def check(self) -> bool | None:
        """Show feedback for the chosen option: True if right, False if wrong, None if none chosen."""
        chosen = self.choices.value
        if chosen is None:
            return self._verdict(None, CHOOSE_FIRST)
        if chosen == self.answer:
            return self._verdict(True, "")
        hint = self.wrong_why.get(chosen, "that is not it. Read the claim above again and try another option.")
        return self._verdict(False, hint)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_number(text: str, percent_is_fraction: bool = True, unit: str = "") -> float | None:
    """A learner's typed number, or None if it is not one.

    Accepts surrounding spaces, a leading + or - (also the typographic minus "−"), a
    decimal comma ("0,5" is 0.5; a comma is never a thousands separator), an exponent
    ("1e-3"), a trailing ``unit`` if one is given, and a trailing "%" (with or without
    a space). With ``percent_is_fraction`` "50 %" is 0.5; without it, 50.
    Infinity and NaN are not numbers here.
    """
    s = text.strip().replace("\u2212", "-")
    if unit and s.endswith(unit):
        s = s[: -len(unit)].rstrip()
    percent = s.endswith("%")
    if percent:
        s = s[:-1].rstrip()
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    if not _NUMBER.fullmatch(s):
        return None
    value = float(s)
    if not math.isfinite(value):
        return None
    return value / 100 if percent and percent_is_fraction else value


class NumberCheck(_Check):
    """Type a number and check it against ``answer`` ± ``tolerance``.

    Parameters
    ----------
    question : str
        Shown as HTML above the box.
    answer : float
        The right value.
    tolerance : float
        Absolute; ``|typed - answer| <= tolerance`` is right, edges included (with a
        hair of slack for floating point, so 0.70 passes for 0.69 ± 0.01).
    why : str
        Plain text shown after "✓ Right: ".
    unit : str, optional
        Shown after the box; the learner may type it too ("3 s").

    Notes
    -----
    The box is a ``Text``, not a ``FloatText``: learners type "0,5" or "50 %", which
    :func:`parse_number` reads. The rule for "%": if the answer is a fraction
    (``|answer| <= 1``), "69 %" means 0.69; otherwise the answer is already on a
    percent scale and "69 %" means 69. Text that is not a number (or an empty box)
    is no answer: ``check()`` returns None and says what to type.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Question, a row of ``text`` (+ unit) and ``button``, ``feedback``.
    text : ipywidgets.Text
        ``continuous_update=False``: pressing Enter (or leaving the box) checks too.
    """

    def __init__(self, question: str, answer: float, tolerance: float, why: str, unit: str = ""):
        super().__init__(why)
        self.answer = float(answer)
        self.tolerance = float(tolerance)
        if not (math.isfinite(self.answer) and math.isfinite(self.tolerance) and self.tolerance >= 0):
            raise ValueError(f"answer must be a finite number and tolerance a finite number >= 0; "
                             f"got answer={answer!r}, tolerance={tolerance!r}")
        self.unit = unit
        self.question = W.HTML(question)
        self.text = W.Text(value="", placeholder="e.g. 0.5", description="Your answer:",
                           continuous_update=False, style={"description_width": "initial"})
        # With continuous_update=False the value reaches Python on Enter or blur: both check.
        self.text.observe(lambda _: self.check(), names="value")
        row = [self.text] + ([W.Label(unit)] if unit else []) + [self.button]
        self.widget = W.VBox([self.question, W.HBox(row), self.feedback])

    def value(self) -> float | None:
        """The typed number (None if the box holds no number)."""
        return parse_number(self.text.value, percent_is_fraction=abs(self.answer) <= 1, unit=self.unit)

    def check(self) -> bool | None:
        """Show feedback for the typed value: True if right, False if wrong, None if no number."""
        typed = self.text.value.strip()
        if not typed:
            return self._verdict(None, CHOOSE_FIRST)
        x = self.value()
        if x is None:
            return self._verdict(None, TYPE_A_NUMBER)
        slack = 1e-9 * max(1.0, abs(self.answer))
        if abs(x - self.answer) <= self.tolerance + slack:
            return self._verdict(True, "")
        side = "too high" if x > self.answer else "too low"
        return self._verdict(False, f"{typed} is {side}.")
