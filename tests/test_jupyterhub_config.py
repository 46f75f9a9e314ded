"""JupyterHub: ``deploy/jupyterhub/config.yaml`` (Zero to JupyterHub values) and the docs around it.

* Every key path the values file sets is one the chart documents (the list below, read from
  the chart's own files; a misspelt key is silently ignored by Helm, so this is the only check).
* The start pages point at notebooks that exist; the image is built by repo2docker from binder/.
* The per-student resources follow the measured figures - ``deploy/jupyterhub/sizing.json``
  (``benchmarks/hub_sizing.py``) and the load test in ``docs/deploy.md`` - within the headroom
  the docs state, so re-measuring without updating the config (or the reverse) fails here.
* No rendered Markdown link or image points at the ``OWNER/REPO`` placeholder.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG_PATH = ROOT / "deploy" / "jupyterhub" / "config.yaml"
CONFIG = yaml.safe_load(CONFIG_PATH.read_text())
SIZING = json.loads((ROOT / "deploy" / "jupyterhub" / "sizing.json").read_text())
DEPLOY_MD = (ROOT / "docs" / "deploy.md").read_text()

# Key paths the Zero to JupyterHub chart documents, as facts read from the chart's repository
# (github.com/jupyterhub/zero-to-jupyterhub-k8s):
#   jupyterhub/schema.yaml @ 166060e5e5c1ba02363435e25446bca7de8ccdb1 - documents singleuser.image.
#     {name,tag,pullPolicy}, singleuser.cpu.{limit,guarantee}, singleuser.memory.{limit,guarantee},
#     singleuser.profileList, singleuser.extraEnv, hub.*/proxy.* (a chart of the 0.10 era: its
#     prePuller text speaks of "0.9.0 and earlier"). That version types cpu.* as string|null, as
#     documentation only; the hub passes the value to KubeSpawner's float traits cpu_limit /
#     cpu_guarantee (jupyterhub_config.py below), so numbers are what the spawner takes.
#   jupyterhub/values.yaml @ 0009936c7c7d66fca9f45b7cae57a9d0244d9b32 - the defaults, including
#     singleuser.defaultUrl, singleuser.storage.type, cull.{enabled,timeout,every,maxAge,users}.
#   jupyterhub/files/hub/jupyterhub_config.py @ 0018bfb8ae6acf5e0c39ac24eb065c83d1385c7b - the hub
#     reads each of them: get_config('singleuser.defaultUrl') -> Spawner.default_url,
#     'singleuser.storage.type' ('dynamic' / 'static' mount a home volume, anything else none),
#     'cull.enabled' / 'cull.timeout' / 'cull.every' -> the idle-culler service's arguments,
#     'singleuser.' + memory.limit / cpu.guarantee / profileList ... -> KubeSpawner traits.
CHART_KEYS = {
    "singleuser.image.name", "singleuser.image.tag", "singleuser.image.pullPolicy",
    "singleuser.defaultUrl", "singleuser.storage.type", "singleuser.storage.capacity",
    "singleuser.cpu.limit", "singleuser.cpu.guarantee",
    "singleuser.memory.limit", "singleuser.memory.guarantee",
    "singleuser.profileList", "singleuser.extraEnv", "singleuser.startTimeout",
    "cull.enabled", "cull.timeout", "cull.every", "cull.maxAge", "cull.users",
}
# singleuser.profileList passes through to KubeSpawner.profile_list (schema.yaml's description and
# example: display_name, description, default, kubespawner_override); an override sets KubeSpawner
# traits by name - default_url is JupyterHub's Spawner.default_url.
PROFILE_KEYS = {"display_name", "description", "default", "kubespawner_override", "slug"}
OVERRIDE_KEYS = {"default_url", "cpu_limit", "cpu_guarantee", "mem_limit", "mem_guarantee", "image"}

# KubeSpawner reads memory with JupyterHub's ByteSpecification: K/M/G/T are powers of 1024.
UNITS = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 ** 2}
HEADROOM = (1.2, 1.5)
"""The guarantee is the measured peak times this much (docs/deploy.md: x 1.3, rounded up)."""


def key_paths(node, prefix=""):
    """Dotted paths to the leaves of a values tree, stopping at lists (profileList is one value)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from key_paths(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix


def mib(spec) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT])", str(spec))
    assert match, f"{spec!r}: write memory as a number and K/M/G/T, as KubeSpawner reads it"
    return float(match.group(1)) * UNITS[match.group(2)]


def notebook_from_url(url: str, prefix: str) -> Path:
    assert url.startswith(prefix), f"{url!r} should start with {prefix!r}"
    return ROOT / url[len(prefix):]


def table_row(text: str, first_cell: str) -> list[str]:
    """The cells of the Markdown table row whose first cell is ``first_cell``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells[0] == first_cell:
            return cells
    raise AssertionError(f"docs/deploy.md has no table row {first_cell!r}")


# ------------------------------------------------------------------ the chart's keys
def test_every_key_the_config_sets_is_documented_by_the_chart():
    used = set(key_paths(CONFIG))
    assert used, "the values file is empty"
    unknown = used - CHART_KEYS
    assert not unknown, f"not chart-documented keys (Helm would ignore them silently): {sorted(unknown)}"


def test_profiles_use_kubespawner_profile_keys():
    profiles = CONFIG["singleuser"]["profileList"]
    assert sum(bool(p.get("default")) for p in profiles) == 1, "exactly one default profile"
    for profile in profiles:
        assert set(profile) <= PROFILE_KEYS, set(profile) - PROFILE_KEYS
        assert set(profile.get("kubespawner_override", {})) <= OVERRIDE_KEYS


# ------------------------------------------------------------------ start pages and image
def test_default_url_opens_the_first_lesson_in_jupyterlab():
    url = CONFIG["singleuser"]["defaultUrl"]
    assert url == "/lab/tree/notebooks/00_start_here.ipynb"
    assert notebook_from_url(url, "/lab/tree/").is_file()


def test_a_profile_opens_the_playground_in_voila():
    urls = [p["kubespawner_override"]["default_url"] for p in CONFIG["singleuser"]["profileList"]
            if "default_url" in p.get("kubespawner_override", {})]
    assert "/voila/render/notebooks/06_playground.ipynb" in urls
    for url in urls:
        assert notebook_from_url(url, "/voila/render/").is_file(), url
    # the documented no-choice link opens the same page
    assert "/hub/user-redirect/voila/render/notebooks/06_playground.ipynb" in DEPLOY_MD


def test_image_is_built_by_repo2docker_from_binder():
    text = CONFIG_PATH.read_text()
    image = CONFIG["singleuser"]["image"]
    for source in (text, DEPLOY_MD):
        command = re.search(r"jupyter-repo2docker\b(?:[^\n]*\\\n)*[^\n]*", source)  # with continuations
        assert command, "no repo2docker build command"
        command = re.sub(r"[#\\\n]", " ", command.group(0))
        assert re.search(r"--image-name\s+" + re.escape(f"{image['name']}:{image['tag']}"), command), command
        assert re.search(r"\s\.(\s|$)", command), "build the repository checkout (.), which holds binder/"
        assert "--push" in command and "--no-run" in command
    assert "binder/" in text
    assert (ROOT / "binder" / "environment.yml").is_file() and (ROOT / "binder" / "postBuild").is_file()


def test_course_is_not_hidden_by_a_home_volume():
    """repo2docker copies the repository to /home/jovyan, where the chart mounts home volumes."""
    assert CONFIG["singleuser"]["storage"]["type"] not in ("dynamic", "static")


def test_idle_servers_are_culled():
    cull = CONFIG["cull"]
    assert cull["enabled"] is True
    assert 15 * 60 <= cull["timeout"] <= 4 * 3600
    assert 0 < cull["every"] <= cull["timeout"]


# ------------------------------------------------------------------ resources vs measurements
def test_sizing_adds_up():
    lessons = max(r["kernel_rss_mib"] for r in SIZING["lesson_kernels"])
    assert SIZING["largest_lesson_kernel_rss_mib"] == lessons
    total = SIZING["server_with_playground_rss_mib"] + SIZING["playground_kernel_rss_mib"] + lessons
    assert SIZING["per_user_peak_mib"] == pytest.approx(total, abs=0.2)


def test_memory_guarantee_is_the_measured_peak_with_headroom():
    peak = SIZING["per_user_peak_mib"]
    memory = CONFIG["singleuser"]["memory"]
    guarantee, limit = mib(memory["guarantee"]), mib(memory["limit"])
    lo, hi = HEADROOM
    assert lo * peak <= guarantee <= hi * peak, f"guarantee {guarantee} MiB vs measured peak {peak} MiB"
    assert limit >= max(guarantee, 2 * peak), "the limit leaves room for a second lesson kernel"


def test_two_measurements_of_the_playground_kernel_agree():
    """hub_sizing.py's kernel against `make loadtest`'s figure in docs/deploy.md (another run)."""
    loadtest = float(re.search(r"\| memory per kernel \| (\d+) MiB RSS", DEPLOY_MD).group(1))
    assert SIZING["playground_kernel_rss_mib"] == pytest.approx(loadtest, rel=0.25)


def test_sizing_table_quotes_the_measurement():
    cells = table_row(DEPLOY_MD, "memory per visitor")
    assert cells[1] == f"{round(SIZING['per_user_peak_mib'])} MiB"
    assert SIZING["measured_at"][:10] in cells[2]
    cells = table_row(DEPLOY_MD, "memory per Playground kernel")
    assert cells[1] == f"{round(SIZING['playground_kernel_rss_mib'])} MiB"


def test_cpu_guarantee_follows_the_visitors_per_core_plan():
    cells = table_row(DEPLOY_MD, "visitors per core")
    measured, plan = map(int, re.fullmatch(r"(\d+) measured, plan for (\d+)", cells[1]).groups())
    arriving = r"(\d+) visitors arriving (?:in the same second|within \d+ s) on (\d+) cores"
    students, cores = map(int, re.search(arriving, cells[2]).groups())
    assert measured == students // cores
    assert plan <= measured, "plan for no more visitors per core than were measured"
    cpu = CONFIG["singleuser"]["cpu"]
    assert cpu["guarantee"] == pytest.approx(1 / plan)
    assert cpu["guarantee"] <= cpu["limit"]


@pytest.mark.parametrize("students", [20, 100, 500])
def test_class_table_is_students_times_the_guarantees(students):
    cells = table_row(DEPLOY_MD, str(students))
    memory = CONFIG["singleuser"]["memory"]
    want_gib = students * mib(memory["guarantee"]) / 1024
    assert cells[1] == f"{want_gib:g} GiB"
    want_cores = students * CONFIG["singleuser"]["cpu"]["guarantee"]
    assert cells[2] == f"{math.ceil(want_cores - 1e-9)} cores"
    nodes = re.match(r"(\d+) nodes?, (\d+) cores / (\d+) GiB", cells[3])
    n, cores, gib = map(int, nodes.groups())
    assert n * cores >= want_cores * 1.1 and n * gib >= want_gib * 1.1, "leave room for the hub and the system"


@pytest.mark.parametrize("doc", ["docs/deploy.md", "README.md"])
def test_tljh_limits_match_the_kubernetes_limits(doc):
    text = (ROOT / doc).read_text()
    memory = re.search(r"tljh-config set limits\.memory (\S+)", text).group(1)
    cpu = re.search(r"tljh-config set limits\.cpu (\S+)", text).group(1)
    assert mib(memory) == mib(CONFIG["singleuser"]["memory"]["limit"])
    assert float(cpu) == float(CONFIG["singleuser"]["cpu"]["limit"])
    timeout = int(re.search(r"tljh-config set services\.cull\.timeout (\d+)", text).group(1))
    assert timeout == CONFIG["cull"]["timeout"]


# ------------------------------------------------------------------ no broken placeholder links
def rendered_urls(markdown: str) -> list[str]:
    """Targets of links and images Markdown would render: code blocks and code spans removed."""
    text = re.sub(r"^(```|~~~).*?^\1", "", markdown, flags=re.S | re.M)  # fenced blocks
    text = re.sub(r"(?m)^(?: {4}|\t).*$", "", text)  # indented code blocks
    text = re.sub(r"(`+).*?\1", "", text, flags=re.S)  # code spans
    urls = re.findall(r"\]\(\s*<?([^)\s>]+)", text)  # [text](url), ![alt](url)
    urls += re.findall(r"<(https?://[^>\s]+)>", text)  # <https://...>
    urls += re.findall(r"(?m)^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", text)  # [ref]: url
    urls += re.findall(r"(?<![(<\[])\bhttps?://[^\s)>\]]+", text)  # bare URLs GitHub links
    return urls


def test_rendered_urls_helper_sees_links_but_not_code():
    sample = ("[a](https://x/OWNER/REPO) ![b](https://y/img.svg) <https://z/1>\n"
              "`https://code/OWNER/REPO`\n\n    https://indented/OWNER/REPO\n\n"
              "```text\nhttps://fenced/OWNER/REPO\n```\n[r]: https://ref/2\n")
    assert sorted(set(rendered_urls(sample))) == sorted(
        {"https://x/OWNER/REPO", "https://y/img.svg", "https://z/1", "https://ref/2"})


@pytest.mark.parametrize("path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_rendered_link_points_at_the_owner_repo_placeholder(path):
    bad = [u for u in rendered_urls(path.read_text()) if re.search(r"OWNER(/|%2F)REPO", u, re.I)]
    assert not bad, (f"{path.name} renders links to the OWNER/REPO placeholder (a badge that looks "
                     f"like it works but does not): {bad}; show the URL template in a code block")
