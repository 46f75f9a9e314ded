"""Faults: a slider storm, Pause under a stream of ticks, a kernel killed mid-session.

* Storm - hundreds of control changes, with Play pressed again and again in between, leave
  the dashboard responsive (Step still trains), error-free, and showing the last value.
  Driven in-process, and once more over Voila's websocket as a visitor's browser would.
* Pause - once Pause is pressed, no tick (ticks already on their way included) trains
  another epoch: training stops within one frame. In-process (hypothesis, random action
  sequences) and over Voila's websocket (Play, ticks, Pause, in-flight ticks).
* Kernel killed - Voila 0.5 restarts a dead kernel empty and the page would go on looking
  alive while every control does nothing. The course template watches the kernel channel
  and says in words that the connection was lost; a real Chromium checks it, for a killed
  kernel and for a stopped server.
"""
from __future__ import annotations

import asyncio
import os
import re
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voila_client import DashboardSession, course_dashboard, dashboard_notebook

import course_utils.widgets.playground as playground_mod  # noqa: E402


def make_playground(**kw):
    return playground_mod.Playground(resolution=20, node_resolution=8, epochs_per_frame=3, **kw)


# ------------------------------------------------------------------ slider storm, in-process
@pytest.mark.slow
def test_slider_storm_while_playing_leaves_the_dashboard_responsive():
    pg = make_playground(epochs=0)
    noise, lr = pg.controls["noise"], pg.controls["learning_rate"]
    rates = [o[1] for o in lr.options]
    pg.play()
    last_noise = last_lr = None
    for i in range(150):
        if i % 10 == 0:
            pg.play()  # the learner keeps pressing Play during the storm
        last_noise = (i * 7) % 11 * 5
        noise.value = last_noise
        if i % 3 == 0:
            last_lr = rates[(i * 5) % len(rates)]
            lr.value = last_lr
        pg.tick()
    assert pg.errors == [], pg.errors
    # Showing the last value: the controls, the settings of the run on screen, and its data.
    assert pg.read_values()["noise"] == last_noise
    assert pg.run.settings.noise == pytest.approx(last_noise / 100)
    assert pg.run.settings.learning_rate == last_lr
    # Responsive: Step still trains and draws.
    epoch, redraws = pg.run.epoch, pg.redraws
    pg.step()
    assert pg.run.epoch == epoch + pg.epochs_per_frame or pg.run.history.diverged
    assert pg.redraws > redraws


# ------------------------------------------------------------------ Pause within one frame
actions = st.lists(st.sampled_from(["play", "tick", "pause", "step", "tick", "tick"]), min_size=1, max_size=40)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=actions, ticks_in_flight=st.integers(1, 6))
def test_pause_always_stops_training_within_one_frame(sequence, ticks_in_flight):
    pg = _PAUSE.setdefault("pg", make_playground(epochs=0))
    pg.reset()
    for action in sequence:
        getattr(pg, action)()
    pg.pause()
    assert not pg.playing and not pg.timer.playing
    epoch, redraws = pg.run.epoch, pg.redraws
    for _ in range(ticks_in_flight):  # ticks the browser sent before it saw Pause
        pg.tick()
    assert pg.run.epoch == epoch, "training went on after Pause"
    assert pg.redraws == redraws


_PAUSE: dict = {}


def test_play_does_train_on_ticks():
    """The pause test is not vacuous: while playing, each tick is one frame of training."""
    pg = make_playground(epochs=0)
    pg.play()
    assert pg.playing and pg.timer.playing
    pg.tick()
    pg.tick()
    assert pg.run.epoch == 2 * pg.epochs_per_frame


# ------------------------------------------------------------------ over the wire
@pytest.fixture(scope="module")
def dashboard():
    with course_dashboard(dashboard_notebook()) as url:
        yield url


def _shown_epoch(s: DashboardSession) -> int:
    """The epoch the dashboard says it shows (Playground's epoch label, or a panel's status line)."""
    for w in s.widgets.values():
        m = re.search(r'class="pg-epoch">(\d+)<', str(w.state.get("value", "")))
        if m:
            return int(m.group(1))
    m = re.search(r"epoch (\d+):", s.status_text())
    assert m, f"no epoch shown: {s.status_text()!r}"
    return int(m.group(1))


async def _settled(s: DashboardSession) -> DashboardSession:
    """Wait until the kernel has handled everything sent so far, then re-read every widget."""
    ask = s.send("kernel_info_request", {})
    await s.wait_for(lambda m: m["parent_header"].get("msg_id") == ask
                     and m["header"]["msg_type"] == "kernel_info_reply", 180, "kernel info")
    s.widgets.clear()
    await s.load_widgets()
    return s


@pytest.mark.slow
def test_pause_over_the_wire_stops_training_within_one_frame(dashboard):
    """Play, three timer ticks (each one frame of training), then Pause followed by ticks that
    were already on their way: the epoch shown stays where Pause found it."""
    def update(s, w, **state):
        s.send("comm_msg", {"comm_id": w.comm_id,
                            "data": {"method": "update", "state": state, "buffer_paths": []}})

    async def scenario():
        async with DashboardSession(dashboard) as s:
            await s.load_widgets()
            play = s.find("ToggleButtonModel", description="Play")[0]
            timer = s.find("PlayModel")[0]
            value = timer.state["value"]
            start = _shown_epoch(s)
            update(s, play, value=True)
            for _ in range(3):  # the browser's timer ticking while Play is on
                value += 1
                update(s, timer, value=value)
            playing_epoch = _shown_epoch(await _settled(s))
            update(s, play, value=False)
            for _ in range(5):  # ticks the browser sent before it saw Pause
                value += 1
                update(s, timer, value=value)
            await _settled(s)
            return start, playing_epoch, _shown_epoch(s), s.find("ToggleButtonModel", description="Play")

    start, playing_epoch, paused_epoch, play_buttons = asyncio.run(scenario())
    assert playing_epoch > start, "ticks while playing should train"
    assert paused_epoch == playing_epoch, "training went on after Pause"
    assert play_buttons and play_buttons[0].state["value"] is False


@pytest.mark.slow
def test_slider_storm_over_the_wire_ends_on_the_last_value(dashboard):
    """A burst of updates from a visitor's socket: the kernel works through them and stays live."""
    async def scenario(url):
        async with DashboardSession(url) as s:
            await s.load_widgets()
            slider = s.slider()
            epochs = s.find("IntSliderModel", description="train epochs")
            if epochs:  # cheaper retrains: the storm is about the queue, not the training
                await s.change(epochs[0], epochs[0].state["min"])
            lo, hi, step = slider.state["min"], slider.state["max"], slider.state.get("step", 1) or 1
            values = [lo + ((i * 7) % ((hi - lo) // step + 1)) * step for i in range(40)]
            if values[-1] == slider.state["value"]:
                values.append(hi if values[-1] != hi else lo)
            for v in values:
                s.send("comm_msg", {"comm_id": slider.comm_id,
                                    "data": {"method": "update", "state": {"value": v}, "buffer_paths": []}})
            ask = s.send("kernel_info_request", {})
            await s.wait_for(lambda m: m["parent_header"].get("msg_id") == ask
                             and m["header"]["msg_type"] == "kernel_info_reply", 300, "reply after the storm")
            s.widgets.clear()
            await s.load_widgets()  # what a fresh look at the page shows now
            shown = next(w for w in s.widgets.values() if w.comm_id == slider.comm_id)
            return values[-1], shown.state["value"], s.status_text()

    last, shown, status = asyncio.run(scenario(dashboard))
    assert shown == last
    assert "went wrong" not in status.lower(), status


# ------------------------------------------------------------------ a killed kernel, in a browser
def _kernel_pids(kernel_id: str) -> list[int]:
    import psutil

    pids = []
    for p in psutil.process_iter(["cmdline"]):
        if kernel_id in " ".join(p.info["cmdline"] or []):
            pids.append(p.pid)
    return pids


BANNER = "#course-connection-lost"


@pytest.mark.browser
@pytest.mark.slow
def test_killed_kernel_is_reported_on_the_page():
    from browser import launch_chromium, new_page, require_browser

    require_browser()
    with course_dashboard(dashboard_notebook()) as url, launch_chromium() as chromium:
        page = new_page(chromium)
        page.goto(url)
        page.wait_for_selector(".jupyter-widgets img[src]", timeout=180_000)
        assert page.locator(BANNER).count() == 0
        kernel_id = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page.content()).group(1)
        pids = _kernel_pids(kernel_id)
        assert pids, "could not find the page's kernel process"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        page.wait_for_selector(BANNER, timeout=60_000)
        text = page.locator(BANNER).inner_text()
        role = page.locator(BANNER).get_attribute("role")
        page.context.close()
    assert "connection" in text.lower() and "lost" in text.lower() and "reload" in text.lower(), text
    assert text.startswith("Error: "), text  # words, not a glyph some fonts lack (U+26D4)
    assert role == "alert"


@pytest.mark.browser
@pytest.mark.slow
def test_stopped_server_is_reported_on_the_page():
    from browser import launch_chromium, new_page, require_browser

    require_browser()
    with launch_chromium() as chromium:
        page = new_page(chromium)
        with course_dashboard(dashboard_notebook()) as url:
            page.goto(url)
            page.wait_for_selector(".jupyter-widgets img[src]", timeout=180_000)
            assert page.locator(BANNER).count() == 0
        # The server is gone (its process group was stopped): the page must say so.
        page.wait_for_selector(BANNER, timeout=60_000)
        text = page.locator(BANNER).inner_text()
        page.context.close()
    assert "server" in text.lower() and "lost" in text.lower() and text.startswith("Error: "), text
