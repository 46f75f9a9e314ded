"""Your own data and the hidden space in a real browser: the Playground under Voila, a CSV
chosen in the upload button's file input, a bad file explained on the page, the hidden-space
toggle. Chromium through Playwright, as tests/test_playground_browser.py (its helpers)."""
from __future__ import annotations

import time

import pytest

from browser import VOILA_TEST_ARGS, browser, error_outputs, page, require_browser, wait_for_new_src  # noqa: F401
from servers import voila_server
from test_playground_browser import IMG, NOTEBOOK, open_dashboard, status, wait_status

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = b"x1,x2,label\n" + b"".join(f"{i % 8},{i // 8},{int((i % 8) * (i // 8) > 12)}\n".encode() for i in range(64))
SOURCE = ".pg-data-source"
HS_IMG = "img.pg-hs-image"


@pytest.fixture(scope="module")
def server():
    require_browser()
    with voila_server(NOTEBOOK, VOILA_TEST_ARGS) as url:
        yield url


def choose_file(page, name: str, content) -> None:
    """Click the upload button and answer its file chooser (ipywidgets 8 keeps the file
    input out of the page, so ``set_input_files`` goes through the chooser). ``content``:
    bytes, or a path (a large file is faster read by the browser than sent through Playwright)."""
    with page.expect_file_chooser() as chooser:
        page.locator(".pg-upload").click()
    if isinstance(content, bytes):
        chooser.value.set_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    else:
        chooser.value.set_files(content)


def test_upload_a_csv_then_a_bad_one_then_see_the_hidden_space(page, server):
    before = open_dashboard(page, server, "hidden=4,2&lr=0.3")
    assert "generated: circle, 500 points" in page.locator(SOURCE).inner_text()

    choose_file(page, "mine.csv", CSV)
    page.wait_for_function(f"() => document.querySelector('{SOURCE}').innerText.includes('uploaded: mine.csv, 64 rows')",
                           timeout=120_000)
    after = wait_for_new_src(page, IMG, before)
    text = wait_status(page, "t.includes('final loss')")
    assert "Error" not in text
    assert page.locator(".pg-use-dataset").is_visible()

    # A bad file: its message in the status line, the uploaded data stays.
    choose_file(page, "bad.csv", b"x1,x2,label\n1,2,0\n3,4\n")
    text = wait_status(page, "t.includes('bad.csv')")
    assert "Error: bad.csv, line 3: expected 3 values" in text, text
    assert "uploaded: mine.csv, 64 rows" in page.locator(SOURCE).inner_text()
    assert page.locator(IMG).get_attribute("src") == after  # the picture was not touched
    assert "Traceback" not in page.locator("body").inner_text()

    # The hidden space: off until toggled, then the last layer (2 units) with the output's line.
    assert page.locator(HS_IMG).count() == 0 or not page.locator(HS_IMG).is_visible()
    page.locator(".pg-hidden-space").click()
    first = wait_for_new_src(page, HS_IMG, None)
    assert page.locator(".pg-hs-layer select").input_value() == "2 (last)"  # the last layer
    page.locator(".pg-hs-layer select").select_option(index=0)
    wait_for_new_src(page, HS_IMG, first)
    page.wait_for_function("() => document.querySelectorAll('.pg-hs-unit-x select option').length === 4")
    assert error_outputs(page) == []
    page.console.assert_clean()
    assert status(page)


def test_a_50_mb_file_is_refused_by_its_size_on_the_page(page, server, tmp_path):
    # It reaches the kernel because voila.json raises the websocket message limit to 64 MiB.
    huge = tmp_path / "huge.csv"
    huge.write_bytes(b"1,2,0\n" * (50_000_000 // 6 + 1))
    open_dashboard(page, server)
    start = time.perf_counter()
    choose_file(page, "huge.csv", huge)
    text = wait_status(page, "t.includes('huge.csv')")
    assert "huge.csv is 50.0 MB; the limit is 1 MB" in text, text
    print(f"50 MB file chosen -> message on the page: {time.perf_counter() - start:.1f} s")
    assert "generated: circle" in page.locator(SOURCE).inner_text()
    assert error_outputs(page) == []


def test_a_click_on_the_picture_adds_a_point(page, server):
    before = open_dashboard(page, server)
    page.locator(".pg-click-class select").select_option(label="class 1")
    box = page.locator(IMG).bounding_box()
    # The boundary picture is the left part of the image; its centre is about a sixth across.
    page.locator(IMG).click(position={"x": box["width"] * 0.17, "y": box["height"] * 0.5})
    page.wait_for_function(f"() => document.querySelector('{SOURCE}').innerText.includes('1 added by clicking')",
                           timeout=120_000)
    wait_for_new_src(page, IMG, before)
    assert "generated: circle, 501 rows" in page.locator(SOURCE).inner_text()
    assert error_outputs(page) == []
    page.console.assert_clean()
