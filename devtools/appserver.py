"""Start a server process on a free loopback port, wait until it answers, stop it: one helper for the
browser tests, the benchmark and the load test.

    with AppServer.start(launcher(), cwd=ROOT, log=path) as app:
        app.wait_healthy()          # seconds from spawn, or ServerError with the end of its log
        ... app.base ...

The dashboard starts the way `make run` starts it: through its launcher, `python -m ibcr_ui.serve`
(`launcher()`), with Streamlit's options after it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
HEALTH = "/_stcore/health"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy


class ServerError(RuntimeError):
    """The process exited, or did not answer in time; the message ends with the end of its log."""


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def launcher() -> list[str]:
    """How `make run` starts the dashboard (Streamlit's options follow)."""
    return [sys.executable, "-m", "ibcr_ui.serve"]


def streamlit_options(port: int, host: str = HOST) -> list[str]:
    """The options every test and measurement run of the dashboard uses: this port, loopback, no browser,
    no usage statistics, plain tracebacks in the log."""
    return ["--server.port", str(port), "--server.address", host, "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--logger.enableRich", "false"]


@dataclass
class AppServer:
    """One server process: its name, port, process and log, started at `started` (perf_counter)."""

    name: str
    port: int
    popen: subprocess.Popen
    log: Path
    started: float
    host: str = HOST
    health: str | None = HEALTH  # the path that answers "ok" once it serves; None: any answer will do
    healthy_s: float | None = field(default=None)  # seconds from spawn to the first healthy answer

    @classmethod
    def start(cls, command: list[str], *, cwd: Path, log: Path, port: int | None = None, host: str = HOST,
              env: dict[str, str] | None = None, name: str = "server", streamlit: bool = True,
              health: str | None = HEALTH) -> AppServer:
        """Spawn `command` (with the Streamlit options for `port` when `streamlit`), its output into `log`."""
        port = port or free_port(host)
        cmd = [*command, *(streamlit_options(port, host) if streamlit else [])]
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as fh:
            started = time.perf_counter()
            popen = subprocess.Popen(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env={**os.environ, **(env or {})})
        return cls(f"{name} :{port}", port, popen, log, started, host, health)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def healthy(self) -> bool:
        try:
            with _NO_PROXY.open(self.base + (self.health or "/"), timeout=2) as resp:
                return resp.status == 200 and (self.health is None or resp.read().decode().strip() == "ok")
        except OSError:
            return False

    def wait_healthy(self, timeout_s: float = 60, poll_s: float = 0.05) -> float:
        """Seconds from spawn until it answers; ServerError if it exits or the time runs out."""
        deadline = time.perf_counter() + timeout_s
        while not self.healthy():
            if not self.alive():
                raise ServerError(f"{self.name} exited with code {self.popen.returncode}.\n{self.log_tail()}")
            if time.perf_counter() > deadline:
                raise ServerError(f"{self.name} did not answer on {self.health or '/'} within {timeout_s:g} s.\n"
                                  f"{self.log_tail()}")
            time.sleep(poll_s)
        self.healthy_s = time.perf_counter() - self.started
        return self.healthy_s

    def log_tail(self, chars: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return "Log:\n" + self.log.read_text(errors="replace")[-chars:]
        return "(no log)"

    def stop(self) -> None:
        if not self.alive():
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def __enter__(self) -> AppServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_all(servers: list[AppServer], timeout_s: float) -> str | None:
    """None once every server answers; else why not (the first that exited, or those still silent)."""
    deadline = time.perf_counter() + timeout_s
    pending = list(servers)
    while pending:
        for s in list(pending):
            if not s.alive():
                return f"{s.name} exited with code {s.popen.returncode}; log: {s.log}"
            if s.healthy():
                s.healthy_s = time.perf_counter() - s.started
                pending.remove(s)
        if time.perf_counter() > deadline:
            return f"{', '.join(s.name for s in pending)} not healthy within {timeout_s:g} s"
        time.sleep(0.25)
    return None
