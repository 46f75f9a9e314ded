"""Training speed: course_utils.train against hand-written NumPy loops, scikit-learn and PyTorch.

Same task for all: a 2-8-1 tanh network, 400 circle points, full-batch SGD without
momentum, 2,000 epochs, the loss recorded every epoch. Each contender runs ``--repeats``
times in this one process, round robin; we report its best CPU time (least disturbed by the
machine's other work) as microseconds per epoch, ratios against course_utils, and the spread
of the per-round ratios (each round runs every contender once, back to back).

Targets (issues #2, #11): course_utils >= 4x faster than PyTorch (scikit-learn reported too),
and at least 0.7x the speed of the hand-fused loop (``reference_loop.fused_train``: this one shape, every
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

clock = time.process_time
"""CPU time of this process (all its threads): on a shared machine, wall-clock time also counts
the turns other jobs take on the cores, which is what made ratios jump between runs."""


def data():
    return make_dataset("circle", n_samples=N, noise=0.0, seed=0)


def bench_course_utils(X, y, epochs):
    net = MLP([2, HIDDEN, 1], "tanh", seed=0)
    t = clock()
    h = train(net, X, y, epochs=epochs, learning_rate=LR)
    return clock() - t, h.train_loss[-1]


def _bench_loop(loop):
    def bench(X, y, epochs):
        net = MLP([2, HIDDEN, 1], "tanh", seed=0)  # same initial weights
        (W1, b1), (W2, b2) = net.get_params()
        t = clock()
        losses = loop(X, y, W1, b1, W2, b2, epochs=epochs, learning_rate=LR)
        return clock() - t, losses[-1]
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
    t = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return clock() - t, clf.loss_curve_[-1]


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
    t = clock()
    for _ in range(epochs):
        opt.zero_grad()
        loss = lossf(model(Xt)[:, 0], yt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return clock() - t, losses[-1]


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
    results, contenders = {}, dict(CONTENDERS)
    # Round robin (each repeat runs every contender once), so a burst of load from the
    # machine's other work falls on all of them alike rather than on one contender's turn.
    for _ in range(args.repeats):
        for name, fn in list(contenders.items()):
            out = fn(X, y, args.epochs)
            if out is None:
                print(f"{name:28s} not installed: skipped")
                del contenders[name]
                continue
            seconds, final_loss = out
            r = results.setdefault(name, {"rounds": [], "final_loss": float(final_loss)})
            r["rounds"].append(seconds / args.epochs * 1e6)
    for r in results.values():
        r["us_per_epoch"] = min(r["rounds"])

    ours = results["course_utils.train"]["us_per_epoch"]
    print(f"\n2-{HIDDEN}-1 tanh, {N} circle points, full-batch SGD lr {LR}, {args.epochs} epochs, "
          f"best of {args.repeats} (Python {platform.python_version()}, NumPy {np.__version__})")
    print(f"{'implementation':28s} {'µs/epoch':>9s} {'course_utils is':>16s} {'final loss':>11s}")
    for name, r in results.items():
        ratio = r["us_per_epoch"] / ours
        print(f"{name:28s} {r['us_per_epoch']:9.1f} {ratio:14.2f}x {r['final_loss']:11.4f}")
    print("\nratios of best times; in brackets the lowest-highest of the per-round ratios:")
    for name, label, target in [("hand-fused NumPy loop", "speed relative to the hand-fused loop", 0.7),
                                ("scikit-learn MLPClassifier", "faster than scikit-learn", None),
                                ("PyTorch (1 thread)", "faster than PyTorch (1 thread)", 4.0)]:
        if name not in results:
            print(f"{label}: not measured ({name} not installed)")
            continue
        rounds = np.divide(results[name]["rounds"], results["course_utils.train"]["rounds"])
        goal = f" (target >= {target:g})" if target else ""
        print(f"{label}: {results[name]['us_per_epoch'] / ours:.2f}x "
              f"[{rounds.min():.2f}-{rounds.max():.2f}]{goal}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
