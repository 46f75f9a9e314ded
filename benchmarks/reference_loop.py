"""Speed references: two hand-written NumPy training loops for one network shape.

Both train a 2-h-1 tanh network with a sigmoid output and binary cross-entropy by
full-batch gradient descent, and record the loss every epoch - the work
``course_utils.train`` does, with every generality (layers in a list, an activation
table, validation, divergence checks, accuracy, history) stripped out.

* ``fused_train`` is the target: every trick a careful hand would use for this one shape -
  samples as columns with a row of ones (bias inside the matrix product), buffers written
  with ``out=``, one flat parameter vector updated in one call, the tanh(z/2) the gradient
  needs kept to measure all the losses in bulk at the end. ``course_utils.train`` must run
  at >= 0.7x its speed while staying general.
* ``textbook_train`` is the loop most people would write first (the layout of the lecture
  notes, a temporary per operation); it shows what the layout is worth.
"""
import math

import numpy as np


def fused_train(X, y, W1, b1, W2, b2, *, epochs, learning_rate):
    """Train in place; ``W1`` (2, h), ``b1`` (h,), ``W2`` (h, 1), ``b2`` (1,).

    Returns the loss before each epoch's update, shape (epochs,).
    """
    n, d = X.shape
    h = W1.shape[1]
    P = np.empty(h * (d + 1) + h + 1)  # [W1.T | b1] then [W2.T | b2]
    G = np.empty_like(P)
    V1, V2 = P[:h * (d + 1)].reshape(h, d + 1), P[h * (d + 1):].reshape(1, h + 1)
    G1, G2 = G[:h * (d + 1)].reshape(h, d + 1), G[h * (d + 1):].reshape(1, h + 1)
    V1[:, :d], V1[:, d], V2[0, :h], V2[0, h] = W1.T, b1, W2[:, 0], b2[0]
    X1 = np.ones((d + 1, n))
    X1[:d] = X.T
    H = np.ones((h + 1, n))  # hidden activations and a row of ones
    Hh, HT = H[:h], H.T
    Z1, F, Xs = np.empty((h, n)), np.empty((h, n)), np.empty((d + 1, n))
    w = V2[:, :h].T  # (h, 1)
    c = learning_rate / n
    ybias = (c * (0.5 - y.astype(np.float64))).reshape(1, n)
    T = np.empty((epochs, n))  # tanh(z / 2) of every epoch
    dz = np.empty((1, n))
    dot, mul, add, sub, tanh = np.dot, np.multiply, np.add, np.subtract, np.tanh
    z = np.empty((1, n))
    for e in range(epochs):
        dot(V1, X1, Z1)
        tanh(Z1, Hh)
        dot(V2, H, z)
        t = T[e:e + 1]
        mul(z, 0.5, t)
        tanh(t, t)
        mul(t, 0.5 * c, dz)  # dz = c (sigmoid(z) - y)
        add(dz, ybias, dz)
        dot(dz, HT, G2)
        mul(Hh, Hh, F)  # 1 - tanh^2
        sub(1.0, F, F)
        mul(X1, dz, Xs)
        dot(F, Xs.T, G1)
        mul(G1, w, G1)
        sub(P, G, P)
    W1[...], b1[...], W2[:, 0], b2[0] = V1[:, :d].T, V1[:, d], V2[0, :h], V2[0, h]
    # softplus(-s z) = log 2 - log1p(s tanh(z / 2)), s = +-1 for class 1 / 0
    sign = 2.0 * y - 1.0
    return math.log(2.0) - np.log1p(T * sign).mean(axis=1)


def textbook_train(X, y, W1, b1, W2, b2, *, epochs, learning_rate):
    """The first loop anyone writes: samples as rows, a temporary per operation."""
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
