"""course_utils.handout: a homework notebook finds its own file whatever the learner renamed it to."""
import os
import sys
import types

import nbformat
import pytest

from course_utils.handout import assignment_of, notebook_path


def _handout(path, assignment="hw1", mtime=None):
    nb = nbformat.v4.new_notebook(metadata={"otter": {"assignment_name": assignment}})
    nbformat.write(nb, path)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


@pytest.fixture(autouse=True)
def _no_editor(monkeypatch):
    """No Jupyter Server or VS Code around unless a test says so."""
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))


def test_a_renamed_copy_is_found_by_its_assignment_not_its_name(tmp_path):
    renamed = _handout(tmp_path / "hw1 - Jane (final).ipynb", mtime=1_000)
    _handout(tmp_path / "hw2.ipynb", assignment="hw2", mtime=2_000)  # newer, another assignment
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "notes.ipynb")  # newest, no assignment
    assert notebook_path("hw1", tmp_path) == str(renamed)
    assert assignment_of(tmp_path / "notes.ipynb") is None


def test_of_two_copies_the_newest_wins_without_a_server(tmp_path):
    _handout(tmp_path / "hw1.ipynb", mtime=1_000)
    copy = _handout(tmp_path / "Copy of hw1.ipynb", mtime=2_000)
    assert notebook_path("hw1", tmp_path) == str(copy)


def test_jupyter_servers_session_name_wins_over_a_newer_copy(tmp_path, monkeypatch):
    opened = _handout(tmp_path / "hw1.ipynb", mtime=1_000)
    _handout(tmp_path / "Copy of hw1.ipynb", mtime=2_000)
    monkeypatch.setenv("JPY_SESSION_NAME", str(opened))
    assert notebook_path("hw1", tmp_path) == str(opened)
    # Older servers give the path from their root: the name is looked up in the kernel's folder.
    monkeypatch.setenv("JPY_SESSION_NAME", "courses/week3/hw1.ipynb")
    assert notebook_path("hw1", tmp_path) == str(tmp_path / "hw1.ipynb")


def test_a_stale_or_foreign_session_name_is_ignored(tmp_path, monkeypatch):
    renamed = _handout(tmp_path / "Copy of hw1.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "hw1.ipynb"))  # renamed while running
    assert notebook_path("hw1", tmp_path) == str(renamed)
    other = _handout(tmp_path / "teacher.ipynb", assignment="hw2")
    monkeypatch.setenv("JPY_SESSION_NAME", str(other))  # grading run from another notebook
    assert notebook_path("hw1", tmp_path) == str(renamed)


def test_vscode_names_the_notebook_in_the_kernels_namespace(tmp_path, monkeypatch):
    elsewhere = tmp_path / "project"
    elsewhere.mkdir()
    opened = _handout(elsewhere / "my hw1.ipynb")
    sys.modules["__main__"].__vsc_ipynb_file__ = str(opened)
    assert notebook_path("hw1", tmp_path) == str(opened)


def test_the_working_directory_is_searched_by_default(tmp_path, monkeypatch):
    renamed = _handout(tmp_path / "hw1 (1).ipynb")
    monkeypatch.chdir(tmp_path)
    assert os.path.samefile(notebook_path("hw1"), renamed)


def test_no_handout_is_explained_in_words(tmp_path):
    _handout(tmp_path / "hw2.ipynb", assignment="hw2")
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(FileNotFoundError, match=r"checks of hw1 could not find this notebook's file.*Save"):
        notebook_path("hw1", tmp_path)
