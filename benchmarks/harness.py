"""Shared benchmark machinery: settings, servers, the browser, waits, network counting and the result table."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app's page registry; run.py is started as a script from benchmarks/
from ibcr_ui.registry import PAGES as REGISTRY  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
SECTIONS = ("cold", "warm", "interaction", "payload", "memory", "scale")
HEALTH_TIMEOUT_S = 90
READY_MS = 90_000          # one page, normal data
SCALE_READY_MS = 300_000   # one page, 1,000x data (the first visit loads and validates it)
WORKER_TIMEOUT_S = 900
SESSIONS = 10
FLOOR_SENTENCE = "This page is the text floor of the IBCR dashboard benchmark."
# NOTE: configure() rebinds APP and LOCALE; other modules must read them as harness.APP and
# harness.LOCALE (never `from harness import APP`), or they would keep the values from import time.
APP = ROOT  # the checkout under test (--app-dir); the floors always come from this harness
LOCALE: dict[str, str] = {}

# Page name: (link, in-page condition for "fully rendered"). Conditions use the helpers in _HELPERS.
# The pages come from the app's own registry; a page the registry gains without a condition fails here.
READY = {
    "overview": "idle() && paths() >= 30 && metricsFilled()",
    "map": "idle() && paths() >= 30",
    "country": "idle() && has('h1')",
    "timeline": "idle() && has('g.barlayer')",
    "programmes": "idle() && has('h1')",
    "data": "idle() && has('[data-testid=\"stDataFrame\"]')",
    "sources": "idle() && has('[data-testid=\"stDataFrame\"]')",
    "changes": "idle() && has('h1')",
    "editor": "idle() && has('h1')",
}
LINK_PARAMS = {"country": "?profile=BFA"}
PAGES = {p.key: (p.url_path + LINK_PARAMS.get(p.key, ""), READY[p.key]) for p in REGISTRY}
QUICK_PAGES = ("overview", "map", "data")
FLOORS = {
    "text": (str(ROOT / "benchmarks" / "floor_text.py"), f"idle() && text({json.dumps(FLOOR_SENTENCE)})"),
    "chart": (str(ROOT / "benchmarks" / "floor_chart.py"), "idle() && has('.main-svg')"),
}
CARD_VISIBLE = "cardVisible()"
TEXT_VISIBLE = f"text({json.dumps(FLOOR_SENTENCE)})"

# Helpers for in-page conditions and probes (see _ready and probe).
_HELPERS = """
  const q = (s) => document.querySelectorAll(s);
  const has = (s) => !!document.querySelector(s);
  const app = document.querySelector('[data-testid="stApp"]');
  const idle = () => !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
      && app.getAttribute('data-test-script-state') === 'notRunning' && !has('[data-testid="stStatusWidget"]');
  const paths = () => q('path.choroplethlocation').length;
  const values = () => [...q('[data-testid="stMetric"] [data-testid="stMetricValue"]')];
  const cardVisible = () => values().some((e) => e.innerText.trim() && e.getBoundingClientRect().height > 0);
  const metricsFilled = () => { const v = values(); return v.length > 0 && v.every((e) => e.innerText.trim()); };
  const text = (s) => !!document.body && document.body.innerText.includes(s);
  const main = '[data-testid="stMainBlockContainer"]';
  const h1 = () => (document.querySelector(main + ' h1') || {}).innerText || '';
  const humanLine = () => (document.querySelector(main + ' [data-testid="stMarkdownContainer"] p > strong') || {})
      .innerText || '';
"""


def _ready(cond: str) -> str:
    """JS returning performance.now() once `cond` holds, -1 on a Streamlit exception, false otherwise."""
    return ("() => {" + _HELPERS + "if (has('[data-testid=\"stException\"]')) return -1;\n"
            f"return ({cond}) ? performance.now() : false; }}")


def probe(page, expr: str):
    return page.evaluate("() => {" + _HELPERS + f"return {expr}; }}")


class BenchError(Exception):
    """A page failed to render, showed an exception, or a server did not start."""


# Servers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(app_dir: Path) -> None:
    """Point the harness at a checkout of the app (its pages, data, locale and .streamlit settings)."""
    global APP, LOCALE
    APP = app_dir.resolve()
    LOCALE = json.loads((APP / "ibcr_ui" / "locales" / "en.json").read_text(encoding="utf-8"))


class Server:
    """One `streamlit run` process on a free port, with cwd=APP so the app's .streamlit applies."""

    def __init__(self, script: str, logs: Path, env: dict[str, str] | None = None) -> None:
        self.script = script
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"{Path(script).stem}-{self.port}.log"
        cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
               "--server.headless", "true"]
        with self.log.open("wb") as log:
            self.started = time.perf_counter()
            self.proc = subprocess.Popen(cmd, cwd=APP, env={**os.environ, **(env or {})}, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_healthy(self, timeout_s: float = HEALTH_TIMEOUT_S) -> float:
        """Seconds from spawn until /_stcore/health answers ok (also kept as `healthy_s`)."""
        deadline = time.perf_counter() + timeout_s
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    self.healthy_s = time.perf_counter() - self.started
                    return self.healthy_s
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                tail = self.log.read_text(errors="replace")[-1500:]
                raise BenchError(f"{self.script} did not start (exit code {self.proc.poll()}); log:\n{tail}")
            time.sleep(0.02)

    def rss(self) -> tuple[float, float]:
        """Resident memory of the server and its children, now and at peak (MB)."""
        rss = hwm = 0
        for pid in _process_tree(self.proc.pid):
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                rss += int(fields["VmRSS"].split()[0])
                hwm += int(fields["VmHWM"].split()[0])
        return rss / 1024, hwm / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def _process_tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return out


@contextlib.contextmanager
def serving(*scripts: str, logs: Path, env: dict[str, str] | None = None) -> Iterator[list[Server]]:
    servers: list[Server] = []
    try:
        for script in scripts:
            servers.append(Server(script, logs, env))
        for s in servers:
            s.wait_healthy()
        yield servers
    finally:
        for s in servers:
            s.stop()


# Browser


class Browser:
    """Headless Debian Chromium; every page is in a fresh context (empty cache, new session)."""

    def __init__(self, pw) -> None:
        if not CHROMIUM.exists():
            raise BenchError(f"{CHROMIUM} is missing: run `make chromium` (never `playwright install`).")
        self.browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        self.external: set[str] = set()

    def page(self):
        context = self.browser.new_context(viewport=VIEWPORT, locale="en-CA")
        context.set_default_timeout(READY_MS)
        # Passive: record (never block) requests that leave this machine; routing would slow every request.
        context.on("request", lambda r: self._check(r.url))
        return context.new_page()

    def _check(self, url: str) -> None:
        parsed = urlparse(url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in ("127.0.0.1", "localhost"):
            self.external.add(url)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.browser.close()


def wait_for(page, cond: str, timeout_ms: int = READY_MS) -> float:
    """Wait until `cond` holds in the page; return performance.now() (ms since navigation) at that frame."""
    try:
        value = page.wait_for_function(_ready(cond), polling="raf", timeout=timeout_ms).json_value()
    except Exception as exc:  # a Playwright timeout: say where and what
        raise BenchError(f"{page.url}: not rendered within {timeout_ms / 1000:.0f} s ({cond})") from exc
    if value < 0:
        text = page.locator('[data-testid="stException"]').first.inner_text()[:800]
        raise BenchError(f"{page.url}: Streamlit exception: {text}")
    return value


def open_page(page, url: str, cond: str, timeout_ms: int = READY_MS) -> float:
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    return wait_for(page, cond, timeout_ms)


def reload_ms(page, cond: str) -> float:
    page.reload(wait_until="commit", timeout=READY_MS)
    return wait_for(page, cond)


def navigate(page, name: str) -> None:
    """Follow the sidebar link to a page (one session), and wait until that page is drawn."""
    before = probe(page, "h1()")
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=LOCALE[f"page.{name}"], exact=True).click()
    cond = PAGES[name][1] if name != "country" else "idle() && has('h1')"
    wait_for(page, f"h1() !== {json.dumps(before)} && {cond}")


def close(page) -> None:
    with contextlib.suppress(Exception):
        page.context.close()


class Network:
    """Bytes received by one page, from Chrome DevTools: websocket frames and HTTP responses by path."""

    def __init__(self, page) -> None:
        self.page = page
        self.urls: dict[str, str] = {}
        self.responses: list[tuple[str, int, int]] = []  # path, encoded bytes, HTTP status
        self.status: dict[str, int] = {}
        self.ws_bytes = 0
        self.ws_frames = 0
        self.document_ts: float | None = None  # DevTools clock (s) of the last page request
        self.frame_ts: list[float] = []
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.send("Network.enable")

    def _request(self, e: dict) -> None:
        if e.get("type") == "Document":
            self.document_ts = e["timestamp"]
            self.frame_ts = []

    def _response(self, e: dict) -> None:
        self.urls[e["requestId"]] = e["response"]["url"]
        self.status[e["requestId"]] = e["response"]["status"]

    def _finished(self, e: dict) -> None:
        url = self.urls.get(e["requestId"])
        if url:
            self.responses.append((urlparse(url).path, int(e["encodedDataLength"]), self.status[e["requestId"]]))

    def _frame(self, e: dict) -> None:
        r = e["response"]
        data = r.get("payloadData", "")
        self.ws_bytes += len(base64.b64decode(data)) if r.get("opcode") == 2 else len(data.encode())
        self.ws_frames += 1
        self.frame_ts.append(e["timestamp"])

    def stream_ms(self) -> tuple[float, float, int] | None:
        """First and last websocket frame of the current page (ms after its request), and how many."""
        if self.document_ts is None or not self.frame_ts:
            return None
        return ((self.frame_ts[0] - self.document_ts) * 1000, (self.frame_ts[-1] - self.document_ts) * 1000,
                len(self.frame_ts))

    def settle(self, ms: int = 500) -> None:
        """Let trailing frames arrive; Playwright delivers events only while it is called."""
        self.page.wait_for_timeout(ms)

    def totals(self) -> dict[str, int]:
        app = sum(n for p, n, _ in self.responses if p.startswith("/app/static/"))
        bundle = sum(n for p, n, _ in self.responses if p.startswith("/static/"))
        other = sum(n for p, n, _ in self.responses) - app - bundle
        return {"ws_bytes": self.ws_bytes, "ws_frames": self.ws_frames, "app_static_bytes": app,
                "bundle_bytes": bundle, "other_http_bytes": other, "app_bytes": self.ws_bytes + app}


# Results


@dataclass
class Row:
    section: str
    figure: str
    unit: str
    samples: list[float] = field(default_factory=list)
    floor_samples: list[float] = field(default_factory=list)
    floor_name: str = ""
    target: str = ""            # human form, e.g. "≤ 1.3× floor", "≤ 400 ms"
    limit: float | None = None  # the number the target compares with
    on_ratio: bool = False      # compare the ratio (True) or the value (False) with `limit`
    note: str = ""
    value: float | None = None
    floor: float | None = None
    ratio: float | None = None
    met: bool | None = None
    detail: dict = field(default_factory=dict)  # extra measurements, in the JSON only

    def finish(self) -> Row:
        if self.samples and self.value is None:
            self.value = statistics.median(self.samples)
        if self.floor_samples:
            self.floor = statistics.median(self.floor_samples)
        if self.value is not None and self.floor:
            self.ratio = self.value / self.floor
        compared = self.ratio if self.on_ratio else self.value
        if self.limit is not None:
            self.met = compared is not None and compared <= self.limit
        return self


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "s":
        return f"{v:.2f} s"
    if unit == "count":
        return f"{v:.0f}"
    if unit == "bool":
        return "yes" if v else "no"
    return f"{v:,.0f} {unit}"


def print_table(rows: list[Row]) -> None:
    head = ("figure", "value", "floor", "ratio", "target", "met")
    body = [(f"{r.section}: {r.figure}", _fmt(r.value, r.unit),
             f"{_fmt(r.floor, r.unit)}" + (f" ({r.floor_name})" if r.floor_name and r.floor is not None else ""),
             "—" if r.ratio is None else f"{r.ratio:.2f}×", r.target or "—",
             "—" if r.met is None else ("yes" if r.met else "NO")) for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    print(line(head))
    print("-+-".join("-" * w for w in widths))
    for cells in body:
        print(line(cells))
    notes = [f"- {r.section}: {r.figure}: {r.note}" for r in rows if r.note]
    if notes:
        print("\nNotes:\n" + "\n".join(notes))
