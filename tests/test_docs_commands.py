"""Every command the docs show works as written, from the repository root.

The commands are read from README.md, homework/README.md and docs/*.md: every line of a
fenced shell block (```bash / ```sh / ```shell; in ```console and unlabelled blocks, the
lines after a ``$`` prompt), every command line of an indented code block, and every inline
code span that starts with a command (``python``, ``pytest``, ``pip``, ``make``, ``voila``,
``jupyter``, ``.venv/bin/...``). Then:

* ``.venv/bin/python SCRIPT ...`` / ``-m MODULE ...``: ``SCRIPT --help`` exits 0;
  ``.venv/bin/pytest ARGS``: ``pytest --collect-only ARGS`` exits 0; any other
  ``.venv/bin/TOOL``: ``TOOL --help`` exits 0.
* a bare ``python``/``pytest``/``pip``/``voila``/``jupyter``: fails, naming the file and
  line. On a fresh machine those are not the course's environment (ModuleNotFoundError);
  write ``.venv/bin/...`` (``make install`` creates it) or a ``make`` target.
* ``make TARGET [VAR=value]``: ``make -n`` accepts it.
* commands meant for other machines (the JupyterHub server, an image build) are skipped
  through :data:`ELSEWHERE`, each with its reason; anything else in a shell block fails
  until it is handled here.

``.venv/bin/`` is the environment running these tests when the checkout has no ``.venv``
of its own (a git worktree, CI); the Makefile must create ``.venv`` for that to be honest.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["README.md", "homework/README.md", "docs/*.md"]
SHELL_FENCES = {"bash", "sh", "shell", "zsh"}          # every line is a command
PROMPT_FENCES = {"console", "shell-session", ""}       # only the lines after "$ "
TOOLS = {"python", "python3", "pytest", "pip", "pip3", "voila", "jupyter"}  # live in .venv/bin
COMMAND_WORDS = TOOLS | {"make"}

ELSEWHERE = {
    r"curl -L https://tljh\.jupyter\.org/": "The Littlest JupyterHub's installer, run on the class server",
    r"sudo ": "setting up the JupyterHub server, as root, with TLJH's own /opt/tljh environment",
    r"cd /opt/activation-course && ": "the same, in the server's copy of the course",
    r"git clone ": "fetches the course onto another machine",
    r"conda ": "a conda environment, not the Makefile's .venv",
    r"jupyter-repo2docker ": "builds the Zero to JupyterHub image, on a machine with Docker",
    r"docker ": "pushes that image from the build machine",
    r"helm ": "installs JupyterHub on a Kubernetes cluster",
    r"pip install --no-deps -e \.$": "quotes what binder/postBuild runs inside Binder's image",
    r"ZIP=\S+\s*(#.*)?$": "names the autograder zip for the by-hand Gradescope trial that follows",
    r"python3\.11 -m venv /tmp/gs ": "the by-hand Gradescope trial: a throwaway venv standing in for its image",
    r"/tmp/gs/bin/": "the same trial, inside that throwaway venv",
}


@dataclass(frozen=True)
class Command:
    where: str   # "file:line"
    text: str
    strict: bool  # from a shell block: an unknown command fails (an inline span is just skipped)

    def __str__(self) -> str:
        return f"{self.where}: `{self.text}`"


def _split(text: str) -> tuple[dict[str, str], list[str]]:
    """``VAR=value ... cmd args`` -> ({VAR: value}, [cmd, args...])."""
    words = shlex.split(text, comments=True)
    env = {}
    while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    return env, words


def _looks_like_a_command(text: str) -> bool:
    try:
        _, words = _split(text)
    except ValueError:
        return False
    return bool(words) and (words[0] in COMMAND_WORDS or words[0].startswith(".venv/")
                            or any(re.match(p, text) for p in ELSEWHERE))


def commands_in(path: Path) -> list[Command]:
    rel = path.relative_to(ROOT).as_posix()
    found: list[Command] = []
    fence = None            # the open fence's info string, or None
    pending = None          # (line number, text) of a command continued with "\"
    previous_blank = True
    in_indented = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if pending is not None:
            start, text = pending
            text = text + " " + stripped.rstrip("\\").strip()
            pending = (start, text) if stripped.endswith("\\") else None
            if pending is None:
                found.append(Command(f"{rel}:{start}", text, strict))
            continue
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].strip().split(" ")[0].lower()
            continue
        text, strict = None, True
        if fence is not None:
            if fence in SHELL_FENCES and stripped and not stripped.startswith("#"):
                text = stripped.removeprefix("$ ")
            elif fence in PROMPT_FENCES and stripped.startswith("$ "):
                text = stripped[2:]
        else:
            in_indented = (line.startswith(("    ", "\t")) and (previous_blank or in_indented)
                           and bool(stripped))
            if in_indented and _looks_like_a_command(stripped.rstrip("\\")):
                text = stripped
            else:
                for span in re.findall(r"`([^`]+)`", line):
                    span = span.strip()
                    if len(span.split()) > 1 and _looks_like_a_command(span):
                        found.append(Command(f"{rel}:{n}", span, strict=False))
            previous_blank = not stripped
        if text is None:
            continue
        if text.endswith("\\"):
            pending = (n, text.rstrip("\\").strip())
        else:
            found.append(Command(f"{rel}:{n}", text, strict))
    return found


def documented_commands() -> list[Command]:
    return [c for pattern in DOCS for path in sorted(ROOT.glob(pattern)) for c in commands_in(path)]


COMMANDS = documented_commands()


def venv_bin(tool: str) -> Path:
    """``.venv/bin/TOOL`` of this checkout, or of the environment running the tests."""
    own = ROOT / ".venv" / "bin" / tool
    return own if own.exists() else Path(sys.executable).parent / tool


def _run(argv: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def test_the_docs_show_commands():
    assert any("make " in c.text for c in COMMANDS), f"no command found in {DOCS}: has the format changed?"


def test_the_makefile_creates_dot_venv():
    """The docs' ``.venv/bin/...`` is where ``make install`` (and every target) puts the environment."""
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^VENV\s*:?=\s*\.venv\s*$", makefile, re.M)
    assert re.search(r"^install:", makefile, re.M)


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c.where)
def test_documented_command_works_as_written(cmd: Command):
    for pattern, reason in ELSEWHERE.items():
        if re.match(pattern, cmd.text):
            pytest.skip(f"{cmd}: {reason}")
    env, words = _split(cmd.text)
    tool = words[0]
    if tool in TOOLS:
        pytest.fail(f"{cmd} runs a bare `{tool}`: on a fresh machine that is not the course's "
                    f"environment (ModuleNotFoundError). Write `.venv/bin/{tool} …` (created by "
                    f"`make install`) or use a make target.", pytrace=False)
    if tool == "make":
        out = _run(["make", "-n", *words[1:]], env, timeout=60)
        assert out.returncode == 0, f"{cmd}: `make -n` refuses it:\n{out.stderr[-2000:]}"
        return
    if tool.startswith(".venv/bin/"):
        name = tool.removeprefix(".venv/bin/")
        exe = str(venv_bin(name))
        assert Path(exe).exists(), f"{cmd}: the course's environment has no `{name}`"
        args = words[1:]
        if name.startswith("python"):
            if args[:1] == ["-m"]:
                argv = [exe, "-m", args[1], "--help"]
            elif args[:1] == ["-c"]:
                argv = [exe, *args]
            else:
                assert args and (ROOT / args[0]).is_file(), f"{cmd}: no script {args[:1]} in the repository"
                argv = [exe, args[0], "--help"]
        elif name == "pytest":
            argv = [exe, "--collect-only", "-q", "-p", "no:cacheprovider", *args]
        else:
            argv = [exe, "--help"]
        out = _run(argv, env)
        assert out.returncode == 0, (f"{cmd}: `{' '.join(argv[1:])}` exited {out.returncode}:\n"
                                     f"{(out.stderr or out.stdout)[-2000:]}")
        return
    if cmd.strict:
        pytest.fail(f"{cmd}: not a make target nor a .venv/bin command, and not in ELSEWHERE "
                    f"(tests/test_docs_commands.py). Rewrite it, or list it there with a reason.",
                    pytrace=False)
