"""Shared helpers for the real-browser tests: Chromium through Playwright (sync API).

Playwright's own browser download does not work here, so we drive the system Chromium
(``/usr/bin/chromium``, Debian's package; override with ``COURSE_CHROMIUM``). Without
it the browser tests skip with a message saying so - except under ``CI=true``, where a
missing browser is a failure (``.ci/run`` installs one).

Usage in a test module::

    from browser import browser, page  # noqa: F401  (pytest fixtures)

    @pytest.mark.browser
    def test_something(page):
        page.goto(url)
        ...
        page.console.assert_clean()
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

DEFAULT_TIMEOUT_MS = 60_000


def why_no_browser() -> str | None:
    """A sentence saying why the browser tests cannot run here, or None if they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        hint = f" (a chromium is on PATH at {found}; set COURSE_CHROMIUM to use it)" if found else ""
        return (f"Chromium is not installed at {CHROMIUM}{hint}; install Debian's `chromium` "
                f"package to run the real-browser tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package `playwright` is not installed (pip install -e '.[test]')"
    return None


def require_browser() -> None:
    """Skip the calling test when no browser can run - or fail, when ``CI=true``."""
    reason = why_no_browser()
    if reason is None:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"CI=true but the browser tests cannot run: {reason}.", pytrace=False)
    pytest.skip(f"browser test skipped: {reason}.")


@contextlib.contextmanager
def launch_chromium(headless: bool = True):
    """Start the system Chromium through Playwright; yields a ``Browser``, always closed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=headless,
                                     args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ConsoleLog:
    """Console errors and uncaught page exceptions seen by one page."""

    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def attach(self, page) -> "ConsoleLog":
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception: {exc}"))
        return self

    def _on_console(self, msg) -> None:
        text = f"{msg.type}: {msg.text}"
        self.messages.append(text)
        if msg.type == "error":
            loc = msg.location or {}
            where = f" ({loc.get('url', '')}:{loc.get('lineNumber', '')})" if loc.get("url") else ""
            self.errors.append(f"console error: {msg.text}{where}")

    def assert_clean(self) -> None:
        assert not self.errors, "the page logged errors:\n" + "\n".join(self.errors)


LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")


def new_page(browser, timeout_ms: int = DEFAULT_TIMEOUT_MS, viewport: tuple[int, int] = (1400, 1000)):
    """A fresh page (own context: no shared storage) that never leaves the machine.

    ``viewport`` is the window's (width, height) in CSS pixels (the layout test and the
    Playground benchmark use 1366 x 768, a common projector).

    Console errors are collected in ``page.console`` (a :class:`ConsoleLog`). Requests to
    anything but 127.0.0.1 are answered locally with an empty body and listed in
    ``page.external_requests``: the tests run offline and deterministically, and a
    dependency on the internet shows up in that list instead of as a network error.
    (Voila's ``lab`` template links Font Awesome from cdn.jsdelivr.net; the fonts are
    also bundled, so an empty answer changes nothing visible.)
    """
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.console = ConsoleLog().attach(page)
    page.external_requests = []

    def stub(route):
        url = route.request.url
        page.external_requests.append(url)
        kind = "text/css" if url.split("?")[0].endswith(".css") else "text/plain"
        route.fulfill(status=200, content_type=kind, body="")

    context.route(lambda url: not LOOPBACK.match(url) and not url.startswith(("data:", "blob:")), stub)
    return page


# ------------------------------------------------------------------ pytest fixtures
@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; skips (or fails under CI=true) when there is none.

    Module scope, not session: Playwright's sync API cannot run two instances at once, and
    some modules import this fixture while others call :func:`launch_chromium` directly.
    Each module's browser is closed before the next module starts."""
    require_browser()
    with launch_chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    """A fresh page per test, with its console errors collected in ``page.console``."""
    p = new_page(browser)
    try:
        yield p
    finally:
        p.context.close()


# ------------------------------------------------------------------ page helpers
def save_screenshot(page, name: str, tmp_dir: Path) -> Path:
    """Save the page's viewport as a small PNG (a 256-colour palette, optimised) and return its path.

    Written to ``$COURSE_SCREENSHOTS/<name>`` when that variable is set (e.g.
    ``COURSE_SCREENSHOTS=docs`` refreshes the README's picture), else into ``tmp_dir``.
    """
    import io

    from PIL import Image

    folder = Path(os.environ.get("COURSE_SCREENSHOTS") or tmp_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    picture = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, format="png", optimize=True)
    return path



ERROR_OUTPUT_SELECTORS = (
    '[data-mime-type="application/vnd.jupyter.stderr"]',
    '[data-mime-type="application/vnd.jupyter.error"]',
)
ERROR_TEXTS = ("Traceback (most recent call last)", "There was an error when executing cell")


def error_outputs(page, scope: str = "body") -> list[str]:
    """Text of every error/stderr output in the page (empty when there is none)."""
    found = []
    for sel in ERROR_OUTPUT_SELECTORS:
        found += page.locator(f"{scope} {sel}").all_inner_texts()
    body = page.locator(scope).first.inner_text()
    found += [t for t in ERROR_TEXTS if t in body]
    return found


def wait_for_new_src(page, selector: str, old: str | None, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> str:
    """Wait until the first element matching ``selector`` has a ``src`` other than ``old``."""
    page.wait_for_function(
        "([sel, old]) => { const e = document.querySelector(sel); "
        "return e !== null && !!e.getAttribute('src') && e.getAttribute('src') !== old; }",
        arg=[selector, old], timeout=timeout_ms)
    return page.locator(selector).first.get_attribute("src")


# Voila flags for the tests: show tracebacks (so a failing cell is visible as text), and
# leave out two JupyterLab extensions that otter-grader installs (jupytext, ipylab): they
# need JupyterLab's menus and fail to activate inside Voila, logging console errors.
VOILA_TEST_ARGS = [
    "--show_tracebacks=True",
    "--VoilaConfiguration.extension_denylist=jupyterlab-jupytext",
    "--VoilaConfiguration.extension_denylist=ipylab",
]


# ------------------------------------------------------------------ JupyterLab
# JupyterLab renders cells lazily, so "every prompt on the page" can be a few prompts: the
# checks below compare against the number of code cells in the file.
# textContent, not innerText: JupyterLab 4 skips rendering cells out of view
# (content-visibility), and their innerText is then "" although the prompt says [3].
_LAB_RUN_FINISHED_JS = """(n) => {
    const errors = document.querySelectorAll(
        '.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.stderr"],' +
        '.jp-NotebookPanel [data-mime-type="application/vnd.jupyter.error"]');
    if (errors.length) return true;  // stop waiting: the caller reports the error
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
    return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""

_LAB_CLEARED_JS = """(n) => {
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
    return prompts.length === n && prompts.every(p => !/\\d/.test(p.textContent));
}"""


def lab_menu(page, menu: str, command: str) -> None:
    """Click ``menu`` in JupyterLab's menu bar, then the (enabled) item that runs ``command``."""
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(f".lm-Menu-item[data-command='{command}']:not(.lm-mod-disabled)").click()


_LAB_STARTED_JS = """() => {
    if (document.querySelector('.jp-Dialog')) return true;
    const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')];
    return prompts.some(p => /[*\\d]/.test(p.textContent));
}"""


def lab_wait_for_kernel(page, timeout_ms: int = 240_000) -> None:
    """Wait until the server reports the page's notebook kernel as started and idle."""
    base = re.match(r"^(https?://[^/]+)", page.url).group(1)
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        sessions = page.request.get(f"{base}/api/sessions").json()
        states = [s.get("kernel", {}).get("execution_state") for s in sessions]
        if states and all(st == "idle" for st in states):
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the notebook's kernel was not idle within {timeout_ms / 1000:.0f} s")


def _lab_dismiss_kernel_dialog(page) -> None:
    dialog = page.locator(".jp-Dialog")
    if dialog.count() == 0:
        return
    dialog.locator(".jp-mod-accept").first.click()  # JupyterLab's preferred kernel
    try:
        page.wait_for_function("() => !document.querySelector('.jp-Dialog')", timeout=10_000)
    except Exception:  # noqa: BLE001 - the click landed during the dialog's animation
        page.keyboard.press("Enter")
        page.wait_for_function("() => !document.querySelector('.jp-Dialog')", timeout=10_000)


def lab_run_all(page, n_code_cells: int, timeout_ms: int = 240_000) -> None:
    """In an open notebook with ``n_code_cells`` code cells: wait for its kernel, clear every
    output, run all cells, and wait until every code cell has run (or an error showed)."""
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell")
    lab_wait_for_kernel(page, timeout_ms)
    lab_menu(page, "Edit", "editmenu:clear-all")  # so saved outputs cannot pass for new ones
    page.wait_for_function(_LAB_CLEARED_JS, arg=n_code_cells)
    # On a busy machine "Run All" can still land while the page connects to the kernel:
    # JupyterLab then ignores it or asks for a kernel. Accept its choice and ask again.
    for _ in range(5):
        _lab_dismiss_kernel_dialog(page)
        lab_menu(page, "Run", "runmenu:run-all")
        try:
            page.wait_for_function(_LAB_STARTED_JS, timeout=15_000)
        except Exception:  # noqa: BLE001 - nothing happened; ask again
            continue
        if page.locator(".jp-Dialog").count() == 0:
            break
        _lab_dismiss_kernel_dialog(page)
        lab_wait_for_kernel(page, timeout_ms)
        if page.evaluate(_LAB_STARTED_JS):
            break
    else:
        raise AssertionError("JupyterLab did not start running the notebook after 5 tries of "
                             "Run > Run All Cells")
    page.wait_for_function(_LAB_RUN_FINISHED_JS, arg=n_code_cells, timeout=timeout_ms)


def assert_server_stopped(base_url: str, wait_s: float = 15.0) -> None:
    """Fail if anything still answers on ``base_url``'s port once its server should be gone."""
    import socket
    from urllib.parse import urlparse

    u = urlparse(base_url)
    deadline = time.monotonic() + wait_s
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            if s.connect_ex((u.hostname, u.port)) != 0:
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"a server still listens on {u.hostname}:{u.port} after it was stopped")
        time.sleep(0.5)
