"""Execute notebooks in place, top to bottom, each in a fresh kernel (`make execute`).

    .venv/bin/python scripts/execute_notebooks.py                 # every notebooks/*.ipynb
    .venv/bin/python scripts/execute_notebooks.py notebooks/02_scenario1_gauss.ipynb

Each lesson is authored once, as a jupytext percent-format source beside it
(``notebooks/NN_name.py``, paired with the ``.ipynb``; JupyterLab with jupytext keeps the two in
step while you edit either). Executing reads the cells from that source, so an edit made in the
``.py`` file with any editor reaches the executed notebook; a notebook without a source is
executed as it is.

Stored outputs are kept deterministic so re-executing does not churn the diff: no timing
metadata, and the widget model ids (random in the kernel) are renamed in order of
appearance. A notebook whose execution raises is reported and left untouched on disk;
the script then exits with status 1.
"""
from __future__ import annotations

import hashlib
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def stable_widget_ids(nb: nbformat.NotebookNode, salt: str) -> nbformat.NotebookNode:
    """Rename widget model ids to ones derived from ``salt`` and their order of creation."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    if not state:
        return nb
    mapping = {old: hashlib.sha256(f"{salt}:{i}".encode()).hexdigest()[:32] for i, old in enumerate(state)}
    text = nbformat.writes(nb)
    text = _HEX32.sub(lambda m: mapping.get(m.group(0), m.group(0)), text)
    return nbformat.reads(text, as_version=4)


def coalesce_streams(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Merge consecutive stdout (stderr) outputs of a cell: how the kernel happens to flush
    a long print loop depends on timing, and should not show up in the diff."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            if (merged and out.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                merged[-1]["text"] += out["text"]
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def _name(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def errors_in(nb: nbformat.NotebookNode) -> list[str]:
    """Error outputs (a failure); stderr text is printed as a warning for the author."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                print(f"  warning: cell {i} wrote to stderr: {out.get('text', '')[:200]!r}", file=sys.stderr)
    return found


def source_of(path: Path) -> Path | None:
    """The paired jupytext source of ``path`` (``NN_name.py`` beside it), or None."""
    source = path.with_suffix(".py")
    return source if source.exists() else None


def load(path: Path) -> nbformat.NotebookNode:
    """The notebook to execute: its cells from the paired source when there is one."""
    source = source_of(path)
    if source is None:
        return nbformat.read(path, as_version=4)
    nb = jupytext.read(source)
    nb.metadata.pop("widgets", None)
    nb.metadata.get("jupytext", {}).pop("text_representation", None)  # as jupytext stores pairs
    for i, cell in enumerate(nb.cells):  # stable ids (jupytext makes random ones): no diff churn
        cell.id = f"{path.stem[:2]}-{i:02d}"
    return nb


def execute(path: Path, timeout: int = 600) -> bool:
    nb = load(path)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        print(f"FAILED {_name(path)}:\n{exc}", file=sys.stderr)
        return False
    problems = errors_in(nb)
    if problems:
        print(f"FAILED {_name(path)}:\n  " + "\n  ".join(problems), file=sys.stderr)
        return False
    nb = stable_widget_ids(coalesce_streams(nb), path.stem)
    nbformat.write(nb, path)
    size = path.stat().st_size / 1024
    print(f"executed {_name(path)} in {time.perf_counter() - start:.1f} s ({size:.0f} KiB)")
    return True


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted(NOTEBOOKS.glob("*.ipynb"))
    ok = True
    for path in paths:
        ok &= execute(path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
