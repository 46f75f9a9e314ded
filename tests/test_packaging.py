"""Every way of installing the course gives learners what the notebooks and handouts import.

pyproject.toml, environment.yml and binder/environment.yml list the same runtime dependencies; each
documented install path covers every module the lessons and the homework handouts import.
"""
import ast
import json
import re
import shlex
import sys
import tomllib

import yaml
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name_and_spec(req: str):
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _env_yml_deps(path=ROOT / "environment.yml"):
    env = yaml.safe_load(Path(path).read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
        else:
            name, spec = _name_and_spec(dep)
            conda[name] = spec
    return conda, pip


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_name_and_spec(r) for r in project["dependencies"])
    conda, pip = _env_yml_deps()
    conda.pop("pip", None)
    python = conda.pop("python", None)
    assert python is not None, "environment.yml must pin python"
    assert python.replace(">=", "") == project["requires-python"].replace(">=", "")
    assert "-e ." in pip or "." in pip, "environment.yml must install the course_utils package itself"
    # Packages conda-forge does not carry at the pinned version come from PyPI, in the pip section.
    listed = {**conda, **dict(_name_and_spec(r) for r in pip if r not in ("-e .", "."))}
    assert listed == wanted, f"environment.yml {listed} != pyproject.toml {wanted}"


def test_readme_has_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


# --------------------------------------------------------------------------------------------------
# Each install path covers what the notebooks and the homework handouts import
# --------------------------------------------------------------------------------------------------
PROJECT = "course-utils"
# Import name -> the distribution that provides it. An import missing here fails the test below
# with this list; the project itself provides course_utils.
DISTRIBUTIONS = {
    "course_utils": PROJECT,
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "ipywidgets": "ipywidgets",
    "IPython": "ipython",  # comes with jupyterlab (ipykernel)
    "otter": "otter-grader",
}
# Installed with every install path's jupyterlab, so a notebook may import them without listing them.
WITH_JUPYTERLAB = {"ipython"}


def _cell_imports(source: str) -> set[str]:
    """Top-level module names imported by one code cell (IPython magics and shell lines skipped)."""
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _handout_imports(nb_path: Path) -> set[str]:
    """Imports of a notebook's code cells; a homework source adds otter when Otter Assign gives
    the handout its init cell (``init_cell`` defaults to true)."""
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    names = set()
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            names |= _cell_imports(source)
        elif cell["cell_type"] == "raw" and source.lstrip().startswith("# ASSIGNMENT CONFIG"):
            config = yaml.safe_load(source.split("\n", 1)[1]) or {}
            if config.get("init_cell", True):
                names.add("otter")
    return names


def _required_distributions() -> dict[str, set[str]]:
    """{distribution: notebooks importing it} for every non-stdlib import of the lessons and handouts."""
    notebooks = [*sorted((ROOT / "notebooks").glob("*.ipynb")),
                 *sorted((ROOT / "homework" / "source").glob("*/*.ipynb"))]
    assert notebooks, "no notebook found"
    needed, unknown = {}, set()
    for nb_path in notebooks:
        for name in _handout_imports(nb_path) - set(sys.stdlib_module_names):
            if name not in DISTRIBUTIONS:
                unknown.add(f"{name} (in {nb_path.relative_to(ROOT)})")
                continue
            needed.setdefault(DISTRIBUTIONS[name], set()).add(nb_path.name)
    assert not unknown, (f"add the distribution of {', '.join(sorted(unknown))} to DISTRIBUTIONS; "
                         f"known imports: {', '.join(sorted(DISTRIBUTIONS))}")
    return needed


def _names(requirements) -> set[str]:
    return {_name_and_spec(r)[0] for r in requirements}


def _pyproject_deps() -> set[str]:
    return _names(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def _pip_line_packages(line: str) -> set[str] | None:
    """Distributions a documented ``pip install ...`` line gives, or None when it does not install
    the course (a one-off like ``pip install torch`` for a benchmark)."""
    command = re.search(r"\bpip install\b([^`#]*)", line).group(1)  # up to a closing backtick or comment
    words = shlex.split(command)
    if "--no-deps" in words:  # a step on top of an environment checked as its own install path
        return None
    installs_project, packages = False, {"pip"}
    for word in words:
        if word.startswith("-"):
            continue
        if word in (".", "./") or word.startswith(("/", "./", "~")):  # the repository checked out
            installs_project = True
            extras = re.search(r"\[(.*)\]$", word)
            project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
            for extra in (extras.group(1).split(",") if extras else []):
                packages |= _names(project["optional-dependencies"][extra.strip()])
        else:
            packages.add(_name_and_spec(word)[0])
    return packages | {PROJECT} | _pyproject_deps() if installs_project else None


def _install_paths() -> dict[str, set[str]]:
    """{install path: the distributions it installs} for every documented way to install the course."""
    paths = {"pyproject.toml (pip install -e .)": _pyproject_deps() | {PROJECT}}
    conda, pip = _env_yml_deps()
    # `-e .` in the pip section installs the project; its own pip dependencies are the env's too,
    # but the environment lists them itself (so conda, not pip, installs what conda can).
    paths["environment.yml"] = set(conda) | _names(r for r in pip if r not in ("-e .", ".")) | {PROJECT}
    conda, pip = _env_yml_deps(ROOT / "binder" / "environment.yml")
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert re.search(r"pip install .*--no-deps -e \.", post_build), "binder/postBuild installs course_utils"
    paths["binder/environment.yml + postBuild"] = set(conda) | _names(pip) | {PROJECT}
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bpip install\b", line) and (packages := _pip_line_packages(line)):
                paths[f"{doc.relative_to(ROOT)} line {number}"] = packages
    return paths


def test_every_install_path_covers_what_the_notebooks_and_handouts_import():
    needed = _required_distributions()
    assert {"otter-grader", PROJECT, "numpy"} <= set(needed), "the scan misses imports it should see"
    paths = _install_paths()
    assert len(paths) >= 4, f"expected pyproject, two environment files and the hub line; found {list(paths)}"
    gaps = {}
    for path, installed in paths.items():
        missing = sorted(d for d in needed if d not in installed and d not in WITH_JUPYTERLAB)
        if missing:
            gaps[path] = {d: sorted(needed[d]) for d in missing}
    assert not gaps, f"install paths that leave a lesson or handout failing on import: {gaps}"


def test_the_import_scan_sees_imports_and_skips_magics():
    source = ("%matplotlib inline\n!ls\nimport numpy as np, os.path\n"
              "from otter.check import x\nfrom . import a")
    assert _cell_imports(source) == {"numpy", "os", "otter"}


# --------------------------------------------------------------------------------------------------
# The Makefile installs for learners only what learners use
# --------------------------------------------------------------------------------------------------
def _makefile() -> dict[str, tuple[list[str], list[str]]]:
    """{target: (prerequisites, recipe lines)} of the Makefile, its ``:=`` / ``?=`` variables expanded."""
    text = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^(\w+)\s*[:?]?=\s*(.*?)\s*$", text, re.M))

    def expand(s: str) -> str:
        for _ in range(5):  # variables defined from variables
            s = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), s)
        return s

    rules, current = {}, None
    for line in text.splitlines():
        if line.startswith("\t") and current is not None:
            rules[current][1].append(expand(line.strip()))
        elif (m := re.match(r"^([^\s:#=][^:=]*?)\s*:(?!=)\s*(.*)$", line)) and not line.startswith("."):
            current = expand(m.group(1))
            rules[current] = ([w for w in expand(m.group(2)).split() if w != "|"], [])
        elif line.strip() and not line.startswith("#"):
            current = None
    return rules


def _needs(rules, target: str) -> set[str]:
    """Every target ``target`` depends on, directly or through other targets."""
    seen, todo = set(), list(rules[target][0])
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.add(t)
            todo += rules.get(t, ([], []))[0]
    return seen


def test_learners_get_the_learner_install_and_testers_the_test_tools():
    rules = _makefile()
    learner, tester = ".venv/.installed-learner", ".venv/.installed-test"
    assert "pyproject.toml" in rules[learner][0] and "pyproject.toml" in rules[tester][0]
    assert learner in rules[tester][0], "the test install goes on top of the learner install"
    (learner_pip,) = [line for line in rules[learner][1] if "pip install" in line]
    assert re.search(r"pip install (--quiet )?-e \.$", learner_pip), \
        f"the learner install takes no extras: {learner_pip!r}"
    assert "[test" in " ".join(rules[tester][1])
    for target in ("install", "lab", "dashboard", "homework", "grade", "execute"):
        assert learner in _needs(rules, target) and tester not in _needs(rules, target), \
            f"make {target} should set up the learner install only"
    for target in ("test", "bench", "loadtest"):
        assert tester in _needs(rules, target), f"make {target} needs the test tools"


def test_license_is_an_spdx_string():
    """A license given as a TOML table stops building on 2027-02-18 (setuptools' warning); the SPDX
    string form needs setuptools >= 77 to build."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["license"] == "MIT"
    req = next(r for r in meta["build-system"]["requires"] if r.startswith("setuptools"))
    assert tuple(int(x) for x in req.split(">=")[1].split(".")[:1]) >= (77,)
