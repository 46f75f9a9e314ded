"""Voila time to first rendered widget for notebook 05, measured in a real Chromium.

For each of ``--repeat`` page loads (each starts its own kernel) we time, from
``page.goto``:

- first widget: the compare panel's <img> has a picture (the notebook's only widget,
  in its last cell, so this is "whole notebook executed and rendered");
- then one redraw: change activation A, wait for the new picture.

As a reference measured in the same run, the same notebook is executed headless with
nbclient (kernel start + every cell, no browser): the difference is what Voila and the
browser add. Timings on a shared machine are noisy; nothing here fails on a slow figure.
Without Chromium the benchmark says so and exits 0.

    .venv/bin/python benchmarks/bench_browser.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import VOILA_TEST_ARGS, launch_chromium, new_page, wait_for_new_src, why_no_browser  # noqa: E402
from servers import voila_server  # noqa: E402

from results_file import save_results  # noqa: E402

NOTEBOOK = "notebooks/05_activation_flavours.ipynb"
PANEL_IMG = ".compare-panel img"


def headless_execution_seconds() -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / NOTEBOOK, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    return time.perf_counter() - start


def voila_timings(repeat: int) -> list[dict]:
    rows = []
    with voila_server(NOTEBOOK, VOILA_TEST_ARGS) as url, launch_chromium() as browser:
        for _ in range(repeat):
            page = new_page(browser, timeout_ms=300_000)
            try:
                start = time.perf_counter()
                page.goto(url, wait_until="domcontentloaded")
                src = wait_for_new_src(page, PANEL_IMG, None, 300_000)
                first = time.perf_counter() - start
                start = time.perf_counter()
                page.locator(".compare-panel select").first.select_option("tanh")
                wait_for_new_src(page, PANEL_IMG, src, 120_000)
                redraw = time.perf_counter() - start
                rows.append({"first_widget_s": first, "redraw_s": redraw,
                             "console_errors": len(page.console.errors)})
            finally:
                page.context.close()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reason = why_no_browser()
    if reason:
        print(f"bench_browser skipped: {reason}.")
        return 0
    reference = headless_execution_seconds()
    rows = voila_timings(args.repeat)
    first = [r["first_widget_s"] for r in rows]
    redraw = [r["redraw_s"] for r in rows]
    result = {
        "notebook": NOTEBOOK,
        "headless_execution_s": round(reference, 2),
        "voila_first_widget_s": [round(t, 2) for t in first],
        "voila_first_widget_median_s": round(statistics.median(first), 2),
        "voila_over_headless": round(statistics.median(first) / reference, 2),
        "redraw_after_one_change_s": [round(t, 2) for t in redraw],
        "console_errors": [r["console_errors"] for r in rows],
    }
    print(f"{'measure':<42} {'seconds':>8}")
    print(f"{'headless execution (nbclient, reference)':<42} {reference:8.2f}")
    print(f"{'Voila: first rendered widget (median)':<42} {statistics.median(first):8.2f}"
          f"   runs: {', '.join(f'{t:.2f}' for t in first)}")
    print(f"{'Voila / headless':<42} {result['voila_over_headless']:8.2f}x")
    print(f"{'redraw after changing activation A (median)':<42} {statistics.median(redraw):8.2f}")
    save_results("bench_browser", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
