"""Shared pytest configuration: run from the project root, headless matplotlib; the homework build."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MPLBACKEND", "Agg")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def homework_dist(tmp_path_factory):
    """Every assignment built once per session, as `make homework` builds them, into a temporary
    folder (never into homework/dist). Used by test_homework.py and test_gradescope.py."""
    out = tmp_path_factory.mktemp("homework-dist")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "homework" / "build.py"),
                           "--source", str(ROOT / "homework" / "source"), "--dist", str(out)],
                          capture_output=True, text=True, timeout=850, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(f"homework build: {time.perf_counter() - start:.1f} s")
    return out
