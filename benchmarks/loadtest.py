"""Classroom load test: a class opens the Playground at once on one local Voila.

    .venv/bin/python benchmarks/loadtest.py                      # 20 visitors, warm pool then cold
    .venv/bin/python benchmarks/loadtest.py --sessions 5 --warm  # a quick look
    make loadtest ARGS="--sessions 30 --cold"

For each start (``--warm``: a pool of ``--pool`` kernels, default one per visitor, filled
before anyone comes, as ``POOL=20 make dashboard`` does; ``--cold``: no pool), all on 127.0.0.1:

1. **The class arrives** - ``--sessions`` visitors within ``--spread`` seconds (evenly spaced).
   Each loads the page, opens the kernel channel, reads the widgets (the first picture), then
   moves a slider ``--changes`` times and waits for each new picture.
2. **Where the first picture goes** - per visitor, from the request to the picture:
   *kernel start* (process start to its first cell; a pooled kernel did this before the
   visitor came), *first code cell* (notebook 06's only one: the imports, building the
   Playground and applying the visitor's preset; a pooled kernel has done all but the preset
   before the visitor came), *notebook* (the other code cells, as far as they run after the
   request), *page* (the rest of the page request: waiting for the server, rendering the
   HTML, sending it), *websocket* (opening the kernel channel) and *first render* (the
   widgets' state, the picture among it, over that channel: one ``request_states`` message,
   as Voila's page asks, or one per widget with ``--ask-each-widget``). The kernel-side parts come from
   the kernel's own cell times (``--CourseVoila.timing_log``), overlapped with the visitor's
   wait: only the part the visitor waited through counts. p50 and p95 of each.
3. **Memory** - every kernel's memory while the class is connected; then the visitors leave
   without a goodbye (closed laptops) and the run waits for the idle culler (timeout shortened
   to ``--cull`` s, production: 300 s): every visitor's kernel must go, and its memory with it.

Visitors are simulated at the protocol level (``tests/voila_client.py``), not with 20
browsers, whose JavaScript would compete with the kernels for the same two cores. The load
average at each start is printed: on a shared machine the figures are only as good as it.
Exit status 1 if any visitor failed or a visitor's kernel outlived the culler.
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

from voila_client import DashboardSession, class_dashboard, dashboard_notebook, wait_until_warm  # noqa: E402

MiB = 1024 * 1024
PHASES = ("kernel start", "first code cell", "notebook", "page", "websocket", "first render")


def pct(values, q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; NaN for no values."""
    values = [v for v in values if v == v]
    if not values:
        return float("nan")
    v = sorted(values)
    k = (len(v) - 1) * q / 100.0
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def kernels(server_pid: int) -> dict[str, psutil.Process]:
    """The kernel processes Voila started, by kernel id (their connection file names it)."""
    try:
        children = psutil.Process(server_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return {}
    found = {}
    for p in children:
        with contextlib.suppress(psutil.Error):
            cmd = p.cmdline()
            if any("ipykernel_launcher" in c for c in cmd):
                conn = next((c for c in cmd if c.endswith(".json")), "")
                found[Path(conn).stem.removeprefix("kernel-")] = p
    return found


def memory(procs) -> tuple[list[float], list[float]]:
    """(RSS, USS) of each process in MiB; USS is what stopping it gives back."""
    rss, uss = [], []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            m = p.memory_full_info()
            rss.append(m.rss / MiB)
            uss.append(m.uss / MiB)
    return rss, uss


def cpu_seconds(proc: psutil.Process) -> float:
    """User + system CPU time of a process (children not included)."""
    t = proc.cpu_times()
    return t.user + t.system


async def one_visit(base: str, delay: float, changes: int, timeout: float, kernel_cpu, query: str = "",
                    ask_each: bool = False) -> dict:
    await asyncio.sleep(delay)
    t0 = time.time()
    s = DashboardSession(base, path="/" + (f"?{query}" if query else ""), timeout=timeout)
    await s.open()
    await s.load_widgets(ask_each=ask_each)
    if not s.pictures():
        raise RuntimeError("the page has no picture")
    picture = time.time()
    cpu = kernel_cpu(s.kernel_id)  # the kernel's CPU-seconds so far (a pooled one: since it was handed out)
    slider = s.slider()
    lo, hi = slider.state["min"], slider.state["max"]
    step = slider.state.get("step", 1) or 1
    round_trips = []
    for i in range(changes):
        value = hi - i * step if slider.state["value"] != hi - i * step else lo + i * step
        round_trips.append(await s.change(slider, value))
    return {"session": s, "t0": t0, "page": s.times["page"], "websocket": s.times["websocket"],
            "picture": picture, "first_picture_s": picture - t0, "round_trips_s": round_trips,
            "kernel_id": s.kernel_id, "kernel_session": s.kernel_session, "kernel_cpu_s": cpu}


async def class_arrives(base: str, n: int, spread: float, changes: int, timeout: float, while_connected, kernel_cpu,
                        query: str = "", ask_each: bool = False):
    """``n`` visitors evenly over ``spread`` s; ``while_connected()`` runs before they leave (no goodbye)."""
    delays = [spread * i / max(n - 1, 1) for i in range(n)]
    results = await asyncio.gather(*(one_visit(base, d, changes, timeout, kernel_cpu, query, ask_each)
                                     for d in delays),
                                   return_exceptions=True)
    ok = [r for r in results if isinstance(r, dict)]
    failed = [f"{type(r).__name__}: {r}" for r in results if not isinstance(r, dict)]
    measured = while_connected()
    for r in ok:
        r.pop("session").close()  # a closed laptop: only the culler can free the kernel
    await asyncio.sleep(0.5)
    return ok, failed, measured


def overlap(a: float, b: float, lo: float, hi: float) -> float:
    return max(0.0, min(b, hi) - max(a, lo))


def breakdown(visit: dict, cells: list[dict], kernel_created: float | None) -> dict:
    """Seconds of the visitor's wait spent in each phase (they add up to the first picture)."""
    t0, page = visit["t0"], visit["page"]
    cells = sorted((c for c in cells if c["started"] and c["finished"]), key=lambda c: c["cell_index"])
    out = dict.fromkeys(PHASES, float("nan"))
    if cells and kernel_created:
        out["kernel start"] = overlap(kernel_created, cells[0]["started"], t0, page)
        out["first code cell"] = overlap(cells[0]["started"], cells[0]["finished"], t0, page)
        out["notebook"] = sum(overlap(c["started"], c["finished"], t0, page) for c in cells[1:])
        out["page"] = (page - t0) - out["kernel start"] - out["first code cell"] - out["notebook"]
    out["websocket"] = visit["websocket"] - page
    out["first render"] = visit["picture"] - visit["websocket"]
    return out


def run(notebook: Path, start: str, args) -> dict:
    """One class arriving at one server (``start``: "warm" or "cold"); prints and returns the figures."""
    pool = (args.pool if args.pool is not None else args.sessions) if start == "warm" else 0
    workdir = Path(tempfile.mkdtemp(prefix=f"loadtest-{start}-"))
    timing = workdir / "cells.jsonl"
    report: dict = {"start": start, "pool": pool, "sessions": args.sessions, "spread_s": args.spread,
                    "query": args.query, "ask_each_widget": args.ask_each_widget}
    with class_dashboard(notebook, pool=pool, max_kernels=args.max_kernels, cull=args.cull, cull_interval=5,
                         timing_log=timing, log=workdir / "voila.log", timeout=180,
                         extra_args=args.voila_arg) as (base, proc, log):
        server = psutil.Process(proc.pid)
        if pool:
            report["pool_fill_s"] = wait_until_warm(base, pool, timeout=60 + 20 * pool)
            time.sleep(2.0)  # the last kernel's imports settle
        else:
            time.sleep(3.0)
        report["load_average"] = os.getloadavg()
        cpu_before = {k: cpu_seconds(p) for k, p in kernels(proc.pid).items()}  # the pool's own start-up
        server_cpu_before = cpu_seconds(server)

        def kernel_cpu(kernel_id):
            server_cpu[0] = cpu_seconds(server)
            p = kernels(proc.pid).get(kernel_id)
            return cpu_seconds(p) - cpu_before.get(kernel_id, 0.0) if p else float("nan")

        server_cpu = [server_cpu_before]
        t0 = time.perf_counter()

        def while_connected():
            live = kernels(proc.pid)
            created = {k: p.create_time() for k, p in live.items() if p.is_running()}
            return live, created, *memory(live.values()), server.memory_info().rss / MiB

        ok, failed, (live, created, rss, uss, server_rss) = asyncio.run(
            class_arrives(base, args.sessions, args.spread, args.changes, args.timeout, while_connected, kernel_cpu,
                          args.query, args.ask_each_widget))
        wall = time.perf_counter() - t0

        cells: dict[str, list] = {}
        for line in timing.read_text().splitlines() if timing.exists() else []:
            c = json.loads(line)
            cells.setdefault(c["session"], []).append(c)
        parts = [breakdown(r, cells.get(r["kernel_session"], []), created.get(r["kernel_id"])) for r in ok]
        firsts = [r["first_picture_s"] for r in ok]
        trips = [t for r in ok for t in r["round_trips_s"]]

        la = report["load_average"]
        title = (f"warm pool of {pool}" if pool else "cold (no pool)") + (f", page ?{args.query}" if args.query else "") \
            + (", each widget asked for" if args.ask_each_widget else "")
        print(f"\n{args.sessions} visitors within {args.spread:g} s, {title}: {len(ok)} ok, {len(failed)} failed, "
              f"{wall:.1f} s; load average {la[0]:.1f} / {la[1]:.1f} / {la[2]:.1f} (1/5/15 min) at the start"
              + (f"; pool warm {report['pool_fill_s']:.0f} s after start-up" if pool else ""))
        print(f"  {'where the first picture goes (s)':<36}{'p50':>7}{'p95':>7}")
        for phase in PHASES:
            values = [p[phase] for p in parts]
            print(f"  {phase:<36}{pct(values, 50):7.2f}{pct(values, 95):7.2f}")
        print(f"  {'time to first picture':<36}{pct(firsts, 50):7.2f}{pct(firsts, 95):7.2f}"
              f"   (max {max(firsts, default=float('nan')):.2f}; the parts' p95s need not add up)")
        kcpu = [r["kernel_cpu_s"] for r in ok]
        scpu = (server_cpu[0] - server_cpu_before) / max(len(ok), 1)
        print(f"  CPU per visitor to the first picture: kernel p50 {pct(kcpu, 50):.2f} s, p95 {pct(kcpu, 95):.2f} s; "
              f"Voila server {scpu:.2f} s (mean); {len(ok)} x ({pct(kcpu, 50):.2f} + {scpu:.2f}) / "
              f"{os.cpu_count()} cores = {len(ok) * (pct(kcpu, 50) + scpu) / os.cpu_count():.1f} s of a whole idle machine")
        print(f"  slider round-trip under load ({len(trips)} moves): p50 {pct(trips, 50):.3f} s, "
              f"p95 {pct(trips, 95):.3f} s")
        print(f"  kernels: {len(live)} ({len(set(live) - {r['kernel_id'] for r in ok})} in the pool or "
              f"refilling it); per kernel RSS {statistics.mean(rss or [0]):.0f} MiB, USS "
              f"{statistics.mean(uss or [0]):.0f} MiB; all {sum(rss):.0f} MiB; Voila server {server_rss:.0f} MiB")
        for f in failed:
            print("  FAILED:", f)

        # The visitors are gone; wait for the culler to shut their kernels down.
        visitors = {r["kernel_id"] for r in ok}
        rss_of = {k: memory([p])[0] for k, p in live.items() if k in visitors}
        t_left = time.monotonic()
        deadline = t_left + args.cull + 120
        while time.monotonic() < deadline and visitors & set(kernels(proc.pid)):
            time.sleep(1.0)
        waited = time.monotonic() - t_left
        left = kernels(proc.pid)
        outlived = visitors & set(left)
        visitor_rss = sum(sum(rss_of.get(k, [])) for k in visitors - outlived)
        print(f"  after the class left: {len(visitors) - len(outlived)} of {len(visitors)} visitors' kernels culled "
              f"within {waited:.0f} s (timeout {args.cull} s), {visitor_rss:.0f} MiB returned; "
              f"{len(left)} kernel(s) left ({sum(memory(left.values())[0]):.0f} MiB: the pool refilling)")
        report.update(
            ok=len(ok), failed=failed, wall_s=wall, first_picture_s=firsts, round_trip_s=trips,
            first_picture_p50=pct(firsts, 50), first_picture_p95=pct(firsts, 95),
            breakdown={ph: {"p50": pct([p[ph] for p in parts], 50), "p95": pct([p[ph] for p in parts], 95)}
                       for ph in PHASES},
            per_visitor=parts, kernel_cpu_to_first_picture_s=kcpu, server_cpu_per_visitor_s=scpu,
            round_trip_p50=pct(trips, 50), round_trip_p95=pct(trips, 95),
            kernel_rss_mib=rss, kernel_uss_mib=uss, server_rss_mib=server_rss,
            visitors_kernels_outlived_cull=len(outlived), visitor_rss_returned_mib=visitor_rss,
            cull_timeout_s=args.cull, cull_waited_s=waited, log=str(log))
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20, help="visitors (default 20)")
    ap.add_argument("--spread", type=float, default=2.0, help="they all arrive within this many seconds")
    ap.add_argument("--warm", action="store_true", help="only the warm-pool run")
    ap.add_argument("--cold", action="store_true", help="only the cold run (no pool)")
    ap.add_argument("--pool", type=int, default=None, help="warm pool size (default: one per visitor)")
    ap.add_argument("--max-kernels", type=int, default=0, help="the cap (MAX_KERNELS); 0: none")
    ap.add_argument("--changes", type=int, default=3, help="slider moves per visitor")
    ap.add_argument("--cull", type=int, default=30, help="idle-kernel culling timeout for the run (s)")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-step timeout (s)")
    ap.add_argument("--query", default="", metavar="dataset=xor&...",
                    help="open the page with this URL preset (default: none, the Playground's defaults)")
    ap.add_argument("--ask-each-widget", action="store_true",
                    help="read the widgets one request each (the page before ipywidgets 8), not in one message")
    ap.add_argument("--voila-arg", action="append", default=[], metavar="--Class.trait=value",
                    help="one more Voila option, e.g. --voila-arg=--VoilaKernelManager.fill_delay=1 (repeatable)")
    ap.add_argument("--notebook", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    starts = [s for s, on in (("warm", args.warm), ("cold", args.cold)) if on] or ["warm", "cold"]
    notebook = (args.notebook or dashboard_notebook()).resolve()
    print(f"notebook: {notebook.relative_to(ROOT) if notebook.is_relative_to(ROOT) else notebook}")
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB")
    reports = [run(notebook, start, args) for start in starts]
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2, default=str))
    problems = [f"{r['start']}: {len(r['failed'])} visitor(s) failed" for r in reports if r["failed"]]
    problems += [f"{r['start']}: {r['visitors_kernels_outlived_cull']} visitor kernel(s) outlived the culler"
                 for r in reports if r["visitors_kernels_outlived_cull"]]
    if problems:
        print("LOAD TEST FAILED: " + "; ".join(problems))
        return 1
    print("load test passed: every visitor got their pictures, and the culler returned their kernels' memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
