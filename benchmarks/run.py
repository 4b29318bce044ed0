"""`make bench`: time the dashboard against two floor pages and print one table (also written as JSON).

Floors: benchmarks/floor_text.py (one sentence) and benchmarks/floor_chart.py (one small Plotly
chart), served with the app's own .streamlit settings. App and floor runs alternate so machine
noise hits both alike; every figure is the median of --runs runs (after a discarded warm-up
where stated). Sections: cold start, warm load, interaction, payload, memory, scale.

    python benchmarks/run.py                     # all sections, 5 runs (8-10 minutes on 2 cores)
    python benchmarks/run.py --quick             # 3 runs, fewer pages (about 4 minutes)
    python benchmarks/run.py --only cold,payload
    python benchmarks/run.py --app-dir /tmp/old   # measure another checkout (e.g. a `git archive`)

NOTE: the browser is Debian's /usr/bin/chromium driven by Playwright; `playwright install`
is never used. Every wait is bounded and every server started here is stopped on exit.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
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
APP = ROOT  # the checkout under test (--app-dir); the floors always come from this harness
LOCALE: dict[str, str] = {}

# Page name: (link, in-page condition for "fully rendered"). Conditions use the helpers in _HELPERS.
PAGES = {
    "overview": ("/", "idle() && paths() >= 30 && metricsFilled()"),
    "map": ("/map", "idle() && paths() >= 30"),
    "country": ("/country?country=BFA", "idle() && has('h1')"),
    "timeline": ("/timeline", "idle() && has('g.barlayer')"),
    "programmes": ("/programmes", "idle() && has('h1')"),
    "data": ("/data", "idle() && has('[data-testid=\"stDataFrame\"]')"),
    "sources": ("/sources", "idle() && has('[data-testid=\"stDataFrame\"]')"),
}
QUICK_PAGES = ("overview", "map", "data")
FLOORS = {
    "text": (str(ROOT / "benchmarks" / "floor_text.py"), f"idle() && text({json.dumps(FLOOR_SENTENCE)})"),
    "chart": (str(ROOT / "benchmarks" / "floor_chart.py"), "idle() && has('.main-svg')"),
}
CARD_VISIBLE = "cardVisible()"
TEXT_VISIBLE = f"text({json.dumps(FLOOR_SENTENCE)})"

# Helpers for in-page conditions and probes (see _ready and _probe).
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


def _probe(page, expr: str):
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
    before = _probe(page, "h1()")
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


# Sections


def cold(b: Browser, runs: int, logs: Path) -> list[Row]:
    """Spawn → cards visible / Overview fully drawn, alternating app, text floor, chart floor."""
    cards: list[float] = []
    drawn: list[float] = []
    text: list[float] = []
    chart: list[float] = []
    healthy: list[float] = []
    plan = [("dashboard.py", [CARD_VISIBLE, PAGES["overview"][1]]),
            (FLOORS["text"][0], [TEXT_VISIBLE]), (FLOORS["chart"][0], [FLOORS["chart"][1]])]
    for _ in range(runs):
        for script, conds in plan:
            page = b.page()
            try:
                with serving(script, logs=logs) as (server,):
                    times = []
                    page.goto(server.base + "/", wait_until="commit", timeout=READY_MS)
                    for cond in conds:
                        wait_for(page, cond)
                        times.append(time.perf_counter() - server.started)
                    if script == "dashboard.py":
                        cards.append(times[0])
                        drawn.append(times[1])
                        healthy.append(server.healthy_s)
                    else:
                        (text if script == FLOORS["text"][0] else chart).append(times[0])
            finally:
                close(page)
    return [Row("cold", "headline cards visible", "s", samples=cards, floor_samples=text, floor_name="text visible",
                target="≤ 1.3× floor", limit=1.3, on_ratio=True),
            Row("cold", "Overview fully drawn", "s", samples=drawn, floor_samples=chart, floor_name="chart drawn",
                target="≤ 1.15× floor", limit=1.15, on_ratio=True),
            Row("cold", "server answers /_stcore/health (app)", "s", samples=healthy,
                note="spawn → /_stcore/health answers ok (the browser opens the page then)")]


def warm(b: Browser, runs: int, pages: tuple[str, ...], logs: Path) -> list[Row]:
    """Reload each page on a running server until fully rendered; a chart-floor reload follows each."""
    rows = {p: Row("warm", f"reload {p} ({PAGES[p][0]})", "ms", floor_name="chart floor", target="≤ 1.3× floor",
                   limit=1.3, on_ratio=True) for p in pages}
    chart, text = [], []
    streams: dict[str, list[tuple[float, float, int]]] = {p: [] for p in [*pages, "floor_chart"]}

    def reload(tab, net: Network, cond: str, name: str | None = None) -> float:
        ms = reload_ms(tab, cond)
        if name and net.stream_ms():
            streams[name].append(net.stream_ms())
        return ms

    with serving("dashboard.py", FLOORS["chart"][0], FLOORS["text"][0], logs=logs) as (app, fc, ft):
        tabs = {p: b.page() for p in pages}
        tab_chart, tab_text = b.page(), b.page()
        try:
            nets = {p: Network(tabs[p]) for p in pages}
            net_chart, net_text = Network(tab_chart), Network(tab_text)
            for p in pages:  # first visits (not counted): caches fill, every page compiles once
                open_page(tabs[p], app.base + PAGES[p][0], PAGES[p][1])
            open_page(tab_chart, fc.base + "/", FLOORS["chart"][1])
            open_page(tab_text, ft.base + "/", FLOORS["text"][1])
            for _ in range(runs):
                for p in pages:
                    rows[p].samples.append(reload(tabs[p], nets[p], PAGES[p][1], p))
                    chart.append(reload(tab_chart, net_chart, FLOORS["chart"][1], "floor_chart"))
                text.append(reload(tab_text, net_text, FLOORS["text"][1]))
        finally:
            for tab in [*tabs.values(), tab_chart, tab_text]:
                close(tab)
    for p, r in rows.items():
        r.floor_samples = chart
        if streams[p] and streams["floor_chart"]:
            first, last, frames = (statistics.median(x) for x in zip(*streams[p]))
            floor_first, floor_last = (statistics.median(x[i] for x in streams["floor_chart"]) for i in (0, 1))
            r.detail = {"first_frame_ms": first, "last_frame_ms": last, "frames": frames,
                        "floor_first_frame_ms": floor_first, "floor_last_frame_ms": floor_last}
            r.note = (f"websocket frames {first:,.0f}–{last:,.0f} ms ({frames:.0f} frames; chart floor's last at "
                      f"{floor_last:,.0f} ms), then {statistics.median(r.samples) - last:,.0f} ms of drawing")
    return [*rows.values(), Row("warm", "reload text floor (information)", "ms", samples=text)]


def interaction(b: Browser, runs: int, logs: Path) -> list[Row]:
    """On /map, pick "West Africa" in the Region filter: time until the map and the counts change."""
    updated = Row("interaction", "Region filter on /map → map and counts updated", "ms", target="≤ 400 ms",
                  limit=400, note="browser time from the pointer press on the option to the first frame with "
                                  "fewer map shapes and a new human line; one warm-up run discarded")
    finished, ws = Row("interaction", "same, until the rerun has finished", "ms"), \
        Row("interaction", "websocket bytes sent for that rerun", "KB")
    with serving("dashboard.py", logs=logs) as (app,):
        page = b.page()
        try:
            net = Network(page)
            for i in range(runs + 1):
                open_page(page, app.base + "/map?lang=en", PAGES["map"][1])
                n_paths, line = _probe(page, "[paths(), humanLine()]")
                page.locator(f'input[aria-label="{LOCALE["filters.region"]}"]').click()
                option = page.get_by_role("option", name="West Africa", exact=True)
                option.wait_for(timeout=10_000)
                page.evaluate("""() => { window.__benchT0 = null; document.addEventListener('pointerdown',
                    () => { if (window.__benchT0 === null) window.__benchT0 = performance.now(); },
                    {capture: true, once: true}); }""")
                net.settle(100)
                before = net.ws_bytes
                option.click()
                changed = f"paths() !== {n_paths} && humanLine() !== {json.dumps(line)}"
                t_updated = wait_for(page, changed)
                t_done = wait_for(page, f"idle() && {changed}")
                t0 = page.evaluate("window.__benchT0")
                net.settle(300)
                if i:  # the first run is a warm-up
                    updated.samples.append(t_updated - t0)
                    finished.samples.append(t_done - t0)
                    ws.samples.append((net.ws_bytes - before) / 1024)
        finally:
            close(page)
    script = _worker("apptest", "--runs", str(runs))
    return [updated, finished, ws,
            Row("interaction", "script time of a rerun (AppTest), Region → West Africa on /map", "ms",
                samples=script["app_ms"], floor_samples=script["floor_ms"], floor_name="chart floor rerun",
                target="≤ 100 ms", limit=100,
                note="AppTest.run() wall time in a separate process, after one warm-up run")]


def payload(b: Browser, pages: tuple[str, ...], logs: Path) -> list[Row]:
    """Bytes each page receives in a fresh browser context: websocket frames + /app/static/ files."""
    rows, detail = [], {}
    with serving("dashboard.py", FLOORS["chart"][0], FLOORS["text"][0], logs=logs) as (app, fc, ft):
        targets = [(p, app.base + PAGES[p][0], PAGES[p][1]) for p in pages] + \
            [("floor_chart", fc.base + "/", FLOORS["chart"][1]), ("floor_text", ft.base + "/", FLOORS["text"][1])]
        for name, url, cond in targets:
            page = b.page()
            try:
                net = Network(page)
                open_page(page, url, cond)
                net.settle()
                detail[name] = net.totals()
            finally:
                close(page)
        geometry = _geometry_session(b, app.base)
    floor = detail["floor_chart"]["app_bytes"] / 1024
    for p in pages:
        d = detail[p]
        rows.append(Row("payload", f"{p}: websocket + app static", "KB", samples=[d["app_bytes"] / 1024],
                        floor_samples=[floor], floor_name="chart floor",
                        target="≤ 400 KB" if p == "overview" else "", limit=400 if p == "overview" else None,
                        note=f"websocket {d['ws_bytes'] / 1024:,.0f} KB in {d['ws_frames']} frames (uncompressed "
                             f"payload), /app/static/ {d['app_static_bytes'] / 1024:,.0f} KB (on the wire)"))
    first = pages[0]
    rows.append(Row("payload", f"{first}: Streamlit frontend bundles (/static/, cold cache)", "KB",
                    samples=[detail[first]["bundle_bytes"] / 1024],
                    floor_samples=[detail["floor_chart"]["bundle_bytes"] / 1024], floor_name="chart floor"))
    rows.append(Row("payload", "map geometry downloads in one session (Overview → Map → Overview)", "count",
                    samples=[geometry["downloads"]], target="= 1", met=geometry["downloads"] == 1,
                    note=f"{geometry['bytes'] / 1024:,.0f} KB of /app/static/ in that session; "
                         f"websocket {geometry['ws_bytes'] / 1024:,.0f} KB (0 downloads would mean the "
                         "geometry travels in the figure, on every rerun)"))
    rows[0].note += "; per-page details in the JSON"
    rows[-1].detail = detail
    return rows


def _geometry_session(b: Browser, base: str) -> dict[str, int]:
    page = b.page()
    try:
        net = Network(page)
        open_page(page, base + "/", PAGES["overview"][1])
        navigate(page, "map")
        navigate(page, "overview")
        net.settle()
        static = [(n, status) for p, n, status in net.responses if p.startswith("/app/static/")]
        return {"downloads": sum(1 for _, status in static if status == 200),
                "bytes": sum(n for n, _ in static), "ws_bytes": net.ws_bytes}
    finally:
        close(page)


def memory(b: Browser, pages: tuple[str, ...], logs: Path) -> list[Row]:
    """Server RSS after SESSIONS browser sessions, each visiting every page through the sidebar links."""
    with serving("dashboard.py", logs=logs) as (app,):
        idle_mb = app.rss()[0]
        first = "country" if "country" in pages else pages[0]
        for _ in range(SESSIONS):
            page = b.page()
            try:
                open_page(page, app.base + PAGES[first][0], PAGES[first][1])
                for p in pages:
                    if p != first:
                        navigate(page, p)
            finally:
                close(page)
        time.sleep(1)
        rss, peak = app.rss()
    with serving(FLOORS["chart"][0], logs=logs) as (fc,):
        for _ in range(SESSIONS):
            page = b.page()
            try:
                open_page(page, fc.base + "/", FLOORS["chart"][1])
            finally:
                close(page)
        time.sleep(1)
        floor_rss = fc.rss()[0]
    return [Row("memory", f"server RSS after {SESSIONS} sessions × {len(pages)} pages", "MB", samples=[rss],
                floor_samples=[floor_rss], floor_name=f"chart floor, {SESSIONS} sessions", target="≤ 250 MB",
                limit=250, note=f"idle after start {idle_mb:,.0f} MB; peak {peak:,.0f} MB; sessions closed "
                                "but kept by Streamlit for server.disconnectedSessionTTL (120 s)")]


def scale(b: Browser, runs: int, quick: bool, logs: Path) -> list[Row]:
    """A generated dataset 1,000 times the real one: load, filter + aggregate, and two pages drawn."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate  # a sibling script, importable once benchmarks/ is on the path

    with tempfile.TemporaryDirectory(prefix="ibcr-1000x-") as tmp:
        data = Path(tmp) / "data"
        t = time.perf_counter()
        counts = generate.generate(data, data=APP / "data")
        gen_s = time.perf_counter() - t
        w = _worker("scale", "--data", str(data), "--runs", str(1 if quick else runs))
        rows_total = sum(counts.values())
        out = [
            Row("scale", "generate the 1,000× dataset (information)", "s", samples=[gen_s],
                note=", ".join(f"{k} {v:,}" for k, v in counts.items())),
            Row("scale", f"load + validate, {rows_total:,} rows", "s", samples=w["load_s"],
                floor_samples=w["real_load_s"], floor_name="real data", target="≤ 3 s", limit=3,
                note=(f"validate() alone {w['validate_s']:.2f} s; " if "validate_s" in w else "")
                + f"the target names 100,000 rows; this set has {counts['engagements']:,} engagements and "
                  f"{rows_total:,} rows in all" + ("; one run (--quick)" if quick else "")),
        ]
        for key, label in (("all", "no filter"), ("west_africa", "Region = West Africa")):
            out.append(Row("scale", f"filter + aggregate, {label}", "ms", samples=w["aggregate_ms"][key],
                           floor_samples=w["real_aggregate_ms"][key], floor_name="real data", target="≤ 100 ms",
                           limit=100, note="apply_filters + headline_figures + engagements_per_country + "
                                           "timeline_rows, after one warm-up call"))
        page = b.page()
        try:
            net = Network(page)
            with serving("dashboard.py", logs=logs, env={"IBCR_DATA_DIR": str(data)}) as (app,):
                first = open_page(page, app.base + "/", PAGES["overview"][1], SCALE_READY_MS)
                net.settle()
                overview_kb, net.ws_bytes = net.ws_bytes / 1024, 0
                map_ms = open_page(page, app.base + "/map", PAGES["map"][1], SCALE_READY_MS)
                net.settle()
                out += [
                    Row("scale", "Overview drawn, first visit (navigation → drawn, includes the data load)", "s",
                        samples=[first / 1000], note=f"websocket {overview_kb:,.0f} KB"),
                    Row("scale", "Map drawn (data cached)", "s", samples=[map_ms / 1000], target="renders",
                        met=True,  # open_page raised otherwise: timeout or stException
                        note=f"no stException, ≥ 30 map shapes, one run; websocket {net.ws_bytes / 1024:,.0f} KB"),
                ]
        finally:
            close(page)
    return out


# Workers (separate processes)


def _worker(kind: str, *args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--app-dir", str(APP), *args]
    done = subprocess.run(cmd, cwd=APP, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False)
    if done.returncode:
        raise BenchError(f"worker {kind} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker_apptest(runs: int) -> dict:
    """Time AppTest reruns of /map after a Region change, and of the chart floor."""
    sys.path.insert(0, str(APP))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/1_map.py")
    at.run()
    app_ms = []
    for i in range(runs + 1):
        at.sidebar.multiselect(key="f_region").set_value([])
        at.run()
        at.sidebar.multiselect(key="f_region").set_value(["west_africa"])
        t = time.perf_counter()
        at.run()
        if at.exception:
            raise BenchError(f"AppTest exception: {at.exception}")
        if i:
            app_ms.append((time.perf_counter() - t) * 1000)
    floor = AppTest.from_file(FLOORS["chart"][0], default_timeout=60)
    floor.run()
    floor_ms = []
    for _ in range(runs):
        t = time.perf_counter()
        floor.run()
        floor_ms.append((time.perf_counter() - t) * 1000)
    return {"app_ms": app_ms, "floor_ms": floor_ms}


def worker_scale(data: Path, runs: int) -> dict:
    """Time loading and aggregating the generated data, and the real data for comparison."""
    sys.path.insert(0, str(APP))
    import ibcr_data

    def timed(fn: Callable[[], object], n: int, scale_ms: float = 1.0) -> list[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * scale_ms)
        return out

    def aggregate(ds, f):
        view = ibcr_data.apply_filters(ds, f)
        ibcr_data.headline_figures(ds, view, 2026)
        ibcr_data.engagements_per_country(ds, view)
        ibcr_data.timeline_rows(ds, view)

    filters = {"all": ibcr_data.Filters(), "west_africa": ibcr_data.Filters(regions=frozenset({"west_africa"}))}
    result: dict = {}
    for prefix, folder, n_load in (("", data, runs), ("real_", APP / "data", 5)):
        loaded: list = []
        result[f"{prefix}load_s"] = timed(lambda d=folder, out=loaded: out.append(ibcr_data.load_dataset(d)), n_load)
        ds = loaded.pop()
        loaded.clear()
        result[f"{prefix}aggregate_ms"] = {}
        for key, f in filters.items():
            aggregate(ds, f)  # warm-up
            result[f"{prefix}aggregate_ms"][key] = timed(lambda ds=ds, f=f: aggregate(ds, f), 5, 1000)
    if runs > 1:  # the split costs one more load; --quick skips it
        t = time.perf_counter()
        ibcr_data.validate(data)
        result["validate_s"] = time.perf_counter() - t
    return result


# Main


def machine() -> dict:
    def run(*cmd: str) -> str:
        with contextlib.suppress(Exception):
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False).stdout.strip()
        return ""

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    versions = {}
    for name in ("streamlit", "plotly", "pandas", "playwright"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[name] = version(name)
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(), "python": platform.python_version(), **versions,
        "chromium": run(str(CHROMIUM), "--version"), "app_dir": str(APP),
        "git_commit": run("git", "-C", str(APP), "rev-parse", "HEAD"),
        "git_dirty_files": run("git", "-C", str(APP), "status", "--porcelain").splitlines(),
        "load_average_at_start": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 5; 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"3 runs, pages {', '.join(QUICK_PAGES)} only")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="where to write the results")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="the checkout to measure (default: this one), e.g. a `git archive` of an older commit")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    configure(args.app_dir)
    if args.worker == "apptest":
        print(json.dumps(worker_apptest(runs)))
        return 0
    if args.worker == "scale":
        print(json.dumps(worker_scale(args.data, runs)))
        return 0
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    pages = QUICK_PAGES if args.quick else tuple(PAGES)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the servers

    from playwright.sync_api import sync_playwright

    started, meta = time.perf_counter(), machine()
    meta.update(runs=runs, quick=args.quick, sections=only, pages=list(pages), load_average_by_section={},
                started=dt.datetime.now().isoformat(timespec="seconds"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    logs = Path(tempfile.mkdtemp(prefix="logs-", dir=RESULTS))
    rows: list[Row] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        b = Browser(pw)
        try:
            steps = {"cold": lambda: cold(b, runs, logs), "warm": lambda: warm(b, runs, pages, logs),
                     "interaction": lambda: interaction(b, runs, logs), "payload": lambda: payload(b, pages, logs),
                     "memory": lambda: memory(b, pages, logs), "scale": lambda: scale(b, runs, args.quick, logs)}
            for name in only:
                t, load_before = time.perf_counter(), os.getloadavg()[0]
                print(f"[bench] {name} …", file=sys.stderr, flush=True)
                try:
                    rows += [r.finish() for r in steps[name]()]
                except (BenchError, subprocess.TimeoutExpired) as exc:
                    errors.append(f"{name}: {exc}")
                    rows.append(Row(name, "FAILED", "s", note=str(exc).splitlines()[0], met=False))
                    traceback.print_exc()
                meta["load_average_by_section"][name] = [load_before, os.getloadavg()[0]]
                print(f"[bench] {name} done in {time.perf_counter() - t:.0f} s (1-minute load average "
                      f"{load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
                      file=sys.stderr, flush=True)
        finally:
            b.close()
    meta.update(duration_s=round(time.perf_counter() - started), load_average_at_end=os.getloadavg(),
                external_requests=sorted(b.external), errors=errors,
                server_logs=str(logs) if errors else None)
    print_table(rows)
    if b.external:
        print("\nWARNING: requests to other hosts: " + ", ".join(sorted(b.external)[:10]))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"meta": meta, "rows": [_row_json(r) for r in rows]}, indent=2,
                                    ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n{len(rows)} figures in {meta['duration_s']} s; JSON: {args.json}")
    if errors:
        print(f"Server logs kept in {logs}", file=sys.stderr)
        return 1
    shutil.rmtree(logs, ignore_errors=True)
    return 0


def _row_json(r: Row) -> dict:
    return asdict(r)


if __name__ == "__main__":
    sys.exit(main())
