"""pyproject.toml and environment.yml must list the same runtime dependencies."""
import re
import tomllib

import yaml
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name_and_spec(req: str):
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def _env_yml_deps():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
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
    assert conda == wanted, f"environment.yml {conda} != pyproject.toml {wanted}"
    assert "-e ." in pip or "." in pip, "environment.yml must install the course_utils package itself"


def test_readme_has_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
