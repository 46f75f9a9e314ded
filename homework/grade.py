"""Grade a folder of submissions into one gradebook CSV, without Docker.

Usage::

    .venv/bin/python homework/grade.py SUBMISSIONS/ [--assignment hw1] [--output gradebook.csv]
                                          [--cell-timeout 120] [--timeout 900] [--jobs 2]
                                          [--only FILE]
    python homework/grade.py --merge-hand-scores HAND_SCORES.csv GRADEBOOK.csv

The gradebook goes to ``--output`` (or ``$GRADEBOOK``), by default ``FOLDER-NAME-gradebook.csv``
beside the folder. Every file in ``SUBMISSIONS`` (recursively; hidden files and ``.ipynb_checkpoints`` skipped) gets
exactly one row: ``file``, one column per autograded question, one empty column per hand-graded
question (for the teacher), ``total``, ``possible``, ``error``, and ``feedback`` (the one-line
message of every failing test, hidden ones included, to explain a score). A submission that cannot be graded
(not a notebook, invalid JSON, killed after ``--timeout``) scores 0 and the ``error`` column says why;
a cell that raises or runs longer than ``--cell-timeout`` is reported there too, and only the
questions that depend on it lose points. A kernel that fails to start (it dies before replying,
or does not answer in time) is not the student's doing: that submission is graded again after 1 s,
then after 2 s, and only after the third failure does ``error`` say "could not be graded after 3
attempts: ...". Nothing else is retried.

``--only FILE`` regrades one file of ``SUBMISSIONS`` (named as in the gradebook's ``file`` column,
or by its path) and updates that file's row of the existing gradebook in place: the grader's
columns of that row change; its "by hand" marks, any column you added and every other row stay as
they are. A file the gradebook lacks gets a new row; if there is no gradebook yet, it is created
with just that row (the message says so, and names the file). The gradebook is always written to
``GRADEBOOK.partial`` first and then renamed over the old one, so an interrupted run never leaves
half a gradebook.

Written answers (the questions marked ``manual: true``) are collected into two files beside the
gradebook, ``FOLDER-NAME-answers.html`` and ``FOLDER-NAME-hand-scores.csv`` (for a gradebook
``book.csv``: ``book-answers.html``, ``book-hand-scores.csv``); ``--only`` rewrites both too. The page
is self-contained (no script, nothing loaded from the network): per hand-graded question, its prompt
once and its points, then every file of the gradebook with what it wrote, escaped so that it shows as
text. An answer is what the learner wrote in the cells between Otter's ``<!-- BEGIN QUESTION -->``
(opening the locked prompt cell) and ``<!-- END QUESTION -->`` (opening the next locked cell), minus
the handout's locked cells and Otter's placeholder; nothing there shows "(no answer)", and a file
that cannot be read shows its error. The sheet has one row per file and hand-graded question,
``file,question,points``, with ``points`` empty for the teacher; marks already typed in it are kept when
it is written again. ``--merge-hand-scores SHEET GRADEBOOK`` copies the filled-in points into the
gradebook's "by hand" columns and counts them in ``total`` and ``possible`` (which then hold the
autograded points plus each hand-graded question that has a mark; ``--only`` counts the marks a row
keeps in the same way). The sheet is checked first: an unknown file or question, a mark that is not a
number, negative, above the question's points or given twice is an error naming its row, and the
gradebook is left as it was.

Each submission is graded by ``otter run`` (Otter Grader's non-containerised runner) in a child
process of its own, with the autograder bundle that ``homework/build.py`` wrote to
``homework/dist/NAME/autograder/NAME-autograder.zip``. The submissions run with the permissions of
whoever runs this script: grade only notebooks from your own class.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import html
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HOMEWORK = Path(__file__).resolve().parent
DEFAULT_DIST = HOMEWORK / "dist"
SKIP_NAMES = {".ipynb_checkpoints", "__pycache__", ".DS_Store", "Thumbs.db"}
MAX_ERROR_CHARS = 400
MAX_FEEDBACK_CHARS = 2000
# A kernel that never came up is the machine's fault, not the student's: the submission is graded
# again after each of these pauses (seconds), so 1 + len(RETRY_DELAYS) attempts in all.
RETRY_DELAYS = (1, 2)
# What jupyter_client says when the kernel dies or hangs before its first reply (wait_for_ready).
KERNEL_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond")

# Child processes running now: stopped, with their kernels, if the teacher presses Ctrl-C.
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


class GradeError(RuntimeError):
    """Grading cannot start (no build, unknown assignment, ...); the message says what to do."""


# --------------------------------------------------------------------------------------------------
# Finding what to grade
# --------------------------------------------------------------------------------------------------
def list_submissions(folder: Path, exclude: list[Path] = ()) -> list[Path]:
    """Every regular file under ``folder``, sorted, skipping hidden files and checkpoint folders.

    ``exclude``: paths never listed (the gradebook and the files written beside it).
    """
    exclude = {Path(p).resolve() for p in exclude}
    files = []
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part in SKIP_NAMES for part in rel.parts):
            continue
        if path.is_file() and path.resolve() not in exclude:
            files.append(path)
    return files


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def notebook_assignment(path: Path) -> str | None:
    """The assignment name Otter stored in a notebook's metadata, or None."""
    data = _read_json(path)
    if isinstance(data, dict):
        name = data.get("metadata", {}).get("otter", {}).get("assignment_name")
        return name if isinstance(name, str) else None
    return None


def built_assignments(dist: Path) -> list[str]:
    return sorted(p.parent.parent.name for p in Path(dist).glob("*/autograder/*-autograder.zip"))


def resolve_assignment(files: list[Path], dist: Path, requested: str | None) -> str:
    built = built_assignments(dist)
    if requested:
        if requested not in built:
            raise GradeError(f"No autograder for {requested!r} in {dist}. Run `make homework` first"
                             + (f" (built: {', '.join(built)})." if built else "."))
        return requested
    votes = Counter(n for n in map(notebook_assignment, files) if n in built)
    if votes:
        return votes.most_common(1)[0][0]
    if len(built) == 1:
        return built[0]
    if not built:
        raise GradeError(f"No autograder found in {dist}. Run `make homework` first.")
    raise GradeError("Could not tell which assignment these submissions are for; "
                     f"give --assignment (one of: {', '.join(built)}).")


def load_questions(dist: Path, name: str) -> list[dict]:
    data = _read_json(Path(dist) / name / "questions.json")
    if not data:
        raise GradeError(f"{dist / name / 'questions.json'} is missing: run `make homework` again.")
    return data["questions"]


# --------------------------------------------------------------------------------------------------
# Grading one submission (runs in a child process: `grade.py --one ...`)
# --------------------------------------------------------------------------------------------------
def _use_cell_timeout(seconds: float) -> None:
    """Make Otter's notebook executor interrupt any cell running longer than ``seconds``.

    ``otter run`` has no per-cell timeout of its own; it builds nbconvert's ExecutePreprocessor
    when grading, so a subclass with a timeout put in its place is what it uses. The interrupted
    cell gets a TimeoutError output and execution goes on with the next cell.
    """
    import nbconvert.preprocessors as nbp

    base = nbp.ExecutePreprocessor

    class TimedExecutePreprocessor(base):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.timeout = int(seconds)
            self.interrupt_on_timeout = True
            self.error_on_timeout = {
                "ename": "TimeoutError",
                "evalue": f"the cell was stopped after {int(seconds)} s (an endless loop?)",
                "traceback": [],
            }

    nbp.ExecutePreprocessor = TimedExecutePreprocessor


def _clean_notebook(path: Path, out_dir: Path, name: str) -> tuple[Path | None, list[str], object]:
    """Parse a submission; write a gradable copy named ``NAME.ipynb``, as the handout is named.

    (Otter's init cell in the notebook opens the notebook by that name, whatever the file was
    renamed to.)

    Returns ``(path or None, problems, notebook)``. The copy runs on the grading environment's
    ``python3`` kernel whatever kernel the student's metadata names, as Otter's containers do.
    """
    import nbformat

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, ["not a notebook: the file is not text (UTF-8)"], None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        return None, [f"not a valid notebook: broken JSON ({exc})"], None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return None, ["not a notebook: the JSON has no list of cells"], None
    target = out_dir / f"{name}.ipynb"
    try:
        nb = nbformat.reads(text, as_version=4)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, target)
    except Exception as exc:  # nbformat raises several types for malformed notebooks
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, [f"not a valid notebook: {first[:150]}"], None
    return target, [], nb


def _cell_problems(executed_nb, cell_timeout: float) -> list[str]:
    """'code cell 7 (q2) raised NameError: ...' for every code cell whose output is an error.

    A cell is named by its number among the code cells and by the question whose check follows it.
    """
    problems = []
    if executed_nb is None:
        return problems
    code_cells = [c for c in executed_nb.cells if c.get("cell_type") == "code"]
    for index, cell in enumerate(code_cells, start=1):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        later = (re.search(r'grader\.check\(\s*["\'](\w+)', _src(c)) for c in code_cells[index - 1:])
        question = next((m.group(1) for m in later if m), None)
        where = f"code cell {index}" + (f" ({question})" if question else "")
        names = {o.get("ename") for o in errors}
        if names & {"TimeoutError", "KeyboardInterrupt"}:
            problems.append(f"{where} was stopped after {cell_timeout:g} s (an endless loop?)")
        else:
            ename, evalue = errors[0].get("ename", "Error"), str(errors[0].get("evalue", "")).strip()
            problems.append(f"{where} raised {ename}: {evalue}"[:160])
    return problems


def _missing_handout_cells(nb, handout_path: Path) -> list[str]:
    """Locked cells of the handout (prompts, given code, check cells) absent from a submission."""
    import nbformat

    if nb is None or not handout_path.is_file():
        return []
    handout = nbformat.read(handout_path, as_version=4)
    present = {_src(c).strip() for c in nb.cells}
    missing = []
    for cell in handout.cells:
        locked = cell.metadata.get("deletable") is False or cell.metadata.get("editable") is False
        text = _src(cell).strip()
        if locked and text and text not in present:
            first = next((line for line in text.splitlines() if line.strip()), "")
            missing.append(first[:50])
    if not missing:
        return []
    return [f"{len(missing)} cell(s) of the handout deleted or changed: " + "; ".join(missing[:3])
            + (" ..." if len(missing) > 3 else "")]


def _src(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _kernel_start_failure(text: str) -> str | None:
    """The line of ``text`` saying the kernel died or hung before its first reply, or None."""
    for line in text.splitlines():
        if any(marker in line for marker in KERNEL_START_FAILURES):
            return line.strip()[:200]
    return None


def _raised_by_jupyter_client(exc: BaseException) -> bool:
    """True for a RuntimeError or TimeoutError raised inside jupyter_client (the kernel manager).

    No student code runs there: it starts the kernel and waits for it. nbclient's DeadKernelError
    (a kernel that dies while running a student's cell) is raised in nbclient, so it is not one.
    """
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "") if tb is not None else ""
    return isinstance(exc, (RuntimeError, TimeoutError)) and module.split(".")[0] == "jupyter_client"


def grade_one(submission: Path, name: str, dist: Path, cell_timeout: float) -> dict:
    """Grade one file as assignment ``name``; returns ``{"scores": {q: points}, "problems": [...]}``.

    A kernel that failed to start gives ``{"scores": {}, "problems": [...], "kernel_failure":
    reason}`` instead, and the parent grades the submission again (:func:`_grade_with_retries`).
    """
    autograder = Path(dist) / name / "autograder" / f"{name}-autograder.zip"
    handout = Path(dist) / name / "student" / f"{name}.ipynb"
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        tmp = Path(tmp)
        nb_path, problems, nb = _clean_notebook(submission, tmp, name)
        if nb_path is None:
            return {"scores": {}, "problems": problems}
        problems += _missing_handout_cells(nb, handout)
        _use_cell_timeout(cell_timeout)
        import otter.run

        log = io.StringIO()
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                results = otter.run.main(str(nb_path), autograder=str(autograder),
                                         output_dir=str(tmp), no_logo=True)
        except Exception as exc:  # Otter refused the notebook (wrong assignment, ...), or no kernel
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if _kernel_start_failure(str(exc)) or _raised_by_jupyter_client(exc):
                return {"scores": {}, "problems": problems, "kernel_failure": message[:200]}
            return {"scores": {}, "problems": problems + [f"could not be graded: {message}"]}
        if results.catastrophic_error is not None:
            reason = _kernel_start_failure(str(results.catastrophic_error))
            if reason:
                return {"scores": {}, "problems": problems, "kernel_failure": reason}
            problems.append(f"could not be graded: {results.catastrophic_error}")
        problems += _cell_problems(getattr(results, "notebook", None), cell_timeout)
        scores = {question: float(tf.score) for question, tf in results.results.items()}
        in_order = sorted(results.results.items(),  # q2 before q10
                          key=lambda item: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", item[0])])
        feedback = [f"{question}: {r.test_case.failure_message or r.test_case.name}"
                    for question, tf in in_order for r in tf.test_case_results if not r.passed]
        return {"scores": scores, "problems": problems, "feedback": feedback}


# --------------------------------------------------------------------------------------------------
# The batch: one child process per submission, at most --jobs at once
# --------------------------------------------------------------------------------------------------
def _run_child(submission: Path, assignment: str, dist: Path, cell_timeout: float,
               timeout: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="grade-result-") as tmp:
        result_file = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--one", str(submission),
               "--assignment", assignment, "--dist", str(dist), "--cell-timeout", str(cell_timeout),
               "--result", str(result_file)]
        # --jobs submissions run at once, each on one core: one BLAS thread each.
        env = dict(os.environ)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")
        # Its own session, so a timeout can kill the child and everything in its group. The
        # kernel jupyter_client starts has a session of its own; it exits when ipykernel sees
        # its parent die (no kernel was left behind in the tests).
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=tmp, env=env)
        with _LIVE_LOCK:
            _LIVE.add(proc)
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return {"scores": {}, "problems": [f"grading stopped after {timeout:g} s "
                                               "(the notebook runs too long or never ends)"]}
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # anything of the child's group still running
            with _LIVE_LOCK:
                _LIVE.discard(proc)
        data = _read_json(result_file)
        if data is None:
            text = output.decode("utf-8", "replace").strip()
            reason = _kernel_start_failure(text)
            if reason:
                return {"scores": {}, "problems": [], "kernel_failure": reason}
            tail = " ".join(text.splitlines()[-2:])
            return {"scores": {}, "problems": [f"the grader crashed: {tail[:200]}"]}
        return data


def _grade_with_retries(submission: Path, assignment: str, dist: Path, cell_timeout: float,
                        timeout: float, progress=print) -> dict:
    """:func:`_run_child`, run again after a pause while the kernel fails to start.

    Only a kernel that never came up is retried; a cell that raises, a submission that runs past
    ``timeout`` or a file that is not a notebook is the student's result and is recorded at once.
    The result holds ``"attempts"``; after the last failed attempt its problem says how many.
    """
    attempts = 1 + len(RETRY_DELAYS)
    for attempt in range(1, attempts + 1):
        data = _run_child(submission, assignment, dist, cell_timeout, timeout)
        reason = data.get("kernel_failure")
        if not reason:
            return {**data, "attempts": attempt}
        if attempt == attempts or _STOPPING.is_set():
            break
        delay = RETRY_DELAYS[attempt - 1]
        progress(f"  {submission.name}: the kernel did not start ({reason}); "
                 f"attempt {attempt + 1} of {attempts} in {delay:g} s")
        time.sleep(delay)
    tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
    return {"scores": {}, "attempts": attempt,
            "problems": list(data.get("problems", [])) + [f"could not be graded after {tries}: {reason}"]}


def _only_file(folder: Path, only: Path) -> Path:
    """``only`` (relative to ``folder``, or a path to a file in it) as ``folder / relative path``."""
    only = Path(only)
    path = folder / only if not only.is_absolute() and (folder / only).is_file() else only
    if not path.is_file():
        raise GradeError(f"{only} is not a file in {folder}. Give it as the gradebook names it, "
                         "e.g. --only alice.ipynb")
    try:
        return folder / path.resolve().relative_to(folder.resolve())
    except ValueError:
        raise GradeError(f"{only} is not in {folder}: --only grades one file of that folder.") from None


def _write_gradebook(path: Path, fieldnames: list[str], rows: list[dict]) -> None:
    """Write to ``PATH.partial`` then rename, so no one (and no crash) ever sees half a gradebook."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, path)


def _is_by_hand(column: str) -> bool:
    return "(by hand" in column


def update_gradebook(path: Path, row: dict) -> tuple[list[dict], str]:
    """Put ``row`` in place of the row for the same ``file`` in the gradebook at ``path``.

    The grader's columns of that row are replaced; its "by hand" marks, any column the teacher
    added, and every other row are kept as they are (``total`` and ``possible`` count the kept
    hand marks, as :func:`merge_hand_scores` does). A file the gradebook does not have yet gets
    a row at the end; a gradebook that does not exist yet is created with this one row. Returns
    the gradebook's rows and what was done, in words.
    """
    path = Path(path)
    if not path.exists():
        _write_gradebook(path, list(row), [row])
        return [row], "there was none yet: created it with this one row"
    with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: spreadsheets add a BOM
        reader = csv.DictReader(f)
        fieldnames, rows = list(reader.fieldnames or []), list(reader)
    missing = [column for column in row if column not in fieldnames]
    if missing:
        raise GradeError(f"{path} has no column {', '.join(map(repr, missing))}: is it another "
                         "assignment's gradebook? Give the right one with --output.")
    graded = {column: value for column, value in row.items() if not _is_by_hand(column)}
    matches = [i for i, old in enumerate(rows) if old.get("file") == row["file"]]
    for i in matches:
        rows[i] = {**rows[i], **graded}
        _recount(rows[i], fieldnames, auto_possible=float(row["possible"]))  # with its hand marks
    if not matches:
        rows.append({column: "" for column in fieldnames} | row)
    _write_gradebook(path, fieldnames, rows)
    return rows, "updated its row" if matches else "added a row for it"


# --------------------------------------------------------------------------------------------------
# Written answers: one page to read them, one sheet to mark them, and the marks back in the gradebook
# --------------------------------------------------------------------------------------------------
# Otter Assign wraps each hand-graded question of the handout in these comments: BEGIN opens the
# prompt cell, END opens the first cell after the answer. The learner writes between them, in the
# cell tagged otter_answer_cell (or in cells of their own); the locked cells there are the handout's.
BEGIN_QUESTION = "<!-- BEGIN QUESTION -->"
END_QUESTION = "<!-- END QUESTION -->"
ANSWER_PLACEHOLDER = "_Type your answer here, replacing this text._"  # Otter's, in every answer cell
NO_ANSWER = "(no answer)"
HAND_SCORE_FIELDS = ["file", "question", "points"]


def written_outputs(gradebook: Path) -> tuple[Path, Path]:
    """The answers page and the hand-scores sheet that go beside ``gradebook``.

    ``class-hw1-gradebook.csv`` -> ``class-hw1-answers.html``, ``class-hw1-hand-scores.csv``;
    a gradebook of another name, ``book.csv``, -> ``book-answers.html``, ``book-hand-scores.csv``.
    """
    gradebook = Path(gradebook)
    stem = gradebook.stem.removesuffix("-gradebook")
    return (gradebook.with_name(f"{stem}-answers.html"), gradebook.with_name(f"{stem}-hand-scores.csv"))


def _is_locked(cell) -> bool:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    return meta.get("editable") is False or meta.get("deletable") is False


def question_blocks(cells: list) -> list[tuple[str, list]]:
    """``(prompt, cells written in)`` for each BEGIN/END QUESTION block, in notebook order.

    The prompt is the BEGIN cell's text without the marker; the cells are those after it, up to the
    cell that starts with END (or the next BEGIN, or the end of the notebook), minus the handout's
    locked cells.
    """
    blocks: list[tuple[str, list]] = []
    inside = False
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        text = _src(cell)
        if inside and END_QUESTION in text:
            inside = False
        if BEGIN_QUESTION in text:
            blocks.append((text.split(BEGIN_QUESTION, 1)[1].strip(), []))
            inside = True
        elif inside and not _is_locked(cell):
            blocks[-1][1].append(cell)
    return blocks


def _spaced(text: str) -> str:
    return " ".join(text.split())


def read_written_answers(path: Path, manual: list[dict], prompts: dict[str, str]) -> dict:
    """The written answer to each hand-graded question in one submission.

    Returns ``{"answers": {question: [(cell_type, text), ...] or None}, "notes": {question: why},
    "error": str}``: None (no answer) when the question's cells hold only Otter's placeholder or
    nothing, ``error`` (and no answers) when the file cannot be read as a notebook. A block is
    matched to its question by its prompt (``prompts``: question -> prompt of the handout; spacing
    aside), so another assignment's notebook answers nothing here; without prompts, by its place
    among the blocks when the submission has one block per question.
    """
    try:
        raw = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        return {"answers": {}, "notes": {}, "error": f"could not read the file ({exc.strerror or exc})"}
    except UnicodeDecodeError:
        return {"answers": {}, "notes": {}, "error": "not a notebook: the file is not text (UTF-8)"}
    except ValueError as exc:
        return {"answers": {}, "notes": {}, "error": f"not a valid notebook: broken JSON ({exc})"}
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return {"answers": {}, "notes": {}, "error": "not a notebook: the JSON has no list of cells"}
    blocks = question_blocks(raw["cells"])
    by_prompt = {_spaced(prompt): q for q, prompt in prompts.items() if prompt}
    names = [q["name"] for q in manual]
    found: dict[str, list] = {}
    for index, (prompt, cells) in enumerate(blocks):
        if by_prompt:
            name = by_prompt.get(_spaced(prompt))
        else:
            name = names[index] if len(blocks) == len(names) else None
        if name is not None and name not in found:
            found[name] = cells
    answers, notes = {}, {}
    for name in names:
        if name not in found:
            answers[name] = None
            notes[name] = "this question's cells are missing or changed in this notebook"
            continue
        written = [(c.get("cell_type", "markdown"), _src(c).strip()) for c in found[name]]
        written = [(kind, text) for kind, text in written if text and text != ANSWER_PLACEHOLDER]
        answers[name] = written or None
    return {"answers": answers, "notes": notes, "error": ""}


def question_prompts(notebooks: list[Path], manual: list[dict]) -> dict[str, str]:
    """Question -> its prompt, from the first of ``notebooks`` with one block per question.

    Give the handout ``homework/build.py`` wrote first; submissions stand in when it is gone.
    Returns {} when no notebook has them.
    """
    for path in notebooks:
        raw = _read_json(Path(path))
        if isinstance(raw, dict) and isinstance(raw.get("cells"), list):
            blocks = question_blocks(raw["cells"])
            if len(blocks) == len(manual):
                return {q["name"]: prompt for q, (prompt, _) in zip(manual, blocks)}
    return {}


def _write_text(path: Path, text: str) -> None:
    """Write to ``PATH.partial`` then rename, as the gradebook is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


_PAGE_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 0 auto; padding: 1rem; color: #111; }
a:focus, [tabindex]:focus { outline: 3px solid #1a5fb4; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; }
.prompt, .answer { white-space: pre-wrap; overflow-wrap: anywhere; }
.prompt { background: #f3f3f3; padding: .75rem; border-left: 4px solid #888; }
article { border-top: 1px solid #ccc; padding: .5rem 0 1rem; }
article h3 { font-size: 1rem; margin: .5rem 0; }
.points { font-weight: normal; color: #444; }
.none, .note { color: #666; font-style: italic; } .error { color: #a40000; }
pre.code { background: #f7f7f7; padding: .5rem; white-space: pre-wrap; }
nav ol { columns: 2; }
"""


def answers_page(assignment: str, manual: list[dict], prompts: dict[str, str],
                 collected: dict[str, dict], sheet: str = "SHEET", gradebook: str = "GRADEBOOK") -> str:
    """One self-contained HTML page: per hand-graded question, its prompt once, then every file's answer.

    ``collected`` maps each file (as the gradebook names it) to :func:`read_written_answers`'s
    result. Everything the learners wrote is escaped, so it shows as text and never runs; the page
    loads nothing from the network. Each question has the anchor ``#q5`` and each answer
    ``#q5-3`` (third file), linked from the contents and from the answer before ("next: ..."), so
    Tab and Enter move through it.
    ``sheet`` and ``gradebook`` name the files the page's instructions mention.
    """
    esc = html.escape
    files = list(collected)
    unreadable = [f for f in files if collected[f]["error"]]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(assignment)}: written answers</title><style>{_PAGE_STYLE}</style></head><body>",
           '<a class="skip" href="#contents">Skip to the contents</a>',
           f"<h1>{esc(assignment)}: written answers</h1>",
           f"<p>{len(files)} file(s); {len(manual)} question(s) graded by hand. Type the marks in "
           f"<code>{esc(sheet)}</code> (beside this page), then merge them into the gradebook: "
           f"<code>python homework/grade.py --merge-hand-scores &quot;{esc(sheet)}&quot; "
           f"&quot;{esc(gradebook)}&quot;</code></p>",
           '<nav id="contents" aria-label="Questions"><h2>Contents</h2><ul>']
    for q in manual:
        out.append(f'<li><a href="#{esc(q["name"])}">{esc(q["name"])}</a> ({q["points"]:g} points)</li>')
    out.append("</ul></nav>")
    if unreadable:
        out.append("<section><h2>Files that could not be read</h2><ul>")
        out += [f'<li>{esc(f)}: <span class="error">{esc(collected[f]["error"])}</span></li>' for f in unreadable]
        out.append("</ul></section>")
    for q in manual:
        name, points = q["name"], f"{q['points']:g}"
        out.append(f'<section id="{esc(name)}" aria-labelledby="{esc(name)}-title">')
        out.append(f'<h2 id="{esc(name)}-title">{esc(name)} <span class="points">({points} points)</span></h2>')
        prompt = prompts.get(name, "")
        if prompt:
            out.append(f'<div class="prompt">{esc(prompt)}</div>')
        out.append(f'<nav aria-label="Files, {esc(name)}"><ol>')
        out += [f'<li><a href="#{esc(name)}-{i}">{esc(f)}</a></li>' for i, f in enumerate(files, start=1)]
        out.append("</ol></nav>")
        for i, f in enumerate(files, start=1):
            result = collected[f]
            out.append(f'<article id="{esc(name)}-{i}" tabindex="-1">'
                       f'<h3>{esc(f)} <span class="points">— {esc(name)}, out of {points}</span></h3>')
            if result["error"]:
                out.append(f'<p class="error">Could not be read: {esc(result["error"])}</p>')
            elif result["answers"].get(name) is None:
                note = result["notes"].get(name)
                out.append(f'<p class="none">{NO_ANSWER}</p>'
                           + (f'<p class="note">{esc(note)}</p>' if note else ""))
            else:
                for kind, text in result["answers"][name]:
                    out.append(f'<pre class="code"><code>{esc(text)}</code></pre>' if kind == "code"
                               else f'<div class="answer">{esc(text)}</div>')
            following = (f'<a href="#{esc(name)}-{i + 1}">next: {esc(files[i])}</a> · ' if i < len(files)
                         else "")
            out.append(f'<p>{following}<a href="#{esc(name)}">{esc(name)}</a> · '
                       '<a href="#contents">contents</a></p></article>')
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    """(header, rows) of a CSV file; a file that is not UTF-8 CSV is a GradeError saying so."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: spreadsheets add a BOM
            reader = csv.DictReader(f)
            return list(reader.fieldnames or []), list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise GradeError(f"{path} could not be read as CSV ({exc}): save it as CSV, UTF-8.") from None


def write_hand_scores_sheet(path: Path, files: list[str], manual: list[dict]) -> int:
    """Write the sheet ``file, question, points``: one row per file and hand-graded question.

    ``points`` is left empty for the teacher, except where the sheet already at ``path`` gave a
    mark for the same file and question: marks typed there are kept. Returns how many typed marks
    were dropped (their file is no longer graded). An old sheet that cannot be read is left as it
    is (GradeError), never overwritten.
    """
    path = Path(path)
    kept: dict[tuple[str, str], str] = {}
    if path.exists():
        _, old = _read_csv(path)
        kept = {(r.get("file") or "", r.get("question") or ""): (r.get("points") or "").strip() for r in old}
        kept = {key: points for key, points in kept.items() if points}
    rows = [{"file": f, "question": q["name"], "points": kept.pop((f, q["name"]), "")}
            for f in files for q in manual]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HAND_SCORE_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _write_text(path, buffer.getvalue())
    return len(kept)


def _by_hand_columns(fieldnames: list[str]) -> dict[str, tuple[str, float]]:
    """Question -> (its "by hand" column, points available), from headers like 'q5 (by hand, /3)'."""
    columns = {}
    for column in fieldnames:
        match = re.fullmatch(r"(.+?) \(by hand, /([0-9.]+)\)", column)
        if match:
            columns[match.group(1)] = (column, float(match.group(2)))
    return columns


def _number(text: str) -> float | None:
    """``text`` as a finite number, or None."""
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _points(row: dict, fieldnames: list[str]) -> tuple[float, list[tuple[float, float]]]:
    """(autograded points, [(hand mark, points available) for each question marked by hand]).

    The autograded columns are those between ``file`` and ``total`` that are not "by hand"; a
    "by hand" cell that is empty or not a number is not a mark.
    """
    auto = [c for c in fieldnames[fieldnames.index("file") + 1:fieldnames.index("total")]
            if not _is_by_hand(c)]
    marks = [(_number(row.get(column) or ""), most) for column, most in _by_hand_columns(fieldnames).values()]
    return (sum(_number(row.get(c) or "") or 0.0 for c in auto),
            [(mark, most) for mark, most in marks if mark is not None])


def _recount(row: dict, fieldnames: list[str], auto_possible: float) -> None:
    """Set ``total`` and ``possible``: the autograded points plus the hand marks given so far.

    A hand-graded question counts in ``possible`` once it has a mark, so a row without hand marks
    shows the autograded points alone, as the grader first writes it.
    """
    auto, marks = _points(row, fieldnames)
    row["total"] = round(auto + sum(mark for mark, _ in marks), 4)
    row["possible"] = round(auto_possible + sum(most for _, most in marks), 4)


def _auto_possible(row: dict, fieldnames: list[str]) -> float:
    """The autograded points possible of a gradebook row, from its ``total`` and ``possible``.

    Once :func:`_recount` has counted the hand marks, ``possible`` includes their questions'
    points, and ``total`` their marks; a mark typed into the gradebook and not counted yet is in
    neither, and then ``possible`` is the autograded points alone.
    """
    auto, marks = _points(row, fieldnames)
    possible = _number(row.get("possible") or "") or 0.0
    counted = abs((_number(row.get("total") or "") or 0.0) - auto - sum(m for m, _ in marks)) < 1e-6
    return possible - sum(most for _, most in marks) if marks and counted else possible


def merge_hand_scores(sheet: Path, gradebook: Path) -> tuple[int, list[dict]]:
    """Copy the marks of the hand-scores ``sheet`` into the "by hand" columns of ``gradebook``.

    Every row with ``points`` filled in sets that file's mark for that question; rows left empty
    change nothing. ``total`` and ``possible`` of the changed rows are counted again (autograded
    points plus hand marks). The sheet is checked as a whole first: an unknown file or question, a
    mark that is not a number, negative, above the question's points, or given twice is an error
    naming the sheet's row (as a spreadsheet numbers it), and then the gradebook is not touched.
    Returns how many marks were merged and the gradebook's rows.
    """
    sheet, gradebook = Path(sheet), Path(gradebook)
    for path, what in ((sheet, "hand-scores sheet"), (gradebook, "gradebook")):
        if not path.is_file():
            raise GradeError(f"{path} is not a file: give the {what} (make grade wrote it).")
    fieldnames, rows = _read_csv(gradebook)
    hand = _by_hand_columns(fieldnames)
    if not {"file", "total", "possible"} <= set(fieldnames) or not hand:
        raise GradeError(f"{gradebook} is not a gradebook with questions graded by hand "
                         "(no 'file', 'total', 'possible' or '(by hand, /N)' column).")
    sheet_fields, marks = _read_csv(sheet)
    missing = [c for c in HAND_SCORE_FIELDS if c not in sheet_fields]
    if missing:
        raise GradeError(f"{sheet} has no column {', '.join(map(repr, missing))}: its first line "
                         f"should be {','.join(HAND_SCORE_FIELDS)}.")
    by_file = {row["file"]: row for row in rows}
    problems, seen, updates = [], {}, []
    for line, mark in enumerate(marks, start=2):  # line 1 is the header
        file, question = (mark.get("file") or "").strip(), (mark.get("question") or "").strip()
        points = (mark.get("points") or "").strip()
        if not points:
            continue
        where = f"row {line} ({file or '?'}, {question or '?'})"
        value = _number(points)
        if file not in by_file:
            problems.append(f"{where}: the gradebook has no file {file!r}")
        elif question not in hand:
            problems.append(f"{where}: {question!r} is not graded by hand (those are: {', '.join(hand)})")
        elif value is None:
            problems.append(f"{where}: points {points!r} is not a number")
        elif value < 0:
            problems.append(f"{where}: points {points} is negative")
        elif value > hand[question][1]:
            problems.append(f"{where}: points {points} is more than the {hand[question][1]:g} available")
        elif (file, question) in seen:
            problems.append(f"{where}: already marked in row {seen[file, question]}")
        else:
            seen[file, question] = line
            updates.append((file, question, value))
    if problems:
        raise GradeError(f"{sheet}: nothing merged, fix these rows first:\n  " + "\n  ".join(problems))
    for file in {file for file, _, _ in updates}:
        auto_possible = _auto_possible(by_file[file], fieldnames)
        for f, question, value in updates:
            if f == file:
                by_file[file][hand[question][0]] = f"{value:.10g}"
        _recount(by_file[file], fieldnames, auto_possible)
    _write_gradebook(gradebook, fieldnames, rows)
    return len(updates), rows


def collect_written_answers(folder: Path, files: list[str], name: str, manual: list[dict], dist: Path,
                            gradebook: Path, progress=print) -> tuple[Path, Path] | None:
    """Write the answers page and the hand-scores sheet beside ``gradebook``; return their paths.

    ``files`` are the gradebook's ``file`` entries (paths relative to ``folder``). Nothing is
    written for an assignment without hand-graded questions.
    """
    if not manual:
        return None
    page, sheet = written_outputs(gradebook)
    handout = Path(dist) / name / "student" / f"{name}.ipynb"
    prompts = question_prompts([handout, *(Path(folder) / f for f in files)], manual)
    collected = {f: read_written_answers(Path(folder) / f, manual, prompts) for f in files}
    _write_text(page, answers_page(name, manual, prompts, collected, sheet.name, Path(gradebook).name))
    progress(f"Written answers: {page}")
    try:
        dropped = write_hand_scores_sheet(sheet, files, manual)
    except GradeError as exc:  # the marks typed in it matter more than a fresh sheet
        progress(f"Hand marks: {exc} It was left as it is.")
        return page, sheet
    progress(f"Hand marks: type them in {sheet}, then "
             f'python homework/grade.py --merge-hand-scores "{sheet}" "{gradebook}"')
    if dropped:
        progress(f"  ({dropped} mark(s) in the old sheet were for files no longer graded, and were dropped)")
    return page, sheet


def grade_folder(folder: Path, *, assignment: str | None = None, dist: Path = DEFAULT_DIST,
                 output: Path | None = None, only: Path | None = None, cell_timeout: float = 120,
                 timeout: float = 900, jobs: int = 2, progress=print) -> tuple[Path, list[dict]]:
    """Grade every file in ``folder``; write the gradebook CSV; return its path and its rows.

    With ``only`` (a file in ``folder``), grade that file alone and update its row in the
    gradebook (:func:`update_gradebook`) instead of writing the gradebook anew.
    """
    folder, dist = Path(folder), Path(dist)
    if not folder.is_dir():
        raise GradeError(f"{folder} is not a folder. Give the folder of submissions: "
                         "make grade SUBMISSIONS=path/to/folder/")
    output = Path(output) if output else None
    ours = [output, *written_outputs(output)] if output else []
    files = [_only_file(folder, only)] if only is not None else list_submissions(folder, exclude=ours)
    if not files:
        raise GradeError(f"{folder} holds no file to grade.")
    name = resolve_assignment(files, dist, assignment)
    questions = load_questions(dist, name)
    if output is None:
        # Beside the folder, not in it (a second run must not grade the gradebook) and not in
        # homework/dist (`make clean` deletes that).
        here = folder.resolve()
        output = here.parent / f"{here.name}-{name}-gradebook.csv"
    auto = [q for q in questions if not q["manual"]]
    manual = [q for q in questions if q["manual"]]
    progress(f"Grading {len(files)} file(s) in {folder} as {name} "
             f"({len(auto)} autograded, {len(manual)} hand-graded questions) ...")

    def work(path: Path) -> dict:
        start = time.perf_counter()
        data = _grade_with_retries(path, name, dist, cell_timeout, timeout, progress=progress)
        scores = data.get("scores", {})
        row = {"file": str(path.relative_to(folder))}
        for q in auto:
            row[q["name"]] = round(float(scores.get(q["name"], 0.0)), 4)
        for q in manual:
            row[f"{q['name']} (by hand, /{q['points']:g})"] = ""
        row["total"] = round(sum(row[q["name"]] for q in auto), 4)
        row["possible"] = round(sum(q["points"] for q in auto), 4)
        problems = list(data.get("problems", []))
        if not scores and not problems:
            problems.append("no result")
        row["error"] = "; ".join(problems)[:MAX_ERROR_CHARS]
        row["feedback"] = " | ".join(data.get("feedback", []))[:MAX_FEEDBACK_CHARS]
        if _STOPPING.is_set():
            return row
        attempts = data.get("attempts", 1)
        progress(f"  {row['file']}: {row['total']:g}/{row['possible']:g}"
                 f"{'  (' + row['error'] + ')' if row['error'] else ''}  [{time.perf_counter() - start:.1f} s"
                 f"{f', {attempts} attempts' if attempts > 1 else ''}]")
        return row

    pool = ThreadPoolExecutor(max_workers=max(1, int(jobs)))
    try:
        rows = list(pool.map(work, files))
    except KeyboardInterrupt:
        _STOPPING.set()
        pool.shutdown(wait=False, cancel_futures=True)
        with _LIVE_LOCK:
            for proc in list(_LIVE):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        raise
    pool.shutdown()

    if only is not None:
        rows, done = update_gradebook(output, rows[0])
        done = f" ({done})"
    else:
        _write_gradebook(output, list(rows[0]), rows)
        done = ""
    collect_written_answers(folder, [row["file"] for row in rows], name, manual, dist, output, progress)
    progress(f"Gradebook: {output}{done}")
    return output, rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Grade a folder of submissions into a gradebook CSV.")
    parser.add_argument("submissions", nargs="?", type=Path,
                        help="folder of submitted notebooks (with --merge-hand-scores: the gradebook)")
    parser.add_argument("--assignment", help="assignment name, e.g. hw1 (default: read from the notebooks)")
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST, help="built homework (default: homework/dist)")
    parser.add_argument("--output", type=Path, default=os.environ.get("GRADEBOOK") or None,
                        help="gradebook CSV (default: $GRADEBOOK, else FOLDER-NAME-gradebook.csv beside "
                             "the folder of submissions)")
    parser.add_argument("--cell-timeout", type=float, default=120, help="seconds one cell may run (default 120)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one submission may take (default 900)")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    parser.add_argument("--only", type=Path, metavar="FILE",
                        help="regrade this one file of the folder and update its row in the gradebook")
    parser.add_argument("--merge-hand-scores", type=Path, metavar="SHEET",
                        help="copy the marks typed in this hand-scores sheet (written beside the gradebook) "
                             "into the gradebook's 'by hand' columns, and count them in total")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one is not None:  # child process: grade one file, write the result as JSON
        result = grade_one(args.one, args.assignment, args.dist, args.cell_timeout)
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return 0

    if args.merge_hand_scores is not None:
        gradebook = args.submissions or args.output
        if gradebook is None:
            print("Give the gradebook too: python homework/grade.py --merge-hand-scores SHEET GRADEBOOK",
                  file=sys.stderr)
            return 2
        try:
            merged, _ = merge_hand_scores(args.merge_hand_scores, gradebook)
        except GradeError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        print(f"Gradebook: {gradebook} ({merged} hand mark(s) merged from {args.merge_hand_scores})")
        return 0

    if args.submissions is None:
        print("Give the folder of submissions: make grade SUBMISSIONS=path/to/folder/", file=sys.stderr)
        return 2
    if args.cell_timeout <= 0 or args.timeout <= 0 or args.jobs < 1:
        print("--cell-timeout and --timeout must be positive and --jobs at least 1.", file=sys.stderr)
        return 2
    try:
        grade_folder(args.submissions, assignment=args.assignment, dist=args.dist, output=args.output,
                     only=args.only, cell_timeout=args.cell_timeout, timeout=args.timeout, jobs=args.jobs)
    except GradeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted: no gradebook was written.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
