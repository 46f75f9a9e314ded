"""Find the file of the homework notebook that is running, whatever the learner renamed it to.

Otter's checks read their tests from the notebook file, and Otter Assign writes the handout's
first cell as ``otter.Notebook("hw1.ipynb")``: a learner who saves "Copy of hw1.ipynb" or
"hw1 - Jane (final).ipynb" gets a FileNotFoundError there and a NameError at every check after.
``homework/build.py`` makes that cell call :func:`notebook_path` instead.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

__all__ = ["notebook_path", "assignment_of"]


def assignment_of(path) -> str | None:
    """The Otter assignment name stored in a notebook's metadata, or None (not a handout, unreadable)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            metadata = json.load(f).get("metadata", {})
        return metadata.get("otter", {}).get("assignment_name")
    except (OSError, ValueError, AttributeError):
        return None


def _candidates(folder: Path):
    """Where the running notebook may be, most trustworthy first."""
    # Jupyter Server starts each kernel with the notebook's path: absolute in recent releases,
    # relative to the server's root in older ones (so also try its name in the kernel's folder).
    # It goes stale when the file is renamed while the kernel runs; the checks below catch that.
    session = os.environ.get("JPY_SESSION_NAME")
    if session:
        yield Path(session)
        yield folder / Path(session).name
    # VS Code's Jupyter extension puts the path in the kernel's namespace.
    main = sys.modules.get("__main__")
    vscode = getattr(main, "__vsc_ipynb_file__", None)
    if vscode:
        yield Path(vscode)
    # Anything else (classic tools, nbclient, Otter's grading run): the notebooks of the kernel's
    # folder, newest first - a learner works in the copy they saved last.
    notebooks = [p for p in folder.glob("*.ipynb") if p.is_file()]
    yield from sorted(notebooks, key=lambda p: p.stat().st_mtime, reverse=True)


def notebook_path(assignment: str, folder=None) -> str:
    """The path of the running notebook of ``assignment``, whatever its file is called.

    Tries Jupyter Server's ``JPY_SESSION_NAME``, then VS Code's ``__vsc_ipynb_file__``, then the
    newest ``*.ipynb`` in ``folder`` (default: the working directory, which Jupyter sets to the
    notebook's folder); the first file whose ``metadata.otter.assignment_name`` is ``assignment``
    wins.

    Raises
    ------
    FileNotFoundError
        No notebook of that assignment is found; the message tells the learner what to do.
    """
    folder = Path.cwd() if folder is None else Path(folder)
    for path in _candidates(folder):
        if path.is_file() and assignment_of(path) == assignment:
            return str(path)
    raise FileNotFoundError(
        f"The checks of {assignment} could not find this notebook's file in {folder}. Save the notebook "
        f"(File > Save), make sure it is the {assignment} handout, and run this cell again.")
