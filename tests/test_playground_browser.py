"""The Playground (notebook 06) in a real browser, served by Voila as a teacher would.

Chromium through Playwright (``tests/browser.py``); Voila from ``tests/servers.py`` on a
free 127.0.0.1 port with the repository's ``voila.json`` (so the kernel pool and
``get_query_string`` are exercised too). One server for the module, always stopped;
each test opens its own page. Without Chromium these tests skip with a message (they
fail instead under ``CI=true``).
"""
from __future__ import annotations

import json
import re
import time

import pytest

from browser import (  # noqa: F401  (browser and page are pytest fixtures)
    VOILA_TEST_ARGS, browser, error_outputs, new_page, page, require_browser, save_screenshot, wait_for_new_src,
)
from servers import voila_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "notebooks/06_playground.ipynb"
IMG = "img.playground-image"
NET_IMG = "img.playground-network"
CURVES_IMG = "img.playground-curves"
PROJECTOR = (1366, 768)  # a common projector: the first screen must hold the instrument
# What a teacher uses most: visible at 1366 x 768 without scrolling.
MAIN_CONTROLS = ("dataset", "noise", "features", "activation", "layers", "learning_rate", "play", "step", "reset")
STATUS = ".playground-status"
# The first visit can wait for the kernel pool to fill, then run the notebook: be patient.
FIRST_LOAD_MS = 240_000
CONTROLS = ("dataset", "noise", "train", "layers", "activation", "learning_rate", "optimizer", "batch_size",
            "regularization", "reg_rate", "epochs", "seed", "show_test", "discretize", "play", "step",
            "reset", "regenerate", "rewind", "export")

# Hash of the picture's bytes, read through the <img>'s blob URL (its src changes on every
# update, even when the picture does not).
PICTURE_HASH_JS = """async (sel) => {
    const img = document.querySelector(sel);
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 0;
    for (let i = 0; i < bytes.length; i++) h = (Math.imul(h, 31) + bytes[i]) | 0;
    return bytes.length + ':' + h;
}"""


@pytest.fixture(scope="module")
def server():
    require_browser()
    with voila_server(NOTEBOOK, VOILA_TEST_ARGS) as url:
        yield url


def open_dashboard(page, url: str, query: str = "") -> str:
    """Load the dashboard; wait for the picture; return its src."""
    page.goto(url + (f"?{query}" if query else ""), wait_until="domcontentloaded")
    src = wait_for_new_src(page, IMG, None, FIRST_LOAD_MS)
    page.wait_for_selector(f"{STATUS} [role=status]")
    return src


def status(page) -> str:
    return page.locator(STATUS).inner_text()


def epoch(page) -> int:
    return int(page.locator(".pg-epoch").inner_text())


def wait_status(page, js_test: str, timeout_ms: int = 120_000) -> str:
    """Wait until ``js_test`` (a JS expression on the status text ``t``) is true."""
    page.wait_for_function(
        f"() => {{ const e = document.querySelector('{STATUS}'); if (!e) return false; "
        f"const t = e.innerText; return {js_test}; }}", timeout=timeout_ms)
    return status(page)


def test_loads_clean_with_every_control_and_a_working_export(page, server):
    open_dashboard(page, server)
    for name in CONTROLS:
        assert page.locator(f".pg-{name}").count() == 1, f"control {name} is missing"
        assert page.locator(f".pg-{name}").first.is_visible(), f"control {name} is not visible"
    assert page.locator(".pg-features input[type=checkbox]").count() == 7
    assert page.locator(NET_IMG).get_attribute("src")
    assert "binary cross-entropy" in page.locator(".pg-loss-note").inner_text()
    assert re.search(r"epoch 50: final loss", status(page)), status(page)
    assert page.locator(".playground-notice").inner_text().strip() == ""
    assert error_outputs(page) == []

    # Export: the JSON download (a data: URL in an <a download>) works in Voila.
    page.locator(".pg-export").click()
    link = page.locator(".pg-download-json")
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["network"]["layer_sizes"] == [2, 4, 2, 1]
    assert data["playground"]["activation"] == "tanh" and data["epoch"] == 50
    assert page.locator(".pg-download-png").get_attribute("href").startswith("data:image/png;base64,")
    page.console.assert_clean()


def test_slider_and_activation_change_the_picture_and_the_result(page, server):
    # Settings where a sigmoid network solves the circle within the epochs trained per change.
    before = open_dashboard(page, server, "hidden=8&lr=1&batch=30&epochs=200")
    first = wait_status(page, "/final loss 0\\.[0-5]/.test(t)")  # tanh solves it: loss well below ln 2

    # Move the noise slider with the keyboard: the picture is redrawn.
    page.locator(".pg-noise .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    after = wait_for_new_src(page, IMG, before)
    assert after != before
    wait_status(page, f"t !== {json.dumps(first)}")
    page.locator(".pg-noise .noUi-handle").focus()
    page.keyboard.press("ArrowLeft")
    after = wait_for_new_src(page, IMG, after)

    page.locator(".pg-activation select").select_option("linear")
    text = wait_status(page, "(m => m && parseFloat(m[1]) >= 0.6)(t.match(/final loss ([0-9.]+)/))")
    assert float(re.search(r"final loss ([0-9.]+)", text).group(1)) >= 0.6

    page.locator(".pg-activation select").select_option("sigmoid")
    text = wait_status(page, "(m => m && parseInt(m[1]) >= 90)(t.match(/accuracy ([0-9]+) %/))")
    assert int(re.search(r"accuracy ([0-9]+) %", text).group(1)) >= 90
    assert error_outputs(page) == []
    page.console.assert_clean()


def test_play_pause_reset(page, server):
    open_dashboard(page, server)
    page.locator(".pg-reset").click()
    page.wait_for_function("() => document.querySelector('.pg-epoch').innerText === '0'")
    wait_status(page, "t.includes('epoch 0')")
    time.sleep(0.5)  # let the last picture of the reset arrive
    start = page.evaluate(PICTURE_HASH_JS, IMG)

    page.locator(".pg-play").click()
    page.wait_for_function("() => parseInt(document.querySelector('.pg-epoch').innerText) >= 15",
                           timeout=120_000)
    page.locator(".pg-play").click()  # Pause
    page.wait_for_function("() => document.querySelector('.pg-play').innerText.includes('Play')")
    time.sleep(1.0)  # a tick already on its way may still land
    paused_at = epoch(page)
    time.sleep(2.0)
    assert epoch(page) == paused_at, "the epoch counter moved after Pause"
    assert paused_at >= 15

    # Rewind with the keyboard: an earlier boundary is shown, training is not undone.
    src = page.locator(IMG).get_attribute("src")
    page.locator(".pg-rewind .noUi-handle").focus()
    for _ in range(7):
        page.keyboard.press("ArrowLeft")
    text = wait_status(page, "t.includes('showing epoch')")
    assert f"of {paused_at}" in text
    assert page.locator(IMG).get_attribute("src") != src
    assert epoch(page) == paused_at

    page.locator(".pg-reset").click()
    page.wait_for_function("() => document.querySelector('.pg-epoch').innerText === '0'")
    wait_status(page, "t.includes('epoch 0')")
    time.sleep(0.5)
    assert page.evaluate(PICTURE_HASH_JS, IMG) == start, "Reset did not return to the same picture"
    page.console.assert_clean()


def test_preset_url_applies_settings_and_hides_controls(page, browser, server):
    open_dashboard(page, server, "dataset=xor&activation=linear&hidden=3&hide=activation,noise,network")
    assert page.locator(".pg-dataset select").input_value() == "xor"
    assert page.locator(".pg-layers .noUi-handle").get_attribute("aria-valuenow").startswith("1")
    for hidden in (".pg-activation", ".pg-noise", NET_IMG):
        assert page.locator(hidden).is_hidden(), f"{hidden} should be hidden"
    for shown in (".pg-dataset", ".pg-learning_rate", ".pg-play"):
        assert page.locator(shown).is_visible()
    assert page.locator(".playground-notice").inner_text().strip() == ""
    assert error_outputs(page) == []
    page.console.assert_clean()

    # A bad value is explained on the page, naming the valid choices; the rest applies.
    # (A second page: navigating the first one away makes Voila's unload handler log a 403.)
    second = new_page(browser)
    try:
        open_dashboard(second, server, "dataset=moon&activation=relu")
        notice = second.locator(".playground-notice").inner_text()
        assert "moon" in notice and "circle" in notice and "spiral" in notice
        assert second.locator(".pg-activation select").input_value() == "relu"
        assert error_outputs(second) == []
        second.console.assert_clean()
    finally:
        second.context.close()


# Share of the picture's pixels close to class 2's colour (Okabe-Ito bluish green, #009e73).
CLASS2_SHARE_JS = """async (sel) => {
    const img = document.querySelector(sel);
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4)
        if (Math.abs(d[i] - 0) < 30 && Math.abs(d[i + 1] - 158) < 30 && Math.abs(d[i + 2] - 115) < 30) n++;
    return n / (d.length / 4);
}"""


def test_a_three_class_preset_shows_three_classes_and_names_its_loss(page, server):
    open_dashboard(page, server, "preset=three_classes&epochs=60")
    text = wait_status(page, "t.includes('epoch 60: final loss')")
    assert page.locator(".pg-dataset select").input_value() == "spiral3"
    note = page.locator(".pg-loss-note").inner_text()
    assert "softmax" in note and "cross-entropy" in note and "ln 3 = 1.099" in note, note
    assert "binary" not in note
    assert page.evaluate(CLASS2_SHARE_JS, IMG) > 0.02, "no class-2 colour in the picture"
    assert int(re.search(r"accuracy ([0-9]+) %", text).group(1)) > 50  # well above the 33 % of chance
    assert page.locator(".playground-notice").inner_text().strip() == ""
    assert error_outputs(page) == []
    page.console.assert_clean()


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0, f"{selector} is not shown"
    return box


def test_layout_at_1366x768_reads_like_an_instrument(browser, server, tmp_path):
    """At a projector's 1366 x 768 the output picture (>= 360 px wide), the network diagram and
    the main controls are on the first screen; the page reads left to right (controls,
    network, output) under plain headings; Tab walks the transport buttons and Enter works."""
    page = new_page(browser, viewport=PROJECTOR)
    try:
        open_dashboard(page, server)
        page.wait_for_selector(f"{NET_IMG}[src]")
        page.wait_for_selector(f"{CURVES_IMG}[src]")
        width, height = PROJECTOR
        assert page.evaluate("() => window.scrollY") == 0
        for selector in (IMG, NET_IMG, *(f".pg-{name}" for name in MAIN_CONTROLS)):
            box = _box(page, selector)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{selector} leaves the screen sideways: {box}"
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{selector} is below the fold: {box}"
        picture, network, curves = _box(page, IMG), _box(page, NET_IMG), _box(page, CURVES_IMG)
        assert picture["width"] >= 360
        assert _box(page, ".pg-dataset")["x"] < network["x"] < picture["x"], "not left to right"
        assert curves["y"] >= picture["y"] + picture["height"], "the curves belong beneath the picture"
        status = _box(page, STATUS)
        assert picture["y"] + picture["height"] <= status["y"] < curves["y"], "the status line belongs under the picture"
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "horizontal scrolling"
        headings = page.locator(".playground .pg-heading").all_inner_texts()
        for heading in ("Data", "Features", "Network", "Training"):
            assert heading in headings
            assert _box(page, f".pg-group-{heading.lower()}")["y"] < height
        assert "Your own data" in headings and _box(page, ".pg-group-your-own-data")  # below the main controls
        save_screenshot(page, "playground.png", tmp_path)

        # Keyboard: from Play, Tab reaches Step; Enter on it trains one more frame.
        start = epoch(page)
        page.locator(".pg-play").focus()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.closest('.pg-step') !== null")
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => parseInt(document.querySelector('.pg-epoch').innerText) > {start}")
        assert error_outputs(page) == []
        page.console.assert_clean()
    finally:
        page.context.close()
