"""A class at once (docs/deploy.md, *A class at once*): ``POOL=… make dashboard`` fills a kernel
pool and says when it is warm, a pooled kernel still applies the visitor's URL preset,
``MAX_KERNELS=…`` turns the visitor past the cap away with a "room is full" page (503), and the
idle culler gives a left visitor's kernel back.

Behaviour only: how fast is ``make loadtest``'s business (benchmarks/loadtest.py).
Every server runs on 127.0.0.1, a free port, in its own process group, always stopped.
"""
from __future__ import annotations

import asyncio
import json
import re
import subprocess
import time
import urllib.error
import urllib.request

import psutil
import pytest

from voila_client import PLAYGROUND, STANDIN, DashboardSession, class_dashboard, pool_status, wait_until_warm
from servers import ROOT

pytestmark = pytest.mark.slow


def _dropdown_label(session: DashboardSession, description: str) -> str | None:
    for w in session.find("DropdownModel", description=description):
        return w.state["_options_labels"][w.state["index"]]
    return None


def _visit(base: str, path: str = "/", then=None):
    """A visitor: the page, its kernel channel and the widgets; ``then(session)`` runs while
    connected; then it leaves without a goodbye (a closed laptop). Returns the session."""
    async def go():
        s = DashboardSession(base, path=path, timeout=240)
        await s.open()
        await s.load_widgets()
        if then is not None:
            then(s)
        s.close()
        await asyncio.sleep(0.2)  # let the close frame go out
        return s
    return asyncio.run(go())


def _kernel_alive(kernel_id: str) -> bool:
    for p in psutil.process_iter(["cmdline"]):
        if kernel_id in " ".join(p.info["cmdline"] or []):
            return True
    return False


def test_make_dashboard_passes_pool_cap_and_cull():
    out = subprocess.run(["make", "-n", "dashboard", "POOL=3", "MAX_KERNELS=5", "CULL=120"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "--CourseVoila.pool=3" in out and "--CourseVoila.max_kernels=5" in out
    assert "--MappingKernelManager.cull_idle_timeout=120" in out
    plain = subprocess.run(["make", "-n", "dashboard"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "CourseVoila.pool" not in plain and "max_kernels" not in plain  # voila.json decides


def test_one_preheated_kernel_is_replaced_at_once():
    """voila.json's single preheated Playground kernel keeps Voila's 1 s refill: with a long one,
    plain ``voila`` (no course_voila to start a kernel at once) made the next visitor wait it out
    (seen as page loads timing out after 60 s in the browser tests). A class pool refills later
    (``refill_after_s`` below)."""
    config = json.loads((ROOT / "voila.json").read_text())
    assert "fill_delay" not in config["VoilaKernelManager"]
    assert config["VoilaKernelManager"]["kernel_pools_config"]["06_playground.ipynb"]["pool_size"] == 1


def test_pool_warms_says_so_and_a_pooled_kernel_applies_the_preset(tmp_path):
    log = tmp_path / "voila.log"
    with class_dashboard(PLAYGROUND, pool=2, log=log) as (base, _, _):
        wait_until_warm(base, 2, timeout=300)
        deadline = time.monotonic() + 10  # the log line follows within the reporter's second
        while "Kernel pool warm: 2 of 2" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "Kernel pool warm: 2 of 2 kernels for 06_playground.ipynb" in log.read_text()
        assert pool_status(base)["pools"]["06_playground.ipynb"] == {"size": 2, "started": 2, "warm": 2}
        # Twenty kernels handed out and twenty refills started at once would double the rush's
        # work (measured: p95 84 s instead of 55 s): a class pool refills after the rush.
        assert pool_status(base)["refill_after_s"] >= 60

        # The pooled kernel ran the notebook before anyone came; the preset arrives with the visitor.
        def check(s):
            assert f"Using pre-heated kernel: {s.kernel_id}" in log.read_text()
            assert _dropdown_label(s, "dataset") == "circle"
            assert _dropdown_label(s, "activation") == "linear"
            assert s.pictures(), "no picture"
            assert pool_status(base)["visitors"] == 1

        _visit(base, "/?dataset=circle&activation=linear&hide=optimizer", check)


def test_past_the_cap_the_room_is_full_and_culling_frees_the_seat(tmp_path):
    log = tmp_path / "voila.log"
    # The two-cell stand-in keeps this quick; the cap does not depend on the notebook.
    with class_dashboard(STANDIN, pool=0, max_kernels=1, cull=2, cull_interval=1, log=log) as (base, _, _):
        def room_is_full(_):
            assert pool_status(base) | {"pools": None, "refill_after_s": None} == {"pools": None, "refill_after_s": None, "visitors": 1, "max_kernels": 1}
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + "/?dataset=xor", timeout=30)  # noqa: S310 - loopback
            page = refused.value.read().decode()
            assert refused.value.code == 503
            assert 45 <= int(refused.value.headers["Retry-After"]) <= 75
            assert "The room is full" in page and "try again in a minute" in page.lower()
            assert re.search(r"already running the Playground for 1 people", page)
            assert not re.search(r"<script|https?://|src=", page)  # nothing to load: works on a cut-off network
            assert "Room full: 1 visitors' kernels (cap 1)" in log.read_text()
            assert "Kernel started" not in log.read_text().split("Room full")[1]  # no kernel for it

        first = _visit(base, then=room_is_full)  # ... and leaves without a goodbye (a closed laptop)

        # The idle culler gives the kernel back.
        kernel = first.kernel_id
        deadline = time.monotonic() + 60
        while (_kernel_alive(kernel) or pool_status(base)["visitors"]) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _kernel_alive(kernel), "the idle culler left the kernel running"
        assert re.search(rf"Culling .*{kernel}", log.read_text()), "not the culler"
        assert pool_status(base)["visitors"] == 0

        _visit(base)  # the seat is free again


def test_a_visitor_after_the_pool_ran_out_does_not_wait_for_the_refill(tmp_path):
    """Voila counts the queued refill as pool; without course_voila's check the second visitor
    would wait for it - here 600 s, far past the visitor's 240 s patience."""
    log = tmp_path / "voila.log"
    with class_dashboard(STANDIN, pool=1, log=log, extra_args=["--VoilaKernelManager.fill_delay=600"]) as (base, _, _):
        wait_until_warm(base, 1, timeout=300)
        first = _visit(base)
        second = _visit(base)
        text = log.read_text()
        assert f"Using pre-heated kernel: {first.kernel_id}" in text
        assert f"Using pre-heated kernel: {second.kernel_id}" not in text  # started for them instead
        assert second.kernel_id != first.kernel_id


def test_page_templates_are_compiled_once_and_again_when_edited(tmp_path, monkeypatch):
    """Voila makes a new Jinja environment for every page; course_voila's exporters share one
    bytecode cache, so the templates are compiled for the first visitor only - and again
    after an edit (Jinja checks the cached code against the template's source)."""
    import jinja2
    monkeypatch.syspath_prepend(str(ROOT / "deploy"))  # as make dashboard's PYTHONPATH has it
    from course_voila import CachedTemplatesExporter, MemoryBytecodeCache

    assert CachedTemplatesExporter(template_name="lab").environment.bytecode_cache \
        is CachedTemplatesExporter.bytecode_cache
    cache, compiled = MemoryBytecodeCache(), []

    class Counting(jinja2.Environment):
        def compile(self, source, name=None, *args, **kwargs):
            compiled.append(name)
            return super().compile(source, name, *args, **kwargs)

    def page():  # a new environment per page, as Voila makes
        env = Counting(loader=jinja2.FileSystemLoader(tmp_path), bytecode_cache=cache)
        return env.get_template("page.j2").render(x=1)

    (tmp_path / "page.j2").write_text("{{ x }} one")
    assert page() == page() == page() == "1 one"
    assert compiled == ["page.j2"]
    (tmp_path / "page.j2").write_text("{{ x }} two")
    assert page() == "1 two"
    assert compiled == ["page.j2", "page.j2"]
