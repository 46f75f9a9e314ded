"""The dashboard server runs only the notebook: never code a visitor sends.

A Voila page talks to its kernel over ``/api/kernels/<id>/channels``; anyone who can load
the page can write to that websocket. These tests speak to it directly (no browser) and
check that Voila refuses to execute code, serves no source files, exposes no kernel list
or file browser, and that a control's value never reaches ``eval``.
"""
from __future__ import annotations

import ast
import asyncio
import urllib.error
import urllib.request

import nbformat
import pytest

from servers import ROOT
from voila_client import DashboardSession, course_dashboard, dashboard_notebook

pytestmark = pytest.mark.slow

NOTEBOOK = dashboard_notebook()


@pytest.fixture(scope="module")
def dashboard():
    """One Voila serving the Playground (or its stand-in), as ``make dashboard`` does."""
    with course_dashboard(NOTEBOOK) as url:
        yield url


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310 - loopback only
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _execute(session: DashboardSession, code: str) -> str:
    return session.send("execute_request", {"code": code, "silent": False, "store_history": True,
                                            "user_expressions": {}, "allow_stdin": False,
                                            "stop_on_error": True})


def test_kernel_channel_refuses_code_from_the_visitor(dashboard, tmp_path):
    marker = tmp_path / "visitor-ran-code.txt"

    async def scenario():
        async with DashboardSession(dashboard) as s:
            await s.load_widgets()
            sent = {_execute(s, f"open({str(marker)!r}, 'w').write('pwned')"),
                    _execute(s, "import os; os.system('true')")}
            # Anything the kernel says in reply to (or because of) those requests carries
            # their msg_id as parent. Listen for a while: a refusal is silence.
            replies = []
            loop_end = asyncio.get_running_loop().time() + 6.0
            while (left := loop_end - asyncio.get_running_loop().time()) > 0:
                msg = await s.recv(left)
                if msg is not None and msg["parent_header"].get("msg_id") in sent:
                    replies.append(msg["header"]["msg_type"])
            # The channel itself still works: the refusal is not a dead connection.
            ask = s.send("kernel_info_request", {})
            info = await s.wait_for(lambda m: m["parent_header"].get("msg_id") == ask
                                    and m["header"]["msg_type"] == "kernel_info_reply", 60, "kernel info")
            round_trip = await s.change(s.slider(), s.slider().state["max"])
            return replies, info, round_trip

    replies, info, round_trip = asyncio.run(scenario())
    assert replies == [], f"the kernel reacted to a visitor's execute_request: {replies}"
    assert not marker.exists(), "code sent by a visitor ran on the server"
    assert info["content"]["status"] == "ok"
    assert round_trip > 0  # and the dashboard still answers its own controls


def test_bad_values_over_the_wire_are_rejected_not_evaluated(dashboard, tmp_path):
    """A hand-made websocket message can put any JSON in a control; none of it is run."""
    marker = tmp_path / "evaluated.txt"
    payload = f"__import__('pathlib').Path({str(marker)!r}).write_text('pwned')"

    async def scenario():
        async with DashboardSession(dashboard) as s:
            await s.load_widgets()
            slider = s.slider()
            dropdowns = [w for w in s.widgets.values() if w.model == "DropdownModel"]
            for w, state in [(slider, {"value": payload}), (slider, {"value": 10**12}),
                             *[(d, {"index": 10**6}) for d in dropdowns],
                             *[(d, {"index": payload}) for d in dropdowns]]:
                s.send("comm_msg", {"comm_id": w.comm_id,
                                    "data": {"method": "update", "state": state, "buffer_paths": []}})
            # After the garbage, a legal change still produces a picture.
            new = slider.state["min"] if slider.state["value"] != slider.state["min"] else slider.state["max"]
            return await s.change(slider, new)

    assert asyncio.run(scenario()) > 0
    assert not marker.exists(), "a control's value was evaluated as code"


def test_legacy_protocol_client_is_refused_and_the_server_stays_up(dashboard):
    """Voila 0.5 freezes on a kernel websocket without the v1 subprotocol; deploy/voila_guard.py refuses it.

    Without the guard, the first picture update sent to such a client sets Voila's
    handler looping (every visitor's page stops, memory climbs). With it, the connection
    is closed at once and everyone else carries on.
    """
    import json
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def scenario():
        async with DashboardSession(dashboard) as visitor:  # a normal (v1) visitor
            await visitor.load_widgets()
            url = (dashboard.replace("http", "ws", 1) + f"/api/kernels/{visitor.kernel_id}/channels"
                   f"?session_id={uuid.uuid4().hex}")
            legacy = await websocket_connect(HTTPRequest(url, connect_timeout=60))  # no subprotocol
            legacy.write_message(json.dumps({
                "header": {"msg_id": uuid.uuid4().hex, "username": "x", "session": "x",
                           "msg_type": "comm_info_request", "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"target_name": "jupyter.widget"}}))
            first = await asyncio.wait_for(legacy.read_message(), 60)
            # The legacy socket is closed without an answer; the v1 visitor still gets pictures.
            return first, legacy.close_code, await visitor.change(visitor.slider(), visitor.slider().state["max"])

    first, close_code, round_trip = asyncio.run(scenario())
    assert first is None, "the server answered a legacy-protocol kernel websocket"
    assert close_code == 1002
    assert round_trip > 0


@pytest.mark.parametrize("path", [
    "/voila/files/{nb}",                            # the notebook's own source
    "/voila/files/../course_utils/__init__.py",     # library source, by traversal
    "/voila/files/%2E%2E/course_utils/widgets/panel.py",
    "/voila/files/{stem}.py",                       # a .py beside the notebook
    "/files/{nb}",
    "/api/contents",                                # Jupyter's file browser API
    "/api/kernels",                                 # the list of everyone's kernels
    "/api/sessions",
    "/api/terminals",
    "/lab",
    "/tree",
])
def test_sources_and_server_apis_are_not_served(dashboard, path):
    url = dashboard + path.format(nb=NOTEBOOK.name, stem=NOTEBOOK.stem)
    code = status_of(url)
    assert code in (403, 404, 405), f"{path} answered {code}: it should not be served"


def test_rendered_page_carries_no_source(dashboard):
    with urllib.request.urlopen(dashboard, timeout=180) as r:  # noqa: S310
        page = r.read().decode("utf-8", "replace")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code_lines = [line.strip() for c in nb.cells if c.cell_type == "code"
                  for line in c.source.splitlines() if len(line.strip()) > 12]
    assert code_lines, "the dashboard notebook should have code"
    shown = [line for line in code_lines if line in page]
    assert not shown, f"the page shows notebook source: {shown}"


# ---------------------------------------------------------------------------------- eval
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}


def _forbidden_calls(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name in FORBIDDEN_CALLS and not (isinstance(f, ast.Attribute) and name == "compile"
                                                and getattr(f.value, "id", "") == "re"):
                found.append(f"{where}:{node.lineno} calls {name}()")
    return found


def test_no_control_value_can_reach_eval():
    """No eval/exec/compile/__import__ anywhere in the library or the dashboard's cells."""
    found = []
    for path in sorted((ROOT / "course_utils").rglob("*.py")):
        found += _forbidden_calls(path.read_text(), str(path.relative_to(ROOT)))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            found += _forbidden_calls(source, f"{NOTEBOOK.name} cell {i}")
    assert not found, "code that could evaluate a visitor's input:\n" + "\n".join(found)


def test_the_scan_would_catch_eval():
    """The scanner above is not vacuous."""
    assert _forbidden_calls("x = eval(value)", "probe") == ["probe:1 calls eval()"]
    assert _forbidden_calls("import re\nre.compile('a')", "probe") == []


def test_panel_rejects_a_string_payload_in_process(tmp_path):
    """Setting a control to code-like text fails as a plain error; nothing runs."""
    from course_utils.widgets.panel import TrainingPanel

    marker = tmp_path / "evaluated.txt"
    panel = TrainingPanel("scenario3", resolution=16, epochs=10)
    payload = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    for name in ("dataset", "activation", "optimizer"):
        with pytest.raises(Exception, match="(?i)invalid|valid|choose|not in"):
            panel.set(**{name: payload})
    assert not marker.exists()
    from course_utils.data import DATASETS
    assert panel.read_settings().dataset in DATASETS
