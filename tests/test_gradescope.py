"""The autograder zips grade without this repository, as Gradescope grades them.

On Gradescope the zip is unpacked into /autograder/source and its setup.sh runs
``mamba env create -f /autograder/source/environment.yml``: mamba runs pip on the file's ``pip:``
list from that folder, so ``./files/course_utils-*.whl`` is the wheel the zip carries. Here a fresh
virtual environment gets otter-grader==7.0.0 from PyPI and then that same list, installed from the
unpacked zip's root; `otter run` grades a perfect and a wrong submission of each assignment in it,
from a folder outside the repository, with no PYTHONPATH. The perfect ones get every point and the
wrong ones exactly what the course's own environment gives them.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

import homework_scripts
import yaml

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ["hw1", "hw2"]

pytestmark = pytest.mark.slow

make_submissions = homework_scripts.load("tests/make_submissions.py")


def _pip_requirements(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as z:
        env = yaml.safe_load(z.read("environment.yml"))
    return next(dep["pip"] for dep in env["dependencies"] if isinstance(dep, dict))


def _clean_env(tmp_path: Path) -> dict:
    """No PYTHONPATH, and no Jupyter folder of this machine (a user-level kernel could point back
    at the course's environment)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV")}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograder_zip_carries_a_course_utils_wheel_and_installs_it(homework_dist, name):
    zip_path = homework_dist / name / "autograder" / f"{name}-autograder.zip"
    with zipfile.ZipFile(zip_path) as z:
        wheels = [n for n in z.namelist() if n.startswith("files/course_utils-") and n.endswith(".whl")]
        assert len(wheels) == 1, z.namelist()
        env = yaml.safe_load(z.read("environment.yml"))
        with z.open(wheels[0]) as f, zipfile.ZipFile(f) as wheel:
            packaged = {n for n in wheel.namelist() if n.endswith(".py")}
    # Every module of the library is in the wheel (a subpackage left out of pyproject.toml is not).
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "course_utils").rglob("*.py")}
    assert packaged == modules
    assert "python=3.11" in env["dependencies"], "the Python the course is tested on"
    assert _pip_requirements(zip_path) == ["otter-grader[grading,plugins]==7.0.0", f"./{wheels[0]}"]


@pytest.fixture(scope="session")
def fresh_otter_env(tmp_path_factory):
    """A virtual environment with only otter-grader==7.0.0 from PyPI (once per session)."""
    venv = tmp_path_factory.mktemp("gradescope") / "venv"
    start = time.perf_counter()
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)],
                   check=True, capture_output=True, timeout=300)
    proc = subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "otter-grader==7.0.0"],
                          capture_output=True, text=True, timeout=900, cwd=venv.parent,
                          env=_clean_env(venv.parent))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    print(f"fresh venv with otter-grader: {time.perf_counter() - start:.1f} s")
    return venv


PROBE = ("import sys, course_utils\n"
         "open({path!r}, 'w').write(sys.executable + '\\n' + course_utils.__file__)")


def _otter_run(python: Path, zip_path: Path, submission: Path, out: Path, env: dict) -> dict:
    """`otter run` one submission; returns {test name: score} from its results.json."""
    out.mkdir(parents=True)
    proc = subprocess.run([python, "-m", "otter", "run", "-a", zip_path, "-o", out, submission],
                          capture_output=True, text=True, timeout=600, cwd=out, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {t["name"]: t["score"] for t in tests if t.get("max_score")}


@pytest.mark.timeout(1500)
def test_autograder_zip_grades_in_a_fresh_environment_as_the_course_does(
        homework_dist, fresh_otter_env, tmp_path):
    env = _clean_env(tmp_path)
    python = fresh_otter_env / "bin" / "python"
    start = time.perf_counter()
    for name in ASSIGNMENTS:
        # What setup.sh does on Gradescope: pip install the zip's list from the unpacked zip's root.
        zip_path = homework_dist / name / "autograder" / f"{name}-autograder.zip"
        source = tmp_path / name / "source"
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(source)
        requirements = tmp_path / name / "requirements.txt"
        requirements.write_text("\n".join(_pip_requirements(zip_path)) + "\n")
        proc = subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", requirements],
                              capture_output=True, text=True, timeout=900, cwd=source, env=env)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    installed = time.perf_counter()

    # Nothing of the repository is on that environment's path.
    proc = subprocess.run([python, "-c", "import sys, course_utils; print(course_utils.__file__); "
                           "print('\\n'.join(sys.path))"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=True)
    where, *path = proc.stdout.splitlines()
    assert Path(where).is_relative_to(fresh_otter_env) and "site-packages" in Path(where).parts
    assert not [p for p in path if p and Path(p).resolve().is_relative_to(ROOT)]

    # A perfect and a wrong submission of each assignment; the perfect ones also say which Python
    # and which course_utils the grading kernel ran.
    runs = {}
    for name in ASSIGNMENTS:
        paths = make_submissions.make_submissions(name, homework_dist, tmp_path / name / "class")
        probe = tmp_path / name / "kernel.txt"
        perfect = nbformat.read(paths["perfect"], as_version=4)
        index = next(i for i, c in enumerate(perfect.cells) if "import course_utils" in c.source)
        perfect.cells.insert(index + 1, nbformat.v4.new_code_cell(PROBE.format(path=str(probe))))
        nbformat.write(perfect, paths["perfect"])
        zip_path = homework_dist / name / "autograder" / f"{name}-autograder.zip"
        for kind in ("perfect", "wrong_answer"):
            runs[name, kind, "fresh"] = (python, zip_path, paths[kind], tmp_path / name / kind, env)
        # The wrong one also in the course's environment, for the score to compare with.
        runs[name, "wrong_answer", "course"] = (Path(sys.executable), zip_path, paths["wrong_answer"],
                                                tmp_path / name / "wrong-course", dict(os.environ))
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(_otter_run, *args) for key, args in runs.items()}
        scores = {key: future.result() for key, future in futures.items()}
    print(f"installs {installed - start:.1f} s, {len(runs)} otter runs "
          f"{time.perf_counter() - installed:.1f} s")

    for name in ASSIGNMENTS:
        questions = json.loads((homework_dist / name / "questions.json").read_text())["questions"]
        auto = {q["name"]: q["points"] for q in questions if not q["manual"]}
        assert scores[name, "perfect", "fresh"] == auto
        wrong = scores[name, "wrong_answer", "fresh"]
        assert 0 < sum(wrong.values()) < sum(auto.values())
        assert wrong == scores[name, "wrong_answer", "course"]
        executable, module = (tmp_path / name / "kernel.txt").read_text().splitlines()
        assert Path(executable).parent == fresh_otter_env / "bin"
        assert Path(module).is_relative_to(fresh_otter_env) and not Path(module).is_relative_to(ROOT)
