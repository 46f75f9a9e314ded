"""A small, browser-free client for a Voila dashboard: load the page, open the kernel
channel, read the widgets' state, change a control and wait for the new picture.

It speaks the same Jupyter widget protocol the page's JavaScript speaks (ipywidgets 8:
``comm_info_request`` to list the widgets, ``request_state`` to read one, ``update`` to
change one), over the same ``/api/kernels/<id>/channels`` websocket, so the server does
the same work as for a real visitor - minus the browser's own CPU, which on a 2-core
machine would otherwise drown the measurement. Used by ``benchmarks/loadtest.py`` and by
the security and fault tests.

Tornado only (a dependency of Jupyter Server), asyncio throughout.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import os
import json
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
PLAYGROUND = ROOT / "notebooks" / "06_playground.ipynb"
STANDIN = ROOT / "benchmarks" / "standin" / "playground_standin.ipynb"


TEMPLATES = ROOT / "share" / "jupyter"
"""Holds voila/templates/course; Voila finds it through JUPYTER_PATH."""
DEPLOY = ROOT / "deploy"
"""Holds voila_guard.py and course_voila.py; found through PYTHONPATH."""
COURSE_VOILA = [sys.executable, "-m", "course_voila"]
"""The command ``make dashboard`` runs instead of ``voila`` (deploy/course_voila.py)."""
COURSE_ARGS = ["--template=course", "--Voila.kernel_websocket_connection_class=voila_guard.V1OnlyConnection"]
"""What ``make dashboard`` adds to voila.json (which every Voila started here reads)."""


def dashboard_notebook() -> Path:
    """The Playground when it exists, else the two-cell TrainingPanel stand-in."""
    return PLAYGROUND if PLAYGROUND.exists() else STANDIN


def course_env(base=None) -> dict:
    """Environment for a Voila run as ``make dashboard`` runs it: the template and the guard found."""
    base = dict(os.environ if base is None else base)
    for var, path in (("JUPYTER_PATH", TEMPLATES), ("PYTHONPATH", DEPLOY)):
        base[var] = os.pathsep.join([str(path), *([base[var]] if base.get(var) else [])])
    return base


@contextlib.contextmanager
def jupyter_path_with_templates():
    """Set JUPYTER_PATH / PYTHONPATH as ``make dashboard`` does (servers started inside inherit them)."""
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "PYTHONPATH")}
    os.environ.update({k: course_env()[k] for k in saved})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def course_dashboard(target: Path | None = None, extra_args=()):
    """Voila as ``make dashboard`` runs it: repo-root voila.json plus the course template."""
    from servers import voila_server

    target = Path(target or dashboard_notebook())
    arg = str(target.relative_to(ROOT)) if target.is_relative_to(ROOT) else str(target)
    with jupyter_path_with_templates(), voila_server(arg, extra_args=[*COURSE_ARGS, *extra_args],
                                                      program=COURSE_VOILA) as url:
        yield url


@contextlib.contextmanager
def class_dashboard(notebook: Path | None = None, *, pool: int | None = None, max_kernels: int = 0,
                    cull: int | None = None, cull_interval: int | None = None, timing_log: Path | None = None,
                    log: Path | None = None, timeout: float = 120.0, extra_args=()):
    """``POOL=… MAX_KERNELS=… CULL=… make dashboard`` on a free loopback port, in its own
    process group, always stopped. Yields ``(base_url, process, log_path)``.

    Reads the repository's voila.json like ``make dashboard``; the keyword arguments are the
    command-line settings the Makefile adds (``cull_interval``: how often the culler looks).
    """
    from servers import free_port, run_server

    notebook = Path(notebook or dashboard_notebook())
    port = free_port()
    argv = [*COURSE_VOILA, str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0", *COURSE_ARGS]
    if pool is not None:
        argv.append(f"--CourseVoila.pool={pool}")
    if max_kernels:
        argv.append(f"--CourseVoila.max_kernels={max_kernels}")
    if cull is not None:
        argv.append(f"--MappingKernelManager.cull_idle_timeout={cull}")
    if cull_interval is not None:
        argv.append(f"--MappingKernelManager.cull_interval={cull_interval}")
    if timing_log is not None:
        argv.append(f"--CourseVoila.timing_log={timing_log}")
    argv.extend(extra_args)
    with run_server(argv, "/course/pool", port, timeout, env=course_env(), log=log) as running:
        yield running


def pool_status(base_url: str) -> dict:
    """``GET /course/pool``: ``{"pools": {name: {"size", "started", "warm"}}, "visitors", "max_kernels"}``."""
    import urllib.request

    with urllib.request.urlopen(base_url.rstrip("/") + "/course/pool", timeout=30) as r:  # noqa: S310 - loopback
        return json.loads(r.read())


def wait_until_warm(base_url: str, size: int, timeout: float) -> float:
    """Wait until every pooled kernel is warm; return the seconds waited."""
    t0 = time.monotonic()
    while True:
        pools = pool_status(base_url)["pools"]
        if pools and all(p["warm"] >= size for p in pools.values() if p["size"]):
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise DashboardError(f"the kernel pool was not warm within {timeout:.0f} s: {pools}")
        time.sleep(0.5)


CONTROL_TARGET, CONTROL_VERSION = "jupyter.widget.control", "1.0.0"
"""ipywidgets 8's control comm: one message asks for every widget's state."""
CONTROL_TIMEOUT = 4.0
"""Seconds the page waits for that answer before asking each widget (ipywidgets 8's
``CONTROL_COMM_TIMEOUT``)."""


class DashboardError(RuntimeError):
    """The dashboard did not behave as a visitor needs (no kernel, no picture, ...)."""


_KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


PROTOCOL = "v1.kernel.websocket.jupyter.org"
"""The kernel websocket protocol the page's JavaScript speaks (and the only one Voila 0.5
handles well: its websocket filter reads every binary frame as v1, and spins on the
legacy binary form)."""


def encode_v1(msg: dict) -> bytes:
    """One kernel message as a v1 binary frame: offsets, channel, header, parent, metadata, content, buffers."""
    parts = [json.dumps(msg[k]).encode("utf-8") for k in ("header", "parent_header", "metadata", "content")]
    parts += [bytes(b) for b in msg.get("buffers", [])]
    channel = msg["channel"].encode("utf-8")
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(channel))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + channel + b"".join(parts)


def decode_frame(frame) -> dict:
    """A kernel message from one websocket frame (v1 binary, or JSON text)."""
    if isinstance(frame, str):
        msg = json.loads(frame)
        msg.setdefault("buffers", [])
        return msg
    n = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1): 8 * (i + 2)], "little") for i in range(n)]
    channel = frame[offsets[0]:offsets[1]].decode("utf-8")
    parts = [frame[offsets[i]:offsets[i + 1]] for i in range(1, n - 1)]
    header, parent, metadata, content = (json.loads(p.decode("utf-8")) for p in parts[:4])
    return {"header": header, "parent_header": parent, "metadata": metadata, "content": content,
            "channel": channel, "msg_type": header.get("msg_type"), "buffers": parts[4:]}


@dataclass
class Widget:
    comm_id: str
    state: dict
    buffers: dict = field(default_factory=dict)  # state key -> bytes

    @property
    def model(self) -> str:
        return self.state.get("_model_name", "")


class DashboardSession:
    """One visitor. ``await session.open()`` renders the page and connects to its kernel."""

    def __init__(self, base_url: str, path: str = "/", timeout: float = 180.0):
        self.base_url = base_url.rstrip("/")
        self.path = path
        self.timeout = timeout
        self.session_id = uuid.uuid4().hex
        self.kernel_id: str | None = None
        self.html = ""
        self.ws = None
        self.widgets: dict[str, Widget] = {}
        self.inbox: list[dict] = []  # messages read while waiting for something else
        self.times: dict[str, float] = {}  # time.time() when the page and the websocket were done
        self.kernel_session: str | None = None  # the kernel's session id (every kernel message carries it)

    # ------------------------------------------------------------------ connection
    async def open(self) -> "DashboardSession":
        client = AsyncHTTPClient()
        response = await client.fetch(HTTPRequest(self.base_url + self.path, request_timeout=self.timeout,
                                                  connect_timeout=self.timeout))
        self.times["page"] = time.time()
        self.html = response.body.decode("utf-8", "replace")
        match = _KERNEL_ID.search(self.html)
        if not match:
            raise DashboardError("the page carries no kernel id: it did not render a live dashboard")
        self.kernel_id = match.group(1)
        ws_base = "ws" + self.base_url[len("http"):]
        url = f"{ws_base}/api/kernels/{self.kernel_id}/channels?session_id={self.session_id}"
        self.ws = await websocket_connect(HTTPRequest(url, connect_timeout=self.timeout,
                                                      request_timeout=self.timeout),
                                          max_message_size=64 * 1024 * 1024, subprotocols=[PROTOCOL])
        self.times["websocket"] = time.time()
        return self

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None

    async def __aenter__(self):
        return await self.open()

    async def __aexit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ messages
    def send(self, msg_type: str, content: dict, channel: str = "shell", metadata: dict | None = None) -> str:
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {"msg_id": msg_id, "username": "loadtest", "session": self.session_id,
                       "msg_type": msg_type, "version": "5.3",
                       "date": _dt.datetime.now(_dt.timezone.utc).isoformat()},
            "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": channel,
            "buffers": [],
        }
        self.ws.write_message(encode_v1(msg), binary=True)
        return msg_id

    async def recv(self, timeout: float) -> dict | None:
        """The next message, or None when the time is up. Raises when the server closes."""
        try:
            frame = await asyncio.wait_for(self.ws.read_message(), timeout)
        except asyncio.TimeoutError:
            return None
        if frame is None:
            raise DashboardError("the server closed the kernel connection")
        msg = decode_frame(frame)
        if msg["header"].get("msg_type", "").endswith("_reply") \
                or msg["parent_header"].get("session") == self.session_id:  # the kernel answering us
            self.kernel_session = self.kernel_session or msg["header"].get("session")
        return msg

    async def wait_for(self, predicate, timeout: float, what: str) -> dict:
        """Read messages until one satisfies ``predicate``; others are kept in ``inbox``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DashboardError(f"no {what} within {timeout:.0f} s")
            msg = await self.recv(left)
            if msg is None:
                continue
            self._track(msg)
            if predicate(msg):
                return msg
            self.inbox.append(msg)

    def _track(self, msg: dict) -> None:
        """Keep the widget mirror up to date with every state update the kernel sends."""
        if msg.get("msg_type", msg["header"].get("msg_type")) != "comm_msg":
            return
        data = msg["content"].get("data", {})
        if data.get("method") != "update":
            return
        comm = msg["content"]["comm_id"]
        w = self.widgets.setdefault(comm, Widget(comm, {}))
        w.state.update(data.get("state", {}))
        for path, buf in zip(data.get("buffer_paths", []), msg.get("buffers", [])):
            w.buffers[path[0]] = bytes(buf)

    # ------------------------------------------------------------------ widgets
    async def load_widgets(self, timeout: float | None = None, ask_each: bool = False) -> dict[str, Widget]:
        """Read every widget's state, as the page does when it first draws.

        Like Voila 0.5's page (ipywidgets 8's ``_loadFromKernel``): one ``request_states``
        message on a ``jupyter.widget.control`` comm, answered by one ``update_states``
        message that carries every widget, and - if that answer does not come within
        :data:`CONTROL_TIMEOUT` s - the old way, one ``request_state`` per widget listed by
        ``comm_info_request``. ``ask_each=True`` asks each widget from the start (the old
        behaviour; ``loadtest.py --ask-each-widget``).
        """
        timeout = timeout or self.timeout
        if not ask_each and await self._load_all_at_once(min(CONTROL_TIMEOUT, timeout)):
            return self.widgets
        return await self._load_each(timeout)

    async def _load_all_at_once(self, timeout: float) -> bool:
        """One ``request_states`` on the widget control comm; False when no answer in ``timeout`` s."""
        comm = uuid.uuid4().hex
        self.send("comm_open", {"comm_id": comm, "target_name": CONTROL_TARGET, "data": {}},
                  metadata={"version": CONTROL_VERSION})
        self.send("comm_msg", {"comm_id": comm, "data": {"method": "request_states"}})

        def answer(msg):
            c = msg["content"]
            return (msg["header"]["msg_type"] == "comm_msg" and c.get("comm_id") == comm
                    and c.get("data", {}).get("method") == "update_states")

        try:
            msg = await self.wait_for(answer, timeout, "widget states")
        except DashboardError:
            return False
        finally:
            self.send("comm_close", {"comm_id": comm, "data": {}})
        data = msg["content"]["data"]
        states = data.get("states", {})
        if not states:
            raise DashboardError("the kernel has no widgets: the dashboard did not build")
        for comm_id, entry in states.items():
            w = self.widgets.setdefault(comm_id, Widget(comm_id, {}))
            w.state.update(entry.get("state", {}))
        for path, buf in zip(data.get("buffer_paths", []), msg.get("buffers", [])):
            model, _, key = path[:3]  # [model id, "state", state key]
            self.widgets[model].buffers[key] = bytes(buf)
        return True

    async def _load_each(self, timeout: float) -> dict[str, Widget]:
        """The widget list (``comm_info_request``), then one ``request_state`` per widget."""
        ask = self.send("comm_info_request", {"target_name": "jupyter.widget"})
        reply = await self.wait_for(lambda m: m["parent_header"].get("msg_id") == ask
                                    and m["header"]["msg_type"] == "comm_info_reply", timeout, "widget list")
        comms = reply["content"].get("comms", {})
        if not comms:
            raise DashboardError("the kernel has no widgets: the dashboard did not build")
        pending = set(comms)
        for comm in comms:
            self.send("comm_msg", {"comm_id": comm, "data": {"method": "request_state"}})

        def answered(msg):
            if msg["header"]["msg_type"] == "comm_msg" and msg["content"].get("comm_id") in pending \
                    and msg["content"].get("data", {}).get("method") == "update":
                pending.discard(msg["content"]["comm_id"])
            return not pending

        await self.wait_for(answered, timeout, "state for every widget")
        return self.widgets

    def find(self, model: str, **state) -> list[Widget]:
        """Widgets of a model (``"IntSliderModel"``) whose state has the given values."""
        return [w for w in self.widgets.values()
                if w.model == model and all(w.state.get(k) == v for k, v in state.items())]

    def pictures(self) -> list[Widget]:
        return [w for w in self.widgets.values() if w.model == "ImageModel" and w.buffers.get("value")]

    def status_text(self) -> str:
        """The text of the panel's status line(s) (``role="status"`` HTML widgets)."""
        texts = [w.state.get("value", "") for w in self.widgets.values()
                 if w.model == "HTMLModel" and 'role="status"' in w.state.get("value", "")]
        return re.sub(r"<[^>]+>", "", " | ".join(texts))

    def slider(self) -> Widget:
        """The control the load test moves: the noise slider when there is one, else any slider."""
        found = self.find("IntSliderModel", description="noise (%)") or [
            w for w in self.widgets.values() if w.model == "IntSliderModel" and w.state.get("max", 0) > w.state.get("min", 0)]
        if not found:
            raise DashboardError("the dashboard has no integer slider to move")
        return found[0]

    async def change(self, widget: Widget, value, timeout: float | None = None) -> float:
        """Set a control as a visitor would; return seconds until a new picture arrived."""
        timeout = timeout or self.timeout
        pictures = {w.comm_id for w in self.pictures()}
        if not pictures:
            raise DashboardError("no picture on the page yet")
        t0 = time.perf_counter()
        self.send("comm_msg", {"comm_id": widget.comm_id,
                               "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}})
        widget.state["value"] = value

        def new_picture(msg):
            c = msg["content"]
            return (msg["header"]["msg_type"] == "comm_msg" and c.get("comm_id") in pictures
                    and c.get("data", {}).get("method") == "update"
                    and ["value"] in c["data"].get("buffer_paths", []))

        await self.wait_for(new_picture, timeout, "new picture after changing a control")
        return time.perf_counter() - t0
