"""Homework: the build (student + autograder versions), instant checks, and batch grading.

The build runs once per session into a temporary folder (never into homework/dist), and the class's
submissions are made from what it built (homework/tests/make_submissions.py), so these tests always
check the current sources.
"""
from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

import homework_scripts

ROOT = Path(__file__).resolve().parents[1]
HOMEWORK = ROOT / "homework"
ASSIGNMENTS = ["hw1", "hw2"]

pytestmark = pytest.mark.slow


build = homework_scripts.load("build.py")
grade = homework_scripts.load("grade.py")
make_submissions = homework_scripts.load("tests/make_submissions.py")


def _run(args, timeout, **kwargs):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, **kwargs)


@pytest.fixture(scope="session")
def dist(homework_dist):
    """Both assignments built once per session (conftest.py), as `make homework` builds them."""
    return homework_dist


def _source_nb(name):
    return nbformat.read(HOMEWORK / "source" / name / f"{name}.ipynb", as_version=4)


def _test_cells(source_nb):
    """(question, test config) for every test cell of a source notebook."""
    question, in_tests = None, False
    for cell in source_nb.cells:
        marker = build._raw_marker(cell)
        if marker == "BEGIN QUESTION":
            question = re.search(r"name:\s*(\w+)", cell.source).group(1)
        elif marker in ("BEGIN TESTS", "END TESTS"):
            in_tests = marker == "BEGIN TESTS"
        elif in_tests and cell.cell_type == "code":
            yield question, build._test_config(cell.source)


def _tests_in(source_nb):
    """(question, hidden, points) for every test cell of a source notebook."""
    return [(q, bool(c.get("hidden", False)), c.get("points", 1)) for q, c in _test_cells(source_nb)]


# --------------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_build_writes_student_notebook_autograder_and_question_list(dist, name):
    student = nbformat.read(dist / name / "student" / f"{name}.ipynb", as_version=4)
    nbformat.validate(student)
    assert student.metadata["otter"]["assignment_name"] == name
    questions = json.loads((dist / name / "questions.json").read_text())["questions"]
    auto = [q["name"] for q in questions if not q["manual"]]
    assert auto and any(q["manual"] for q in questions), "graded automatically and by hand"
    with zipfile.ZipFile(dist / name / "autograder" / f"{name}-autograder.zip") as z:
        assert sorted(Path(n).stem for n in z.namelist() if n.startswith("tests/")) == sorted(auto)
    # Every autograded question has a check cell the learner can run.
    checks = {m for c in student.cells for m in re.findall(r'grader\.check\("(\w+)"\)', c.source)}
    assert checks == set(auto)
    # Students import the installed library, never a relative path.
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    assert "import course_utils" in code and "sys.path" not in code and "../" not in code


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_hidden_tests_are_stronger_and_carry_more_points(name):
    tests = _tests_in(_source_nb(name))
    public = sum(p for _, hidden, p in tests if not hidden)
    hidden = sum(p for _, hidden, p in tests if hidden)
    assert hidden > public
    for question in {q for q, _, _ in tests}:
        kinds = {h for q, h, _ in tests if q == question}
        assert kinds == {True, False}, f"{question} needs public and hidden tests"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_notebook_holds_no_solution_line_and_no_hidden_test(dist, name):
    source = _source_nb(name)
    solutions, hidden = build.solution_lines(source), build.hidden_test_lines(source)
    assert len(solutions) >= 10 and len(hidden) >= 10  # the scan has something to look for
    student_text = (dist / name / "student" / f"{name}.ipynb").read_text(encoding="utf-8")
    assert [s for s in solutions if s in student_text] == []
    assert [h for h in hidden if h in student_text] == []
    assert build.find_leaks(dist / name / "student" / f"{name}.ipynb", source) == []
    # Every test Otter stored for students is public.
    stored = json.loads(student_text)["metadata"]["otter"]["tests"]
    assert stored and all("hidden=True" not in body for body in stored.values())
    # The same scan does find them in the solutions notebook: it can fail.
    solved = dist / name / "autograder" / f"{name}.ipynb"
    assert len(build.find_leaks(solved, source)) >= len(solutions)


def test_leak_scan_catches_a_solution_pasted_into_the_handout(dist, tmp_path):
    source = _source_nb("hw1")
    nb = nbformat.read(dist / "hw1" / "student" / "hw1.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("    " + build.solution_lines(source)[0]))
    leaky = tmp_path / "hw1.ipynb"
    nbformat.write(nb, leaky)
    assert len(build.find_leaks(leaky, source)) == 1


def test_build_fails_when_a_solution_does_not_pass_its_own_tests(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(HOMEWORK / "source" / "hw1", source / "hw1")
    nb_path = source / "hw1" / "hw1.ipynb"
    text = nb_path.read_text(encoding="utf-8")
    assert "b_one = b1 @ W2 + b2" in text
    nb_path.write_text(text.replace("b_one = b1 @ W2 + b2", "b_one = b2"), encoding="utf-8")
    proc = _run([HOMEWORK / "build.py", "--source", source, "--dist", tmp_path / "dist"],
                timeout=850, cwd=ROOT)
    assert proc.returncode == 1
    assert "hw1: a solution does not pass its own tests" in proc.stderr
    assert not (tmp_path / "dist" / "hw1").exists()


def test_build_explains_a_missing_source_folder(tmp_path):
    proc = _run([HOMEWORK / "build.py", "--source", tmp_path / "nowhere"], timeout=300, cwd=ROOT)
    assert proc.returncode == 2 and "No source folder" in proc.stderr


def test_generated_dist_is_not_committed():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    assert "homework/dist/" in lines


# --------------------------------------------------------------------------------------------------
# Instant checks in the student notebook
# --------------------------------------------------------------------------------------------------
def _execute(nb_path: Path, timeout=120):
    from nbclient import NotebookClient

    nb = nbformat.read(nb_path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(nb_path.parent)}}).execute()
    return nb


def _check_outputs(nb):
    """{question: [lines of text the check cell showed]}."""
    shown = {}
    for cell in nb.cells:
        m = re.fullmatch(r'grader\.check\("(\w+)"\)', cell.source.strip())
        if m:
            assert all("text/html" not in o.get("data", {}) for o in cell.outputs)
            text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs)
            shown[m.group(1)] = text.splitlines()
    return shown


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_unmodified_student_notebook_fails_its_checks_cleanly(dist, name, tmp_path):
    # A folder of its own, far from the repository: the notebook must not rely on where it lives.
    folder = tmp_path / "Downloads" / "my homework"
    folder.mkdir(parents=True)
    shutil.copy(dist / name / "student" / f"{name}.ipynb", folder)
    _assert_checks_fail_cleanly(_execute(folder / f"{name}.ipynb"), name)


def test_renamed_handout_still_finds_its_checks(dist, tmp_path):
    """Learners save "Copy of hw1.ipynb" or "hw1 - Jane (final).ipynb": the checks still run."""
    folder = tmp_path / "Jane"
    folder.mkdir()
    renamed = folder / "hw1 - Jane (final).ipynb"
    shutil.copy(dist / "hw1" / "student" / "hw1.ipynb", renamed)
    # Another notebook in the folder, saved later: the handout must pick itself by its assignment.
    nbformat.write(nbformat.v4.new_notebook(), folder / "notes.ipynb")
    _assert_checks_fail_cleanly(_execute(renamed), "hw1")


def _assert_checks_fail_cleanly(nb, name):
    """No cell of the executed blank handout raised, and each check shows its friendly lines."""
    errors = [f"{o.ename}: {o.evalue}" for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == [], "the handout must run without crashing"
    public = [(q, msg) for q, msg in _public_messages(name)]
    shown = _check_outputs(nb)
    assert set(shown) == {q for q, _ in public}, "every question with public tests shows its check"
    for question, lines in shown.items():
        expected = [f"{question}: \u2717 {msg}" for q, msg in public if q == question]
        assert lines == expected, "one friendly line per failing test, nothing else"


def _public_messages(name):
    return [(q, c["failure_message"]) for q, c in _test_cells(_source_nb(name)) if not c.get("hidden", False)]


def test_every_public_test_has_a_friendly_one_line_message():
    for name in ASSIGNMENTS:
        for question, message in _public_messages(name):
            assert "\n" not in message and 20 <= len(message) <= 200, (name, question)


def test_solved_notebook_passes_every_visible_check(dist, tmp_path):
    student = nbformat.read(dist / "hw1" / "student" / "hw1.ipynb", as_version=4)
    solved = nbformat.read(dist / "hw1" / "autograder" / "hw1.ipynb", as_version=4)
    nbformat.write(make_submissions.perfect_submission(student, solved), tmp_path / "hw1.ipynb")
    shown = _check_outputs(_execute(tmp_path / "hw1.ipynb"))
    assert shown and all(lines == [f"{q}: \u2713 all visible checks pass."] for q, lines in shown.items())


# --------------------------------------------------------------------------------------------------
# Batch grading
# --------------------------------------------------------------------------------------------------
def _read_gradebook(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f)}


def test_grading_a_class_folder_gives_one_row_per_file(dist, tmp_path):
    folder = tmp_path / "class"
    paths = make_submissions.make_submissions("hw1", dist, folder)
    (folder / ".ipynb_checkpoints").mkdir()  # Jupyter's leftovers are not submissions
    shutil.copy(paths["perfect"], folder / ".ipynb_checkpoints" / "perfect-checkpoint.ipynb")
    gradebook = tmp_path / "gradebook.csv"
    start = time.perf_counter()
    per_file, jobs = 120, 2
    proc = _run([HOMEWORK / "grade.py", folder, "--dist", dist, "--output", gradebook,
                 "--cell-timeout", 20, "--timeout", per_file, "--jobs", jobs], timeout=850, cwd=tmp_path)
    elapsed = time.perf_counter() - start
    print(f"graded {len(paths)} submissions in {elapsed:.1f} s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _read_gradebook(gradebook)
    files = {p.name: kind for kind, p in paths.items()}
    assert set(rows) == set(files), "nothing dropped, nothing invented"
    by_kind = {files[f]: row for f, row in rows.items()}

    questions = json.loads((dist / "hw1" / "questions.json").read_text())["questions"]
    auto = {q["name"]: q["points"] for q in questions if not q["manual"]}
    header = list(next(iter(rows.values())))
    assert header[0] == "file" and header[-4:] == ["total", "possible", "error", "feedback"]
    assert all(q in header for q in auto) and any("by hand" in h for h in header)

    def score(kind, q=None):
        row = by_kind[kind]
        return float(row[q] if q else row["total"])

    full = sum(auto.values())
    for kind, row in by_kind.items():
        assert float(row["possible"]) == full
        assert abs(sum(float(row[q]) for q in auto) - float(row["total"])) < 1e-9, kind
    for kind in ("perfect", "renamed"):
        assert score(kind) == full and by_kind[kind]["error"] == by_kind[kind]["feedback"] == "", kind
    # The same notebook under another name: the same row, number for number (seeded throughout).
    same = [{k: v for k, v in by_kind[kind].items() if k != "file"} for kind in ("perfect", "renamed")]
    assert same[0] == same[1]
    assert score("blank") == 0
    assert 0 < score("wrong_answer") < full and score("wrong_answer", "q2") < auto["q2"]
    assert score("wrong_answer", "q3") < auto["q3"], "q3 folds layers with the wrong compose"
    # The failing tests' one-line messages explain the lost points, question by question.
    assert "q2: " in by_kind["wrong_answer"]["feedback"] and "q1: " not in by_kind["wrong_answer"]["feedback"]
    # Broken ones lose the questions they break, keep the rest, and the error column says why.
    assert score("raises", "q4") < auto["q4"]
    assert all(score("raises", q) == auto[q] for q in ("q1", "q2", "q3"))
    assert "(q4) raised RuntimeError" in by_kind["raises"]["error"]
    assert score("infinite_loop", "q3") == 0
    assert all(score("infinite_loop", q) == auto[q] for q in ("q1", "q2", "q4"))
    assert "(q3) was stopped after 20 s" in by_kind["infinite_loop"]["error"]
    assert score("deleted_cells", "q2") == 0 and score("deleted_cells", "q1") == auto["q1"]
    assert 'deleted or changed: grader.check("q2")' in by_kind["deleted_cells"]["error"]
    assert score("not_json") == 0 and "not a valid notebook" in by_kind["not_json"]["error"]
    # Bounded by construction: no file runs longer than --timeout (the rows above say which
    # were stopped), and the subprocess itself has a hard limit in _run.


def test_grading_hw2_scores_solutions_fully_blank_zero_and_refuses_another_assignment(dist, tmp_path):
    folder = tmp_path / "class"
    paths = make_submissions.make_submissions("hw2", dist, tmp_path / "all")
    folder.mkdir()
    for kind in ("perfect", "blank"):
        shutil.copy(paths[kind], folder)
    # A learner who handed in the wrong homework.
    student = nbformat.read(dist / "hw1" / "student" / "hw1.ipynb", as_version=4)
    nbformat.write(student, folder / "hw1.ipynb")
    proc = _run([HOMEWORK / "grade.py", folder, "--dist", dist, "--cell-timeout", 60],
                timeout=850, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _read_gradebook(tmp_path / "class-hw2-gradebook.csv")  # beside the folder, by default
    assert set(rows) == {"perfect.ipynb", "blank.ipynb", "hw1.ipynb"}
    assert float(rows["perfect.ipynb"]["total"]) == float(rows["perfect.ipynb"]["possible"]) > 0
    assert float(rows["blank.ipynb"]["total"]) == 0
    assert rows["perfect.ipynb"]["error"] == rows["blank.ipynb"]["error"] == ""
    assert float(rows["hw1.ipynb"]["total"]) == 0
    assert "assignment 'hw1'" in rows["hw1.ipynb"]["error"]
    # The written answer (Q6), found by Otter's markers in the real handout, on the page beside.
    page = (tmp_path / "class-hw2-answers.html").read_text(encoding="utf-8")
    articles = dict(re.findall(r'<article id="q6-\d+"[^>]*><h3>(.*?) <span.*?</h3>(.*?)</article>', page, re.S))
    solution = next(c.source for c in nbformat.read(dist / "hw2" / "autograder" / "hw2.ipynb", as_version=4).cells
                    if "otter_assign_solution_cell" in c.metadata.get("tags", []) and c.cell_type == "markdown")
    assert solution.splitlines()[0].split("(")[0] in html.unescape(articles["perfect.ipynb"])
    assert "(no answer)" in articles["blank.ipynb"] and "(no answer)" in articles["hw1.ipynb"]
    assert (tmp_path / "class-hw2-hand-scores.csv").read_text().startswith("file,question,points\n")


def test_a_submission_that_outlives_the_timeout_is_stopped_and_still_gets_a_row(dist, tmp_path):
    student = nbformat.read(dist / "hw1" / "student" / "hw1.ipynb", as_version=4)
    # An endless loop that swallows the interrupt: only the per-submission timeout stops it.
    student.cells.insert(2, nbformat.v4.new_code_cell(
        "while True:\n    try:\n        pass\n    except BaseException:\n        pass"))
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(student, folder / "stubborn.ipynb")
    gradebook = tmp_path / "gradebook.csv"
    proc = _run([HOMEWORK / "grade.py", folder, "--dist", dist, "--output", gradebook,
                 "--cell-timeout", 60, "--timeout", 8], timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    row = _read_gradebook(gradebook)["stubborn.ipynb"]
    assert float(row["total"]) == 0 and "grading stopped after 8 s" in row["error"]


def test_grade_explains_bad_invocations(dist, tmp_path):
    proc = _run([HOMEWORK / "grade.py"], timeout=300)
    assert proc.returncode == 2 and "make grade SUBMISSIONS=" in proc.stderr
    proc = _run([HOMEWORK / "grade.py", tmp_path / "missing", "--dist", dist], timeout=300)
    assert proc.returncode == 2 and "is not a folder" in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = _run([HOMEWORK / "grade.py", tmp_path / "empty", "--dist", dist], timeout=300)
    assert proc.returncode == 2 and "no file to grade" in proc.stderr
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "notes.txt").write_text("hello")
    proc = _run([HOMEWORK / "grade.py", tmp_path / "one", "--dist", dist], timeout=300)
    assert proc.returncode == 2 and "--assignment" in proc.stderr
    proc = _run([HOMEWORK / "grade.py", tmp_path / "one", "--dist", dist, "--assignment", "hw9"], timeout=300)
    assert proc.returncode == 2 and "No autograder for 'hw9'" in proc.stderr


def test_assignment_is_read_from_the_notebooks(dist, tmp_path):
    paths = make_submissions.make_submissions("hw2", dist, tmp_path)
    files = grade.list_submissions(tmp_path)
    assert len(files) == len(paths)
    assert grade.resolve_assignment(files, dist, None) == "hw2"
