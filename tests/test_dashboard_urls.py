"""Every address of the Playground that the course prints works under ``make dashboard``.

The addresses are read from the files a teacher reads (README.md, homework/README.md,
docs/*.md, the notebooks): every URL with a ``dataset=`` preset, in whatever form it is
written (``http://127.0.0.1:8866/?dataset=…``, ``…/06_playground.ipynb?dataset=…``), so a
form added to the docs is tested without touching this file. Each is opened in Chromium on
a Voila started as ``make dashboard`` starts it (deploy/course_voila.py, the course template,
the websocket guard, voila.json), and the page must show the chosen dataset - not a 403/404.

A fast test (no browser, no kernel) checks the redirect itself on the two-cell stand-in.
"""
from __future__ import annotations

import http.client
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from browser import browser, error_outputs, new_page, require_browser, wait_for_new_src  # noqa: F401
from servers import ROOT
from voila_client import COURSE_ARGS, PLAYGROUND, STANDIN, course_dashboard

DOCUMENTS = ["README.md", "homework/README.md", "docs/*.md", "notebooks/*.ipynb"]
# URLs end at white space, quotes, brackets, backticks and backslashes (the .ipynb files
# are scanned as JSON text); a token with a ``dataset=`` query parameter is a preset URL.
URL_END = re.compile(r"""[\s`"'<>()\[\]\\]+""")
PRESET = re.compile(r"[?&]dataset=")
FIRST_LOAD_MS = 240_000  # the kernel pool fills, then the notebook runs, on a busy 2-core machine


def documented_presets() -> dict[str, list[str]]:
    """``{local path and query: ["file:line", ...]}`` for every preset URL in the documents."""
    found: dict[str, list[str]] = {}
    for pattern in DOCUMENTS:
        for path in sorted(ROOT.glob(pattern)):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "dataset=" not in line:
                    continue
                for url in filter(PRESET.search, URL_END.split(line)):
                    found.setdefault(local_path(url), []).append(f"{path.relative_to(ROOT)}:{n}")
    return found


def local_path(url: str) -> str:
    """The path and query to ask the local dashboard for, from a URL as the docs write it.

    ``http://127.0.0.1:8866/?dataset=x`` -> ``/?dataset=x``; ``…/06_playground.ipynb?dataset=x``
    (any server's address, then the notebook) -> ``/06_playground.ipynb?dataset=x``; a Binder
    link ``…?urlpath=voila/render/…`` -> its ``urlpath``.
    """
    url = re.sub(r"^(…|\.\.\.)", "", url)
    parts = urlsplit(url)
    if parts.scheme and "urlpath" in parse_qs(parts.query):
        return "/" + unquote(parse_qs(parts.query)["urlpath"][0]).lstrip("/")
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    return path + (f"?{parts.query}" if parts.query else "")


PRESETS = documented_presets()


def test_the_documents_show_preset_urls():
    """Guards the parametrised test below against finding nothing (a moved file, a new format)."""
    assert PRESETS, f"no URL with ?dataset= found in {DOCUMENTS}"


# ------------------------------------------------------------------ the redirect, fast
def _get(base: str, path: str) -> tuple[int, str]:
    """GET without following redirects: (status, Location)."""
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.getheader("Location") or ""
    finally:
        conn.close()


def test_dashboard_redirects_the_notebooks_own_address_to_the_dashboard():
    """``/<notebook>``, ``/voila/render/[folder/]<notebook>`` -> ``/`` with the query untouched;
    the notebook file itself is still not served."""
    name = STANDIN.name  # the stand-in: no kernel pool, nothing runs before a page is asked for
    query = "dataset=circle&features=x1%5E2,x2^2&hidden=4,2&hide=activation"
    with course_dashboard(STANDIN) as base:
        for path in (f"/{name}", f"/voila/render/{name}", f"/voila/render/notebooks/{name}",
                     f"/voila/render/REPO/notebooks/{name}"):
            status, location = _get(base, f"{path}?{query}")
            assert (status, urlsplit(location).path, urlsplit(location).query) == (302, "/", query), path
        assert _get(base, f"/{name}")[1].endswith("/"), "without a query, to the bare dashboard"
        assert _get(base, f"/voila/files/{name}")[0] == 403, "the .ipynb itself must stay unserved"
        for path in (f"/files/{name}", f"/voila/files/x/{name}", "/other.ipynb"):
            status, location = _get(base, path)
            assert status != 200 and urlsplit(location).path != "/", f"{path} must not reach the dashboard"


def test_make_dashboard_runs_the_same_server_as_these_tests():
    recipe = re.search(r"^dashboard:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "-m course_voila" in recipe and "PYTHONPATH=$(CURDIR)/deploy" in recipe
    for arg in COURSE_ARGS:
        assert arg in recipe, f"`make dashboard` no longer passes {arg}"
    assert PLAYGROUND.relative_to(ROOT).as_posix() in recipe


# ------------------------------------------------------------------ every documented URL, in Chromium
@pytest.fixture(scope="module")
def dashboard():
    require_browser()
    with course_dashboard(PLAYGROUND) as base:
        yield base


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(PRESETS), ids=lambda p: p)
def test_documented_preset_url_shows_its_dataset(path, browser, dashboard):  # noqa: F811
    where = ", ".join(PRESETS[path])
    query = parse_qs(urlsplit(path).query)
    page = new_page(browser)  # a fresh page each: leaving a Voila page makes it log a 403
    try:
        response = page.goto(dashboard + path, wait_until="domcontentloaded")
        assert response is not None and response.status == 200, (
            f"{path} (written in {where}) answered {response and response.status}, not the dashboard")
        wait_for_new_src(page, "img.playground-image", None, FIRST_LOAD_MS)
        page.wait_for_selector(".playground-status [role=status]")
        for control in ("dataset", "activation", "optimizer", "regularization"):
            if control in query:
                shown = page.locator(f".pg-{control} select").input_value()
                assert shown == query[control][0], f"{path} ({where}): {control} shows {shown!r}"
        for name in ",".join(query.get("hide", [])).split(","):
            if name and page.locator(f".pg-{name}").count():
                assert page.locator(f".pg-{name}").first.is_hidden(), f"{path} ({where}): {name} is shown"
        notice = page.locator(".playground-notice").inner_text().strip()
        assert notice == "", f"the documented preset {path} ({where}) is refused: {notice}"
        assert error_outputs(page) == []
        page.console.assert_clean()
    finally:
        page.context.close()
