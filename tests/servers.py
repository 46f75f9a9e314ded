"""Start Voila / Jupyter servers for tests: 127.0.0.1, a free port, their own process
group, always stopped - even when the test fails.

Usage::

    with voila_server("notebooks/02_scenario1_gauss.ipynb") as url:
        html = fetch(url)
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 120.0) -> str:
    """GET a page and return its text (raises on HTTP errors)."""
    with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback only
        return r.read().decode("utf-8", "replace")


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310
                return
        except urllib.error.HTTPError:
            return  # it answered: it is up (a 403/404 on the probe is still an answer)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


@contextlib.contextmanager
def run_server(argv: list[str], probe_path: str, port: int, timeout: float = 90.0, env=None, cwd=ROOT,
               log: Path | None = None):
    """Start ``argv`` in its own process group, wait until ``probe_path`` answers, always stop it.

    Yields ``(base_url, process, log_path)``. The output goes to ``log`` (kept), or to a
    temporary file removed afterwards.
    """
    keep = log is not None
    if log is None:
        log_fd, log_name = tempfile.mkstemp(prefix="server-", suffix=".log")
        os.close(log_fd)
        log = Path(log_name)
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=full_env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + probe_path, proc, log, timeout)
        yield base, proc, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if not keep:
            with contextlib.suppress(OSError):
                log.unlink()


@contextlib.contextmanager
def _server(argv: list[str], probe_path: str, port: int, timeout: float = 90.0, env=None):
    with run_server(argv, probe_path, port, timeout, env) as (base, _, _):
        yield base


@contextlib.contextmanager
def voila_server(target: str = "notebooks", extra_args: list[str] | None = None, timeout: float = 90.0,
                 program: list[str] | None = None):
    """Serve a notebook (or a folder of them) with Voila; yields the base URL.

    For a single notebook the page is at the base URL; for a folder, at
    ``{base}/voila/render/<name>.ipynb``. ``program`` replaces the ``voila`` command
    (``make dashboard`` runs ``python -m course_voila``, see tests/voila_client.py).
    """
    port = free_port()
    # port_retries=0: if the free port was taken meanwhile, fail loudly instead of moving on.
    argv = [*(program or [str(BIN / "voila")]), target, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            *(extra_args or [])]
    # Probe a static path so waiting for start-up does not execute a notebook.
    with _server(argv, "/api", port, timeout) as base:
        yield base


@contextlib.contextmanager
def jupyter_server(root: str = "notebooks", timeout: float = 120.0):
    """Serve JupyterLab without a token on 127.0.0.1; yields the base URL."""
    port = free_port()
    argv = [str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={ROOT / root}",
            "--ServerApp.disable_check_xsrf=True", "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses that unless told
        argv.append("--allow-root")
    with _server(argv, "/api", port, timeout, env={"JUPYTER_CONFIG_DIR": tempfile.mkdtemp()}) as base:
        yield base
