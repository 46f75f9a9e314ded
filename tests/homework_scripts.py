"""The homework scripts (``homework/build.py``, ``grade.py``, ``tests/make_submissions.py``) are
scripts, not a package: the tests load each once, by path, and share the module."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HOMEWORK = Path(__file__).resolve().parents[1] / "homework"


def load(relative: str):
    """The module at ``homework/<relative>``, loaded once per test session."""
    name = "homework_" + Path(relative).stem
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HOMEWORK / relative)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def fake_build(root: Path, questions: list[dict], assignment: str = "hw1") -> Path:
    """``root/dist`` laid out as ``homework/build.py`` leaves it, for tests that never run a
    kernel: an empty autograder zip (never opened) and ``questions.json``."""
    out = Path(root) / "dist"
    (out / assignment / "autograder").mkdir(parents=True)
    (out / assignment / "autograder" / f"{assignment}-autograder.zip").write_bytes(b"")
    (out / assignment / "questions.json").write_text(json.dumps({"questions": questions}))
    return out
