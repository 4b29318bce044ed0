"""Shared benchmark machinery: settings, servers, the browser, waits and network counting."""

from __future__ import annotations

import base64
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app's page registry; run.py is started as a script from benchmarks/
from devtools.appserver import AppServer, ServerError, free_port  # noqa: E402
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
APP_SCRIPT = "dashboard.py"  # Server(APP_SCRIPT) starts the app (through its launcher when it has one)
LAUNCHER = Path("ibcr_ui") / "serve.py"
FLOOR_SENTENCE = "This page is the text floor of the IBCR dashboard benchmark."
# NOTE: configure() rebinds APP and LOCALE; other modules must read them as harness.APP and
# harness.LOCALE (never `from harness import APP`), or they would keep the values from import time.
APP = ROOT  # the checkout under test (--app-dir); the floors always come from this harness
LOCALE: dict[str, str] = {}

# Page name: (link, in-page condition for "fully rendered"). Conditions use the helpers in _HELPERS.
# The pages come from the app's own registry; a page the registry gains without a condition fails here.
# A table to read (ibcr_ui/tables.py): a plain HTML table, or the data grid of older commits.
_TABLE = "(has('[data-ibcr-table]') || has('[data-testid=\"stDataFrame\"]'))"
READY = {
    "overview": "idle() && mapDrawn() && metricsFilled()",
    "map": "idle() && mapShapes() >= 30",
    "country": "idle() && has('h1')",
    # The server-drawn Gantt with its bars (a link each), or the Plotly bars of older commits.
    "timeline": "idle() && (q('svg.ibcr-gantt a.ibcr-bar').length > 10 || has('g.barlayer'))",
    "programmes": "idle() && has('h1')",
    "results": "idle() && has('ul.ibcr-results')",  # the results list, one HTML element
    "data": f"idle() && {_TABLE}",
    "sources": f"idle() && {_TABLE}",
    # On the temp store (benchmarks/store.py): the version picker and the table of corrected records.
    "changes": f"idle() && has('h1') && has('[data-testid=\"stSelectbox\"]') && {_TABLE}",
    "editor": "idle() && has('h1') && has('[data-testid=\"stForm\"]')",  # as a visitor: the sign-in form
    "account": "idle() && has('h1') && has('[data-testid=\"stForm\"]')",  # the same form, for the board
}
EDITOR_SIGNED_IN = "idle() && has('h1') && has('[data-testid=\"stFileUploader\"]')"
STORE_PAGES = ("changes", "editor", "account")  # served only by an app on the temp store of versions
LINK_PARAMS = {"country": "?profile=BFA"}
# NOTE: configure() drops the pages whose script the app under test lacks (an older commit), in place,
# so that `from harness import PAGES` sees the change.
SCRIPTS = {p.key: p.script for p in REGISTRY}
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
  // A world map's countries: Plotly shapes (older commits) or a server-drawn SVG with one link per country.
  const mapShapes = () => paths() || q('svg.ibcr-map a.ibcr-country').length;
  const mapDrawn = () => mapShapes() >= 30;
  // Headline card values: one HTML element of cards (.ibcr-card-value), or st.metric (older commits).
  const values = () => { const v = [...q('.ibcr-card-value')];
      return v.length ? v : [...q('[data-testid="stMetric"] [data-testid="stMetricValue"]')]; };
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


# Servers (devtools.appserver starts and stops them)


def configure(app_dir: Path) -> None:
    """Point the harness at a checkout of the app (its pages, data, locale and .streamlit settings)."""
    global APP, LOCALE
    APP = app_dir.resolve()
    LOCALE = _messages(APP)
    for key in [k for k in PAGES if not (APP / SCRIPTS[k]).is_file()]:
        del PAGES[key]


def _messages(app: Path) -> dict[str, str]:
    """The app's English messages: the gettext catalogue (in ibcr_present since issue 19, in ibcr_ui before),
    or en.json in older commits."""
    found = [app / package / "locales" / "en" / "LC_MESSAGES" / "messages.po" for package in ("ibcr_present", "ibcr_ui")]
    po = next((p for p in found if p.is_file()), None)
    if po is None:
        return json.loads((app / "ibcr_ui" / "locales" / "en.json").read_text(encoding="utf-8"))
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and isinstance(m.string, str)}


def app_command() -> list[str]:
    """How the app is started: its launcher when the checkout has one, else plain `streamlit run`."""
    if (APP / LAUNCHER).is_file():
        return [sys.executable, "-m", ".".join(LAUNCHER.with_suffix("").parts)]
    return [sys.executable, "-m", "streamlit", "run", APP_SCRIPT]


class Server(AppServer):
    """One app or floor process on a free port, with cwd=APP so the app's .streamlit applies.

    The app (script APP_SCRIPT) starts through app_command(); the floors always with `streamlit run`.
    """

    script: str

    @classmethod
    def of(cls, script: str, logs: Path, env: dict[str, str] | None = None) -> Server:
        start = app_command() if script == APP_SCRIPT else [sys.executable, "-m", "streamlit", "run", script]
        port = free_port()
        server = cls.start(start, cwd=APP, log=logs / f"{Path(script).stem}-{port}.log", port=port, env=env,
                           name=Path(script).stem)
        server.script = script
        return server

    def wait_healthy(self, timeout_s: float = HEALTH_TIMEOUT_S, poll_s: float = 0.02) -> float:
        """Seconds from spawn until /_stcore/health answers ok (also kept as `healthy_s`)."""
        try:
            return super().wait_healthy(timeout_s, poll_s)
        except ServerError as exc:
            raise BenchError(f"{self.script} did not start: {exc}") from None

    def rss(self) -> tuple[float, float]:
        """Resident memory of the server and its children, now and at peak (MB)."""
        rss = hwm = 0
        for pid in _process_tree(self.pid):
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                rss += int(fields["VmRSS"].split()[0])
                hwm += int(fields["VmHWM"].split()[0])
        return rss / 1024, hwm / 1024


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
            servers.append(Server.of(script, logs, env))
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


def navigate(page, name: str, cond: str | None = None) -> float:
    """Follow the sidebar link to a page (one session) and wait until it is drawn; ms from the pointer press."""
    before = probe(page, "h1()")
    mark_pointerdown(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=LOCALE[f"page.{name}"], exact=True).click()
    cond = cond or (PAGES[name][1] if name != "country" else "idle() && has('h1')")
    return wait_for(page, f"h1() !== {json.dumps(before)} && {cond}") - pointer_t0(page)


def mark_pointerdown(page) -> None:
    """Note performance.now() at the next pointer press in the page (read it with pointer_t0)."""
    page.evaluate("""() => { window.__benchT0 = null; document.addEventListener('pointerdown',
        () => { if (window.__benchT0 === null) window.__benchT0 = performance.now(); },
        {capture: true, once: true}); }""")


def pointer_t0(page) -> float:
    return page.evaluate("window.__benchT0")


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
