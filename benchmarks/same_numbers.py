"""Does a speed change leave every number bit for bit as it was? Compare this checkout with a git ref.

The notebooks are committed executed and compared by nbval, so a faster trainer may only
reorder work, never the floating-point sums. This script trains a grid of runs - every
activation x depth x head x optimizer x batch size, with and without a test set, a
regularizer and a divergence - once with ``course_utils`` from ``REF`` (default ``HEAD``,
exported with ``git archive``) and once with this checkout's, each in a fresh process, and
compares the bytes of every final weight and every history array::

    .venv/bin/python benchmarks/same_numbers.py [--ref main]

Prints how many runs differ (and which); exits 1 if any does. No expected numbers are
stored: the reference is the code itself.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fingerprints() -> dict[str, str]:
    """{run description: sha256 of its final weights and history}, with the importable course_utils."""
    import numpy as np

    from course_utils import ACTIVATIONS, MLP, make_dataset, train

    X, y = make_dataset("circle", n_samples=120, noise=0.1, seed=1)
    X3, y3 = make_dataset("spiral3", n_samples=120, noise=0.1, seed=1)
    Xt, yt = make_dataset("circle", n_samples=50, noise=0.1, seed=2)
    yr = np.sin(X[:, 0]) + 0.1 * X[:, 1]  # a regression target
    heads = {"sigmoid": (X, y, 1), "linear": (X, yr, 1), "softmax": (X3, y3, 3)}
    runs = {}
    grid = itertools.product(ACTIVATIONS, [[], [5], [6, 4, 3]], heads, ["sgd", "momentum", "adam"], [None, 16])
    for activation, hidden, head, optimizer, batch in grid:
        Xh, yh, k = heads[head]
        runs[f"{activation} {hidden} {head} {optimizer} batch={batch}"] = dict(
            sizes=[2, *hidden, k], activation=activation, head=head, X=Xh, y=yh,
            kwargs=dict(epochs=7, learning_rate=0.05, optimizer=optimizer, batch_size=batch, seed=3))
    for activation in ACTIVATIONS:  # test set, both penalties, snapshots; and a blow-up
        runs[f"{activation} [8, 8] test set, l1+l2, snapshots"] = dict(
            sizes=[2, 8, 8, 1], activation=activation, head="sigmoid", X=X, y=y,
            kwargs=dict(epochs=70, learning_rate=0.3, batch_size=10, l1=1e-3, l2=2e-3, seed=4,
                        X_test=Xt, y_test=yt, snapshot_every=20))
        runs[f"{activation} [8] diverging"] = dict(
            sizes=[2, 8, 1], activation=activation, head="linear", X=X, y=yr,
            kwargs=dict(epochs=40, learning_rate=50.0, optimizer="momentum"))
    out = {}
    for name, r in runs.items():
        net = MLP(r["sizes"], r["activation"], seed=0, output=r["head"])
        hist = train(net, r["X"], r["y"], **r["kwargs"])
        h = hashlib.sha256(net.theta.tobytes())
        for field in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
            h.update(getattr(hist, field).tobytes())
        for epoch, params in hist.snapshots:
            h.update(str(epoch).encode())
            for W, b in params:
                h.update(W.tobytes() + b.tobytes())
        h.update(f"{hist.diverged} {hist.stopped_early} {hist.message}".encode())
        out[name] = h.hexdigest()
    return out


def run_with(source: Path) -> dict[str, str]:
    """Fingerprints computed in a fresh process whose course_utils comes from ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    code = ("import json, sys; sys.path.insert(0, %r); from same_numbers import fingerprints; "
            "print(json.dumps(fingerprints()))" % str(Path(__file__).resolve().parent))
    out = subprocess.run([sys.executable, "-c", code], cwd=source, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default="HEAD", help="git ref whose course_utils is the reference")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "ref.tar"
        subprocess.run(["git", "archive", "-o", str(archive), args.ref, "course_utils"], cwd=ROOT, check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        before = run_with(Path(tmp))
    after = run_with(ROOT)
    differ = [name for name in before if before[name] != after.get(name)]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(before) - len(differ)} of {len(before)} runs bit-identical to {args.ref}"
          f" (weights, history, snapshots, messages)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
