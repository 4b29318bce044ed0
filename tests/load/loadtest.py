"""Loopback load test: N websocket clients speaking Streamlit's protocol, each touring every page.

Run it with `make loadtest` (or `python tests/load/loadtest.py --sessions 5 --duration 20`).

What it does, and stops by itself:
1. starts the dashboard (`python -m streamlit run dashboard.py`) on 127.0.0.1 and a free port, and
   waits for /_stcore/health;
2. warms it up with one session that visits every page once (not timed into the results unless it
   fails: a warm-up error is an error);
3. opens N sessions at once; for D seconds each one visits every page in turn and, on each page,
   changes the filters twice. A filter change is one rerun with a new query string, timed from the
   send to the run's `script_finished`;
4. samples the server's resident memory (VmRSS) every 5 s, and compares the sample at D/2 with the
   one at D (the issue's "after the first minute" and "after the second minute" for D = 120 s);
5. stops the server, prints a summary, writes the results as JSON (--json; the server's log goes
   next to it as <name>-server.log), and exits 0 only on PASS.

PASS means: no error of any kind, and memory growth between D/2 and D of at most --max-growth %.

Protocol notes (Streamlit 1.67, Starlette/uvicorn server; see streamlit/web/server/starlette/
starlette_websocket.py and streamlit/runtime/app_session.py):
- the socket is ws://HOST:PORT/_stcore/stream with subprotocol "streamlit". The server reads a
  second subprotocol entry as an XSRF token, but only to trust auth cookies; an anonymous client
  needs none. The Origin header must match the Host (same-origin), as a browser's does;
- the client sends binary BackMsg frames; the browser's first message is a `rerun_script` with a
  ClientState (query string, page hash, context info, widget states, cached message hashes);
- the server sends one ForwardMsg per binary frame (runtime_util.serialize_forward_msg); a run is
  `new_session` ... deltas ... `script_finished`. FINISHED_EARLY_FOR_RERUN means the run was
  replaced (st.rerun / st.switch_page) and the real end is still to come;
- like the browser (ForwardMsgCache), the client keeps messages marked `metadata.cacheable`, sends
  their hashes with each rerun, resolves `ref_hash` references from that cache, and forgets entries
  not used in the last `global.maxCachedMessageAge` (2) runs;
- a legacy pages/ app runs through st.navigation internally (script_runner._mpa_v1): `new_session`
  names only the entry script, and the `navigation` message carries the page list (page_script_hash,
  url_pathname; the default page's url_pathname is empty) and the hash of the page this run shows.

Errors, counted by kind: connect (failed connection), timeout (no message within --msg-timeout or
no script_finished within --rerun-timeout), disconnected (the server closed the socket), status
(script_finished other than success), exception / exception_warning (an Exception element in the
deltas), compile_exception / stopped (session_event), page_not_found, wrong_page (the run's
`navigation` names another page than asked), cache_miss (a ref_hash to a message the client does not
hold), protocol (unparseable frame), server_exited; warmup_* for the same during the warm-up. After a
connection error or a timeout the session reconnects (as a browser would) and keeps going; "sessions
held" counts the sessions that never had to. The app hides error details from the browser
(client.showErrorDetails = "none"), so the summary also lists the tracebacks from the server's log.

The server runs as deployed, watching its source files: editing the code (or a git checkout) during
a run makes Streamlit reload modules under load, which the summary flags; --no-file-watcher turns
the watcher off.

Only 127.0.0.1 is ever contacted; proxies from the environment are ignored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"  # loopback only, by design: there is no option to change it
DEFAULT_JSON = ROOT / "test-artifacts" / "loadtest.json"

# Filter values a reader can put in a link (the lists).
REGIONS = ("west_africa", "north_africa", "central_africa", "central_america", "mena", "un_africa")
KINDS = ("training",)
STATUSES = ("ongoing",)
LANGS = ("en", "fr")
COUNTRIES = ("BFA",)
YEAR_MIN, YEAR_MAX = 2000, 2025
LOCALES = ("en-CA", "fr-CA", "en-US", "fr-FR")

MAX_CACHED_MESSAGE_AGE = 2  # streamlit config global.maxCachedMessageAge (default)
MAX_WS_MESSAGE = 200 * 1024 * 1024  # streamlit config server.maxMessageSize (default 200 MB)
RSS_EVERY_S = 5.0
MAX_ERROR_SAMPLES = 200
FINAL_STATUSES = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
STATUS_NAMES = {v.number: v.name for v in ForwardMsg.DESCRIPTOR.enum_types_by_name["ScriptFinishedStatus"].values}


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"filter": [], "navigate": []})
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    error_samples: list[dict] = field(default_factory=list)
    reruns: int = 0  # every finished rerun, warm-up included
    ref_hits: int = 0  # ref_hash messages resolved from the client's cache
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since load start, kB)
    sessions_lost: set[int] = field(default_factory=set)
    warmup_errors: int = 0
    cpu: dict[str, float | None] = field(default_factory=dict)  # CPU seconds used during the load
    notes: Counter = field(default_factory=Counter)  # not errors, but worth knowing (source edits)
    loadavg: dict[str, list[float]] = field(default_factory=dict)

    def error(self, kind: str, session: int, page: str = "", query: str = "", detail: str = "") -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append({"kind": kind, "session": session, "page": page, "query": query,
                                       "detail": detail[:2000], "at": round(time.monotonic(), 3)})


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def stats(values: list[float]) -> dict:
    return {"count": len(values), "p50_s": percentile(values, 50), "p95_s": percentile(values, 95),
            "max_s": max(values) if values else None,
            "mean_s": (sum(values) / len(values)) if values else None}


# ---------------------------------------------------------------------------------------------
# Server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((HOST, port)) == 0


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def healthy(port: int) -> bool:
    try:
        with _NO_PROXY.open(f"http://{HOST}:{port}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except OSError:
        return False


def rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (/proc/<pid>/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def start_server(port: int, log, file_watcher: bool = True) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
           "--server.address", HOST, "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--logger.enableRich", "false"]  # plain tracebacks in the log, easy to count
    if not file_watcher:
        cmd += ["--server.fileWatcherType", "none"]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


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


def server_log_findings(path: Path, limit: int = 20) -> dict:
    """Tracebacks and error lines the server logged (app exceptions are logged there in full, which
    matters here: the app sets client.showErrorDetails = "none", so the browser only sees a redacted
    message)."""
    try:
        text = re.sub(r"\x1b\[[0-9;]*m", "", path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return {"tracebacks": 0, "distinct": {}, "inotify_overflows": 0, "error_lines": [], "last_tracebacks": []}
    blocks = re.split(r"(?=^Traceback \(most recent call last\):)", text, flags=re.M)
    tracebacks = [b.strip() for b in blocks if b.startswith("Traceback")]
    distinct = Counter(_traceback_headline(b) for b in tracebacks)
    error_lines = [ln for ln in text.splitlines() if re.search(r"\b(ERROR|CRITICAL|Uncaught app)", ln)]
    return {"tracebacks": len(tracebacks), "distinct": dict(distinct.most_common(limit)),
            "inotify_overflows": text.count("Inotify queue overflowed"),
            "error_lines": error_lines[:limit], "last_tracebacks": [b[:3000] for b in tracebacks[-3:]]}


# ---------------------------------------------------------------------------------------------
# One browser-like session


@dataclass
class Page:
    script_hash: str
    name: str  # url_pathname: "dashboard", "map", ...


class SessionError(Exception):
    """A failure that ends the current connection (the session reconnects)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class Session:
    def __init__(self, sid: int, port: int, args: argparse.Namespace, results: Results, rng: random.Random,
                 server: subprocess.Popen) -> None:
        self.sid = sid
        self.port = port
        self.args = args
        self.results = results
        self.rng = rng
        self.server = server
        self.ws: ClientConnection | None = None
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run when last used)
        self.runs = 0
        self.pages: list[Page] = []
        self.main_hash = ""
        self.locale = rng.choice(LOCALES)
        self.filters: dict[str, str] = {}
        self.current: tuple[str, str] = ("", "")  # (page, query) of the rerun in progress

    # -- connection ------------------------------------------------------------------------
    async def connect(self) -> None:
        url = f"ws://{HOST}:{self.port}/_stcore/stream"
        self.current = ("(connect)", "")
        try:
            self.ws = await asyncio.wait_for(
                connect(url, subprotocols=["streamlit"], origin=f"http://{HOST}:{self.port}", proxy=None,
                        max_size=MAX_WS_MESSAGE, ping_interval=None, open_timeout=self.args.msg_timeout,
                        close_timeout=5, user_agent_header="ibcr-loadtest"),
                timeout=self.args.msg_timeout + 5)
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise SessionError("connect", f"{type(exc).__name__}: {exc}") from exc
        self.cache.clear()
        self.runs = 0

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), timeout=5)
            self.ws = None

    # -- one rerun ---------------------------------------------------------------------------
    def _back_msg(self, page: Page | None, query: str) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_script_hash = page.script_hash if page else ""
        cs.page_name = ""
        cs.widget_states.SetInParent()  # empty: every filter comes from the link
        cs.cached_message_hashes.extend(self.cache)
        ci = cs.context_info
        ci.timezone = "America/Toronto"
        ci.timezone_offset = 300
        ci.locale = self.locale
        path = "" if page is None or page.script_hash == self.main_hash else page.name
        ci.url = f"http://{HOST}:{self.port}/{path}" + (f"?{query}" if query else "")
        ci.is_embedded = False
        ci.color_scheme = "light"
        return msg.SerializeToString()

    def _resolve(self, fm: ForwardMsg, page_label: str, query: str) -> ForwardMsg | None:
        """Apply the browser's message cache; None when a reference cannot be resolved."""
        if fm.WhichOneof("type") == "ref_hash":
            hit = self.cache.get(fm.ref_hash)
            if hit is None:
                self.results.error("cache_miss", self.sid, page_label, query, fm.ref_hash)
                return None
            self.cache[fm.ref_hash] = (hit[0], self.runs)
            self.results.ref_hits += 1
            return hit[0]
        if fm.metadata.cacheable and fm.hash:
            self.cache[fm.hash] = (fm, self.runs)
        return fm

    def _expire_cache(self) -> None:
        self.runs += 1
        for h in [h for h, (_, used) in self.cache.items() if self.runs - used > MAX_CACHED_MESSAGE_AGE]:
            del self.cache[h]

    async def rerun(self, page: Page | None, query: str, kind: str) -> float:
        """Send one rerun_script and read until its script_finished; return the latency in seconds."""
        assert self.ws is not None
        label = page.name if page else "(entry)"
        self.current = (label, query)
        payload = self._back_msg(page, query)
        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(self.ws.send(payload), timeout=self.args.msg_timeout)
        except TimeoutError as exc:
            raise SessionError("timeout", f"send took over {self.args.msg_timeout} s") from exc
        except ConnectionClosed as exc:
            raise SessionError("disconnected", f"while sending: {exc}") from exc
        rerun_deadline = t0 + self.args.rerun_timeout
        ran_hash = None
        while True:
            remaining = min(self.args.msg_timeout, rerun_deadline - time.perf_counter())
            if remaining <= 0:
                raise SessionError("timeout", f"no script_finished within {self.args.rerun_timeout} s")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), timeout=remaining)
            except TimeoutError as exc:
                waited = time.perf_counter() - t0
                raise SessionError("timeout", f"no message for {remaining:.0f} s ({waited:.0f} s into the rerun)"
                                   ) from exc
            except ConnectionClosed as exc:
                raise SessionError("disconnected", f"code={exc.rcvd.code if exc.rcvd else None} {exc}") from exc
            if isinstance(raw, str):
                raise SessionError("protocol", f"text frame: {raw[:200]!r}")
            try:
                fm = ForwardMsg.FromString(raw)
            except Exception as exc:  # noqa: BLE001 - any decode failure is a protocol error
                raise SessionError("protocol", f"unparseable ForwardMsg ({len(raw)} bytes): {exc}") from exc
            fm = self._resolve(fm, label, query)
            if fm is None:
                continue
            what = fm.WhichOneof("type")
            if what == "navigation":
                # Legacy pages/ apps run as MPA v2: new_session names only the entry script; the
                # `navigation` message lists the pages and says which one this run shows.
                nav = fm.navigation
                ran_hash = nav.page_script_hash
                if not self.pages and nav.app_pages:
                    self.pages = [Page(p.page_script_hash, p.url_pathname or p.page_name) for p in nav.app_pages]
                    self.main_hash = next((p.page_script_hash for p in nav.app_pages if p.is_default), "")
            elif what == "delta":
                el = fm.delta.new_element if fm.delta.WhichOneof("type") == "new_element" else None
                if el is not None and el.WhichOneof("type") == "exception":
                    ex = el.exception
                    detail = f"{ex.type}: {ex.message}".strip()
                    if ex.stack_trace:
                        detail += " | " + " / ".join(ex.stack_trace[-4:])
                    self.results.error("exception_warning" if ex.is_warning else "exception",
                                       self.sid, label, query, detail)
            elif what == "page_not_found":
                self.results.error("page_not_found", self.sid, label, query, fm.page_not_found.page_name)
            elif what == "session_event":
                ev = fm.session_event
                which = ev.WhichOneof("type")
                if which == "script_compilation_exception":
                    ex = ev.script_compilation_exception
                    self.results.error("compile_exception", self.sid, label, query, f"{ex.type}: {ex.message}")
                elif which == "script_changed_on_disk":
                    self.results.notes["script_changed_on_disk"] += 1
                elif which == "script_was_manually_stopped":
                    self.results.error("stopped", self.sid, label, query, "script_was_manually_stopped")
            elif what == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun / st.switch_page: the real end is still to come
                latency = time.perf_counter() - t0
                self._expire_cache()
                self.results.reruns += 1
                if status not in FINAL_STATUSES:
                    self.results.error("status", self.sid, label, query, STATUS_NAMES.get(status, str(status)))
                elif page is not None and ran_hash is not None and ran_hash != page.script_hash:
                    self.results.error("wrong_page", self.sid, label, query, f"server ran {ran_hash}")
                return latency

    # -- the tour ------------------------------------------------------------------------------
    def _random_filters(self) -> dict[str, str]:
        rng = self.rng
        while True:
            f: dict[str, str] = {}
            if rng.random() < 0.7:
                a = rng.randint(YEAR_MIN, YEAR_MAX)
                b = rng.randint(a, YEAR_MAX)
                f["years"] = rng.choice([f"{a}-{b}", "2012-2020"])
            if rng.random() < 0.7:
                f["region"] = ",".join(sorted(rng.sample(REGIONS, rng.choice((1, 1, 2)))))
            if rng.random() < 0.5:
                f["kind"] = rng.choice(KINDS)
            if rng.random() < 0.5:
                f["status"] = rng.choice(STATUSES)
            if rng.random() < 0.9:
                f["lang"] = rng.choice(LANGS)
            if f != self.filters:
                return f

    def _query(self, page: Page | None) -> str:
        params = dict(self.filters)
        if page is not None and page.name.endswith("country"):
            params["country"] = self.rng.choice(COUNTRIES)
        return urlencode(params, safe=",")

    def _record(self, kind: str, page: Page | None, latency: float) -> None:
        self.results.latencies[kind].append(latency)
        self.results.by_page.setdefault(page.name if page else "(entry)", []).append(latency)

    async def open(self, record: bool) -> None:
        """Connect and load the entry page, as a browser opening the app does."""
        await self.connect()
        self.filters = self._random_filters()
        latency = await self.rerun(None, self._query(None), "navigate")
        if record:
            self._record("navigate", None, latency)
        if not self.pages:
            raise SessionError("protocol", "no navigation message listing the app's pages")

    async def tour(self, load_deadline: float, filter_changes: int) -> None:
        """Visit every page in turn, changing the filters on each, until the deadline."""
        start = self.rng.randrange(len(self.pages))
        i = 0
        while time.monotonic() < load_deadline:
            page = self.pages[(start + i) % len(self.pages)]
            i += 1
            self._record("navigate", page, await self.rerun(page, self._query(page), "navigate"))
            for _ in range(filter_changes):
                if time.monotonic() >= load_deadline:
                    return
                self.filters = self._random_filters()
                self._record("filter", page, await self.rerun(page, self._query(page), "filter"))

    async def run(self, load_deadline: float) -> None:
        """Tour until the deadline; on a connection failure, count it, reconnect and go on."""
        while time.monotonic() < load_deadline:
            try:
                if self.ws is None:
                    await self.open(record=True)
                await self.tour(load_deadline, self.args.changes)
            except SessionError as exc:
                kind = "server_exited" if self.server.poll() is not None else exc.kind
                self.results.error(kind, self.sid, *self.current, detail=exc.detail)
                self.results.sessions_lost.add(self.sid)
                await self.close()
                if self.server.poll() is not None:
                    return
                await asyncio.sleep(1.0)  # like the browser's reconnect back-off
        await self.close()


# ---------------------------------------------------------------------------------------------
# The run


async def sample_rss(pid: int, t0: float, duration: float, results: Results) -> None:
    """VmRSS every RSS_EVERY_S seconds from t0, plus exactly at D/2 and at D."""
    marks = sorted({round(k * RSS_EVERY_S, 3) for k in range(int(duration // RSS_EVERY_S) + 1)}
                   | {duration / 2, duration})
    for mark in marks:
        await asyncio.sleep(max(0.0, t0 + mark - time.monotonic()))
        kb = rss_kb(pid)
        if kb is not None:
            results.rss.append((round(time.monotonic() - t0, 2), kb))


def rss_at(results: Results, second: float) -> int | None:
    """The sample taken closest to `second` (the sampler aims exactly at D/2 and D)."""
    if not results.rss:
        return None
    return min(results.rss, key=lambda s: abs(s[0] - second))[1]


async def warm_up(port: int, args: argparse.Namespace, results: Results, server: subprocess.Popen) -> None:
    s = Session(-1, port, args, results, random.Random(args.seed), server)
    try:
        await s.open(record=False)
        for page in s.pages:
            await s.rerun(page, s._query(page), "navigate")
    except SessionError as exc:
        results.error(f"warmup_{exc.kind}", -1, *s.current, detail=exc.detail)
    finally:
        await s.close()


async def load(port: int, args: argparse.Namespace, results: Results, server: subprocess.Popen) -> dict:
    if args.warmup:
        before = sum(results.errors.values())
        await asyncio.wait_for(warm_up(port, args, results, server), timeout=args.rerun_timeout * 8 + 30)
        results.warmup_errors = sum(results.errors.values()) - before
    master = random.Random(args.seed)
    sessions = [Session(i, port, args, results, random.Random(master.random()), server)
                for i in range(args.sessions)]
    results.loadavg["start"] = [round(x, 2) for x in os.getloadavg()]
    t0 = time.monotonic()
    server_cpu0, client_cpu0 = cpu_seconds(server.pid), time.process_time()
    load_deadline = t0 + args.duration
    sampler = asyncio.create_task(sample_rss(server.pid, t0, args.duration, results))
    tasks = [asyncio.create_task(s.run(load_deadline)) for s in sessions]
    # In-flight reruns may finish after the deadline; nothing may run past the hard deadline.
    hard = args.duration + args.rerun_timeout + 20
    done, pending = await asyncio.wait(tasks, timeout=hard)
    for t in pending:
        t.cancel()
        results.error("timeout", -1, detail="session still busy at the hard deadline; cancelled")
    for t in done:
        if t.exception() is not None:
            results.error("client_bug", -1, detail=repr(t.exception()))
    await asyncio.gather(*pending, return_exceptions=True)
    server_cpu1 = cpu_seconds(server.pid)
    results.loadavg["end"] = [round(x, 2) for x in os.getloadavg()]
    results.cpu = {"server_s": None if server_cpu0 is None or server_cpu1 is None else round(server_cpu1 - server_cpu0, 1),
                   "load_client_s": round(time.process_time() - client_cpu0, 1)}
    for s in sessions:
        await s.close()
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(sampler, timeout=5)
    sampler.cancel()
    return {"elapsed_s": round(time.monotonic() - t0, 2)}


def rss_median(results: Results, start: float, end: float) -> int | None:
    """Median of the samples taken in [start, end]: steadier than one sample (RSS swings by ~10 MB)."""
    kbs = sorted(kb for t, kb in results.rss if start - 0.5 <= t <= end + 0.5)
    return kbs[len(kbs) // 2] if kbs else None


def summarise(args: argparse.Namespace, port: int, results: Results, elapsed: float, server_log: Path) -> dict:
    rss_mid = rss_at(results, args.duration / 2)
    rss_end = rss_at(results, args.duration)
    growth = None if not rss_mid or not rss_end else (rss_end - rss_mid) / rss_mid * 100
    window = min(15.0, args.duration / 4)  # the last 15 s of each half
    med_mid = rss_median(results, args.duration / 2 - window, args.duration / 2)
    med_end = rss_median(results, args.duration - window, args.duration)
    smoothed = None if not med_mid or not med_end else round((med_end - med_mid) / med_mid * 100, 2)
    error_total = sum(results.errors.values())
    ok = error_total == 0 and growth is not None and growth <= args.max_growth
    filt = stats(results.latencies["filter"])
    return {
        "verdict": "PASS" if ok else "FAIL",
        "config": {"sessions": args.sessions, "duration_s": args.duration, "changes_per_page": args.changes,
                   "port": port, "seed": args.seed, "msg_timeout_s": args.msg_timeout,
                   "rerun_timeout_s": args.rerun_timeout, "max_growth_pct": args.max_growth,
                   "warmup": args.warmup, "file_watcher": args.file_watcher, "cpus": os.cpu_count()},
        "elapsed_s": elapsed,
        "sessions_held": args.sessions - len(results.sessions_lost),
        "reruns": len(results.latencies["filter"]) + len(results.latencies["navigate"]),
        "reruns_with_warmup": results.reruns,
        "cached_message_refs_resolved": results.ref_hits,
        "filter_changes": filt["count"],
        "errors_total": error_total,
        "errors_by_kind": dict(results.errors),
        "warmup_errors": results.warmup_errors,
        "cpu_seconds_during_load": results.cpu,
        "load_average": results.loadavg,
        "notes": dict(results.notes),
        "latency_filter_change": filt,
        "latency_navigation": stats(results.latencies["navigate"]),
        "latency_by_page": {k: stats(v) for k, v in sorted(results.by_page.items())},
        "rss_kb_mid": rss_mid, "rss_kb_end": rss_end,
        "rss_growth_pct": None if growth is None else round(growth, 2),
        "rss_growth_pct_smoothed": smoothed,  # medians of each half's last 15 s; informative only
        "rss_samples": results.rss,
        "error_samples": results.error_samples,
        "server_log": {"path": str(server_log), **server_log_findings(server_log)},
    }


def fmt_s(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f} s"


def fmt_mb(kb: int | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.1f} MB"


def print_summary(r: dict) -> None:
    c = r["config"]
    f = r["latency_filter_change"]
    n = r["latency_navigation"]
    mid, end = c["duration_s"] / 2, c["duration_s"]
    errs = ", ".join(f"{k}={v}" for k, v in sorted(r["errors_by_kind"].items())) or "none"
    rows = [
        ("sessions (held / asked)", f"{r['sessions_held']} / {c['sessions']}"),
        ("duration", f"{c['duration_s']:g} s (ran {r['elapsed_s']:g} s)"),
        ("reruns done", f"{r['reruns']} ({r['filter_changes']} filter changes, {n['count']} page visits)"),
        ("errors", f"{r['errors_total']} ({errs})"),
        ("filter change p50 / p95 / max", f"{fmt_s(f['p50_s'])} / {fmt_s(f['p95_s'])} / {fmt_s(f['max_s'])}"),
        ("page visit p50 / p95 / max", f"{fmt_s(n['p50_s'])} / {fmt_s(n['p95_s'])} / {fmt_s(n['max_s'])}"),
        (f"server RSS at {mid:g} s", fmt_mb(r["rss_kb_mid"])),
        (f"server RSS at {end:g} s", fmt_mb(r["rss_kb_end"])),
        ("RSS growth", "-" if r["rss_growth_pct"] is None else
         f"{r['rss_growth_pct']:+.2f} % (limit {c['max_growth_pct']:g} %); smoothed "
         + ("-" if r["rss_growth_pct_smoothed"] is None else f"{r['rss_growth_pct_smoothed']:+.2f} %")),
        ("CPU used (server / load client)", f"{r['cpu_seconds_during_load'].get('server_s')} s / "
                                             f"{r['cpu_seconds_during_load'].get('load_client_s')} s "
                                             f"on {c['cpus']} cores"),
        ("server log tracebacks", str(r["server_log"]["tracebacks"])),
        ("result", r["verdict"]),
    ]
    width = max(len(k) for k, _ in rows)
    print("\nLoad test (loopback, websocket clients speaking Streamlit's protocol)")
    print("-" * (width + 40))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print("-" * (width + 40))
    print("per page (all reruns) p50 / p95 / max:")
    for page, s in r["latency_by_page"].items():
        print(f"  {page:<14} n={s['count']:<5} {fmt_s(s['p50_s'])} / {fmt_s(s['p95_s'])} / {fmt_s(s['max_s'])}")
    la = r["load_average"].get("start")
    if la and la[0] > (c["cpus"] or 1):
        print(f"  note: the machine was busy before the load started (load average {la[0]:g} on {c['cpus']} cores);"
              " latencies include that contention")
    if r["notes"].get("script_changed_on_disk") or r["server_log"]["inotify_overflows"]:
        print(f"  note: source files changed during the run ({r['notes'].get('script_changed_on_disk', 0)} "
              f"script_changed_on_disk events, {r['server_log']['inotify_overflows']} inotify overflows in the "
              "server log): Streamlit reloaded modules under load; rerun on a quiet tree or with --no-file-watcher")
    for headline, count in r["server_log"]["distinct"].items():
        print(f"  server log: {count} x {headline}")
    for e in r["error_samples"][:10]:
        print(f"  error {e['kind']}: session {e['session']} page {e['page'] or '-'} "
              f"query '{e['query']}': {e['detail'][:300]}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--sessions", type=int, default=30, help="simultaneous sessions")
    p.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    p.add_argument("--port", type=int, default=0, help="server port on 127.0.0.1 (0: a free one)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    p.add_argument("--changes", type=int, default=2, help="filter changes per page visit")
    p.add_argument("--msg-timeout", type=float, default=30.0, help="longest wait for any one message")
    p.add_argument("--rerun-timeout", type=float, default=60.0, help="longest wait for a rerun to finish")
    p.add_argument("--max-growth", type=float, default=10.0, help="memory growth limit, %% (D/2 to D)")
    p.add_argument("--startup-timeout", type=float, default=60.0, help="longest wait for /_stcore/health")
    p.add_argument("--seed", type=int, default=20240601, help="random seed for the filter choices")
    p.add_argument("--no-warmup", dest="warmup", action="store_false", help="skip the one-session warm-up")
    p.add_argument("--no-file-watcher", dest="file_watcher", action="store_false",
                   help="start the server with --server.fileWatcherType none (by default it runs as deployed, "
                        "watching its sources, so an edit during the run makes it reload modules under load)")
    args = p.parse_args(argv)
    if not 1 <= args.sessions <= 500:
        p.error("--sessions must be between 1 and 500")
    if not 1 <= args.duration <= 3600:
        p.error("--duration must be between 1 and 3600 s")
    if args.changes < 0:
        p.error("--changes must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    port = args.port or free_port()
    if args.port and port_in_use(port):
        print(f"port {port} on {HOST} is already in use", file=sys.stderr)
        return 2
    server_log = args.json.with_name(args.json.stem + "-server.log")  # next to the JSON
    server_log.parent.mkdir(parents=True, exist_ok=True)
    results = Results()
    elapsed = 0.0
    with server_log.open("wb") as log:
        server = start_server(port, log, args.file_watcher)
        try:
            deadline = time.monotonic() + args.startup_timeout
            while not healthy(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    why = f"exited with code {server.returncode}" if server.poll() is not None else \
                        f"not healthy within {args.startup_timeout:g} s"
                    print(f"server {why}; log: {server_log}", file=sys.stderr)
                    return 2
                time.sleep(0.25)
            print(f"server pid {server.pid} on http://{HOST}:{port}; {args.sessions} sessions for "
                  f"{args.duration:g} s ...", flush=True)
            out = asyncio.run(load(port, args, results, server))
            elapsed = out["elapsed_s"]
            if server.poll() is not None:
                results.error("server_exited", -1, detail=f"exit code {server.returncode}")
        except KeyboardInterrupt:
            results.error("interrupted", -1)
        finally:
            stop_server(server)
    report = summarise(args, port, results, elapsed, server_log)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print_summary(report)
    print(f"results: {args.json}")
    return 0 if report["verdict"] == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
