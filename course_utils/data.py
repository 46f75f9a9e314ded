"""Toy datasets with TensorFlow Playground's shapes, plus train/test splitting.

Coordinates are in Playground units: every dataset fills roughly the square
[-6, 6] x [-6, 6] (:data:`DOMAIN`), so the input features ``x1^2`` or ``sin(x1)``
mean what they mean in the Playground. The networks in this course train well at
this scale with their default initialisation (see ``course_utils.model``).

``noise`` is a fraction from 0 to 0.5, the Playground's 0-50 % slider:
on ``circle`` and ``xor`` it flips labels near the boundary (a point is labelled by
its *jittered* position but drawn at its true one), on ``gauss`` it widens the
clusters (variance 0.5 -> 4), on ``spiral`` and ``moons`` it jitters the points.

Beyond the Playground's two classes: ``spiral3`` (three spiral arms) and ``blobs3``
(three Gaussian clusters) have labels 0, 1, 2 - each :class:`Dataset` says how many
classes it has (``n_classes``), and a network for it needs that many output units
(a softmax; ``course_utils.experiments.output_head``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .numeric import lookup, whole_number

__all__ = [
    "DATASETS", "TWO_CLASS_DATASETS", "REGRESSION_DATASETS", "DOMAIN", "Dataset",
    "make_dataset", "train_test_split", "get_dataset",
]

DOMAIN = (-6.0, 6.0)
"""The square every dataset lives in (Playground units), used for heatmaps too."""

MAX_NOISE = 0.5


def _uniform(rng, low, high, n):
    return rng.uniform(low, high, size=n)


def _circle(n: int, noise: float, rng: np.random.Generator):
    radius = 5.0
    n_in = n // 2
    r = np.concatenate([_uniform(rng, 0.0, 0.5 * radius, n_in),
                        _uniform(rng, 0.7 * radius, radius, n - n_in)])
    angle = _uniform(rng, 0.0, 2.0 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, size=(n, 2)) * noise
    y = (np.hypot(*(X + jitter).T) < 0.5 * radius).astype(np.int64)
    return X, y


def _xor(n: int, noise: float, rng: np.random.Generator):
    X = rng.uniform(-5.0, 5.0, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)  # keep points off the axes, as the Playground does
    jitter = rng.uniform(-5.0, 5.0, size=(n, 2)) * noise
    Xj = X + jitter
    y = (Xj[:, 0] * Xj[:, 1] >= 0).astype(np.int64)
    return X, y


def _gauss(n: int, noise: float, rng: np.random.Generator):
    variance = 0.5 + (4.0 - 0.5) * noise / MAX_NOISE
    n_pos = n // 2
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n_pos, n - n_pos], axis=0)
    X = centres + np.sqrt(variance) * rng.standard_normal(size=(n, 2))
    y = np.repeat(np.array([1, 0], dtype=np.int64), [n_pos, n - n_pos])
    return X, y


def _spiral(n: int, noise: float, rng: np.random.Generator):
    parts, labels = [], []
    for label, delta, count in ((1, 0.0, n // 2), (0, np.pi, n - n // 2)):
        i = np.arange(count)
        r = 5.0 * i / count
        t = 1.75 * 2.0 * np.pi * i / count + delta
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)])
        pts += rng.uniform(-1.0, 1.0, size=(count, 2)) * noise
        parts.append(pts)
        labels.append(np.full(count, label, dtype=np.int64))
    return np.concatenate(parts), np.concatenate(labels)


def _spiral_arms(n: int, noise: float, rng: np.random.Generator, arms: int = 3, turns: float = 1.0):
    # Arm k starts at the centre and winds out ``turns`` times, rotated by k/arms of a turn;
    # noise jitters the points as on the two-arm spiral.
    counts = [n // arms + (k < n % arms) for k in range(arms)]
    parts, labels = [], []
    for k, count in enumerate(counts):
        i = np.arange(count)
        r = 5.0 * (i + 1) / count
        t = turns * 2.0 * np.pi * i / count + 2.0 * np.pi * k / arms
        pts = np.column_stack([r * np.sin(t), r * np.cos(t)])
        pts += rng.uniform(-1.0, 1.0, size=(count, 2)) * noise
        parts.append(pts)
        labels.append(np.full(count, k, dtype=np.int64))
    return np.concatenate(parts), np.concatenate(labels)


def _blobs(n: int, noise: float, rng: np.random.Generator, k: int = 3):
    # k clusters on a circle of radius 3 (the first straight up), the spread growing with noise
    # as in ``gauss``.
    variance = 0.5 + (4.0 - 0.5) * noise / MAX_NOISE
    angle = np.pi / 2 + 2.0 * np.pi * np.arange(k) / k
    centres = 3.0 * np.column_stack([np.cos(angle), np.sin(angle)])  # (k, 2)
    y = np.repeat(np.arange(k, dtype=np.int64), [n // k + (j < n % k) for j in range(k)])
    X = centres[y] + np.sqrt(variance) * rng.standard_normal(size=(n, 2))
    return X, y


def _moons(n: int, noise: float, rng: np.random.Generator):
    n_top = n // 2
    t_top = rng.uniform(0.0, np.pi, n_top)
    t_bot = rng.uniform(0.0, np.pi, n - n_top)
    top = np.column_stack([np.cos(t_top), np.sin(t_top)])
    bottom = np.column_stack([1.0 - np.cos(t_bot), 0.5 - np.sin(t_bot)])
    X = np.concatenate([top, bottom])
    # Centre the two interleaved half-moons on the origin, scaled to the domain.
    X = (X - [0.5, 0.25]) * 3.5
    X += rng.standard_normal(size=X.shape) * noise * 2.0
    y = np.concatenate([np.zeros(n_top, np.int64), np.ones(n - n_top, np.int64)])
    return X, y


def _plane(n: int, noise: float, rng: np.random.Generator):
    X = rng.uniform(-6.0, 6.0, size=(n, 2))
    jitter = rng.uniform(-6.0, 6.0, size=(n, 2)) * noise
    y = (X + jitter).sum(axis=1) / 10.0  # the Playground's label scale: [-10, 10] -> [-1, 1]
    return X, y


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                   [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def _multi_gauss(n: int, noise: float, rng: np.random.Generator):
    X = rng.uniform(-6.0, 6.0, size=(n, 2))
    Xj = X + rng.uniform(-6.0, 6.0, size=(n, 2)) * noise
    dist = np.hypot(Xj[:, None, 0] - _BUMPS[:, 0], Xj[:, None, 1] - _BUMPS[:, 1])  # (n, 6)
    height = _BUMPS[:, 2] * np.clip(1.0 - dist / 2.0, 0.0, 1.0)  # 1 at a centre, 0 beyond 2
    pick = np.argmax(np.abs(height), axis=1)  # the strongest bump wins, as in the Playground
    return X, height[np.arange(n), pick]


@dataclass(frozen=True)
class Dataset:
    """A dataset generator: ``make(n, noise, rng) -> (X, y)``.

    ``n_classes`` is how many labels (0 ... n_classes - 1) it draws; None for regression.
    """

    name: str
    make: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
    task: str  # "classification" or "regression"
    description: str
    n_classes: int | None = 2


_ENTRIES = [
    Dataset("gauss", _gauss, "classification",
            "two Gaussian clusters at (2, 2) and (-2, -2): linearly separable"),
    Dataset("circle", _circle, "classification",
            "a disc of one class inside a ring of the other: needs a curved boundary"),
    Dataset("xor", _xor, "classification",
            "quadrants: positive where x1 * x2 >= 0"),
    Dataset("spiral", _spiral, "classification",
            "two interleaved spiral arms: the hardest"),
    Dataset("moons", _moons, "classification",
            "two interleaved half-moons"),
    Dataset("spiral3", _spiral_arms, "classification",
            "three classes: three interleaved spiral arms, one turn each", n_classes=3),
    Dataset("blobs3", _blobs, "classification",
            "three classes: three Gaussian clusters around the centre: separable by straight lines",
            n_classes=3),
    Dataset("plane", _plane, "regression",
            "regression: target (x1 + x2) / 10", n_classes=None),
    Dataset("multi_gauss", _multi_gauss, "regression",
            "regression: six bumps of height +1 or -1", n_classes=None),
]

DATASETS: dict[str, Dataset] = {d.name: d for d in _ENTRIES if d.task == "classification"}
"""Classification datasets by name (labels 0 ... ``n_classes - 1``: two classes, or three)."""

TWO_CLASS_DATASETS: dict[str, Dataset] = {n: d for n, d in DATASETS.items() if d.n_classes == 2}
"""The two-class sets (labels 0/1): what the sigmoid-output panels of notebooks 02-05 offer."""

REGRESSION_DATASETS: dict[str, Dataset] = {d.name: d for d in _ENTRIES if d.task == "regression"}
"""Regression datasets by name (float targets in about [-1, 1])."""

_ALL = {**DATASETS, **REGRESSION_DATASETS}


def get_dataset(name: str) -> Dataset:
    """Look a dataset up by name; a ``ValueError`` lists the valid names."""
    return lookup(_ALL, name, "dataset")


def make_dataset(name: str, n_samples: int = 500, noise: float = 0.0, seed=None):
    """Generate one of the Playground's datasets.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` (labels 0/1, or 0...K-1) or :data:`REGRESSION_DATASETS`.
    n_samples : int
        Number of points (the Playground uses 500), at least 2.
    noise : float
        From 0 to 0.5, the Playground's 0-50 % slider (see the module docstring).
    seed : None, int, or anything ``numpy.random.default_rng`` accepts
        Same seed -> identical arrays.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
        Coordinates in Playground units, within about [-6, 6].
    y : ndarray, shape (n_samples,)
        int64 labels 0 ... ``n_classes - 1`` (0/1 for the Playground's sets); float64
        targets for the regression datasets.
    """
    dataset = get_dataset(name)
    n_samples = whole_number(n_samples, "n_samples", dataset.n_classes or 2)
    noise = float(noise)
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE} (0-50 %), got {noise!r}.")
    rng = np.random.default_rng(seed)
    X, y = dataset.make(int(n_samples), noise, rng)
    return np.ascontiguousarray(X, dtype=np.float64), y


def train_test_split(X, y, test_fraction: float = 0.5, seed=None):
    """Shuffle and split into a training and a test set.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    y : ndarray, shape (n,)
    test_fraction : float
        Share of points held out for testing, strictly between 0 and 1. Both parts
        keep at least one point.
    seed : None, int, or anything ``numpy.random.default_rng`` accepts

    Returns
    -------
    X_train : ndarray, shape (n - k, d)
    X_test : ndarray, shape (k, d)
    y_train : ndarray, shape (n - k,)
    y_test : ndarray, shape (k,)
        with ``k = round(n * test_fraction)``; new arrays, the inputs are not touched.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be (n, d) and y (n,) with the same n; got X {X.shape} and y {y.shape}.")
    if not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction!r}.")
    n = len(X)
    if n < 2:
        raise ValueError("Need at least 2 points to split into a training and a test set.")
    k = min(max(int(round(n * float(test_fraction))), 1), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:k], order[k:]
    return X[train], X[test], y[train], y[test]
