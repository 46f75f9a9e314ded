"""Deployment: the Voila configuration, the offline template, Binder's build.

* ``voila.json`` (repo root) is what ``make dashboard`` and Binder both read: sources
  stripped, tracebacks hidden, idle kernels culled, a per-cell timeout, a kernel pool for
  the Playground only.
* The ``course`` template makes the page work with no network beyond the server: a real
  Chromium records every request that leaves 127.0.0.1 and the test fails on any.
* ``repo2docker --no-build --debug .`` renders the Binder build without Docker; the
  rendered Dockerfile must use ``binder/environment.yml`` and run ``binder/postBuild``,
  which installs ``course_utils``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from servers import BIN, ROOT
from voila_client import (COURSE_ARGS, PLAYGROUND, STANDIN, course_dashboard, course_env,
                          dashboard_notebook)

CONFIG = json.loads((ROOT / "voila.json").read_text())
TEMPLATE = ROOT / "share" / "jupyter" / "voila" / "templates" / "course"


# ------------------------------------------------------------------ voila.json, statically
def test_voila_json_hides_code_and_errors():
    vc = CONFIG["VoilaConfiguration"]
    assert vc["strip_sources"] is True
    assert vc["show_tracebacks"] is False
    # The course template is chosen by `make dashboard` (--template=course) and by Binder's
    # postBuild, not here: every Voila started from the repo root reads this file, and
    # must start even where the template is not on JUPYTER_PATH.
    assert vc.get("template") in (None, "lab")
    assert (TEMPLATE / "index.html.j2").is_file()


def test_voila_json_culls_idle_kernels_after_a_few_minutes():
    km = CONFIG["MappingKernelManager"]
    assert 60 <= km["cull_idle_timeout"] <= 30 * 60, "a few minutes, not seconds and not hours"
    assert 0 < km["cull_interval"] <= km["cull_idle_timeout"]
    assert km.get("cull_connected", False) is False  # a student with the tab open keeps the kernel


def test_voila_json_limits_each_cell():
    assert 10 <= CONFIG["VoilaExecutor"]["timeout"] <= 600


def test_kernel_pool_is_for_the_playground_only():
    """Preheating runs the notebook ahead of a visitor; serving a folder must not preheat all of it."""
    assert CONFIG["VoilaConfiguration"]["preheat_kernel"] is True
    pools = CONFIG["VoilaKernelManager"]["kernel_pools_config"]
    assert pools["default"]["pool_size"] == 0
    # Voila keys pools by the path relative to its root_dir: the notebook's own folder for
    # `voila notebooks/06_playground.ipynb`, `notebooks/` for `voila notebooks`.
    assert pools[PLAYGROUND.name]["pool_size"] >= 1


def _voila_settings(notebook: Path, args=()) -> dict:
    """What Voila itself makes of voila.json, read in a fresh interpreter from the repo root."""
    probe = f"""
import json, os
os.chdir({str(ROOT)!r})
from voila.app import Voila
app = Voila()
app.initialize([{str(notebook.relative_to(ROOT))!r}, *{list(args)!r}])
app.init_settings()
km, vc = app.kernel_manager, app.voila_configuration
print(json.dumps({{"template": vc.template, "strip_sources": vc.strip_sources,
    "show_tracebacks": vc.show_tracebacks, "template_paths": app.template_paths,
    "cull_idle_timeout": km.cull_idle_timeout, "cull_interval": km.cull_interval,
    "kernel_pools_config": getattr(km, "kernel_pools_config", None),
    "allowed_message_types": km.allowed_message_types,
    "executor_timeout": app.config.VoilaExecutor.timeout,
    "ws_connection": app.kernel_websocket_connection_class.__name__}}))
"""
    env = course_env()
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, f"Voila could not start with voila.json:\n{out.stderr[-3000:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_dashboard_kernels_remember_fewer_message_digests(monkeypatch):
    """Under ``make dashboard`` (JUPYTER_PATH holds share/jupyter) the kernel spec found for
    ``python3`` is the course's, and a kernel started from it keeps at most 4,096 message
    signatures instead of ipykernel's 65,536: Play sends a message a tick, and each kept
    signature is kernel memory that grows for an hour (README, *Memory over long Play*)."""
    from jupyter_client.manager import start_new_kernel

    env = course_env()
    code = ("from jupyter_client.kernelspec import KernelSpecManager as M; "
            "print(M().get_kernel_spec('python3').resource_dir)")
    found = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert Path(found.stdout.strip()) == ROOT / "share" / "jupyter" / "kernels" / "python3"
    from ipykernel.kernelspec import get_kernel_dict  # ours is ipykernel's own, plus the one option

    ours, theirs = json.loads((Path(found.stdout.strip()) / "kernel.json").read_text()), get_kernel_dict()
    assert ours["argv"][1:] == [*theirs["argv"][1:], "--Session.digest_history_size=4096"]
    assert {k: ours[k] for k in ("display_name", "language")} == {k: theirs[k] for k in ("display_name", "language")}
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
    out: list[str] = []
    try:
        kc.execute_interactive("print(get_ipython().kernel.session.digest_history_size)", timeout=60,
                               output_hook=lambda msg: out.append(msg["content"].get("text", "")))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert "".join(out).strip() == "4096"


def test_voila_reads_the_config_and_finds_the_template():
    s = _voila_settings(STANDIN, COURSE_ARGS)  # the stand-in: this probe starts no kernel pool
    km = CONFIG["MappingKernelManager"]
    assert (s["cull_idle_timeout"], s["cull_interval"]) == (km["cull_idle_timeout"], km["cull_interval"])
    assert s["executor_timeout"] == CONFIG["VoilaExecutor"]["timeout"]
    assert s["strip_sources"] is True and s["show_tracebacks"] is False
    assert s["kernel_pools_config"] == CONFIG["VoilaKernelManager"]["kernel_pools_config"]
    assert Path(s["template_paths"][0]).name == "course", (
        "Voila did not find the course template in share/jupyter (JUPYTER_PATH)")
    assert "execute_request" not in s["allowed_message_types"]
    assert s["ws_connection"] == "V1OnlyConnection"  # deploy/voila_guard.py, see test_security


def test_voila_json_alone_starts_voila():
    """Without --template=course (other tests' servers, a bare `voila`), the config still works."""
    s = _voila_settings(STANDIN)
    assert s["strip_sources"] is True and s["cull_idle_timeout"] == CONFIG["MappingKernelManager"]["cull_idle_timeout"]


# ------------------------------------------------------------------ a served page
def test_failing_cell_shows_no_traceback(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("secret_detail_4821 = 1\nraise RuntimeError('internal detail 4821')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    from servers import fetch

    with course_dashboard(path) as url:
        page = fetch(url, timeout=180)
    assert "4821" not in page and "Traceback" not in page
    # Voila says that a cell failed, without the details
    assert "There was an error when executing cell" in page


# ------------------------------------------------------------------ offline page, real browser
@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_needs_no_network_beyond_the_server():
    """Every icon, font and formula comes from the server; no request leaves 127.0.0.1."""
    from browser import launch_chromium, new_page, require_browser

    require_browser()
    notebook = dashboard_notebook()
    has_math = "$" in "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
                              if c["cell_type"] == "markdown")
    with course_dashboard(notebook) as url, launch_chromium() as chromium:
        page = new_page(chromium)  # answers (and lists) any request that leaves 127.0.0.1
        page.goto(url)
        page.wait_for_selector(".jupyter-widgets img[src]", timeout=180_000)
        page.wait_for_function("document.fonts.status === 'loaded'")
        page.wait_for_timeout(1000)
        icons = page.evaluate("""() => Array.from(document.querySelectorAll('i.fa, .fa')).map(i => {
            const family = getComputedStyle(i).fontFamily.split(',')[0].replace(/["']/g, '').trim();
            const faces = Array.from(document.fonts).filter(f => f.family.replace(/["']/g, '') === family);
            return {family, loaded: faces.some(f => f.status === 'loaded'),
                    glyph: getComputedStyle(i, '::before').content};
        })""")
        math = page.locator("mjx-container").count()
        banner = page.locator("#course-connection-lost").count()
        external = list(page.external_requests)
        page.context.close()
    assert external == [], f"the page fetched from outside the server: {external}"
    assert icons, "the dashboard's buttons should carry icons"
    broken = [i for i in icons if not i["loaded"] or i["glyph"] in ("none", "normal", '""')]
    assert not broken, f"icons without a loaded font or glyph: {broken}"
    if has_math:
        assert math > 0, "the formulas were not typeset (MathJax must come from the server)"
    assert banner == 0, "the connection-lost banner showed on a healthy page"


def test_template_links_nothing_outside():
    """The template source itself names no CDN (the browser test checks the rendered page)."""
    text = "\n".join(p.read_text() for p in TEMPLATE.iterdir() if p.is_file())
    urls = [u for u in re.findall(r"https?://[^\s\"')]+", text)]
    assert urls == [], urls


# ------------------------------------------------------------------ Binder
def _deps(path: Path) -> tuple[set[str], list]:
    env = yaml.safe_load(path.read_text())
    plain = {d for d in env["dependencies"] if isinstance(d, str)}
    pip = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    return plain, pip


def test_binder_environment_matches_the_root_one():
    root, root_pip = _deps(ROOT / "environment.yml")
    binder, binder_pip = _deps(ROOT / "binder" / "environment.yml")
    strip_python = lambda deps: {d for d in deps if not re.match(r"python\b", d)}  # noqa: E731
    assert strip_python(binder) == strip_python(root), "binder/environment.yml drifted from environment.yml"
    assert any(re.fullmatch(r"python=3\.1[1-9]", d) for d in binder), "pin python=3.11+ with '=' for repo2docker"
    # The same packages from PyPI, except course_utils: binder/postBuild installs it.
    assert [sorted(p) for p in binder_pip] == [sorted(set(p) - {"-e .", "."}) for p in root_pip], \
        "binder/environment.yml's pip section drifted from environment.yml's"
    assert not any(set(p) & {"-e .", "."} for p in binder_pip), \
        "course_utils is installed by binder/postBuild, not by the environment"


def _run_postbuild(tmp_path: Path) -> tuple[Path, list[str]]:
    """Run binder/postBuild against a throw-away prefix; pip is recorded instead of run."""
    prefix = tmp_path / "prefix"
    shims = tmp_path / "bin"
    shims.mkdir()
    calls = tmp_path / "pip-calls.txt"
    (shims / "python").write_text(f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$@" >> {calls}; exit 0; fi
if [ "$1" = "-c" ]; then case "$2" in *sys.prefix*) echo {prefix}; exit 0;; esac; fi
exec {sys.executable} "$@"
""")
    (shims / "python").chmod(0o755)
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}"}
    out = subprocess.run(["bash", str(ROOT / "binder" / "postBuild")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return prefix, calls.read_text().splitlines()


def test_postbuild_installs_course_utils_template_and_server_config(tmp_path):
    prefix, pip_calls = _run_postbuild(tmp_path)
    assert any(re.search(r"\binstall\b.*(-e \.|\s\.)(\s|$)", c) for c in pip_calls), pip_calls
    assert (prefix / "share/jupyter/voila/templates/course/index.html.j2").is_file()
    spec = json.loads((prefix / "share/jupyter/kernels/python3/kernel.json").read_text())
    assert "--Session.digest_history_size=4096" in spec["argv"]
    server = json.loads((prefix / "etc/jupyter/jupyter_server_config.d/activation-course.json").read_text())
    assert server["MappingKernelManager"] == CONFIG["MappingKernelManager"]
    assert server["VoilaExecutor"] == CONFIG["VoilaExecutor"]


def _repo2docker() -> str:
    exe = BIN / "repo2docker"
    if exe.exists():
        return str(exe)
    found = shutil.which("repo2docker")
    if found:
        return found
    reason = ("jupyter-repo2docker is not installed, so the Binder build cannot be rendered "
              "(it belongs in the test extra: pip install -e '.[test]')")
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.mark.slow
def test_repo2docker_renders_a_build_from_binder_files():
    out = subprocess.run([_repo2docker(), "--no-build", "--debug", "."], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    dockerfile = out.stdout
    assert "FROM " in dockerfile, "repo2docker printed no Dockerfile"
    assert re.search(r"env update -p \$\{NB_PYTHON_PREFIX\} --file \"binder/environment.yml\"", dockerfile), \
        "the build does not install binder/environment.yml"
    assert re.search(r"^RUN \./binder/postBuild", dockerfile, re.M), "the build does not run binder/postBuild"
    assert "Python version unspecified" not in out.stderr, "repo2docker fell back to its default Python"
    assert "python=3.1" in (ROOT / "binder" / "environment.yml").read_text()


def test_voila_json_lets_a_large_upload_reach_the_kernel_to_be_refused_there():
    """A file chosen in the Playground's upload button travels in one websocket message; past
    tornado's 10 MiB default the connection drops and the page goes dead. At 64 MiB a 50 MB file
    arrives and is refused with a message (course_utils.userdata.MAX_BYTES)."""
    from course_utils.userdata import MAX_BYTES

    limit = CONFIG["Voila"]["tornado_settings"]["websocket_max_message_size"]
    assert 50_000_000 * 1.05 < limit <= 128 * 2**20 and MAX_BYTES < limit
