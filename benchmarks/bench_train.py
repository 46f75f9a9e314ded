"""Training speed: course_utils.train against hand-written NumPy loops, scikit-learn and PyTorch.

Same task for all: a 2-8-1 tanh network, 400 circle points, full-batch SGD without
momentum, 2,000 epochs, the loss recorded every epoch. After an untimed round of the same
length, each contender runs ``--repeats`` times in this one process, round robin (each round
runs every contender once, back to back), on one thread each (NumPy's BLAS through
threadpoolctl, PyTorch through ``torch.set_num_threads``), so no contender borrows the second
core of a 2-core machine.
For each contender: CPU time per epoch, median and best of the rounds. For each ratio
against course_utils: the median of the per-round ratios and their spread (lowest-highest),
since a burst of load on a shared machine moves single rounds.

Targets (issues #2, #11): course_utils >= 4x faster than PyTorch (scikit-learn reported too),
and at least 0.7x the speed of the hand-fused loop (``reference_loop.fused_train``: this one shape, every
trick). The textbook loop is shown for scale. The NumPy loops and PyTorch start from the
course network's initial weights, so they end at the same loss; scikit-learn draws its own.
Timings are ratios within one run, never asserts. Results also go to
benchmarks/results/bench_train.json.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_loop import fused_train, textbook_train  # noqa: E402
from results_file import save_results  # noqa: E402

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
    except ImportError:
        return None
    torch.set_num_threads(1)
    Xt = torch.tensor(X)
    yt = torch.tensor(y, dtype=torch.float64)
    model = torch.nn.Sequential(torch.nn.Linear(2, HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, 1)).double()
    with torch.no_grad():  # the course net's initial weights; nn.Linear holds W transposed, (fan_out, fan_in)
        for layer, (W, b) in zip(model[::2], MLP([2, HIDDEN, 1], "tanh", seed=0).params):
            layer.weight.copy_(torch.tensor(W.T))
            layer.bias.copy_(torch.tensor(b))
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


NOT_INSTALLED = {
    "scikit-learn MLPClassifier": "scikit-learn not installed: pip install scikit-learn to compare",
    "PyTorch (1 thread)": "PyTorch not installed: pip install torch (CPU build) to compare",
}

CONTENDERS = {
    "course_utils.train": bench_course_utils,
    "hand-fused NumPy loop": bench_fused,
    "textbook NumPy loop": bench_textbook,
    "scikit-learn MLPClassifier": bench_sklearn,
    "PyTorch (1 thread)": bench_torch,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    X, y = data()
    load_before = os.getloadavg()
    results, contenders = {}, dict(CONTENDERS)
    with threadpool_limits(limits=1):  # every contender on one core (NumPy's BLAS, scikit-learn's OpenMP)
        # An untimed round at full length: imports, and first allocations at their full size (with
        # 20 epochs here, the fused loop's first timed round ran 2.5x its later ones, every run).
        for name, fn in list(contenders.items()):
            if fn(X, y, args.epochs) is None:
                print(NOT_INSTALLED[name])
                del contenders[name]
        # Round robin (each repeat runs every contender once), so a burst of load from the
        # machine's other work falls on all of them alike rather than on one contender's turn.
        for _ in range(args.repeats):
            for name, fn in list(contenders.items()):
                seconds, final_loss = fn(X, y, args.epochs)
                r = results.setdefault(name, {"rounds": [], "final_loss": float(final_loss)})
                r["rounds"].append(seconds / args.epochs * 1e6)
    load_after = os.getloadavg()
    ours = np.array(results["course_utils.train"]["rounds"])
    for r in results.values():
        r["us_per_epoch_median"] = float(np.median(r["rounds"]))
        r["us_per_epoch_best"] = min(r["rounds"])
        # > 1: course_utils is that many times faster than this contender, in the same round
        per_round = np.array(r["rounds"]) / ours
        r["ratio_median"], r["ratio_min"], r["ratio_max"] = (float(np.median(per_round)),
                                                             float(per_round.min()), float(per_round.max()))

    print(f"\n2-{HIDDEN}-1 tanh, {N} circle points, full-batch SGD lr {LR}, {args.epochs} epochs, "
          f"{args.repeats} rounds, one thread each (Python {platform.python_version()}, NumPy {np.__version__}); "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print(f"{'implementation':28s} {'µs/epoch':>9s} {'(best)':>7s} {'course_utils is':>16s} {'(rounds)':>12s}"
          f" {'final loss':>11s}")
    for name, r in results.items():
        print(f"{name:28s} {r['us_per_epoch_median']:9.1f} {r['us_per_epoch_best']:7.1f} "
              f"{r['ratio_median']:14.2f}x  {r['ratio_min']:5.2f}-{r['ratio_max']:<5.2f} {r['final_loss']:11.4f}")
    print("\nmedian of the per-round ratios [lowest-highest round]:")
    # Each ratio is the contender's time over course_utils's: for the (faster) fused loop that is
    # the fraction of its speed course_utils reaches; for the others, how many times faster it is.
    for name, label, target in [
            ("hand-fused NumPy loop", "course_utils's speed relative to the hand-fused loop", 0.7),
            ("scikit-learn MLPClassifier", "course_utils faster than scikit-learn", None),
            ("PyTorch (1 thread)", "course_utils faster than PyTorch (1 thread)", 4.0)]:
        if name not in results:
            print(f"{label}: not measured ({NOT_INSTALLED[name]})")
            continue
        r = results[name]
        mid, lo, hi = r["ratio_median"], r["ratio_min"], r["ratio_max"]
        goal = f"  target >= {target:g}: {'met' if mid >= target else 'MISSED'}" if target else ""
        print(f"{label}: {mid:.3g}x [{lo:.3g}-{hi:.3g}]{goal}")  # 3 digits: 0.697 is not 0.7
    save_results("bench_train", {"load_before": load_before, "load_after": load_after,
                                 "repeats": args.repeats, "epochs": args.epochs, "contenders": results})
    return results


if __name__ == "__main__":
    main()
