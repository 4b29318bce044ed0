"""Tell Streamlit's frontend where the server is, so that a page with an address of its own connects at once.

On a page at /sources, Streamlit's frontend cannot tell whether "sources" is a page or part of the
address the app is served under (a proxy's prefix, server.baseUrlPath). So it first asks
/sources/_stcore/health and /sources/_stcore/host-config, gets 404, waits its retry delay and then
asks /_stcore/... (Streamlit issue #7074): 100–145 ms on every page but the Overview, on every load.

The frontend reads where the server is from `window.__streamlit.BACKEND_BASE_URL` when the page sets
it before the frontend starts. PageBase, an ASGI middleware for `st.App` (app.py), writes one small
script into the HTML page that every page address serves: the browser's own address without its last
part when that part is one of the dashboard's pages (ibcr_ui/registry.py), else the address itself.
It is worked out in the browser, from the address the reader sees, so it holds behind a proxy that
serves the app under a path: /embed/map gives /embed (the process for embeds), /map gives /. An
address that is not a page's (a mistyped one) gets the address itself, and Streamlit's own search
from there, as before. Every address already shared keeps working: only the HTML changes.

NOTE: answering /sources/_stcore/... as /_stcore/... instead (a rewrite here or in nginx) would not
do: the frontend would take /sources for the app's own address, and ask for the page at the path
that remains, "" — the Overview (checked in Chromium).
"""

from __future__ import annotations

import gzip
import json
import re

from .registry import PAGES

PAGE_NAMES = tuple(p.url_path.strip("/") for p in PAGES if p.url_path.strip("/"))
# Paths that are never an HTML page: Streamlit's endpoints, its code, media, components, our static files.
NOT_A_PAGE = re.compile(r"/(_stcore|static|media|component|app)(/|$)|\.[A-Za-z0-9]+$")
# What the conditional requests of a browser ask about: the HTML changed, so Streamlit must send it whole.
CONDITIONAL = (b"if-none-match", b"if-modified-since")
GZIP_MIN_BYTES = 500

SCRIPT = ("(function(){var s=window.__streamlit||{};if(s.BACKEND_BASE_URL)return;"
          "var p=location.pathname.replace(/\\/+$/,''),i=p.lastIndexOf('/');"
          f"if({json.dumps(list(PAGE_NAMES))}.indexOf(p.slice(i+1))>=0)p=p.slice(0,i);"
          "s.BACKEND_BASE_URL=location.origin+p+'/';window.__streamlit=s;})();")
TAG = f'<script data-ibcr="base">{SCRIPT}</script>'.encode()


def with_base(html: bytes) -> bytes:
    """The page's HTML with the script before its first script (the frontend's code comes after it)."""
    at = html.find(b"<script")
    if at < 0:
        at = html.find(b"</head>")
    return html if at < 0 or TAG in html else html[:at] + TAG + html[at:]


class PageBase:
    """ASGI middleware: the HTML of every page says where the server is (see the module's docstring)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or NOT_A_PAGE.search(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        gzip_ok = any(k == b"accept-encoding" and b"gzip" in v.lower() for k, v in headers)
        # Streamlit then sends the HTML whole and uncompressed; it is compressed here after the change.
        inner = {**scope, "headers": [(k, v) for k, v in headers if k != b"accept-encoding" and k not in CONDITIONAL]}
        held: dict | None = None
        chunks: list[bytes] = []

        async def rewrite(message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                if message["status"] == 200 and kind.startswith(b"text/html"):
                    held = message
                    return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = with_base(b"".join(chunks))
            drop = {b"content-length", b"content-encoding", b"etag", b"last-modified", b"vary"}
            out = [(k, v) for k, v in held.get("headers", []) if k.lower() not in drop]
            if gzip_ok and len(body) >= GZIP_MIN_BYTES:
                body = gzip.compress(body, compresslevel=6, mtime=0)
                out.append((b"content-encoding", b"gzip"))
            out += [(b"vary", b"Accept-Encoding"), (b"content-length", str(len(body)).encode())]
            await send({**held, "headers": out})
            await send({"type": "http.response.body", "body": body})

        await self.app(inner, receive, rewrite)
