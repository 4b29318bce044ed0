"""A page with an address of its own connects at once (ibcr_ui/pagebase.py): no 404 for /<page>/_stcore/...,
no retry, the right page drawn; and the address the frontend is given, behind any path prefix."""

from __future__ import annotations

import pytest

from .conftest import wait_for_app


@pytest.mark.parametrize(("path", "title"), [("/sources", "Sources and method"), ("/country?profile=BFA", "Burkina Faso"),
                                             ("/data", "Data explorer"), ("/", "IBCR")])
def test_a_page_asks_the_server_once_and_draws_itself(page, path, title):
    asked, failed = [], []
    page.on("request", lambda r: asked.append(r.url) if "/_stcore/" in r.url else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(path)
    wait_for_app(page)
    assert title in page.locator("h1").first.inner_text()
    assert not failed
    base = page.evaluate("location.origin")
    assert {u for u in asked if "health" in u or "host-config" in u} == {f"{base}/_stcore/health",
                                                                      f"{base}/_stcore/host-config"}
    assert sockets == [base.replace("http", "ws", 1) + "/_stcore/stream"]


@pytest.mark.parametrize(("path", "expected"), [
    ("/embed/map", "/embed/"), ("/embed/", "/embed/"), ("/embed", "/embed/"), ("/ibcr/country", "/ibcr/"),
    ("/", "/"), ("/sources/", "/"), ("/mistyped", "/mistyped/"),
])
def test_the_server_address_is_the_page_address_without_the_page(page, app_url, path, expected):
    """The script alone, on HTML served at other addresses of this machine (the route answers; nothing is asked)."""
    from ibcr_ui.pagebase import with_base

    html = with_base(b"<html><head><script>window.x = 1</script></head><body></body></html>").decode()
    page.route("**/*", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(app_url + path)
    assert page.evaluate("window.__streamlit.BACKEND_BASE_URL") == app_url + expected
