"""Small things every module shares: the chance-level loss ln 2 (ln K for K classes), one
whole-number check, and one lookup for every name -> object table.

Pure Python (no NumPy needed beyond recognising its integers, no matplotlib, no ipywidgets).
"""
from __future__ import annotations

import math
import numbers

__all__ = ["LN2", "chance_loss", "whole_number", "lookup"]

LN2 = math.log(2.0)
"""ln 2 ≈ 0.693: the binary cross-entropy of a network that always answers 0.5 - one that
learned nothing. Loss plots mark it; messages quote it."""


def chance_loss(n_classes: int = 2) -> float:
    """ln K: the cross-entropy of a network that answers 1/K for each of ``n_classes`` = K
    classes - one that learned nothing (:data:`LN2` for two classes)."""
    return LN2 if n_classes == 2 else math.log(whole_number(n_classes, "n_classes", 2))


def whole_number(value, what: str, at_least: int = 1, at_most: int | None = None) -> int:
    """``value`` as an ``int`` when it is a whole number in ``[at_least, at_most]``.

    Python and NumPy integers pass; ``True``/``False``, floats (even ``3.0``) and strings do
    not, so a slip like ``epochs=0.5`` or ``epochs="10"`` is caught here, not deep in a loop.

    Parameters
    ----------
    value : object
    what : str
        The argument's name, as the learner typed it (``"epochs"``).
    at_least : int
    at_most : int, optional

    Raises
    ------
    ValueError
        In plain words, naming the argument, the range and the value given.
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok and value >= at_least and (at_most is None or value <= at_most):
        return int(value)
    if at_most is None:
        raise ValueError(f"{what} must be a whole number of at least {at_least}, got {value!r}.")
    raise ValueError(f"{what} must be a whole number from {at_least} to {at_most}, got {value!r}.")


def lookup(table, name, what: str):
    """``table[name]`` for a name -> object table; otherwise a ``ValueError`` that names the
    valid choices, in the table's order: ``Unknown dataset 'moon'. Choose one of: gauss, ...``.

    Every table of the course (activations, datasets, outputs, optimizers, presets, ...) is
    looked up here, so every learner-facing "unknown name" message reads the same.
    """
    try:
        return table[name]
    except (KeyError, TypeError):  # TypeError: an unhashable name, e.g. a list
        raise ValueError(f"Unknown {what} {name!r}. Choose one of: {', '.join(map(str, table))}.") from None
