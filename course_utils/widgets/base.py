"""What every panel shares: a status line, errors shown in it, and a PNG image widget."""
from __future__ import annotations

import traceback

import ipywidgets as W

from ..status import status_html

__all__ = ["PanelBase", "status_html", "FAILED"]

FAILED = object()
"""What :meth:`PanelBase._guard` returns when the guarded call raised."""

class PanelBase:
    """A controller with an ``Image`` for its picture and an ``HTML`` status line.

    Subclasses build ``self.widget`` and call :meth:`_guard` around every callback, so
    an error appears in the panel in words instead of being lost in a log.
    """

    def __init__(self):
        # Natural size (not stretched to the page's width, which blurs it), shrinking on small screens.
        self.image = W.Image(format="png", layout=W.Layout(align_self="flex-start", max_width="100%"))
        self.status = W.HTML(status_html("info", "starting..."))
        self.errors: list[str] = []  # every error shown, for tests and for the curious
        self.widget: W.Widget | None = None

    def _guard(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:  # the library's errors are written for learners
            self._show_error(str(exc))
        except Exception as exc:  # anything else: say what and where, briefly
            where = traceback.extract_tb(exc.__traceback__)[-1]
            self._show_error(f"Something went wrong ({type(exc).__name__}: {exc}) in {where.name}, "
                             f"line {where.lineno}. The picture shows the last good state.")
        return FAILED

    def _show_error(self, text: str) -> None:
        self.errors.append(text)
        self.status.value = status_html("error", text)

    def _set_status(self, level: str, text: str) -> None:
        self.status.value = status_html(level, text)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
