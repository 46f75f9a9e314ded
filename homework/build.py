"""Build the homework: student notebooks and autograder bundles, from the sources with solutions.

Usage::

    .venv/bin/python homework/build.py                 # every assignment in homework/source/
    .venv/bin/python homework/build.py hw1             # only hw1
    .venv/bin/python homework/build.py --source DIR    # sources kept elsewhere (e.g. a private repository)
    HOMEWORK_SOURCE=DIR make homework                  # the same through make

For each assignment ``NAME`` (a folder ``SOURCE/NAME/`` holding ``NAME.ipynb`` in Otter Assign's
format) this writes ``homework/dist/NAME/``::

    student/NAME.ipynb          hand this out: no solution code, no hidden test
    autograder/NAME.ipynb       the solutions notebook (keep private)
    autograder/NAME-autograder.zip   every test, public and hidden, and a course_utils wheel:
                                `homework/grade.py` uses it; upload it to Gradescope as it is
    questions.json              question names, points, and which are graded by hand

The zip grades without this repository: the build makes a wheel of ``course_utils`` and adds three
keys of Otter Assign's own to the assignment config of a staged copy of the source (the source itself
is not touched): ``autograder_files`` (the wheel, which lands at ``files/`` in the zip),
``requirements`` (``./files/course_utils-*.whl``, a path relative to the zip's root, which is where
the zip's ``setup.sh`` makes mamba run pip on Gradescope) and ``python_version`` (the course's).

The build fails (exit status 1) when a solution does not pass its own tests (Otter Assign runs them)
or when a solution line or a hidden test would leak into the student notebook.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

HOMEWORK = Path(__file__).resolve().parent
PROJECT = HOMEWORK.parent
# Teachers who keep the sources with solutions out of this repository point HOMEWORK_SOURCE at them.
DEFAULT_SOURCE = Path(os.environ.get("HOMEWORK_SOURCE") or HOMEWORK / "source")
DEFAULT_DIST = HOMEWORK / "dist"

# Lines this short are too generic to count as a leak when found in the student notebook.
MIN_LEAK_LENGTH = 12

# Appended to Otter's init cell in the student notebook: every check prints one friendly line per
# failing test (the test's failure message) instead of Otter's multi-line report with the test code.
FRIENDLY_CHECKS = '''
# Instant checks print one line per failing test, saying what to look at.
from otter.test_files.abstract_test import TestFile as _TestFile


def _one_line_per_failing_test(result, printer, cycle):
    lines = [f"{result.name}: \\u2717 {t.test_case.failure_message or 'a check failed.'}"
             for t in result.test_case_results if not t.passed]
    printer.text("\\n".join(lines) or f"{result.name}: \\u2713 all visible checks pass.")


_formatters = get_ipython().display_formatter.formatters
_formatters["text/plain"].for_type(_TestFile, _one_line_per_failing_test)
_formatters["text/html"].for_type(_TestFile, lambda result: None)
'''.rstrip()


# What the autograder zip's grading environment gets on top of Otter (see _stage_source). Python:
# the oldest the course supports (pyproject.toml), which is the one its tests and Binder run.
GRADING_PYTHON = "3.11"
# The files a wheel of course_utils is built from, copied out of the project so that setuptools'
# build/ and *.egg-info never land in the working tree.
WHEEL_SOURCES = ["pyproject.toml", "README.md", "course_utils"]


class BuildError(RuntimeError):
    """A build step failed; the message says which and why, in words."""


# --------------------------------------------------------------------------------------------------
# Reading an Otter Assign source notebook
# --------------------------------------------------------------------------------------------------
def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _raw_marker(cell) -> str:
    """'BEGIN QUESTION', 'END SOLUTION', ... for a raw (or ```otter fenced) block cell, else ''."""
    if cell.get("cell_type") != "raw":
        return ""
    first = _source(cell).strip().splitlines()[:1]
    m = re.match(r"#\s*((?:BEGIN|END)\s+(?:QUESTION|SOLUTION|TESTS|PROMPT))\b", first[0] if first else "",
                 re.IGNORECASE)
    return re.sub(r"\s+", " ", m.group(1).upper()) if m else ""


def read_questions(source_nb) -> list[dict]:
    """Questions of a source notebook, in order: ``{"name", "manual", "points"}``.

    ``points`` of an autograded question is the sum of its tests' points.
    """
    questions, current, in_tests = [], None, False
    for cell in source_nb.cells:
        marker = _raw_marker(cell)
        if marker == "BEGIN QUESTION":
            config = yaml.safe_load(_source(cell).split("\n", 1)[1]) or {}
            current = {"name": str(config["name"]), "manual": bool(config.get("manual", False)),
                       "points": config.get("points")}
            questions.append(current)
        elif marker == "END QUESTION":
            current = None
        elif marker == "BEGIN TESTS":
            in_tests = True
        elif marker == "END TESTS":
            in_tests = False
        elif in_tests and current is not None and cell.cell_type == "code":
            config = _test_config(_source(cell))
            current["points"] = (current["points"] or 0) + config.get("points", 1)
    for q in questions:
        q["points"] = float(q["points"] or 0)
    return questions


def _test_config(source: str) -> dict:
    m = re.search(r'"""\s*#\s*BEGIN TEST CONFIG\n(.*?)"""\s*#\s*END TEST CONFIG', source, re.S)
    return (yaml.safe_load(m.group(1)) or {}) if m else {}


def solution_lines(source_nb) -> list[str]:
    """Every distinctive line of solution in a source notebook (stripped, comments dropped).

    Code: the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` and the code of lines
    ending in ``# SOLUTION``. Markdown: the lines of solution cells of hand-graded questions.
    """
    found, in_solution_block = [], False
    for cell in source_nb.cells:
        marker = _raw_marker(cell)
        if marker in ("BEGIN SOLUTION", "END SOLUTION"):
            in_solution_block = marker == "BEGIN SOLUTION"
            continue
        if cell.cell_type == "markdown" and in_solution_block:
            found += [line.strip() for line in _source(cell).splitlines()]
        elif cell.cell_type == "code":
            inside = False
            for line in _source(cell).splitlines():
                stripped = line.strip()
                if stripped.endswith("# END SOLUTION"):
                    inside = False
                elif re.match(r"#\s*BEGIN SOLUTION", stripped):
                    inside = True
                elif inside:
                    found.append(stripped.split("  #")[0].strip())
                elif re.search(r"#\s*SOLUTION\s*$", stripped):
                    found.append(re.sub(r"#\s*SOLUTION\s*$", "", stripped).strip())
    return [line for line in found if len(line) >= MIN_LEAK_LENGTH and not line.startswith("#")]


def hidden_test_lines(source_nb) -> list[str]:
    """Distinctive lines of the hidden tests: their ``def`` lines and any line no public test has."""
    hidden, public, in_tests = [], set(), False
    for cell in source_nb.cells:
        marker = _raw_marker(cell)
        if marker in ("BEGIN TESTS", "END TESTS"):
            in_tests = marker == "BEGIN TESTS"
            continue
        if not in_tests or cell.cell_type != "code":
            continue
        source = _source(cell)
        body = re.sub(r'""".*?"""\s*#\s*END TEST CONFIG', "", source, flags=re.S)
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        # The last line calls the test in the source notebook; Otter drops it.
        lines = [line for line in lines if not re.match(r"test_\w+\(.*\)$", line)]
        if _test_config(source).get("hidden", False):
            hidden.append(lines)
        else:
            public.update(lines)
    out = []
    for lines in hidden:
        out += [line for line in lines if line.startswith("def ") or (
            len(line) >= MIN_LEAK_LENGTH and not any(line in shown for shown in public))]
    return out


def find_leaks(student_nb_path: Path, source_nb) -> list[str]:
    """Solution lines and hidden-test lines found anywhere in a built student notebook's file."""
    text = Path(student_nb_path).read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    # Search the cells and the tests stored in the metadata, as plain text (JSON-escaped too).
    haystack = "\n".join(_source(c) for c in nb.cells)
    haystack += "\n" + json.dumps(nb.metadata.get("otter", {}).get("tests", {}))
    haystack += "\n" + "\n".join(str(t) for t in nb.metadata.get("otter", {}).get("tests", {}).values())
    leaks = [f"solution line: {line}" for line in solution_lines(source_nb) if line in haystack]
    leaks += [f"hidden test line: {line}" for line in hidden_test_lines(source_nb) if line in haystack]
    return leaks


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------
def find_assignments(source: Path) -> list[Path]:
    """The source notebooks ``SOURCE/NAME/NAME.ipynb``, sorted by name."""
    return sorted(p / f"{p.name}.ipynb" for p in Path(source).iterdir()
                  if p.is_dir() and (p / f"{p.name}.ipynb").is_file())


def _rewrite_init_cell(student_nb: Path) -> None:
    """Rewrite Otter's init cell of a student notebook: it finds the notebook's file whatever the
    learner renamed it to (Otter's own cell names the file), and each check prints one line per
    failing test."""
    nb = nbformat.read(student_nb, as_version=4)
    name = nb.metadata["otter"]["assignment_name"]
    for cell in nb.cells:
        if cell.cell_type == "code" and "otter.Notebook(" in _source(cell):
            # Otter's otter.Notebook("NAME.ipynb") breaks once the learner renames the file.
            source, found = re.subn(
                r"^(\w+) = otter\.Notebook\((['\"]).*?\.ipynb\2\)$",
                "from course_utils.handout import notebook_path  # this notebook, whatever its name\n"
                f'\\1 = otter.Notebook(notebook_path("{name}"))', _source(cell), flags=re.M)
            if found != 1:
                raise BuildError(f"{student_nb.name}: Otter's init cell has no line "
                                 'grader = otter.Notebook("NAME.ipynb").')
            cell.source = source.rstrip() + "\n" + FRIENDLY_CHECKS
            break
    else:
        raise BuildError(f"{student_nb.name}: Otter's init cell (grader = otter.Notebook(...)) is missing.")
    nbformat.write(nb, student_nb)


def build_wheel(dest: Path) -> Path:
    """Build the ``course_utils`` wheel (no dependencies bundled) into ``dest``; returns its path."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-utils-") as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        for name in WHEEL_SOURCES:
            src = PROJECT / name
            if src.is_dir():
                shutil.copytree(src, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy(src, project / name)
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                               str(project), "-w", str(dest)], capture_output=True, text=True)
    wheels = sorted(dest.glob("course_utils-*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        raise BuildError("could not build the course_utils wheel for the autograder zips.\n"
                         + (proc.stdout + proc.stderr).strip()[-3000:])
    return wheels[0]


def _config_cell(nb):
    """The ``# ASSIGNMENT CONFIG`` raw cell of a source notebook."""
    for cell in nb.cells:
        if cell.cell_type == "raw" and re.match(r"#\s*ASSIGNMENT CONFIG\b", _source(cell).strip()):
            return cell
    raise BuildError("the source notebook has no '# ASSIGNMENT CONFIG' raw cell.")


def _stage_source(source_nb_path: Path, wheel: Path, stage: Path) -> Path:
    """Copy an assignment's source folder to ``stage`` and tell Otter to ship ``wheel``.

    The staged notebook's config gains Otter Assign's own keys: ``autograder_files`` (the wheel,
    zipped at ``files/WHEEL``), ``requirements`` (``./files/WHEEL``, appended to any the source
    lists; pip runs from the zip's root, where mamba finds ``environment.yml``) and, unless the
    source sets one, ``python_version``. Returns the staged notebook's path.
    """
    shutil.copytree(source_nb_path.parent, stage, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(wheel, stage / wheel.name)
    staged = stage / source_nb_path.name
    nb = nbformat.read(staged, as_version=4)
    cell = _config_cell(nb)
    header, _, body = _source(cell).partition("\n")
    config = yaml.safe_load(body) or {}
    requirements = config.get("requirements") or []
    if isinstance(requirements, str):  # a requirements file of the source's own
        requirements = [line.strip() for line in (stage / requirements).read_text().splitlines()
                        if line.strip() and not line.strip().startswith("#")]
    config["requirements"] = [*requirements, f"./files/{wheel.name}"]
    config["autograder_files"] = [*(config.get("autograder_files") or []), wheel.name]
    config.setdefault("python_version", GRADING_PYTHON)
    cell.source = header + "\n" + yaml.safe_dump(config, sort_keys=False)
    nbformat.write(nb, staged)
    return staged


def build_assignment(source_nb_path: Path, dist: Path, run_tests: bool = True,
                     wheel: Path | None = None) -> dict:
    """Build one assignment into ``dist/NAME/``; returns a summary dict. Raises BuildError.

    ``wheel``: the ``course_utils`` wheel to put in the autograder zip (built here when None).
    """
    name = source_nb_path.stem
    source_nb = nbformat.read(source_nb_path, as_version=4)
    questions = read_questions(source_nb)
    if not questions:
        raise BuildError(f"{name}: the source notebook has no '# BEGIN QUESTION' cell.")
    dist.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=dist) as tmp:
        if wheel is None:
            wheel = build_wheel(Path(tmp) / "wheel")
        try:
            staged = _stage_source(source_nb_path, wheel, Path(tmp) / "source")
        except BuildError as exc:
            raise BuildError(f"{name}: {exc}") from None
        out = Path(tmp) / name
        cmd = [sys.executable, "-m", "otter", "assign", str(staged), str(out)]
        if not run_tests:
            cmd.append("--no-run-tests")
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=staged.parent)
        if proc.returncode != 0:
            log = (proc.stdout + proc.stderr).strip()
            marker = "Some autograder tests failed"
            if marker in log:  # Otter's report of every test, after its traceback
                report = log[log.index(marker):].split("\n", 1)[-1]
                raise BuildError(f"{name}: a solution does not pass its own tests.\n{report}")
            raise BuildError(f"{name}: otter assign failed.\n" + "\n".join(log.splitlines()[-40:]))
        zips = sorted((out / "autograder").glob(f"{name}-autograder_*.zip"))
        if len(zips) != 1:
            raise BuildError(f"{name}: expected one autograder zip, found {len(zips)}.")
        zips[0].rename(out / "autograder" / f"{name}-autograder.zip")
        student_nb = out / "student" / f"{name}.ipynb"
        _rewrite_init_cell(student_nb)
        leaks = find_leaks(student_nb, source_nb)
        if leaks:
            raise BuildError(f"{name}: the student notebook would leak {len(leaks)} line(s):\n  "
                             + "\n  ".join(leaks[:10]))
        (out / "questions.json").write_text(json.dumps(
            {"assignment": name, "questions": questions}, indent=2) + "\n", encoding="utf-8")
        final = dist / name
        if final.exists():
            shutil.rmtree(final)
        out.rename(final)
    return {"name": name, "seconds": time.perf_counter() - start, "questions": questions,
            "student": final / "student" / f"{name}.ipynb",
            "autograder": final / "autograder" / f"{name}-autograder.zip"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Build student notebooks and autograder bundles.")
    parser.add_argument("names", nargs="*", help="assignments to build (default: all)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="folder of assignment sources with solutions (default: $HOMEWORK_SOURCE, "
                             "else homework/source)")
    parser.add_argument("--dist", type=Path, default=DEFAULT_DIST,
                        help="output folder (default: homework/dist)")
    args = parser.parse_args(argv)

    if not args.source.is_dir():
        print(f"No source folder at {args.source}: give --source DIR (the folder holding hw1/hw1.ipynb ...).",
              file=sys.stderr)
        return 2
    sources = find_assignments(args.source)
    if args.names:
        by_name = {p.stem: p for p in sources}
        unknown = [n for n in args.names if n not in by_name]
        if unknown:
            print(f"Unknown assignment(s) {', '.join(unknown)}; found: {', '.join(by_name) or 'none'}.",
                  file=sys.stderr)
            return 2
        sources = [by_name[n] for n in args.names]
    if not sources:
        print(f"No assignment found in {args.source} (expected NAME/NAME.ipynb).", file=sys.stderr)
        return 2

    failed = 0
    with tempfile.TemporaryDirectory(prefix="course-utils-wheel-") as tmp:
        try:
            wheel = build_wheel(Path(tmp))
        except BuildError as exc:
            print(f"FAILED {exc}", file=sys.stderr, flush=True)
            return 1
        for src in sources:
            failed += _build_one(src, args.dist, wheel)
    if failed:
        print(f"{failed} assignment(s) failed to build.", file=sys.stderr)
        return 1
    return 0


def _build_one(src: Path, dist: Path, wheel: Path) -> int:
    """Build and report one assignment; returns 1 if it failed, else 0."""
    print(f"Building {src.stem} ...", flush=True)
    try:
        info = build_assignment(src.resolve(), dist.resolve(), wheel=wheel)
    except BuildError as exc:
        print(f"FAILED {exc}", file=sys.stderr, flush=True)
        return 1
    auto = sum(q["points"] for q in info["questions"] if not q["manual"])
    manual = sum(q["points"] for q in info["questions"] if q["manual"])
    print(f"  {info['name']}: {len(info['questions'])} questions, {auto:g} points autograded, "
          f"{manual:g} by hand; solutions pass all tests; no leak; {info['seconds']:.1f} s")
    print(f"  hand out:  {info['student']}")
    print(f"  grade with: {info['autograder']} (also on Gradescope: it installs {wheel.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
