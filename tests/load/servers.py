"""The processes a load run starts and watches: dashboard servers, and nginx in front of several.

Servers start as `make run` and deploy/processes.sh start them (`python -m ibcr_ui.serve`), on
127.0.0.1 and free ports.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import nginxconf

from devtools.appserver import HOST, AppServer, free_port, launcher, wait_all

ROOT = Path(__file__).resolve().parents[2]


Proc = AppServer  # a dashboard server or nginx: name, port, process, log (devtools.appserver)


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int, children: bool = False) -> float | None:
    """User + system CPU time of a process (/proc/<pid>/stat fields 14-15; 16-17 add reaped children)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def nginx_worker_cpu(master: int) -> float:
    """CPU seconds of the nginx workers (children of the master) still running."""
    total = 0.0
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
            total += cpu_seconds(int(child)) or 0.0
    return total


def start_server(port: int, log: Path) -> Proc:
    """A dashboard process as `make run` starts it (plain tracebacks in its log, easy to count)."""
    return AppServer.start(launcher(), cwd=ROOT, log=log, port=port, host=HOST)


def start_nginx(backends: list[int], workdir: Path) -> Proc:
    """nginx in the foreground with deploy/nginx.conf pointed at `backends`; its files stay in workdir."""
    exe = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if exe is None:
        raise RuntimeError("nginx is not installed (on Debian: apt-get install -y nginx)")
    shutil.rmtree(workdir, ignore_errors=True)  # a fresh error log each run
    workdir.mkdir(parents=True)
    workdir.chmod(0o755)  # the workers (another user when started as root) create their temp folders here
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(nginxconf.for_load_run(nginxconf.SITE.read_text(encoding="utf-8"), backends, port, workdir),
                    encoding="utf-8")
    check = subprocess.run([exe, "-t", "-q", "-c", str(conf), "-p", str(workdir)], capture_output=True, text=True,
                           check=False)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refused {conf}: {check.stderr.strip()}")
    proc = AppServer.start([exe, "-c", str(conf), "-p", str(workdir)], cwd=workdir, log=workdir / "nginx-stderr.log",
                           port=port, host=HOST, name="nginx", streamlit=False)
    proc.log = workdir / "error.log"  # what nginx says of each request it could not pass on
    return proc


def wait_healthy(procs: list[Proc], timeout: float) -> str | None:
    """None once every process answers /_stcore/health (through nginx too); else why not."""
    return wait_all(procs, timeout)


def stop(proc: Proc) -> None:
    proc.stop()


def _traceback_headline(block: str) -> str:
    """'path:line: ExceptionType: message' for a logged traceback (the deepest frame outside the venv)."""
    lines = block.splitlines()
    frames = [m for ln in lines if (m := re.match(r'\s*File "([^"]+)", line (\d+)', ln))]
    own = [m for m in frames if "site-packages" not in m.group(1) and not m.group(1).startswith("pandas/")]
    where = ""
    if own:
        path, line = own[-1].group(1), own[-1].group(2)
        with contextlib.suppress(ValueError):
            path = str(Path(path).relative_to(ROOT))
        where = f"{path}:{line}: "
    message = next((ln.strip() for ln in reversed(lines)
                    if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Warning|Interrupt|Exit)\b", ln.strip())), "?")
    return where + message[:300]


def log_findings(path: Path, limit: int = 20) -> dict:
    """Tracebacks and error lines a server logged. They matter here: the app sets
    client.showErrorDetails = "none", so a browser (and this client) sees only a redacted message."""
    try:
        text = re.sub(r"\x1b\[[0-9;]*m", "", path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return {"path": str(path), "tracebacks": 0, "distinct": {}, "error_lines": [], "last_tracebacks": []}
    # A chained exception ("The above exception was the direct cause ...") is one traceback, not two.
    text = re.sub(r"^(The above exception|During handling of the above exception)(.*)\n\nTraceback", r"\1\2\n\nChained traceback",
                  text, flags=re.M)
    blocks = re.split(r"(?=^Traceback \(most recent call last\):)", text, flags=re.M)
    tracebacks = [b.strip() for b in blocks if b.startswith("Traceback")]
    distinct = Counter(_traceback_headline(b) for b in tracebacks)
    error_lines = [ln for ln in text.splitlines() if re.search(r"\b(ERROR|CRITICAL|Uncaught app)|\[(error|crit)\]", ln)]
    return {"path": str(path), "tracebacks": len(tracebacks), "distinct": dict(distinct.most_common(limit)),
            "error_lines": error_lines[:limit], "last_tracebacks": [b[:3000] for b in tracebacks[-3:]]}
