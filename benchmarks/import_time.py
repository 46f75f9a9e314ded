"""How long does a fresh kernel take to import the course? Every Voila visitor and every
learner's kernel pays it before the first picture.

Each statement runs in its own fresh ``python -c`` process, ``--repeats`` times (default 5),
round-robin so a burst of load on a shared machine hits every statement alike. The process
imports NumPy first and times it, then times the statement: a row's figure is the median of
the statement's time, i.e. the cost beyond interpreter start-up and NumPy's own import (which
the course cannot change; its median is printed too). Subtracting within one process rather
than between two keeps the figure from going negative when the machine is busy. Targets:
``course_utils`` (the maths) <= 50 ms and ``course_utils.widgets`` <= 400 ms. The
dashboard's own import (notebook 06) is shown without a target.

Three rows say what the widgets' figure is made of. matplotlib's ``Figure`` + Agg (every
picture is drawn with them) timed alone is the floor no course code can lower; so is what
a kernel imports before it runs a cell (IPython, ipykernel), timed alone too. The last row
starts from what a Jupyter or Voila kernel has imported before the learner's first cell
(IPython, ipykernel) plus that matplotlib floor, so it is the widgets' own cost: ipywidgets
and course_utils.

The two "kernel cell" rows measure where a learner pays the import: each starts a fresh
Jupyter kernel (ipykernel, through jupyter_client) and times the statement in a cell after
``import numpy``, as the first cell of a lesson does. The kernel's own threads (heartbeat,
output) run meanwhile, so its CPU figure counts them too.

    .venv/bin/python benchmarks/import_time.py [--repeats 5]

CPU time decides PASS/MISS (the process's CPU time for the import); wall clock is shown beside
it, but on a busy machine wall clock also counts waiting for a core. A
benchmark, not a test: nothing fails on a slow figure. Results are also written to
benchmarks/results/import_time.json. ``python -X importtime -c "import course_utils.widgets"``
says where the time goes.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from results_file import save_results

ROOT = Path(__file__).resolve().parents[1]

BASELINE = "import numpy"
MATPLOTLIB = "import matplotlib.figure, matplotlib.backends.backend_agg"
KERNEL = "import numpy, IPython, ipykernel.ipkernel"  # loaded before a kernel runs any cell
IN_KERNEL = "a fresh kernel: import numpy"  # a row measured in a cell of a freshly started Jupyter kernel
# (label, statement, target in ms beyond the baseline or None, baseline)
ROWS = [
    ("course_utils", "import course_utils", 50.0, BASELINE),
    ("course_utils.widgets", "import course_utils, course_utils.widgets", 400.0, BASELINE),
    ("dashboard (notebook 06)", "from course_utils.widgets.playground import Playground, query_string", None,
     BASELINE),
    ("matplotlib Figure + Agg", MATPLOTLIB, None, BASELINE),
    ("kernel (IPython, ipykernel)", "import IPython, ipykernel.ipkernel", None, BASELINE),
    ("widgets beyond kernel+mpl", "import course_utils, course_utils.widgets", None, f"{KERNEL}; {MATPLOTLIB}"),
    # Where learners pay it: a cell run in a freshly started kernel (NumPy imported in the cell before).
    ("kernel cell: matplotlib", MATPLOTLIB, None, IN_KERNEL),
    ("kernel cell: widgets", "import course_utils, course_utils.widgets", 400.0, IN_KERNEL),
]

# Times the baseline, then the statement, in one fresh interpreter; prints four numbers.
PROBE = """import time
c0, t0 = time.process_time(), time.perf_counter()
{baseline}
c1, t1 = time.process_time(), time.perf_counter()
{statement}
c2, t2 = time.process_time(), time.perf_counter()
print(t1 - t0, t2 - t1, c1 - c0, c2 - c1)
"""


def run_once(statement: str, env: dict, baseline: str = BASELINE) -> tuple[float, float, float, float]:
    """Seconds in one fresh interpreter: baseline wall, statement wall, baseline CPU, statement CPU."""
    code = PROBE.format(baseline=baseline, statement=statement)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return tuple(float(v) for v in out.stdout.split())


def run_in_kernel(statement: str, env: dict) -> tuple[float, float, float, float]:
    """The same four numbers as :func:`run_once`, measured inside a freshly started Jupyter kernel."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT), stderr=subprocess.DEVNULL)
    try:
        out = []
        reply = kc.execute_interactive(PROBE.format(baseline=BASELINE, statement=statement), timeout=120,
                                       output_hook=lambda m: out.append(m["content"].get("text", "")))
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not run {statement!r}: {reply['content'].get('evalue')}")
        return tuple(float(v) for v in "".join(out).split())
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def measure(repeats: int) -> dict:
    """Median seconds per row label, and for the baseline: {"wall": ..., "cpu": ...}."""
    # This checkout's course_utils first, whatever is installed in the environment.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    # A learner's kernel reads course_utils from the bytecode cache its first import wrote (pip
    # compiles the installed libraries at install time). With PYTHONDONTWRITEBYTECODE set, as
    # on some shared machines, every fresh process would compile the course's ~25 modules again
    # (~0.2 s of CPU, measured) and the figures would time the compiler, not the import.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _, statement, _, baseline in ROWS:  # warm the file cache and the bytecode caches; not timed
        if baseline != IN_KERNEL:
            run_once(statement, env, baseline)
    samples = {key: {"wall": [], "cpu": []} for key in [BASELINE] + [label for label, *_ in ROWS]}
    for _ in range(repeats):
        for label, statement, _, baseline in ROWS:
            if baseline == IN_KERNEL:
                base_wall, wall, base_cpu, cpu = run_in_kernel(statement, env)
            else:
                base_wall, wall, base_cpu, cpu = run_once(statement, env, baseline)
            if baseline == BASELINE:
                samples[BASELINE]["wall"].append(base_wall)
                samples[BASELINE]["cpu"].append(base_cpu)
            samples[label]["wall"].append(wall)
            samples[label]["cpu"].append(cpu)
    return {key: {kind: statistics.median(v) for kind, v in d.items()} for key, d in samples.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh processes per statement")
    args = ap.parse_args(argv)

    medians = measure(args.repeats)
    base = medians[BASELINE]
    results = {"machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
               "repeats": args.repeats, "baseline": BASELINE,
               "baseline_ms": round(1e3 * base["wall"], 1), "baseline_cpu_ms": round(1e3 * base["cpu"], 1), "rows": []}
    print(f"fresh processes, median of {args.repeats}; each imports NumPy first ({1e3 * base['wall']:.0f} ms, "
          f"cpu {1e3 * base['cpu']:.0f} ms), not counted below; "
          f"'beyond kernel+mpl' starts from a kernel's modules and matplotlib; 'kernel cell' rows run in a fresh kernel")
    print(f"{'import':25s} {'wall ms':>7s} {'cpu ms':>7s}  target (cpu)")
    for label, statement, target, baseline in ROWS:
        ms, cpu_ms = 1e3 * medians[label]["wall"], 1e3 * medians[label]["cpu"]
        verdict = "" if target is None else f"<= {target:.0f} ms  {'PASS' if cpu_ms <= target else 'MISS'}"
        print(f"{label:25s} {ms:7.0f} {cpu_ms:7.0f}  {verdict}", flush=True)
        results["rows"].append({"label": label, "statement": statement, "baseline": baseline,
                                "ms": round(ms, 1), "cpu_ms": round(cpu_ms, 1), "target_ms": target,
                                "pass": None if target is None else cpu_ms <= target})
    save_results("import_time", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
