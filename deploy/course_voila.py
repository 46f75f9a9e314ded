"""Standalone Voila that also answers at the notebook's own address (``make dashboard``).

Voila serving one notebook shows it at ``/`` and sends every other path to
``/voila/files/<path>``, which refuses ``.ipynb`` files (403). But the lesson, and every
other way of serving the Playground, gives its address as ``…/06_playground.ipynb?dataset=…``:
Binder and JupyterHub serve it at ``/voila/render/notebooks/06_playground.ipynb``, and
``voila notebooks`` at ``/voila/render/06_playground.ipynb``. This app redirects those
paths (``/<notebook>``, ``/voila/render/[folders/]<notebook>``) to ``/``, with the query
string (the preset) kept byte for byte, so a link copied from one set-up works on the others.
Nothing else changes: ``/files/<notebook>``, ``/voila/files/<notebook>`` are still refused.

Use it as the ``voila`` command::

    PYTHONPATH=deploy .venv/bin/python -m course_voila [voila options] notebooks/06_playground.ipynb

(``make dashboard`` does this; tests/test_dashboard_urls.py opens every documented address.)
Serving a folder, it is plain Voila.
"""
from __future__ import annotations

import os
import re

from jupyter_server.utils import url_path_join
from tornado.web import RequestHandler
from voila.app import Voila


class ToDashboard(RequestHandler):
    """Redirect (302) to the dashboard at ``url``, keeping the request's raw query string."""

    def initialize(self, url: str) -> None:
        self.url = url

    def get(self) -> None:
        query = self.request.query
        self.redirect(self.url + (f"?{query}" if query else ""))


class CourseVoila(Voila):
    """Voila, plus a redirect from the notebook's own address to ``/`` in single-notebook mode."""

    def init_handlers(self) -> list:
        handlers = super().init_handlers()
        if self.notebook_path:
            name = re.escape(os.path.basename(self.notebook_path))
            route = (url_path_join(self.server_url, rf"/(?:voila/render/(?:.*/)?)?{name}"), ToDashboard,
                     {"url": url_path_join(self.base_url, "/")})
            # Before Voila's catch-all (the last route), after its own routes (which keep
            # /voila/files/<notebook> refused).
            handlers.insert(len(handlers) - 1, route)
        return handlers


main = CourseVoila.launch_instance

if __name__ == "__main__":
    main()
