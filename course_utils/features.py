"""The Playground's input features: a table of name -> function of the raw coordinates.

With ``x1^2`` and ``x2^2`` as inputs even a linear-activation network separates the
circle: nonlinearity can come from the features instead of the activations.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .numeric import lookup

__all__ = ["FEATURES", "DEFAULT_FEATURES", "featurize", "check_features"]

FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}
"""Feature name -> ``f(X) -> column``, ``X`` shaped (n, 2), the column (n,)."""

DEFAULT_FEATURES = ("x1", "x2")


def check_features(features: Sequence[str]) -> tuple[str, ...]:
    """Validate a selection of feature names; returns it as a tuple."""
    if isinstance(features, str):
        features = (features,)
    features = tuple(features)
    if not features:
        raise ValueError(f"Choose at least one input feature from: {', '.join(FEATURES)}.")
    for f in features:
        lookup(FEATURES, f, "feature")  # an unknown name: the one message listing every feature
    if len(set(features)) != len(features):
        raise ValueError(f"Each feature may be chosen once; got {features}.")
    return features


def featurize(X, features: Sequence[str] = DEFAULT_FEATURES) -> np.ndarray:
    """Map raw coordinates to the chosen feature columns.

    Parameters
    ----------
    X : ndarray of float, shape (n, 2)
        Raw coordinates (x1, x2).
    features : sequence of str
        Names from :data:`FEATURES`, in the order the columns should appear.

    Returns
    -------
    ndarray of float64, shape (n, len(features))
    """
    features = check_features(features)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) (raw coordinates x1, x2); got {X.shape}.")
    return np.column_stack([FEATURES[f](X) for f in features])
