"""Training speed: course_utils.train against hand-written NumPy loops, scikit-learn and PyTorch.

Same task for all: a 2-8-1 tanh network, 400 circle points, full-batch SGD without
momentum, 2,000 epochs, the loss recorded every epoch. Each contender runs ``--repeats``
times in this one process; we report the best time (least disturbed by the machine's
other work) as microseconds per epoch, and ratios against course_utils.

Targets (issue #2): course_utils >= 4x faster than scikit-learn and PyTorch, and at least
0.7x the speed of the hand-fused loop (``reference_loop.fused_train``: this one shape, every
trick). The textbook loop is shown for scale. Timings are ratios within one run, never
asserts.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_loop import fused_train, textbook_train  # noqa: E402

from course_utils import MLP, make_dataset, train  # noqa: E402

HIDDEN, N, EPOCHS, LR = 8, 400, 2000, 0.1


def data():
    return make_dataset("circle", n_samples=N, noise=0.0, seed=0)


def bench_course_utils(X, y, epochs):
    net = MLP([2, HIDDEN, 1], "tanh", seed=0)
    t = time.perf_counter()
    h = train(net, X, y, epochs=epochs, learning_rate=LR)
    return time.perf_counter() - t, h.train_loss[-1]


def _bench_loop(loop):
    def bench(X, y, epochs):
        net = MLP([2, HIDDEN, 1], "tanh", seed=0)  # same initial weights
        (W1, b1), (W2, b2) = net.get_params()
        t = time.perf_counter()
        losses = loop(X, y, W1, b1, W2, b2, epochs=epochs, learning_rate=LR)
        return time.perf_counter() - t, losses[-1]
    return bench


bench_fused = _bench_loop(fused_train)
bench_textbook = _bench_loop(textbook_train)


def bench_sklearn(X, y, epochs):
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    clf = MLPClassifier(hidden_layer_sizes=(HIDDEN,), activation="tanh", solver="sgd", alpha=0.0,
                        batch_size=len(X), learning_rate="constant", learning_rate_init=LR, momentum=0.0,
                        nesterovs_momentum=False, max_iter=epochs, shuffle=False, tol=0.0,
                        n_iter_no_change=epochs + 1, early_stopping=False, random_state=0)
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return time.perf_counter() - t, clf.loss_curve_[-1]


def bench_torch(X, y, epochs):
    try:
        import torch
    except Exception as exc:  # not installed, or an install that cannot load
        print(f"PyTorch unavailable ({type(exc).__name__}: {str(exc)[:80]})")
        return None
    torch.manual_seed(0)
    torch.set_num_threads(1)
    Xt = torch.tensor(X)
    yt = torch.tensor(y, dtype=torch.float64)
    model = torch.nn.Sequential(torch.nn.Linear(2, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    lossf = torch.nn.BCEWithLogitsLoss()
    losses = []
    t = time.perf_counter()
    for _ in range(epochs):
        opt.zero_grad()
        loss = lossf(model(Xt)[:, 0], yt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return time.perf_counter() - t, losses[-1]


CONTENDERS = {
    "course_utils.train": bench_course_utils,
    "hand-fused NumPy loop": bench_fused,
    "textbook NumPy loop": bench_textbook,
    "scikit-learn MLPClassifier": bench_sklearn,
    "PyTorch (1 thread)": bench_torch,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    X, y = data()
    results = {}
    for name, fn in CONTENDERS.items():
        best = None
        for _ in range(args.repeats):
            out = fn(X, y, args.epochs)
            if out is None:
                break
            seconds, final_loss = out
            best = seconds if best is None else min(best, seconds)
        if best is None:
            print(f"{name:28s} not installed: skipped")
            continue
        results[name] = {"us_per_epoch": best / args.epochs * 1e6, "final_loss": float(final_loss)}

    ours = results["course_utils.train"]["us_per_epoch"]
    print(f"\n2-{HIDDEN}-1 tanh, {N} circle points, full-batch SGD lr {LR}, {args.epochs} epochs, "
          f"best of {args.repeats} (Python {platform.python_version()}, NumPy {np.__version__})")
    print(f"{'implementation':28s} {'µs/epoch':>9s} {'course_utils is':>16s} {'final loss':>11s}")
    for name, r in results.items():
        ratio = r["us_per_epoch"] / ours
        print(f"{name:28s} {r['us_per_epoch']:9.1f} {ratio:14.2f}x {r['final_loss']:11.4f}")
    fused = results["hand-fused NumPy loop"]["us_per_epoch"]
    print(f"\nspeed relative to the hand-fused loop: {fused / ours:.2f} (target >= 0.7)")
    for name in ("scikit-learn MLPClassifier", "PyTorch (1 thread)"):
        if name in results:
            print(f"faster than {name}: {results[name]['us_per_epoch'] / ours:.1f}x (target >= 4)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
