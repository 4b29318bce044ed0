"""ibcr_ui/pagebase.py without a server: every page's HTML says where the server is, whole, compressed when
the browser accepts it, and nothing else the server sends is touched (the browser side: tests/e2e/test_pagebase.py)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip

from ibcr_ui import pagebase
from ibcr_ui.registry import PAGES

HTML = (b"<!DOCTYPE html><html><head><title>Streamlit</title>" + b"<!-- padding -->" * 60
        + b'<script>window.prerenderReady = false</script><script type="module" src="./static/js/index.js"></script>'
        b"</head><body><div id=\"root\"></div></body></html>")


def call(method: str, path: str, body: bytes = HTML, kind: bytes = b"text/html; charset=utf-8", status: int = 200,
         headers: list[tuple[bytes, bytes]] | None = None, chunks: int = 1):
    """One request through PageBase to an app that answers `body`; (status, headers, body sent, request headers seen)."""
    seen: dict = {}
    sent: list[dict] = []

    async def app(scope, receive, send):
        seen.update(scope["headers"])
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"etag", b'"abc"'), (b"cache-control", b"no-cache")]})
        size = -(-len(body) // chunks)
        for i in range(chunks):
            await send({"type": "http.response.body", "body": body[i * size:(i + 1) * size], "more_body": i < chunks - 1})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": headers or []}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, pagebase.PageBase(app)(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], dict(start["headers"]), out, seen


def test_every_page_address_gets_the_script_before_streamlits_code():
    for path in [p.url_path for p in PAGES] + ["/embed/", "/embed/map", "/embed", "/ibcr/sources"]:
        status, headers, body, _ = call("GET", path)
        assert status == 200 and body.count(pagebase.TAG) == 1, path
        assert body.index(pagebase.TAG) < body.index(b"<script>window.prerenderReady"), path
        assert int(headers[b"content-length"]) == len(body)
        assert b"etag" not in headers  # the HTML changed: no validator for Streamlit's own file


def test_the_script_names_every_page_but_the_overview():
    for p in PAGES:
        assert (f'"{p.url_path.strip("/")}"' in pagebase.SCRIPT) == (p.url_path != "/"), p.key


def test_the_page_is_compressed_when_the_browser_accepts_it_and_streamlit_never_compresses_it_first():
    status, headers, body, seen = call("GET", "/sources", headers=[(b"accept-encoding", b"gzip, deflate, br"),
                                                                     (b"if-none-match", b'"abc"')], chunks=3)
    assert status == 200 and headers[b"content-encoding"] == b"gzip" and headers[b"vary"] == b"Accept-Encoding"
    assert int(headers[b"content-length"]) == len(body)
    assert gzip.decompress(body) == pagebase.with_base(HTML)
    assert b"accept-encoding" not in seen and b"if-none-match" not in seen  # so Streamlit sends it whole


def test_nothing_but_an_html_page_is_touched():
    data = b'{"a": 1}' * 200
    assert call("GET", "/map", body=data, kind=b"application/json")[2] == data
    for path in ("/_stcore/health", "/sources/_stcore/health", "/static/js/index.js", "/app/static/world_110m.json",
                 "/media/abc.csv", "/component/x/index.html", "/embed/_stcore/host-config"):
        status, headers, body, seen = call("GET", path, headers=[(b"accept-encoding", b"gzip")])
        assert body == HTML and b"accept-encoding" in seen and headers[b"etag"] == b'"abc"', path
    assert call("HEAD", "/map", body=b"")[2] == b""
    assert call("GET", "/map", status=404)[2] == HTML  # Streamlit's own answers are passed on as they are


def test_the_script_is_written_once():
    assert pagebase.with_base(pagebase.with_base(HTML)).count(pagebase.TAG) == 1
