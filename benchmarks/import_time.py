"""How long does a fresh kernel take to import the course? Every Voila visitor and every
learner's kernel pays it before the first picture.

Each statement runs in its own fresh ``python -c`` process, ``--repeats`` times (default 5),
round-robin so a burst of load on a shared machine hits every statement alike. A row's
figure is its median minus the median of ``import numpy`` alone: the cost beyond
interpreter start-up and NumPy's own import, which the course cannot change. Targets:
``course_utils`` (the maths) <= 50 ms and ``course_utils.widgets`` <= 400 ms. The
dashboard's own import (notebook 06) is shown without a target.

    .venv/bin/python benchmarks/import_time.py [--repeats 5]

Wall clock decides PASS/MISS; the "cpu" column (the child's user + system time, same
subtraction) is shown beside it because on a busy machine wall clock includes waiting for
a core. A benchmark, not a test: nothing fails on a slow figure. Results are also written
to benchmarks/results/import_time.json. ``python -X importtime -c "import course_utils.widgets"``
says where the time goes.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE = "import numpy"
# (label, statement, target in ms beyond the baseline or None)
ROWS = [
    ("course_utils", "import course_utils", 50.0),
    ("course_utils.widgets", "import course_utils, course_utils.widgets", 400.0),
    ("dashboard (notebook 06)", "from course_utils.widgets.playground import Playground, query_string", None),
]


def run_once(statement: str, env: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one fresh interpreter running ``statement``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], cwd=ROOT, env=env, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(repeats: int) -> dict:
    """Median wall and CPU seconds per statement (baseline first), ``repeats`` runs each."""
    # This checkout's course_utils first, whatever is installed in the environment.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    statements = [BASELINE] + [s for _, s, _ in ROWS]
    for s in statements:  # warm the file cache and the bytecode caches; not timed
        run_once(s, env)
    samples = {s: ([], []) for s in statements}
    for _ in range(repeats):
        for s in statements:
            wall, cpu = run_once(s, env)
            samples[s][0].append(wall)
            samples[s][1].append(cpu)
    return {s: (statistics.median(w), statistics.median(c)) for s, (w, c) in samples.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh processes per statement")
    args = ap.parse_args(argv)

    medians = measure(args.repeats)
    base_wall, base_cpu = medians[BASELINE]
    results = {"machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
               "repeats": args.repeats, "baseline": BASELINE,
               "baseline_ms": round(1e3 * base_wall, 1), "baseline_cpu_ms": round(1e3 * base_cpu, 1), "rows": []}
    print(f"fresh processes, median of {args.repeats}; '{BASELINE}' alone takes {1e3 * base_wall:.0f} ms "
          f"(cpu {1e3 * base_cpu:.0f} ms) and is subtracted from every row")
    print(f"{'import':25s} {'ms':>6s} {'cpu ms':>7s}  target")
    for label, statement, target in ROWS:
        wall, cpu = medians[statement]
        ms, cpu_ms = 1e3 * (wall - base_wall), 1e3 * (cpu - base_cpu)
        verdict = "" if target is None else f"<= {target:.0f} ms  {'PASS' if ms <= target else 'MISS'}"
        print(f"{label:25s} {ms:6.0f} {cpu_ms:7.0f}  {verdict}", flush=True)
        results["rows"].append({"label": label, "statement": statement, "ms": round(ms, 1),
                                "cpu_ms": round(cpu_ms, 1), "target_ms": target,
                                "pass": None if target is None else ms <= target})
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "import_time.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
