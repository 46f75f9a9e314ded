"""Classroom load test: many students open the Playground at once on one local Voila.

    .venv/bin/python benchmarks/loadtest.py                # 20 sessions, the figures for the README
    .venv/bin/python benchmarks/loadtest.py --sessions 5   # a quick look

What it does, all on 127.0.0.1:

1. **Preheat gain** - one visitor at a time (the server otherwise idle), time to first
   picture with Voila's kernel pool on and off.
2. **A class arriving** - ``--sessions`` visitors at once. Each loads the page (Voila runs
   the notebook in a fresh kernel), opens the kernel channel, reads the widgets, then moves
   a slider ``--changes`` times and waits for each new picture. Reports time-to-first-picture
   and slider round-trip p50 / p95, and fails if any session fails.
3. **Memory** - resident memory of every kernel while the class is connected, then the
   visitors leave without saying goodbye (a closed laptop) and the test waits for the idle
   culler: the kernels must go and their memory come back.

The server uses the repository's ``voila.json`` with two changes for the run: the culling
timeout is shortened (``--cull``, production: 300 s) so the test ends in minutes, and the
kernel pool is keyed to the notebook under test. Visitors are simulated at the protocol
level (``tests/voila_client.py``), not with 20 browsers: the page's JavaScript would
compete with the kernels for the same two cores.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers import free_port, run_server  # noqa: E402
from voila_client import COURSE_ARGS, COURSE_VOILA, DashboardSession, course_env, dashboard_notebook  # noqa: E402

MiB = 1024 * 1024


def pct(values, q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    v = sorted(values)
    k = (len(v) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


@contextlib.contextmanager
def voila(notebook: Path, *, pool: int, cull: int, cull_interval: int):
    """Voila on a free loopback port, with the repo's voila.json adjusted for the run."""
    config = json.loads((ROOT / "voila.json").read_text())
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    key = notebook.name  # pools are keyed relative to Voila's root_dir: the notebook's folder
    config.setdefault("VoilaConfiguration", {})["preheat_kernel"] = pool > 0
    config.setdefault("VoilaKernelManager", {})["kernel_pools_config"] = {
        "default": {"pool_size": 0}, key: {"pool_size": pool}}
    config.setdefault("MappingKernelManager", {}).update(cull_idle_timeout=cull, cull_interval=cull_interval)
    (workdir / "voila.json").write_text(json.dumps(config, indent=2))
    port = free_port()
    argv = [*COURSE_VOILA, str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            *COURSE_ARGS]  # as `make dashboard`
    with run_server(argv, "/api", port, 120, env=course_env(), cwd=workdir,
                    log=workdir / "voila.log") as (base, proc, log):
        yield base, proc, log


def kernels(server_pid: int) -> list[psutil.Process]:
    """The kernel processes Voila started (children running ipykernel)."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for p in children:
        with contextlib.suppress(psutil.Error):
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                found.append(p)
    return found


def memory(procs) -> tuple[list[float], list[float]]:
    """(RSS, USS) of each process in MiB; USS is what killing it would give back."""
    rss, uss = [], []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            m = p.memory_full_info()
            rss.append(m.rss / MiB)
            uss.append(m.uss / MiB)
    return rss, uss


async def one_visit(base: str, changes: int, timeout: float) -> dict:
    t0 = time.perf_counter()
    s = DashboardSession(base, timeout=timeout)
    await s.open()
    page = time.perf_counter() - t0
    await s.load_widgets()
    if not s.pictures():
        raise RuntimeError("the page has no picture")
    first = time.perf_counter() - t0
    slider = s.slider()
    lo, hi = slider.state["min"], slider.state["max"]
    step = slider.state.get("step", 1) or 1
    round_trips = []
    for i in range(changes):
        value = hi - i * step if slider.state["value"] != hi - i * step else lo + i * step
        round_trips.append(await s.change(slider, value))
    return {"session": s, "page_s": page, "first_picture_s": first, "round_trips_s": round_trips,
            "status": s.status_text()}


async def class_arrives(base: str, n: int, changes: int, timeout: float, while_connected):
    """All visitors at once; ``while_connected()`` runs before they leave (without a goodbye)."""
    results = await asyncio.gather(*(one_visit(base, changes, timeout) for _ in range(n)),
                                   return_exceptions=True)
    ok = [r for r in results if isinstance(r, dict)]
    failed = [f"{type(r).__name__}: {r}" for r in results if not isinstance(r, dict)]
    measured = while_connected()
    for r in ok:
        r.pop("session").close()  # a closed laptop: only the culler can free the kernel
    await asyncio.sleep(0.5)
    return ok, failed, measured


def preheat_gain(notebook: Path, visits: int, timeout: float) -> dict:
    """Time to first picture for lone visitors, kernel pool on vs off."""
    out = {}
    for pool in (0, 1):
        with voila(notebook, pool=pool, cull=300, cull_interval=60) as (base, proc, _):
            times = []
            for _ in range(visits):
                if pool:  # let the pool refill (start a kernel and run the notebook) first
                    deadline = time.monotonic() + 60
                    time.sleep(2.0)
                    while time.monotonic() < deadline and len(kernels(proc.pid)) < 1 + len(times):
                        time.sleep(0.5)
                    time.sleep(4.0)
                else:
                    time.sleep(1.0)
                r = asyncio.run(_single(base, timeout))
                times.append(r)
            out["pool" if pool else "no_pool"] = times
    return out


async def _single(base, timeout):
    r = await one_visit(base, 0, timeout)
    r.pop("session").close()
    await asyncio.sleep(0.2)
    return r["first_picture_s"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--changes", type=int, default=3, help="slider moves per session")
    ap.add_argument("--cull", type=int, default=30, help="idle-kernel culling timeout for the run (s)")
    ap.add_argument("--preheat-visits", type=int, default=3, help="lone visits per pool setting (0: skip)")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-step timeout (s)")
    ap.add_argument("--pool", type=int, default=None,
                    help="kernel pool for the class run (default: voila.json's pool for the Playground)")
    ap.add_argument("--notebook", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    notebook = (args.notebook or dashboard_notebook()).resolve()
    print(f"notebook: {notebook.relative_to(ROOT) if notebook.is_relative_to(ROOT) else notebook}")
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB")
    report: dict = {"notebook": str(notebook), "sessions": args.sessions, "changes": args.changes}

    if args.preheat_visits:
        gain = preheat_gain(notebook, args.preheat_visits, args.timeout)
        report["preheat"] = gain
        a, b = statistics.median(gain["no_pool"]), statistics.median(gain["pool"])
        print(f"\nlone visitor, time to first picture (median of {args.preheat_visits}): "
              f"no pool {a:.2f} s, preheated pool {b:.2f} s  (gain {a - b:.2f} s)")

    pool = json.loads((ROOT / "voila.json").read_text()).get("VoilaKernelManager", {}) \
        .get("kernel_pools_config", {}).get("06_playground.ipynb", {}).get("pool_size", 0)
    if args.pool is not None:
        pool = args.pool
    report["pool"] = pool
    with voila(notebook, pool=pool, cull=args.cull, cull_interval=5) as (base, proc, log):
        server = psutil.Process(proc.pid)
        deadline = time.monotonic() + 30 + 15 * pool  # let the pool fill before the class arrives
        while time.monotonic() < deadline and len(kernels(proc.pid)) < pool:
            time.sleep(1.0)
        time.sleep(3.0 + 2.0 * pool)
        idle_kernels = kernels(proc.pid)
        baseline_rss = memory(idle_kernels)[0]
        t0 = time.perf_counter()

        def while_connected():
            live = kernels(proc.pid)
            return live, *memory(live), server.memory_info().rss / MiB

        ok, failed, (live, rss, uss, server_rss) = asyncio.run(
            class_arrives(base, args.sessions, args.changes, args.timeout, while_connected))
        wall = time.perf_counter() - t0
        firsts = [r["first_picture_s"] for r in ok]
        trips = [t for r in ok for t in r["round_trips_s"]]
        diverged = [r["status"] for r in ok if "diverged" in r["status"] or "wrong" in r["status"]]
        total_before = sum(rss)
        print(f"\n{args.sessions} sessions at once, kernel pool {pool} ({len(ok)} ok, {len(failed)} failed) in {wall:.1f} s")
        print(f"  time to first picture: p50 {pct(firsts, 50):.2f} s, p95 {pct(firsts, 95):.2f} s, "
              f"max {max(firsts, default=float('nan')):.2f} s")
        print(f"  slider round-trip under load ({len(trips)} moves): p50 {pct(trips, 50):.3f} s, "
              f"p95 {pct(trips, 95):.3f} s")
        print(f"  kernels: {len(live)}; per kernel RSS {statistics.mean(rss):.0f} MiB, "
              f"USS {statistics.mean(uss):.0f} MiB; all kernels {total_before:.0f} MiB; "
              f"Voila server {server_rss:.0f} MiB")
        for f in failed:
            print("  FAILED:", f)

        deadline = time.monotonic() + args.cull + 60
        while time.monotonic() < deadline and len(kernels(proc.pid)) > len(idle_kernels):
            time.sleep(2.0)
        left = kernels(proc.pid)
        after = sum(memory(left)[0])
        waited = args.cull + 60 - (deadline - time.monotonic())
        print(f"  after the class left: {len(left)} kernel(s), {after:.0f} MiB "
              f"(returned {total_before - after:.0f} MiB) {waited:.0f} s after the last goodbye; "
              f"culling timeout {args.cull} s")
        report.update(
            ok=len(ok), failed=failed, wall_s=wall, first_picture_s=firsts, round_trip_s=trips,
            first_picture_p50=pct(firsts, 50), first_picture_p95=pct(firsts, 95),
            round_trip_p50=pct(trips, 50), round_trip_p95=pct(trips, 95),
            kernel_rss_mib=rss, kernel_uss_mib=uss, server_rss_mib=server_rss,
            idle_kernels_before=len(idle_kernels), idle_kernel_rss_mib=baseline_rss,
            kernels_after_cull=len(left), rss_after_cull_mib=after, cull_timeout_s=args.cull,
            unexpected_status=diverged)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    problems = []
    if failed:
        problems.append(f"{len(failed)} session(s) failed")
    if report["kernels_after_cull"] > report["idle_kernels_before"]:
        problems.append("culling did not remove the abandoned kernels")
    if problems:
        print("LOAD TEST FAILED: " + "; ".join(problems))
        return 1
    print("load test passed: every session got its pictures, and culling returned the memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
