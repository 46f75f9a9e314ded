"""Make the folder of submissions a real class hands in, from a built assignment.

Usage::

    .venv/bin/python homework/tests/make_submissions.py hw1 OUT_DIR     # after `make homework`

Writes eight files: ``perfect.ipynb`` (the student notebook with every answer cell filled in from
the solutions), ``blank.ipynb`` (the handout unmodified), ``wrong_answer.ipynb``,
``raises.ipynb`` (an answer cell raises), ``infinite_loop.ipynb`` (an answer cell never ends),
``deleted_cells.ipynb`` (an answer cell and its check cell deleted), ``not_json.ipynb`` (cut off
half-way, as an interrupted upload leaves it) and a renamed copy of the perfect one,
``Copy of hw1 - Jane Doe (final).txt``.

The tests build these from the notebooks ``homework/build.py`` just made, rather than from committed
copies, so they always match the current assignment. Which answer cell each broken submission
breaks is listed in :data:`BREAKS` (index among the answer cells of code).
"""
from __future__ import annotations

import argparse
import copy
from pathlib import Path

import nbformat

ANSWER_TAG = "otter_answer_cell"
SOLUTION_TAG = "otter_assign_solution_cell"

# Which code answer cell (0-based, in notebook order) each broken submission breaks, per assignment,
# and how a wrong answer is made: (old text in the solution, new text).
BREAKS = {
    "hw1": {"wrong": (1, "b_one = b1 @ W2 + b2", "b_one = b2"), "raises": 3, "loop": 2, "deleted": 1},
    "hw2": {"wrong": (0, "0.01 * z_arr", "0.1 * z_arr"), "raises": 4, "loop": 2, "deleted": 1},
}

RENAMED = "Copy of {name} - Jane Doe (final).txt"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def perfect_submission(student_nb, autograder_nb):
    """The handout with every answer cell replaced by the matching solution cell."""
    nb = copy.deepcopy(student_nb)
    for kind in ("code", "markdown"):
        answers = [c for c in nb.cells if c.cell_type == kind and ANSWER_TAG in _tags(c)]
        solutions = [c for c in autograder_nb.cells if c.cell_type == kind and SOLUTION_TAG in _tags(c)]
        if len(answers) != len(solutions):
            raise ValueError(f"{len(answers)} {kind} answer cells but {len(solutions)} solutions")
        for answer, solution in zip(answers, solutions):
            answer.source = solution.source
    return nb


def code_answers(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and ANSWER_TAG in _tags(c)]


def make_submissions(name: str, dist: Path, out: Path) -> dict[str, Path]:
    """Write the class's submissions for assignment ``name`` into ``out``; returns kind -> path."""
    dist, out = Path(dist), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    student = nbformat.read(dist / name / "student" / f"{name}.ipynb", as_version=4)
    solutions = nbformat.read(dist / name / "autograder" / f"{name}.ipynb", as_version=4)
    breaks = BREAKS[name]
    perfect = perfect_submission(student, solutions)
    paths = {}

    def save(kind, nb, filename=None):
        path = out / (filename or f"{kind}.ipynb")
        nbformat.write(nb, path)
        paths[kind] = path

    save("perfect", perfect)
    save("blank", student)

    wrong = copy.deepcopy(perfect)
    index, old, new = breaks["wrong"]
    cell = code_answers(wrong)[index]
    assert old in cell.source, f"{name}: {old!r} is not in answer cell {index}"
    cell.source = cell.source.replace(old, new)
    save("wrong_answer", wrong)

    raises = copy.deepcopy(perfect)
    cell = code_answers(raises)[breaks["raises"]]
    cell.source = 'raise RuntimeError("I ran out of time for this one")\n' + cell.source
    save("raises", raises)

    loop = copy.deepcopy(perfect)
    cell = code_answers(loop)[breaks["loop"]]
    cell.source = "while True:  # waiting for a result that never comes\n    pass\n" + cell.source
    save("infinite_loop", loop)

    deleted = copy.deepcopy(perfect)
    victim = code_answers(deleted)[breaks["deleted"]]
    i = deleted.cells.index(victim)
    del deleted.cells[i:i + 2]  # the answer cell and the check cell after it
    save("deleted_cells", deleted)

    text = nbformat.writes(perfect)
    path = out / "not_json.ipynb"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    paths["not_json"] = path

    save("renamed", perfect, RENAMED.format(name=name))
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write a class's worth of submissions of a built "
                                                 "assignment (run `make homework` first).")
    parser.add_argument("name", help="assignment, e.g. hw1")
    parser.add_argument("out", type=Path, help="folder to write the submissions to")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    for kind, path in make_submissions(args.name, here / "dist", args.out).items():
        print(f"{kind:14s} {path}")
