"""Grade a folder of submissions into one gradebook CSV, without Docker.

Usage::

    .venv/bin/python homework/grade.py SUBMISSIONS/ [--assignment hw1] [--output gradebook.csv]
                                          [--cell-timeout 120] [--timeout 900] [--jobs 2]

The gradebook goes to ``--output`` (or ``$GRADEBOOK``), by default ``FOLDER-NAME-gradebook.csv``
beside the folder. Every file in ``SUBMISSIONS`` (recursively; hidden files and ``.ipynb_checkpoints`` skipped) gets
exactly one row: ``file``, one column per autograded question, one empty column per hand-graded
question (for the teacher), ``total``, ``possible``, ``error``, and ``feedback`` (the one-line
message of every failing test, hidden ones included, to explain a score). A submission that cannot be graded
(not a notebook, invalid JSON, killed after ``--timeout``) scores 0 and the ``error`` column says why;
a cell that raises or runs longer than ``--cell-timeout`` is reported there too, and only the
questions that depend on it lose points.

Each submission is graded by ``otter run`` (Otter Grader's non-containerised runner) in a child
process of its own, with the autograder bundle that ``homework/build.py`` wrote to
``homework/dist/NAME/autograder/NAME-autograder.zip``. The submissions run with the permissions of
whoever runs this script: grade only notebooks from your own class.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
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

# Child processes running now: stopped, with their kernels, if the teacher presses Ctrl-C.
_LIVE: set[subprocess.Popen] = set()
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


class GradeError(RuntimeError):
    """Grading cannot start (no build, unknown assignment, ...); the message says what to do."""


# --------------------------------------------------------------------------------------------------
# Finding what to grade
# --------------------------------------------------------------------------------------------------
def list_submissions(folder: Path, exclude: Path | None = None) -> list[Path]:
    """Every regular file under ``folder``, sorted, skipping hidden files and checkpoint folders."""
    files = []
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") or part in SKIP_NAMES for part in rel.parts):
            continue
        if path.is_file() and (exclude is None or path.resolve() != exclude.resolve()):
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


def grade_one(submission: Path, name: str, dist: Path, cell_timeout: float) -> dict:
    """Grade one file as assignment ``name``; returns ``{"scores": {q: points}, "problems": [...]}``."""
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
        except Exception as exc:  # Otter refused the notebook (wrong assignment, ...)
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return {"scores": {}, "problems": problems + [f"could not be graded: {message}"]}
        if results.catastrophic_error is not None:
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
            tail = " ".join(output.decode("utf-8", "replace").strip().splitlines()[-2:])
            return {"scores": {}, "problems": [f"the grader crashed: {tail[:200]}"]}
        return data


def grade_folder(folder: Path, *, assignment: str | None = None, dist: Path = DEFAULT_DIST,
                 output: Path | None = None, cell_timeout: float = 120, timeout: float = 900,
                 jobs: int = 2, progress=print) -> tuple[Path, list[dict]]:
    """Grade every file in ``folder``; write the gradebook CSV; return its path and its rows."""
    folder, dist = Path(folder), Path(dist)
    if not folder.is_dir():
        raise GradeError(f"{folder} is not a folder. Give the folder of submissions: "
                         "make grade SUBMISSIONS=path/to/folder/")
    output = Path(output) if output else None
    files = list_submissions(folder, exclude=output)
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
        data = _run_child(path, name, dist, cell_timeout, timeout)
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
        progress(f"  {row['file']}: {row['total']:g}/{row['possible']:g}"
                 f"{'  (' + row['error'] + ')' if row['error'] else ''}  [{time.perf_counter() - start:.1f} s]")
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

    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    progress(f"Gradebook: {output}")
    return output, rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Grade a folder of submissions into a gradebook CSV.")
    parser.add_argument("submissions", nargs="?", type=Path, help="folder of submitted notebooks")
    parser.add_argument("--assignment", help="assignment name, e.g. hw1 (default: read from the notebooks)")
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST, help="built homework (default: homework/dist)")
    parser.add_argument("--output", type=Path, default=os.environ.get("GRADEBOOK") or None,
                        help="gradebook CSV (default: $GRADEBOOK, else FOLDER-NAME-gradebook.csv beside "
                             "the folder of submissions)")
    parser.add_argument("--cell-timeout", type=float, default=120, help="seconds one cell may run (default 120)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one submission may take (default 900)")
    parser.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one is not None:  # child process: grade one file, write the result as JSON
        result = grade_one(args.one, args.assignment, args.dist, args.cell_timeout)
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return 0

    if args.submissions is None:
        print("Give the folder of submissions: make grade SUBMISSIONS=path/to/folder/", file=sys.stderr)
        return 2
    if args.cell_timeout <= 0 or args.timeout <= 0 or args.jobs < 1:
        print("--cell-timeout and --timeout must be positive and --jobs at least 1.", file=sys.stderr)
        return 2
    try:
        grade_folder(args.submissions, assignment=args.assignment, dist=args.dist, output=args.output,
                     cell_timeout=args.cell_timeout, timeout=args.timeout, jobs=args.jobs)
    except GradeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted: no gradebook was written.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
