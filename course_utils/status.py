"""One status line for every panel and quiz: words and a border, never colour alone.

Kept apart from ``widgets`` (which loads matplotlib) so that ``course_utils.checks`` can use
it while staying light. Returns HTML strings; imports nothing but the standard library.
"""
from __future__ import annotations

import html

__all__ = ["status_html"]

# Words, not glyphs: U+26D4 renders as an empty box with Debian's default browser fonts.
# Blue #2166ac and orange #e66101 are the course's class colours (plots.style); they mark only
# the border, and text stays dark enough to read (the orange itself is too light on white).
_ICONS = {"warning": "\u26a0 ", "error": "Error: "}
_STYLES = {
    "ok": "color:#1a1a1a",
    "info": "color:#1a1a1a",
    "prompt": "color:#1a1a1a",
    "warning": "color:#7a3b00;font-weight:bold",
    "error": "color:#7a0000;font-weight:bold;background:#fff4e5;padding:2px 6px;border-left:4px solid #e66101",
    "right": "color:#1a1a1a;border-left:4px solid #2166ac;padding:2px 6px",
    "wrong": "color:#7a3b00;border-left:4px solid #e66101;padding:2px 6px",
}


def status_html(level: str, text: str) -> str:
    """A polite live region (screen readers announce it) holding ``text``, escaped.

    ``level`` is one of ok, info, prompt, warning, error (panels) or right, wrong (quizzes);
    an unknown level gets no style.
    """
    return (f'<div role="status" aria-live="polite" style="{_STYLES.get(level, "")}">'
            f'{_ICONS.get(level, "")}{html.escape(text)}</div>')
