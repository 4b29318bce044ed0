"""Safety in a real browser: nothing leaves the machine, injected records stay text, broken data is shown."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from ibcr_ui.registry import PAGES as REGISTRY
from tests.support import DATA, read_rows, set_cell, write_rows

from .conftest import open_app, serve

pytestmark = pytest.mark.browser

PAGES = [p.url_path + ("?profile=BFA" if p.key == "country" else "") for p in REGISTRY] + ["/?lang=fr"]
INJECTION = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> '
             '[click me](javascript:window.__pwned=3) =HYPERLINK("http://example.invalid","x")')


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _is_local(hex_addr: str) -> bool:
    """Remote address of a /proc/net entry: loopback or unset (a listening socket)."""
    host = hex_addr.split(":")[0]
    if len(host) == 8:  # IPv4, little-endian
        packed = bytes.fromhex(host)[::-1]
        return packed[0] == 127 or packed == b"\0\0\0\0"
    packed = b"".join(bytes.fromhex(host[i:i + 8])[::-1] for i in range(0, 32, 8))
    if packed[:12] == b"\0" * 10 + b"\xff\xff":  # IPv4 mapped into IPv6
        return packed[12] == 127 or packed[12:] == b"\0\0\0\0"
    return packed in (b"\0" * 16, b"\0" * 15 + b"\1")


def outbound_connections(pid: int) -> list[str]:
    """Connections of the process whose far end is not this machine."""
    inodes = _socket_inodes(pid)
    found = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            cols = line.split()
            if cols[9] in inodes and not _is_local(cols[2]):
                found.append(f"{table} {cols[2]}")
    return found


def test_the_address_check_recognises_remote_addresses():
    assert _is_local("0100007F:1F90") and _is_local("00000000:0000")
    assert not _is_local("0101A8C0:0050")  # 192.168.1.1
    assert _is_local("00000000000000000000000001000000:1F90")  # ::1
    assert not _is_local("B80D0120000000000000000001000000:0050")  # 2001:db8::1


def test_server_opens_no_outbound_connection_while_pages_are_used(server, new_page):
    seen: set[str] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.update(outbound_connections(server.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        page = new_page()
        for path in PAGES:
            open_app(page, path)
    finally:
        stop.set()
        watcher.join(timeout=5)
    assert len(_socket_inodes(server.pid)) > 0  # the watcher did see the server's own sockets
    assert not seen, f"the server connected off the machine: {sorted(seen)}"


@pytest.fixture(scope="module")
def injected_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("injected") / "data"
    shutil.copytree(DATA, data)
    header, rows = read_rows(data / "engagements.csv")
    for r in rows:
        if r[header.index("country_iso3")] == "BFA":
            for col in ("description_en", "partners", "evidence"):
                r[header.index(col)] = INJECTION
    write_rows(data / "engagements.csv", header, rows)
    header, rows = read_rows(data / "programmes.csv")
    rows[0][header.index("name_en")] = "<img src=x onerror=window.__pwned=4>Tribunal"
    rows[0][header.index("acronym")] = "<b onmouseover=window.__pwned=5>T</b>"
    write_rows(data / "programmes.csv", header, rows)
    with serve(data.parent, {"IBCR_DATA_DIR": str(data)}) as srv:
        yield srv


@pytest.mark.parametrize("path", ["/", "/country?profile=BFA", "/timeline", "/programmes", "/map", "/data"])
def test_injected_records_show_as_text_and_run_nothing(browser, injected_server, path):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, base_url=injected_server.url)
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        open_app(page, path)
        for shape in page.locator("a.ibcr-bar rect, path.choroplethlocation, a.ibcr-country").all()[:40]:
            box = shape.bounding_box()
            if box and box["width"] > 2 and box["height"] > 2:  # hover labels get the record text too
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert page.evaluate("() => window.__pwned") is None
        assert not dialogs
        assert page.locator('img[src="x"]').count() == 0
        assert page.evaluate("""() => [...document.scripts].every(s => !s.textContent.includes('__pwned'))""")
        if path.startswith("/country"):
            assert "<script>window.__pwned=1</script>" in page.locator('[data-testid="stMain"]').inner_text()
        assert page.locator('a[href^="javascript:"]').count() == 0
    finally:
        context.close()


def test_broken_data_shows_the_problems_and_nothing_else(browser, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    line = set_cell(data, "engagements.csv", 0, "country_iso3", "Narnia")
    set_cell(data, "metrics.csv", 0, "scope_code", "")
    with serve(tmp_path, {"IBCR_DATA_DIR": str(data)}) as srv:
        context = browser.new_context(viewport={"width": 1400, "height": 1200}, base_url=srv.url)
        try:
            page = context.new_page()
            page.goto("/map?region=west_africa", wait_until="domcontentloaded")
            page.get_by_text("The data could not be loaded").wait_for(timeout=30_000)
            grid = page.locator('[data-testid="stDataFrame"]')
            grid.wait_for(timeout=10_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stMetric"], .ibcr-card').count() == 0
            assert page.locator("path.choroplethlocation, svg.ibcr-map").count() == 0
            assert "2 problems were found in the data files" in page.locator('[data-testid="stMain"]').inner_text()
            # The grid draws on a canvas; its cells are also in an accessible table, filled a moment later.
            page.wait_for_function("g => g.textContent.includes('Narnia')", arg=grid.element_handle(), timeout=20_000)
            shown = grid.text_content() or ""
            for expected in ("engagements.csv", "Narnia", str(line), "metrics.csv", "scope_code"):
                assert expected in shown, (expected, shown[:1500])
        finally:
            context.close()
