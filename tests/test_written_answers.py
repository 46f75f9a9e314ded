"""Written answers, as a teacher marks them: one page per assignment, one sheet, marks back in the gradebook.

Fast: no kernel is started. The submissions are tiny notebooks carrying Otter's markers as
``homework/build.py`` leaves them in the handout (``<!-- BEGIN QUESTION -->`` opening a hand-graded
question's locked prompt cell, the answer cell tagged ``otter_answer_cell``, ``<!-- END QUESTION -->``
opening the next locked cell), and ``_run_child`` (one ``otter run``) is replaced by a fake.
"""
from __future__ import annotations

import copy
import csv
import html
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

import homework_scripts
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
grade = homework_scripts.load("grade.py")

QUESTIONS = [{"name": "q1", "manual": False, "points": 2.0},
             {"name": "q2", "manual": True, "points": 3.0},
             {"name": "q3", "manual": True, "points": 4.0}]
Q2, Q3 = "q2 (by hand, /3)", "q3 (by hand, /4)"
LOCKED = {"deletable": False, "editable": False}
ANSWER = {"tags": ["otter_answer_cell"]}
PLACEHOLDER = "_Type your answer here, replacing this text._"
Q2_PROMPT = "## Q2. Why can no linear network fit XOR? (written, graded by hand)"
Q3_PROMPT = "## Q3. Compare two activations (written, graded by hand)"


def _handout():
    """hw1 as the build writes it: one autograded question, then two written ones in a row."""
    nb = new_notebook(metadata={"otter": {"assignment_name": "hw1"}})
    nb.cells = [
        new_code_cell('import otter\ngrader = otter.Notebook("hw1.ipynb")', metadata=LOCKED),
        new_markdown_cell("## Q1. One affine layer", metadata=LOCKED),
        new_code_cell("def affine_forward(X, W, b):\n    ...", metadata=ANSWER),
        new_code_cell('grader.check("q1")', metadata=LOCKED),
        new_markdown_cell(f"<!-- BEGIN QUESTION -->\n\n{Q2_PROMPT}", metadata=LOCKED),
        new_markdown_cell(PLACEHOLDER, metadata=ANSWER),
        new_markdown_cell(f"<!-- END QUESTION -->\n\n<!-- BEGIN QUESTION -->\n\n{Q3_PROMPT}", metadata=LOCKED),
        new_markdown_cell(PLACEHOLDER, metadata=ANSWER),
        new_markdown_cell("<!-- END QUESTION -->\n\n---\nThat's it. Hand in the `.ipynb` file.", metadata=LOCKED),
    ]
    return nb


def _answered(q2: str | None, q3: str | None):
    """The handout with the written answers typed in (None: left as handed out)."""
    nb = copy.deepcopy(_handout())
    written = [c for c in nb.cells if c.cell_type == "markdown" and "otter_answer_cell" in c.metadata.get("tags", [])]
    for cell, text in zip(written, (q2, q3)):
        if text is not None:
            cell.source = text
    return nb


ALICE_Q2 = "Every layer is affine, so the whole net is one affine map: a straight line can't split XOR."
ALICE_Q3 = "tanh is zero-centred and saturates; ReLU does not saturate for z > 0 but units can die."
SCRIPT = "<script>alert('hi')</script> and x < 1 & y > 2"


@pytest.fixture
def dist(tmp_path):
    """A built assignment: the autograder zip (never opened here), questions.json and the handout."""
    out = homework_scripts.fake_build(tmp_path, QUESTIONS)
    (out / "hw1" / "student").mkdir()
    nbformat.write(_handout(), out / "hw1" / "student" / "hw1.ipynb")
    return out


@pytest.fixture
def folder(tmp_path):
    """A class: answers, a blank, HTML in an answer, a deleted prompt, broken JSON, another homework."""
    out = tmp_path / "class"
    out.mkdir()
    nbformat.write(_answered(ALICE_Q2, ALICE_Q3), out / "alice.ipynb")
    nbformat.write(_answered(None, "Only the second one."), out / "bob.ipynb")
    nbformat.write(_answered(SCRIPT, ""), out / "carol.ipynb")
    dave = _answered("This answer lost its question.", "Sigmoid vs ReLU, with its prompt intact.")
    del dave.cells[4]  # Q2's prompt cell, BEGIN marker and all
    nbformat.write(dave, out / "dave.ipynb")
    frank = _answered("Another homework's answer.", "Another homework's answer.")
    for cell in frank.cells:
        cell.source = cell.source.replace("## Q", "## Homework 2, Q")
    nbformat.write(frank, out / "frank.ipynb")
    text = nbformat.writes(_answered(ALICE_Q2, ALICE_Q3))
    (out / "eve.ipynb").write_text(text[: len(text) // 2], encoding="utf-8")  # an interrupted upload
    return out


@pytest.fixture(autouse=True)
def child(monkeypatch):
    """Every submission scores q1 = 2 (of 2); no kernel starts."""
    monkeypatch.setattr(grade, "_run_child", lambda *args: {"scores": {"q1": 2.0}, "problems": [], "feedback": []})


def _grade(folder, dist, tmp_path, **kwargs):
    return grade.grade_folder(folder, dist=dist, output=tmp_path / "class-hw1-gradebook.csv",
                              progress=lambda _: None, **kwargs)


def _answers_by_question(page: str) -> dict[str, dict[str, str]]:
    """question -> file -> the text of its answer article, as a browser shows it."""
    found: dict[str, dict[str, str]] = {}
    for question, body in re.findall(r'<article id="(\w+)-\d+"[^>]*>(.*?)</article>', page, re.S):
        file = re.search(r"<h3>(.*?) <span", body).group(1)
        found.setdefault(question, {})[html.unescape(file)] = html.unescape(re.sub(r"<[^>]+>", "", body))
    return found


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def _write_sheet(path: Path, marks: list[tuple[str, str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "question", "points"])
        writer.writerows(marks)


# --------------------------------------------------------------------------------------------------
# The answers page
# --------------------------------------------------------------------------------------------------
def test_make_grade_writes_every_written_answer_under_its_question(folder, dist, tmp_path):
    _grade(folder, dist, tmp_path)
    page = (tmp_path / "class-hw1-answers.html").read_text(encoding="utf-8")
    answers = _answers_by_question(page)
    assert list(answers) == ["q2", "q3"]
    for question in answers:  # every file, in the gradebook's order, under every question
        assert list(answers[question]) == [f"{n}.ipynb" for n in ("alice", "bob", "carol", "dave", "eve", "frank")]
    assert ALICE_Q2 in answers["q2"]["alice.ipynb"] and ALICE_Q3 in answers["q3"]["alice.ipynb"]
    assert ALICE_Q2 not in page.split('<section id="q3"')[1], "q2's answer shows under q3 too"
    assert "Only the second one." in answers["q3"]["bob.ipynb"]
    # Dave's Q2 prompt is gone, so his Q2 cannot be found; his Q3 is still matched by its prompt.
    assert "Sigmoid vs ReLU" in answers["q3"]["dave.ipynb"] and "lost its question" not in page
    assert "Another homework's answer" not in page, "a notebook of another assignment answers nothing here"
    # Each prompt once, with the points available.
    assert page.count(Q2_PROMPT.removeprefix("## ")) == 1 and page.count(Q3_PROMPT.removeprefix("## ")) == 1
    assert 'id="q2"' in page and 'href="#q2"' in page and "(3 points)" in page and "(4 points)" in page
    assert "alice.ipynb <span" in page and "out of 4" in page
    assert '<a href="#q2-2">next: bob.ipynb</a>' in page, "each answer links to the next one"
    assert "<link" not in page and "src=" not in page, "the page must load nothing from the network"


def test_an_unanswered_question_shows_no_answer(folder, dist, tmp_path):
    _grade(folder, dist, tmp_path)
    answers = _answers_by_question((tmp_path / "class-hw1-answers.html").read_text(encoding="utf-8"))
    assert "(no answer)" in answers["q2"]["bob.ipynb"], "the placeholder is not an answer"
    assert "(no answer)" in answers["q3"]["carol.ipynb"], "an emptied cell is not an answer"
    assert "(no answer)" in answers["q2"]["dave.ipynb"] and "missing" in answers["q2"]["dave.ipynb"]
    assert "(no answer)" not in answers["q2"]["alice.ipynb"] + answers["q3"]["alice.ipynb"]


def test_html_in_an_answer_shows_as_text(folder, dist, tmp_path):
    _grade(folder, dist, tmp_path)
    page = (tmp_path / "class-hw1-answers.html").read_text(encoding="utf-8")
    assert "<script" not in page and "alert" in page
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; and x &lt; 1 &amp; y &gt; 2" in page


def test_an_unreadable_submission_is_listed_with_its_error(folder, dist, tmp_path):
    _grade(folder, dist, tmp_path)
    answers = _answers_by_question((tmp_path / "class-hw1-answers.html").read_text(encoding="utf-8"))
    for question in ("q2", "q3"):
        assert "Could not be read: not a valid notebook: broken JSON" in answers[question]["eve.ipynb"]


def test_only_rewrites_the_page_with_every_file_of_the_gradebook(folder, dist, tmp_path):
    _grade(folder, dist, tmp_path)
    nbformat.write(_answered("A resubmitted answer.", None), folder / "bob.ipynb")
    _grade(folder, dist, tmp_path, only=Path("bob.ipynb"))
    answers = _answers_by_question((tmp_path / "class-hw1-answers.html").read_text(encoding="utf-8"))
    assert len(answers["q2"]) == 6 and "A resubmitted answer." in answers["q2"]["bob.ipynb"]


def test_a_gradebook_inside_the_folder_is_not_graded_nor_the_files_beside_it(folder, dist, tmp_path):
    book = folder / "marks" / "book.csv"
    for _ in range(2):
        _, rows = grade.grade_folder(folder, dist=dist, output=book, progress=lambda _: None)
    assert (folder / "marks" / "book-answers.html").is_file() and (folder / "marks" / "book-hand-scores.csv").is_file()
    assert not [r["file"] for r in rows if r["file"].startswith("marks")]


# --------------------------------------------------------------------------------------------------
# The hand-scores sheet and merging it
# --------------------------------------------------------------------------------------------------
def test_the_sheet_lists_each_file_and_question_and_keeps_typed_marks(folder, dist, tmp_path):
    _grade(folder, dist, tmp_path)
    sheet = tmp_path / "class-hw1-hand-scores.csv"
    fields, rows = _read_csv(sheet)
    assert fields == ["file", "question", "points"]
    assert [(r["file"], r["question"], r["points"]) for r in rows[:2]] == [
        ("alice.ipynb", "q2", ""), ("alice.ipynb", "q3", "")]
    assert len(rows) == 6 * 2
    rows[0]["points"] = "2.5"
    _write_sheet(sheet, [(r["file"], r["question"], r["points"]) for r in rows])
    _grade(folder, dist, tmp_path)  # grading again must not wipe the marks typed so far
    assert _read_csv(sheet)[1][0]["points"] == "2.5"
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())


def test_merging_hand_scores_fills_the_by_hand_cells_and_counts_them_in_total(folder, dist, tmp_path):
    book, rows = _grade(folder, dist, tmp_path)
    assert {(r["total"], r["possible"]) for r in rows} == {(2.0, 2.0)}  # autograded only, until marked
    sheet = tmp_path / "class-hw1-hand-scores.csv"
    _write_sheet(sheet, [("alice.ipynb", "q2", "3"), ("alice.ipynb", "q3", "3.5"), ("bob.ipynb", "q3", "1"),
                         ("bob.ipynb", "q2", ""), ("carol.ipynb", "q2", "0")])
    assert grade.main(["--merge-hand-scores", str(sheet), str(book)]) == 0
    fields, after = _read_csv(book)
    by_file = {r["file"]: r for r in after}
    assert (by_file["alice.ipynb"][Q2], by_file["alice.ipynb"][Q3]) == ("3", "3.5")
    assert (by_file["alice.ipynb"]["total"], by_file["alice.ipynb"]["possible"]) == ("8.5", "9.0")
    assert (by_file["bob.ipynb"][Q2], by_file["bob.ipynb"][Q3]) == ("", "1")
    assert (by_file["bob.ipynb"]["total"], by_file["bob.ipynb"]["possible"]) == ("3.0", "6.0")
    assert (by_file["carol.ipynb"]["total"], by_file["carol.ipynb"]["possible"]) == ("2.0", "5.0")
    assert (by_file["dave.ipynb"]["total"], by_file["dave.ipynb"][Q2]) == ("2.0", "")
    # Merging the same sheet again changes nothing; a mark typed straight into the gradebook counts.
    assert grade.main(["--merge-hand-scores", str(sheet), str(book)]) == 0
    assert _read_csv(book)[1] == after
    by_file["dave.ipynb"][Q3] = "4"
    grade._write_gradebook(book, fields, list(by_file.values()))
    _write_sheet(sheet, [("dave.ipynb", "q2", "1")])
    assert grade.main(["--merge-hand-scores", str(sheet), str(book)]) == 0
    dave = {r["file"]: r for r in _read_csv(book)[1]}["dave.ipynb"]
    assert (dave[Q2], dave[Q3], dave["total"], dave["possible"]) == ("1", "4", "7.0", "9.0")


@pytest.mark.parametrize("row, message", [
    (("mallory.ipynb", "q2", "1"), "row 3 (mallory.ipynb, q2): the gradebook has no file 'mallory.ipynb'"),
    (("bob.ipynb", "q1", "1"), "row 3 (bob.ipynb, q1): 'q1' is not graded by hand (those are: q2, q3)"),
    (("bob.ipynb", "q2", "3.5"), "row 3 (bob.ipynb, q2): points 3.5 is more than the 3 available"),
    (("bob.ipynb", "q2", "-1"), "row 3 (bob.ipynb, q2): points -1 is negative"),
    (("bob.ipynb", "q2", "two"), "row 3 (bob.ipynb, q2): points 'two' is not a number"),
    (("alice.ipynb", "q2", "1"), "row 3 (alice.ipynb, q2): already marked in row 2"),
])
def test_a_bad_row_is_refused_by_its_number_and_nothing_is_merged(folder, dist, tmp_path, capsys, row, message):
    book, _ = _grade(folder, dist, tmp_path)
    before = book.read_bytes()
    sheet = tmp_path / "marks.csv"
    _write_sheet(sheet, [("alice.ipynb", "q2", "2"), row])
    with pytest.raises(grade.GradeError) as caught:
        grade.merge_hand_scores(sheet, book)
    assert message in str(caught.value) and "nothing merged" in str(caught.value)
    assert grade.main(["--merge-hand-scores", str(sheet), str(book)]) == 2
    assert message in capsys.readouterr().err
    assert book.read_bytes() == before


def test_a_sheet_or_gradebook_of_the_wrong_shape_is_refused(folder, dist, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("GRADEBOOK", raising=False)
    book, _ = _grade(folder, dist, tmp_path)
    sheet = tmp_path / "marks.csv"
    sheet.write_text("student,mark\nalice.ipynb,3\n", encoding="utf-8")
    with pytest.raises(grade.GradeError, match="no column 'file', 'question', 'points'"):
        grade.merge_hand_scores(sheet, book)
    with pytest.raises(grade.GradeError, match="is not a gradebook"):
        grade.merge_hand_scores(sheet, sheet)
    sheet.write_bytes("file,question,points\nren\xe9e.ipynb,q2,1\n".encode("cp1252"))  # a spreadsheet's own CSV
    with pytest.raises(grade.GradeError, match="save it as CSV, UTF-8"):
        grade.merge_hand_scores(sheet, book)
    assert grade.main(["--merge-hand-scores", str(sheet)]) == 2  # which gradebook?
    assert "Give the gradebook too" in capsys.readouterr().err


def test_make_merge_hand_scores_runs_the_merge():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "merge-hand-scores", "SCORES=marks.csv", "GRADEBOOK=book.csv"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert 'grade.py --merge-hand-scores "marks.csv" "book.csv"' in out
