"""The speed reference: a minimal, hand-fused NumPy training loop for one network shape.

A 2-h-1 tanh network with a sigmoid output and binary cross-entropy, full-batch gradient
descent, recording the loss every epoch - the same work ``course_utils.train`` does, with
every generality (layers in a list, an activation table, validation, divergence checks,
accuracy, history) stripped out. ``course_utils.train`` is measured against it.
"""
import numpy as np


def fused_train(X, y, W1, b1, W2, b2, *, epochs, learning_rate):
    """Train in place; ``W1`` (2, h), ``b1`` (h,), ``W2`` (h, 1), ``b2`` (1,).

    Returns the loss before each epoch's update, shape (epochs,).
    """
    n = X.shape[0]
    y = y.astype(np.float64)[:, None]  # (n, 1)
    step = learning_rate / n
    losses = np.empty(epochs)
    for e in range(epochs):
        A1 = np.tanh(X @ W1 + b1)  # (n, h)
        z = A1 @ W2 + b2  # (n, 1)
        losses[e] = np.mean(np.logaddexp(0.0, z) - y * z)
        dz = (0.5 + 0.5 * np.tanh(0.5 * z) - y) * step  # (n, 1), already scaled by lr / n
        dZ1 = (dz @ W2.T) * (1.0 - A1 * A1)  # (n, h)
        W2 -= A1.T @ dz
        b2 -= dz.sum(axis=0)
        W1 -= X.T @ dZ1
        b1 -= dZ1.sum(axis=0)
    return losses
