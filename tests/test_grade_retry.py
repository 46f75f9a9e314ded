"""Batch grading as an instructor meets it: kernels that fail to start, and regrading one learner.

Fast: no kernel is started. ``_run_child`` (one ``otter run`` in a child process) is replaced by a
fake that returns what the child would, and the pauses between attempts are recorded, not slept.
"""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import homework_scripts

ROOT = Path(__file__).resolve().parents[1]
grade = homework_scripts.load("grade.py")

QUESTIONS = [{"name": "q1", "manual": False, "points": 2.0},
             {"name": "q2", "manual": False, "points": 3.0},
             {"name": "q3", "manual": True, "points": 4.0}]
BY_HAND = "q3 (by hand, /4)"
KERNEL_DIED = "Kernel died before replying to kernel_info"
FULL = {"scores": {"q1": 2.0, "q2": 3.0}, "problems": [], "feedback": []}
# What the child reports for errors of the notebook itself: the learner's result, never retried.
STUDENT_ERRORS = {
    "cell raised": {"scores": {"q1": 2.0, "q2": 0.0}, "feedback": ["q2: wrong shape"],
                    "problems": ["code cell 4 (q2) raised NameError: name 'W' is not defined"]},
    "whole submission timed out": {"scores": {}, "problems": [
        "grading stopped after 900 s (the notebook runs too long or never ends)"]},
    "invalid notebook": {"scores": {}, "problems": ["not a valid notebook: broken JSON (Expecting value)"]},
    "kernel died in a cell": {"scores": {}, "problems": ["could not be graded: Kernel died"]},
}


@pytest.fixture
def dist(tmp_path):
    """A built assignment as grade.py finds it: the autograder zip (never opened here) and questions."""
    return homework_scripts.fake_build(tmp_path, QUESTIONS)


def _class(folder: Path, *names: str) -> Path:
    folder.mkdir()
    for name in names:
        (folder / name).write_text(json.dumps(
            {"cells": [], "metadata": {"otter": {"assignment_name": "hw1"}}, "nbformat": 4, "nbformat_minor": 5}))
    return folder


@pytest.fixture
def child(monkeypatch):
    """Replace the child process: ``child.script[name]`` is the list of results it gives, in turn."""

    class FakeChild:
        def __init__(self):
            self.script: dict[str, list[dict]] = {}
            self.calls: list[str] = []
            self.sleeps: list[float] = []

        def __call__(self, submission, assignment, dist, cell_timeout, timeout):
            self.calls.append(submission.name)
            results = self.script[submission.name]
            return results.pop(0) if len(results) > 1 else results[0]

    fake = FakeChild()
    monkeypatch.setattr(grade, "_run_child", fake)
    monkeypatch.setattr(grade.time, "sleep", fake.sleeps.append)
    return fake


def _read(path: Path) -> tuple[list[str], dict[str, dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), {row["file"]: row for row in reader}


def test_a_kernel_that_fails_to_start_is_graded_again(dist, tmp_path, child):
    folder = _class(tmp_path / "class", "alice.ipynb", "bob.ipynb")
    child.script = {"alice.ipynb": [{"scores": {}, "problems": [], "kernel_failure": KERNEL_DIED}, FULL],
                    "bob.ipynb": [FULL]}
    said = []
    out, rows = grade.grade_folder(folder, dist=dist, output=tmp_path / "book.csv", jobs=1, progress=said.append)
    row = {r["file"]: r for r in rows}["alice.ipynb"]
    assert row["total"] == 5 and row["q1"] == 2 and row["error"] == ""
    assert child.calls.count("alice.ipynb") == 2 and child.calls.count("bob.ipynb") == 1
    assert child.sleeps == [1]  # the first back-off
    assert any("alice.ipynb: 5/5" in line and "2 attempts" in line for line in said), said
    assert any("attempt 2 of 3" in line for line in said), said


def test_three_kernel_failures_are_recorded_with_the_number_of_attempts(dist, tmp_path, child):
    folder = _class(tmp_path / "class", "alice.ipynb")
    child.script = {"alice.ipynb": [{"scores": {}, "problems": [], "kernel_failure": KERNEL_DIED}]}
    _, rows = grade.grade_folder(folder, dist=dist, output=tmp_path / "book.csv", progress=lambda _: None)
    assert child.calls == ["alice.ipynb"] * 3 and child.sleeps == [1, 2]
    assert rows[0]["total"] == 0
    assert rows[0]["error"] == f"could not be graded after 3 attempts: {KERNEL_DIED}"


@pytest.mark.parametrize("kind", list(STUDENT_ERRORS))
def test_a_students_own_error_is_not_retried(dist, tmp_path, child, kind):
    child.script = {"alice.ipynb": [STUDENT_ERRORS[kind], FULL]}  # a second try would score 5
    data = grade._grade_with_retries(tmp_path / "alice.ipynb", "hw1", dist, 120, 900)
    assert child.calls == ["alice.ipynb"] and child.sleeps == []
    assert data["attempts"] == 1 and data["problems"] == STUDENT_ERRORS[kind]["problems"]


def _raise_in(module: str, exc: Exception):
    """A function that raises ``exc`` from a frame of ``module``, as that package's code would."""
    namespace = {"__name__": module, "exc": exc}
    exec("def fail(*args, **kwargs):\n    raise exc\n", namespace)
    return namespace["fail"]


# (module the error is raised in, error, is it a kernel that never started?)
ORIGINS = [
    ("jupyter_client.client", RuntimeError(KERNEL_DIED), True),
    ("jupyter_client.client", RuntimeError("Kernel didn't respond in 60 seconds"), True),
    ("jupyter_client.manager", RuntimeError("the kernel manager gave up"), True),
    ("nbclient.client", RuntimeError("Kernel died"), False),  # DeadKernelError: died running a cell
    ("otter.run", ValueError("the notebook is for assignment 'hw2'"), False),
]


def test_only_a_kernel_that_never_started_counts_as_a_kernel_failure(tmp_path, monkeypatch):
    otter_run = pytest.importorskip("otter.run")
    monkeypatch.setattr(grade, "_use_cell_timeout", lambda seconds: None)
    submission = _class(tmp_path / "class", "alice.ipynb") / "alice.ipynb"
    for module, exc, never_started in ORIGINS:  # one test: the cases only mean something together
        monkeypatch.setattr(otter_run, "main", _raise_in(module, exc))
        data = grade.grade_one(submission, "hw1", tmp_path / "dist", 120)
        assert data["scores"] == {}, module
        if never_started:
            assert data["kernel_failure"] == str(exc) and data["problems"] == [], module
        else:
            assert "kernel_failure" not in data and data["problems"] == [f"could not be graded: {exc}"], module


def _gradebook(path: Path, rows: list[dict]) -> None:
    fields = ["file", "q1", "q2", BY_HAND, "total", "possible", "error", "feedback", "notes"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_only_regrades_one_file_and_keeps_the_other_rows_and_hand_marks(dist, tmp_path, child):
    folder = _class(tmp_path / "class", "alice.ipynb", "bob.ipynb", "carol.ipynb")
    book = tmp_path / "book.csv"
    before = [
        {"file": "alice.ipynb", "q1": "2", "q2": "3", BY_HAND: "4", "total": "5", "possible": "5",
         "error": "", "feedback": "", "notes": "neat"},
        {"file": "bob.ipynb", "q1": "0", "q2": "0", BY_HAND: "2.5", "total": "0", "possible": "5",
         "error": f"could not be graded after 3 attempts: {KERNEL_DIED}", "feedback": "", "notes": "re-run"},
        {"file": "carol.ipynb", "q1": "2", "q2": "0", BY_HAND: "", "total": "2", "possible": "5",
         "error": "", "feedback": "q2: wrong", "notes": ""},
    ]
    _gradebook(book, before)
    child.script = {"bob.ipynb": [FULL]}
    assert grade.main([str(folder), "--dist", str(dist), "--output", str(book), "--only", "bob.ipynb"]) == 0
    assert child.calls == ["bob.ipynb"]
    fields, after = _read(book)
    assert fields == list(before[0])
    assert list(after) == ["alice.ipynb", "bob.ipynb", "carol.ipynb"]
    assert after["alice.ipynb"] == before[0] and after["carol.ipynb"] == before[2]
    # Its total counts the hand mark it keeps (2.5 of 4), as merging hand scores does.
    assert after["bob.ipynb"] == {**before[1], "q1": "2.0", "q2": "3.0", "total": "7.5",
                                   "possible": "9.0", "error": ""}
    assert not book.with_name("book.csv.partial").exists()
    # The file can also be named by its path; a file outside the folder is refused.
    child.script = {"bob.ipynb": [STUDENT_ERRORS["cell raised"]]}
    assert grade.main([str(folder), "--dist", str(dist), "--output", str(book),
                       "--only", str(folder / "bob.ipynb")]) == 0
    assert _read(book)[1]["bob.ipynb"]["q2"] == "0.0" and _read(book)[1]["bob.ipynb"][BY_HAND] == "2.5"
    shutil.copy(folder / "bob.ipynb", tmp_path / "stray.ipynb")
    with pytest.raises(grade.GradeError, match="not in"):
        grade.grade_folder(folder, dist=dist, output=book, only=tmp_path / "stray.ipynb", progress=print)


def test_only_without_a_gradebook_creates_it_with_that_row(dist, tmp_path, child):
    folder = _class(tmp_path / "class", "alice.ipynb", "bob.ipynb")
    child.script = {"bob.ipynb": [FULL]}
    said = []
    out, rows = grade.grade_folder(folder, dist=dist, only=Path("bob.ipynb"), progress=said.append)
    assert out == tmp_path / "class-hw1-gradebook.csv"  # where the whole folder's gradebook goes
    fields, after = _read(out)
    assert list(after) == ["bob.ipynb"] and after["bob.ipynb"]["total"] == "5.0" and BY_HAND in fields
    assert "created it with this one row" in said[-1] and str(out) in said[-1]


def test_make_grade_passes_only_when_given():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")

    def dry_run(*extra):
        return subprocess.run(["make", "-n", "grade", "SUBMISSIONS=class/", *extra], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout

    assert 'grade.py "class/" --only "bob.ipynb"' in dry_run("ONLY=bob.ipynb")
    assert "--only" not in dry_run()
