"""Standalone Voila for a class (``make dashboard``): the notebook's own address, a kernel
pool sized for the class that says when it is warm, and a cap on visitors' kernels.

Use it as the ``voila`` command::

    PYTHONPATH=deploy .venv/bin/python -m course_voila [voila options] notebooks/06_playground.ipynb

What it adds to Voila (docs/deploy.md, *A class at once*):

* **The notebook's own address.** Voila serving one notebook shows it at ``/`` and sends every
  other path to ``/voila/files/<path>``, which refuses ``.ipynb`` files (403). But the lesson,
  and every other way of serving the Playground, gives its address as
  ``…/06_playground.ipynb?dataset=…`` (Binder and JupyterHub: ``/voila/render/notebooks/…``,
  ``voila notebooks``: ``/voila/render/06_playground.ipynb``). Those paths redirect to ``/``
  with the query string (the preset) kept byte for byte. ``/files/<notebook>`` and
  ``/voila/files/<notebook>`` are still refused. (tests/test_dashboard_urls.py)
* **A pool sized for the class** (``--CourseVoila.pool=20``, ``POOL=20 make dashboard``):
  Voila's own preheated kernels (``VoilaKernelManager.kernel_pools_config``) for the served
  notebook. Each pooled kernel runs the notebook up to the cell that waits for its visitor's
  URL. The server logs ``Kernel pool warm: 20 of 20 …`` when every one of them got there, and
  ``GET /course/pool`` answers the same as JSON. A visitor who finds no started kernel in the
  pool gets one started at once, not the refill Voila has queued (which waits ``fill_delay``).
  (tests/test_class_rush.py)
* **A cap** (``--CourseVoila.max_kernels=40``, ``MAX_KERNELS=40 make dashboard``): past that
  many visitors' kernels alive (pooled kernels not yet handed out do not count), a new
  visitor gets a short page - HTTP 503, ``Retry-After`` - saying the room is full and to try
  again in a minute, instead of a page that hangs while the machine drowns. Voila has no cap
  of its own. Kernels come back through the idle culler (voila.json).
* **Timings** (``--CourseVoila.timing_log=cells.jsonl``, for benchmarks/loadtest.py): one JSON
  line per executed code cell with the kernel's own start and end times.
* **Templates compiled once** (``--CourseVoila.cache_templates``, on by default): Voila builds
  a new nbconvert exporter, and with it a new Jinja environment, for every page it renders,
  so every visitor's page compiled the same 15 templates again (about a third of the server's
  CPU time per cold visitor). The environments share one in-memory Jinja bytecode cache
  instead (Jinja's own ``BytecodeCache``, keyed by template and checked against its source:
  an edited template is compiled afresh).

Serving a folder, the redirect and the pool option do nothing; the cap still applies.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import random
import re

from jinja2 import BytecodeCache
from jupyter_server.utils import url_path_join
from tornado.ioloop import PeriodicCallback
from tornado.web import RequestHandler
from traitlets import Bool, Integer, Unicode
from voila import notebook_renderer
from voila.app import Voila
from voila.exporter import VoilaExporter
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler

ROOM_FULL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The room is full</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{retry}">
<style>body{{font-family:system-ui,sans-serif;max-width:34em;margin:4em auto;padding:0 1em;
line-height:1.5;color:#222}}h1{{font-size:1.6em}}a{{color:#0b5394}}</style></head>
<body><main>
<h1>The room is full</h1>
<p>This server is already running the Playground for {count} people, as many as it can
serve at once.</p>
<p>Please try again in a minute: this page reloads by itself in {retry} seconds, or
<a href="">try again now</a>. A place frees up when someone closes their tab.</p>
</main></body></html>
"""
"""The page a visitor gets past the cap (503). No script, nothing loaded from elsewhere."""


class ToDashboard(RequestHandler):
    """Redirect (302) to the dashboard at ``url``, keeping the request's raw query string."""

    def initialize(self, url: str) -> None:
        self.url = url

    def get(self) -> None:
        query = self.request.query
        self.redirect(self.url + (f"?{query}" if query else ""))


class Room:
    """Counts visitors' kernels for the cap: handed-out kernels still alive, plus requests
    let in whose kernel is not handed out yet (so twenty arriving together are all counted)."""

    def __init__(self, max_kernels: int):
        self.max_kernels = max_kernels
        self.seated: set[str] = set()
        self.waiting = 0

    def occupied(self, kernel_manager) -> int:
        self.seated &= set(kernel_manager.list_kernel_ids())  # culled or shut down: seat freed
        return len(self.seated) + self.waiting

    def full(self, kernel_manager) -> bool:
        return self.max_kernels > 0 and self.occupied(kernel_manager) >= self.max_kernels


class _Seating:
    """The kernel manager as a capped handler sees it: records the kernel it hands out."""

    def __init__(self, kernel_manager, handler: "CappedVoilaHandler"):
        self._km = kernel_manager
        self._handler = handler

    def __getattr__(self, name):
        return getattr(self._km, name)

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await self._km.start_kernel(*args, **kwargs)
        self._handler.seat(kernel_id)
        return kernel_id

    async def get_rendered_notebook(self, *args, **kwargs):
        task, cache, kernel_id = await self._km.get_rendered_notebook(*args, **kwargs)
        self._handler.seat(kernel_id)
        return task, cache, kernel_id


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's page handler, answering 503 "the room is full" past ``Room.max_kernels``."""

    def initialize(self, **kwargs):
        self.room: Room = kwargs.pop("room")
        self._waiting = False
        super().initialize(**kwargs)

    @property
    def kernel_manager(self):
        return _Seating(self.settings["kernel_manager"], self)

    def _renders(self) -> bool:
        # In single-notebook mode any other path is redirected to /voila/files/ (no kernel).
        path = self.path_args[0] if self.path_args else ""
        return not (self.notebook_path and path)

    async def prepare(self):
        await super().prepare()
        if self._finished or self.request.method != "GET" or not self._renders():
            return
        km = self.settings["kernel_manager"]
        if self.room.full(km):
            count = self.room.occupied(km)
            self.log.warning("Room full: %d visitors' kernels (cap %d); sent the 'try again' page.",
                             count, self.room.max_kernels)
            retry = random.randint(45, 75)  # spread the retries of a crowd over half a minute
            self.set_status(503)
            self.set_header("Retry-After", str(retry))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(ROOM_FULL.format(count=count, retry=retry))
            return
        self.room.waiting += 1
        self._waiting = True

    def should_use_rendered_notebook(self, *args, **kwargs) -> bool:
        """Take a pooled kernel only if one has started; else start a kernel now.

        Voila queues a refill as soon as a pooled kernel is handed out and counts it in the
        pool at once, so the next visitor would wait for it - for ``fill_delay`` (120 s here)
        plus its start. A started one is moved to the front, where Voila takes from.
        """
        if not super().should_use_rendered_notebook(*args, **kwargs):
            return False
        name = self.notebook_path or (self.path_args[0] if self.path_args else None)
        pool = getattr(self.settings["kernel_manager"], "_pools", {}).get(name, [])
        ready = [t for t in pool if t.done() and not t.cancelled() and t.exception() is None]
        if not ready:
            return False
        pool.remove(ready[0])
        pool.insert(0, ready[0])
        return True

    def seat(self, kernel_id: str) -> None:
        self.room.seated.add(kernel_id)
        if self._waiting:
            self._waiting = False
            self.room.waiting -= 1

    def on_finish(self):
        if self._waiting:  # refused, failed or abandoned before a kernel was handed out
            self._waiting = False
            self.room.waiting -= 1
        super().on_finish()


CLASS_FILL_DELAY = 120
"""Seconds before a pooled kernel handed out is replaced, when a pool of more than one is asked for."""


def pool_status(kernel_manager, room: Room | None = None) -> dict:
    """The kernel pools (Voila's ``VoilaKernelManager``) and the room, as counts.

    A pooled kernel is *warm* when it has run the notebook as far as it can without its
    visitor: it waits for the visitor's URL (``course_utils.widgets.playground.query_string``),
    or it has run every cell.
    """
    pools = getattr(kernel_manager, "_pools", {})
    config = getattr(kernel_manager, "kernel_pools_config", {})
    out = {}
    for name, tasks in pools.items():
        size = config.get(name, config.get("default", {})).get("pool_size", 0)
        warm = 0
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is None:
                item = task.result()
                if item["task"].done() or item["kernel_id"] in RequestInfoSocketHandler._waiters:
                    warm += 1
        out[name] = {"size": size, "started": len(tasks), "warm": warm}
    status = {"pools": out, "refill_after_s": getattr(kernel_manager, "fill_delay", None)}
    if room is not None:
        status.update(visitors=room.occupied(kernel_manager), max_kernels=room.max_kernels)
    return status


class PoolStatusHandler(RequestHandler):
    """``GET /course/pool``: the pool and room counts as JSON (for a teacher, and the tests)."""

    def initialize(self, room: Room) -> None:
        self.room = room

    def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(pool_status(self.settings["kernel_manager"], self.room))


def _epoch(stamp) -> float | None:
    if isinstance(stamp, _dt.datetime):
        return stamp.timestamp()
    if isinstance(stamp, str):
        return _dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    return None


def cell_timer(path: str):
    """An ``on_cell_executed`` hook (nbclient) appending each code cell's kernel-side times to ``path``.

    The kernel session id (the ``session`` of every message the kernel sends) ties a line to
    the visitor whose websocket sees the same id.
    """
    def hook(cell, cell_index, execute_reply):
        line = {"session": execute_reply["header"].get("session"), "cell_index": cell_index,
                "started": _epoch(execute_reply.get("metadata", {}).get("started")),
                "finished": _epoch(execute_reply["header"].get("date"))}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
    return hook


class MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in memory, shared by every page's environment."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])  # Jinja drops it if the source changed

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class CachedTemplatesExporter(VoilaExporter):
    """Voila's exporter whose Jinja environment uses :attr:`bytecode_cache`."""

    bytecode_cache = MemoryBytecodeCache()

    def _create_environment(self):
        environment = super()._create_environment()
        environment.bytecode_cache = self.bytecode_cache
        return environment


class CourseVoila(Voila):
    """Voila plus the notebook's own address, a sized kernel pool, a cap and cell timings."""

    pool = Integer(None, allow_none=True, config=True,
                   help="Kernels to pre-start for the served notebook (None: as voila.json says).")
    max_kernels = Integer(0, config=True,
                          help="Most visitors' kernels alive at once; past it, the 'room is full' page. 0: no cap.")
    timing_log = Unicode("", config=True, help="Append one JSON line per executed code cell here.")
    cache_templates = Bool(True, config=True,
                           help="Compile the page's Jinja templates once, not once per visitor.")

    def init_settings(self):
        if self.pool is not None and self.notebook_path:
            key = os.path.relpath(self.notebook_path, self.root_dir)  # how Voila keys its pools
            pools = dict(self.config.VoilaKernelManager.get("kernel_pools_config") or {"default": {"pool_size": 0}})
            pools[key] = {**pools.get(key, {}), "pool_size": max(self.pool, 0)}
            self.config.VoilaKernelManager.kernel_pools_config = pools
            if self.pool > 0:
                self.voila_configuration.preheat_kernel = True
            if self.pool > 1 and "fill_delay" not in self.config.VoilaKernelManager:
                # A class: kernels handed out are replaced after the rush, not during it (Voila's
                # default, 1 s, started 20 refills among 20 visitors and doubled the work). One
                # preheated kernel (voila.json) keeps the default, so the next visitor finds one.
                self.config.VoilaKernelManager.fill_delay = CLASS_FILL_DELAY
        if self.timing_log:
            self.config.VoilaExecutor.on_cell_executed = cell_timer(self.timing_log)
        if self.cache_templates:
            notebook_renderer.VoilaExporter = CachedTemplatesExporter  # the name NotebookRenderer builds
        return super().init_settings()

    def init_handlers(self) -> list:
        handlers = super().init_handlers()
        self.room = Room(self.max_kernels)
        for i, (route, handler, *kwargs) in enumerate(handlers):
            if handler is TornadoVoilaHandler:
                handlers[i] = (route, CappedVoilaHandler, {**(kwargs[0] if kwargs else {}), "room": self.room})
        handlers.insert(0, (url_path_join(self.server_url, "/course/pool"), PoolStatusHandler, {"room": self.room}))
        if self.notebook_path:
            name = re.escape(os.path.basename(self.notebook_path))
            route = (url_path_join(self.server_url, rf"/(?:voila/render/(?:.*/)?)?{name}"), ToDashboard,
                     {"url": url_path_join(self.base_url, "/")})
            # Before Voila's catch-all (the last route), after its own routes (which keep
            # /voila/files/<notebook> refused).
            handlers.insert(len(handlers) - 1, route)
        if self.max_kernels:
            self.log.info("At most %d visitors' kernels at once; past that, the 'room is full' page.",
                          self.max_kernels)
        self._last_pool_report = None
        PeriodicCallback(self._report_pool, 1000).start()
        return handlers

    def _report_pool(self) -> None:
        """Log the pool's filling, and once when every pooled kernel is warm."""
        pools = pool_status(self.kernel_manager)["pools"]
        report = tuple((name, p["warm"], p["size"]) for name, p in sorted(pools.items()) if p["size"])
        if report == self._last_pool_report:
            return
        self._last_pool_report = report
        for name, warm, size in report:
            if warm >= size:
                self.log.info("Kernel pool warm: %d of %d kernels for %s have run the notebook "
                              "and wait for their visitors.", warm, size, name)
            else:
                self.log.info("Kernel pool filling: %d of %d kernels for %s warm.", warm, size, name)


main = CourseVoila.launch_instance

if __name__ == "__main__":
    main()
