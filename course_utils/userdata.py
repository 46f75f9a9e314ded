"""The learner's own data: a CSV file (or arrays) read, checked and fitted into the view.

NumPy and the standard library only (no matplotlib, no ipywidgets). The Playground's upload
button and ``Playground(data=(X, y))`` both come here; every problem is one plain-words
``ValueError`` naming the line and what is wrong, so the dashboard can show it as it is.

The file: one row per point, ``x1,x2,label``, separated by commas; a first row that holds
no number is a header and is skipped; blank lines are skipped. Labels are read as

- **classes** when every label is a whole number from 0 to ``MAX_CLASSES - 1`` (0/1, or
  0 ... K-1 with every class present),
- **numbers** (regression) otherwise,

unless the learner chooses one of the two (``task="classification"`` or ``"regression"``):
then a label that does not fit the choice is an error naming its line.

Coordinates are moved and scaled (the same factor on both axes, so shapes keep their shape)
to fill the square ``[-FIT_HALF_WIDTH, FIT_HALF_WIDTH]``, where the generated datasets live;
data already fitted is kept exactly, so an exported file reads back unchanged. Regression
targets larger than 1 are divided by their largest size, to the Playground's range -1 ... 1.
"""
from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass

import numpy as np

from .numeric import lookup

__all__ = ["UserData", "parse_csv", "from_arrays", "to_csv", "fit_to_view", "TASKS", "MAX_ROWS",
           "MAX_BYTES", "MAX_CLASSES", "FIT_HALF_WIDTH", "COLUMNS"]

MAX_ROWS = 5000
"""At most this many data rows (the Playground's datasets have 500)."""

MAX_BYTES = 1_000_000
"""Files larger than this (1 MB) are refused before reading: 5,000 rows of three numbers fit
in a quarter of it."""

MAX_CLASSES = 5
"""Class labels run from 0 to at most 4: as many classes as the pictures tell apart
(``plots.style.CLASS_PALETTE``; a test holds the two equal)."""

FIT_HALF_WIDTH = 5.0
"""Uploaded coordinates fill [-5, 5] (the generated datasets reach about 5 in the [-6, 6] view)."""

COLUMNS = ("x1", "x2", "label")

TASKS = {
    "auto": f"decide from the labels: whole numbers 0 ... {MAX_CLASSES - 1} are classes, anything else numbers",
    "classification": "labels are classes 0, 1, ... K-1",
    "regression": "labels are numbers to predict (regression)",
}
"""How to read the third column: name -> what it means (the dashboard's choices)."""


@dataclass(frozen=True)
class UserData:
    """Points to train on, in the view's coordinates.

    Attributes
    ----------
    X : ndarray of float64, shape (n, 2)
        Coordinates fitted into the view (see :func:`fit_to_view`).
    y : ndarray, shape (n,)
        int64 class labels 0 ... K-1, or float64 targets in [-1, 1] (regression).
    task : str
        ``"classification"`` or ``"regression"``.
    n_classes : int
        K (at least 2) for classification; 0 for regression.
    name : str
        Where it came from (the file's name, or ``"your data"``).
    notes : tuple of str
        What was done to it (rescaling, the task chosen and why), for the status line.
    clicked : int
        Points added by clicking on the picture (:meth:`with_point`).
    origin : str
        ``"uploaded"``, or ``"generated"`` for a dataset the learner added points to.
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    n_classes: int
    name: str
    notes: tuple = ()
    clicked: int = 0
    origin: str = "uploaded"

    @property
    def rows(self) -> int:
        return len(self.X)

    def describe(self) -> str:
        """``uploaded: name.csv, 240 rows, 2 classes`` - where the data came from."""
        what = f"{self.n_classes} classes" if self.task == "classification" else "numbers (regression)"
        added = f" ({self.clicked} added by clicking)" if self.clicked else ""
        return f"{self.origin}: {self.name}, {self.rows:,} rows{added}, {what}"

    def with_point(self, x1: float, x2: float, label: int) -> "UserData":
        """A copy with one more point of class ``label`` at ``(x1, x2)`` (view coordinates, not
        refitted). ``ValueError`` for regression data, a label that is not a class, or the row limit."""
        if self.task != "classification":
            raise ValueError("Clicking adds points of a class; these data are numbers (regression).")
        label = int(label)
        if not 0 <= label < max(self.n_classes, 2):
            raise ValueError(f"There is no class {label}: choose 0 to {max(self.n_classes, 2) - 1}.")
        if self.rows >= MAX_ROWS:
            raise ValueError(f"{self.name} has {self.rows:,} rows already; the limit is {MAX_ROWS:,}.")
        X = np.vstack([self.X, [[float(x1), float(x2)]]])
        y = np.append(self.y, np.int64(label))
        return dataclasses.replace(self, X=X, y=y, clicked=self.clicked + 1)


class _Where:
    """How a message names a row: ``line 7`` of a file, or ``row 7`` of arrays."""

    def __init__(self, lines=None):
        self.lines = lines

    def __call__(self, i: int) -> str:
        return f"line {self.lines[i]}" if self.lines is not None else f"row {i + 1}"


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def _decode(content: bytes, name: str) -> str:
    try:
        return content.decode("utf-8-sig")  # a byte-order mark (Excel's "CSV UTF-8") is dropped
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        bad = content[exc.start:exc.start + 1].hex()
        raise ValueError(f"{name}, line {line}: byte 0x{bad} is not UTF-8 text; save the file as "
                         f"CSV (UTF-8) with rows x1,x2,label.") from None


def parse_csv(content, name: str = "data.csv", task: str = "auto") -> UserData:
    """Read an uploaded CSV file into :class:`UserData`.

    Parameters
    ----------
    content : bytes (or memoryview)
        The file as uploaded. Refused unread when larger than :data:`MAX_BYTES`.
    name : str
        The file's name, used in messages and in :meth:`UserData.describe`.
    task : {"auto", "classification", "regression"}
        How to read the labels (see the module docstring and :data:`TASKS`).

    Returns
    -------
    UserData

    Raises
    ------
    ValueError
        One line naming the file, the line and the problem: too large, not UTF-8, empty,
        wrong number of values, text or NaN/infinity where a number belongs, too many rows,
        one class only, a label that is not a class.
    """
    lookup(TASKS, task, "way of reading the labels")
    size = len(content)
    if size > MAX_BYTES:
        raise ValueError(f"{name} is {size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB "
                         f"(up to {MAX_ROWS:,} rows of x1,x2,label). Nothing was read.")
    text = _decode(bytes(content), name)
    rows, numbers = [], []  # the non-blank rows and their line numbers (1-based)
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if any(cell.strip() for cell in row):
            rows.append(row)
            numbers.append(line)
    if rows and len(rows[0]) == 3 and all(_number(cell) is None for cell in rows[0]):  # a header: no number
        rows, numbers = rows[1:], numbers[1:]
        if not rows:
            raise ValueError(f"{name} has a header line but no data rows; add rows of x1,x2,label.")
    if not rows:
        raise ValueError(f"{name} is empty; it needs rows of x1,x2,label (e.g. 1.5,-2,1).")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"{name} has {len(rows):,} data rows; the limit is {MAX_ROWS:,}.")
    where = _Where(numbers)
    values = np.empty((len(rows), 3))
    for i, row in enumerate(rows):
        if len(row) != 3:
            shown = ",".join(row)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise ValueError(f"{name}, {where(i)}: expected 3 values (x1,x2,label) separated by commas, "
                             f"found {len(row)}: {shown!r}.")
        for j, cell in enumerate(row):
            number = _number(cell)
            if number is None:
                raise ValueError(f"{name}, {where(i)}, column {j + 1} ({COLUMNS[j]}): {cell.strip()!r} is not "
                                 f"a number.")
            values[i, j] = number
    return _build(values[:, :2], values[:, 2], name, task, where)


def from_arrays(X, y, name: str = "your data", task: str = "auto") -> UserData:
    """The same checks and fitting for arrays (``Playground(data=(X, y))``).

    Parameters
    ----------
    X : array-like of float, shape (n, 2)
    y : array-like, shape (n,)
        Class labels 0 ... K-1 or numbers (see :func:`parse_csv` for ``task``).
    """
    lookup(TASKS, task, "way of reading the labels")
    try:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: X and y must hold numbers only ({exc}).") from None
    if X.ndim != 2 or X.shape[1] != 2 or y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"{name}: X must be (n, 2) coordinates and y (n,) labels; got X {X.shape}, y {y.shape}.")
    if len(X) == 0:
        raise ValueError(f"{name} is empty; it needs at least 2 points.")
    if len(X) > MAX_ROWS:
        raise ValueError(f"{name} has {len(X):,} rows; the limit is {MAX_ROWS:,}.")
    return _build(X, y, name, task, _Where())


def _build(X, y, name, task, where) -> UserData:
    """Shared checks once the numbers are read: finite, enough rows, labels for the task."""
    values = np.column_stack([X, y])
    bad = ~np.isfinite(values)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"{name}, {where(i)}, column {j + 1} ({COLUMNS[j]}): {values[i, j]} is not a finite "
                         f"number; every value must be a finite number.")
    if len(X) < 2:
        raise ValueError(f"{name} has only {len(X)} data row; it needs at least 2.")
    whole = (y == np.round(y)) & (y >= 0) & (y < MAX_CLASSES)
    notes = []
    if task == "auto":
        task = "classification" if whole.all() else "regression"
        top = MAX_CLASSES - 1
        notes.append(f"labels read as classes: all are whole numbers 0 to {top}" if whole.all() else
                     f"labels read as numbers (regression): not all are whole numbers 0 to {top}")
    if task == "classification":
        y, n_classes = _classes(y, whole, name, where)
    else:
        y, n_classes = y.astype(np.float64), 0
        top = float(np.abs(y).max())
        if top > 1.0:
            y = y / top
            notes.append(f"targets divided by {top:g} to fit -1 ... 1")
    X, scale = fit_to_view(X)
    if scale is None:
        raise ValueError(f"{name}: every row is at the same point ({X[0, 0]:g}, {X[0, 1]:g}); "
                         "the points must differ to draw anything.")
    if scale != 1.0:
        notes.append(f"coordinates moved and scaled x{scale:.3g} to fill the view")
    return UserData(np.ascontiguousarray(X), y, task, n_classes, name, tuple(notes))


def _classes(y, whole, name, where):
    if not whole.all():
        i = int(np.argmin(whole))
        raise ValueError(f"{name}, {where(i)}, column 3 (label): {y[i]:g} is not a class; class labels are "
                         f"whole numbers 0, 1, ... up to {MAX_CLASSES - 1} (or read the labels as numbers, "
                         "for regression).")
    labels = y.astype(np.int64)
    present = np.unique(labels)
    if len(present) < 2:
        raise ValueError(f"{name}: every row has label {present[0]}; a classifier needs at least two classes.")
    n_classes = int(present[-1]) + 1
    missing = sorted(set(range(n_classes)) - set(present.tolist()))
    if missing:
        raise ValueError(f"{name}: class labels must run 0 ... K-1 without gaps; no row has label "
                         f"{', '.join(map(str, missing))} (found {', '.join(map(str, present))}).")
    return labels, n_classes


def fit_to_view(X) -> tuple[np.ndarray, float | None]:
    """Centre the points' bounding box on 0 and scale both axes by one factor so the wider
    side spans ``[-FIT_HALF_WIDTH, FIT_HALF_WIDTH]``.

    Parameters
    ----------
    X : ndarray of float, shape (n, 2)

    Returns
    -------
    X_fitted : ndarray of float64, shape (n, 2)
        ``(X - centre) * scale``; ``X`` itself (a copy) when it is fitted already, so a
        file written by :func:`to_csv` reads back bit for bit.
    scale : float or None
        The factor (1.0 when nothing changed); None when all points coincide.
    """
    X = np.array(X, dtype=np.float64)
    lo, hi = X.min(axis=0), X.max(axis=0)
    centre = (lo + hi) / 2.0
    half = float((hi - lo).max()) / 2.0
    if half == 0.0:
        return X, None
    tol = 1e-9 * FIT_HALF_WIDTH
    if np.abs(centre).max() <= tol and abs(half - FIT_HALF_WIDTH) <= tol:
        return X, 1.0
    scale = FIT_HALF_WIDTH / half
    return (X - centre) * scale, scale


def to_csv(data: UserData) -> bytes:
    """The data as a CSV file that :func:`parse_csv` reads back to the same arrays.

    Coordinates are written with ``repr`` (shortest exact form), labels as whole numbers for
    classes; a header line ``x1,x2,label``. UTF-8 bytes.
    """
    out = io.StringIO()
    out.write(",".join(COLUMNS) + "\n")
    for (x1, x2), label in zip(data.X.tolist(), data.y.tolist()):
        out.write(f"{x1!r},{x2!r},{int(label) if data.task == 'classification' else repr(float(label))}\n")
    return out.getvalue().encode("utf-8")
