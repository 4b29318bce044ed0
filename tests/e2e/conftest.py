"""Real-browser fixtures: one Streamlit server, Debian's Chromium, and pages that never go online.

Every page opened through these fixtures aborts and records each request to a host that is not
this machine, and fails its test at teardown if there was one, or if Streamlit showed an
exception. NOTE: the browser is Debian's /usr/bin/chromium; `playwright install` is never used
because it downloads a browser and fails offline.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from devtools.appserver import AppServer, ServerError, free_port, launcher

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 2200}
PHONE = {"width": 390, "height": 844}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
HEALTH_TIMEOUT_S = 60
APP_TIMEOUT_MS = 30_000
SETTLE_S = 0.5
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class Server:
    """A running dashboard: its address and its process id."""

    url: str
    pid: int


@contextlib.contextmanager
def serve(log_dir: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start the dashboard as `make run` does (its launcher), on a free port and optionally other data; stop it on exit."""
    port = free_port()
    with AppServer.start(launcher(), cwd=ROOT, log=log_dir / f"server-{port}.log", port=port, env=env) as app:
        try:
            app.wait_healthy(HEALTH_TIMEOUT_S, poll_s=0.25)
        except ServerError as exc:
            pytest.fail(f"Streamlit server: {exc}", pytrace=False)
        yield Server(app.base, app.pid)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("streamlit")) as srv:
        yield srv


@pytest.fixture(scope="session")
def app_url(server: Server) -> str:
    return server.url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium. "
                    "Run `make test`, which installs it (apt-get install -y chromium); "
                    "never `playwright install`.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def is_loopback(url: str) -> bool:
    """True for addresses on this machine, and for in-page URLs (data:, blob: of this origin)."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "about", "javascript"):
        return True
    if parsed.scheme == "blob":
        return is_loopback(url[len("blob:"):])
    return (parsed.hostname or "") in LOOPBACK


class Offline:
    """Browser contexts whose every non-loopback request is aborted and recorded."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.external: list[str] = []
        self.contexts = []

    def _route(self, route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            self.external.append(f"{route.request.method} {url}")
            route.abort()

    def _websocket(self, ws) -> None:
        if not is_loopback(ws.url):
            self.external.append(f"WEBSOCKET {ws.url}")

    def new_page(self, viewport: dict[str, int] | None = None, locale: str = "en-CA", is_mobile: bool = False):
        context = self.browser.new_context(viewport=viewport or VIEWPORT, accept_downloads=True,
                                           base_url=self.base_url, locale=locale, is_mobile=is_mobile,
                                           has_touch=is_mobile)
        context.set_default_timeout(20_000)
        context.route("**/*", self._route)
        page = context.new_page()
        page.on("websocket", self._websocket)
        self.contexts.append(context)
        return page

    def close(self) -> list[str]:
        """Close every context; return the pages that showed a Streamlit exception."""
        broken = []
        for context in self.contexts:
            for page in context.pages:
                with contextlib.suppress(Exception):
                    if page.locator('[data-testid="stException"]').count():
                        text = page.locator('[data-testid="stException"]').first.inner_text()[:500]
                        broken.append(f"{page.url}: {text}")
            with contextlib.suppress(Exception):
                context.close()
        return broken


@pytest.fixture
def new_page(browser, app_url: str) -> Iterator[Callable[[], object]]:
    """A factory of fresh pages, each in its own brand-new browser context."""
    offline = Offline(browser, app_url)
    yield offline.new_page
    broken = offline.close()
    problems = []
    if offline.external:
        problems.append("requests to non-loopback hosts (aborted):\n  " + "\n  ".join(dict.fromkeys(offline.external)))
    if broken:
        problems.append("Streamlit exceptions on the page:\n  " + "\n  ".join(broken))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    return new_page()


def wait_for_app(page, timeout_ms: int = APP_TIMEOUT_MS, settle_s: float = SETTLE_S, sidebar: bool = True) -> None:
    """Wait until Streamlit has drawn the shell and finished running and rendering the script.

    NOTE: the script state turns "notRunning" before React has drawn the last elements (on a
    busy machine, a second or more), so the app counts as idle only when it is connected, the
    script state is "notRunning", the status widget is gone, the sidebar shows its page links,
    no element is stale, no element is still a placeholder while its code loads (Streamlit loads
    each kind of element's code on first use), and the page's elements and text have not changed
    for `settle_s`.
    """
    if sidebar:  # an embedded page (?embed=true) has none: it waits for its main content instead
        page.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=timeout_ms)
    else:
        page.wait_for_selector('[data-testid="stMain"]', state="attached", timeout=timeout_ms)
    links = "!document.querySelector('[data-testid=\"stSidebar\"] [data-testid=\"stPageLink-NavLink\"]')" if sidebar else "false"
    idle_js = """() => {
        const app = document.querySelector('[data-testid="stApp"]');
        if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
            || app.getAttribute('data-test-script-state') !== 'notRunning'
            || document.querySelector('[data-testid="stStatusWidget"]')
            || document.querySelector('[data-stale="true"]')
            || document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
            || LINKS_MISSING) return null;
        return app.querySelectorAll('*').length + ':' + app.innerText.length;
    }""".replace("LINKS_MISSING", links)
    deadline = time.monotonic() + timeout_ms / 1000
    stable, since = None, None
    while True:
        now = time.monotonic()
        signature = page.evaluate(idle_js)
        if signature is None or signature != stable:
            stable, since = signature, now
        elif now - since >= settle_s:
            break
        if now > deadline:
            state = page.evaluate("""() => { const a = document.querySelector('[data-testid="stApp"]');
                return a ? [a.getAttribute('data-test-connection-state'), a.getAttribute('data-test-script-state')] : null }""")
            raise AssertionError(f"Streamlit did not become idle within {timeout_ms} ms on {page.url} "
                                 f"(connection, script state: {state})")
        time.sleep(0.1)
    assert_no_exception(page)


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    if errors.count():
        pytest.fail(f"Streamlit exception on {page.url}:\n{errors.first.inner_text()[:1500]}", pytrace=False)


def open_app(page, path: str, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Open a deep link (e.g. "/map?region=west_africa") and wait for the run to finish."""
    page.goto(path, wait_until="domcontentloaded", timeout=timeout_ms)
    wait_for_app(page, timeout_ms)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, timeout=20_000)
    return path
