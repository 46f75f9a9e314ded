"""Per-user sizing for JupyterHub: what one student's single-user server holds at its peak.

    .venv/bin/python benchmarks/hub_sizing.py            # writes deploy/jupyterhub/sizing.json

On JupyterHub every student gets a whole Jupyter server (JupyterLab, with Voila as a server
extension), not one kernel of a shared Voila. So this measures, on 127.0.0.1, one such server
started from the repository root the way the single-user image starts it:

1. **Server** - ``jupyter lab`` idle, then with the Playground open: resident memory (RSS).
2. **Playground** - ``/voila/render/notebooks/06_playground.ipynb`` opened by the protocol-level
   visitor of ``tests/voila_client.py`` (first picture, then three slider changes): the kernel's
   RSS / USS and its CPU seconds (user + system) for the first picture and for each change.
3. **Lessons** - each lesson notebook (00-05) run cell by cell in a fresh kernel
   (``jupyter_client``); the largest kernel's RSS.

A student's peak is the server with the Playground open, plus the Playground kernel, plus the
largest lesson kernel (a lesson and the Playground open side by side). RSS counts shared
libraries once per process, so the sum over-estimates a container's memory a little - the safe
side for a limit. The figures go to ``deploy/jupyterhub/sizing.json``, which
``deploy/jupyterhub/config.yaml``'s resources and ``tests/test_jupyterhub_config.py`` are checked
against.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers import BIN, free_port, run_server  # noqa: E402
from voila_client import DashboardSession, course_env  # noqa: E402

MiB = 1024 * 1024
OUT = ROOT / "deploy" / "jupyterhub" / "sizing.json"
PLAYGROUND_URL = "/voila/render/notebooks/06_playground.ipynb"
LESSONS = sorted((ROOT / "notebooks").glob("0[0-5]_*.ipynb"))


def rss_uss(proc: psutil.Process) -> tuple[float, float]:
    m = proc.memory_full_info()
    return m.rss / MiB, m.uss / MiB


def cpu_seconds(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def kernels(server: psutil.Process) -> list[psutil.Process]:
    found = []
    for p in server.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "ipykernel_launcher" in " ".join(p.cmdline()):
                found.append(p)
    return found


@contextlib.contextmanager
def single_user_server():
    """JupyterLab from the repository root, no token: what the hub's image runs for one student."""
    port = free_port()
    argv = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
            f"--ServerApp.root_dir={ROOT}", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    env = course_env({**os.environ, "JUPYTER_CONFIG_DIR": tempfile.mkdtemp()})
    with run_server(argv, "/api", port, 120, env=env, cwd=ROOT) as (base, proc, _log):
        yield base, psutil.Process(proc.pid)


async def playground_visit(base: str, server: psutil.Process) -> dict:
    s = DashboardSession(base, path=PLAYGROUND_URL, timeout=300)
    t0 = time.perf_counter()
    await s.open()
    await s.load_widgets()
    if not s.pictures():
        raise RuntimeError("the Playground rendered no picture")
    first = time.perf_counter() - t0
    (kernel,) = kernels(server)
    cpu_first = cpu_seconds(kernel)
    slider = s.slider()
    lo, hi = slider.state.get("min", 0), slider.state.get("max", 1)
    changes = []
    for k in range(3):
        before = cpu_seconds(kernel)
        await s.change(slider, int(lo + (hi - lo) * (k + 1) / 4))
        changes.append(cpu_seconds(kernel) - before)
    rss, uss = rss_uss(kernel)
    out = dict(first_picture_s=first, kernel_rss_mib=rss, kernel_uss_mib=uss,
               kernel_cpu_first_picture_s=cpu_first, kernel_cpu_per_change_s=max(changes),
               server_rss_mib=server.memory_info().rss / MiB)
    s.close()
    return out


def lesson_kernel(path: Path) -> dict:
    """Run a lesson cell by cell in a fresh kernel; its RSS / USS at the end."""
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(path.parent), env={**os.environ, "MPLBACKEND": "Agg"})
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                kc.execute_interactive(cell.source, timeout=600, output_hook=lambda msg: None)
        proc = psutil.Process(km.provisioner.process.pid)
        rss, uss = rss_uss(proc)
        return dict(notebook=path.name, kernel_rss_mib=rss, kernel_uss_mib=uss, cpu_s=cpu_seconds(proc))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main() -> None:
    with single_user_server() as (base, server):
        time.sleep(3)
        idle = server.memory_info().rss / MiB
        print(f"single-user server idle: {idle:.0f} MiB")
        play = asyncio.run(playground_visit(base, server))
        print("playground:", json.dumps(play))
    lessons = [lesson_kernel(p) for p in LESSONS]
    for row in lessons:
        print(f"lesson {row['notebook']}: {row['kernel_rss_mib']:.0f} MiB RSS")
    biggest = max(lessons, key=lambda r: r["kernel_rss_mib"])
    peak = play["server_rss_mib"] + play["kernel_rss_mib"] + biggest["kernel_rss_mib"]
    report = dict(
        measured_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
                f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        method="benchmarks/hub_sizing.py: jupyter lab from the repo root; Playground opened via "
               "/voila/render by the protocol-level visitor (first picture + 3 slider changes); "
               "each lesson run cell by cell in a fresh jupyter_client kernel; psutil RSS/USS and CPU times",
        server_idle_rss_mib=round(idle, 1),
        server_with_playground_rss_mib=round(play["server_rss_mib"], 1),
        playground_kernel_rss_mib=round(play["kernel_rss_mib"], 1),
        playground_kernel_uss_mib=round(play["kernel_uss_mib"], 1),
        playground_first_picture_s=round(play["first_picture_s"], 2),
        playground_cpu_first_picture_s=round(play["kernel_cpu_first_picture_s"], 2),
        playground_cpu_per_change_s=round(play["kernel_cpu_per_change_s"], 2),
        lesson_kernels=[{k: (round(v, 1) if isinstance(v, float) else v) for k, v in r.items()} for r in lessons],
        largest_lesson_kernel_rss_mib=round(biggest["kernel_rss_mib"], 1),
        per_user_peak_mib=round(peak, 1),
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(f"per-user peak {peak:.0f} MiB -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
