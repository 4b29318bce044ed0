"""The server as `make run` starts it, without a browser: a visitor cannot grow its memory through the upload
endpoint, and no page may be framed by another site, the editor's by none (issue 24)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import os
import sys
import time
import urllib.request
import uuid

import pytest

from tests.support import ROOT

from .conftest import Server

sys.path.insert(0, str(ROOT / "tests" / "load"))
from measures import Results  # noqa: E402
from wsclient import Session  # noqa: E402

PUTS = 40
SIZE = 10 * 2**20 - 4096  # just under server.maxUploadSize with the multipart envelope
ALLOWED_GROWTH_MB = 40  # measured: +1 MB (before: +402 MB, 200 -> 602 MB, every file kept)


def rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS"))


def put(port: int, session_id: str, cookies: dict[str, str]) -> int | str:
    """PUT one file to a session's upload route as st.file_uploader does: the HTTP status (or the error when
    the server answered before reading the body and closed)."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.xlsx\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + os.urandom(SIZE) + \
        f"\r\n--{boundary}--\r\n".encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(len(body)),
               "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
               "X-Xsrftoken": cookies.get("_streamlit_xsrf", ""), "Origin": f"http://127.0.0.1:{port}"}
    try:
        conn.request("PUT", f"/_stcore/upload_file/{session_id}/{uuid.uuid4().hex}", body=body, headers=headers)
        return conn.getresponse().status
    except (BrokenPipeError, ConnectionResetError) as exc:
        return type(exc).__name__
    finally:
        conn.close()


def test_a_visitor_cannot_grow_the_servers_memory_through_uploads(server: Server):
    port = int(server.url.rsplit(":", 1)[1])

    async def visitor() -> tuple[list, int, int]:
        s = Session(1, port, Results(), "en-CA", 60, 120)
        await s.connect()
        try:
            await s.rerun(None, "")  # a visitor on the Overview, signed in nowhere
            time.sleep(1)
            before = rss_mb(server.pid)
            statuses = [await asyncio.to_thread(put, port, s.session_id, s.cookies) for _ in range(PUTS)]
            time.sleep(1)
            return statuses, before, rss_mb(server.pid)
        finally:
            await s.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the browser tests keep a loop in this thread
        statuses, before, after = pool.submit(asyncio.run, visitor()).result()
    assert set(statuses) == {403}, statuses  # was 204: every file kept for the session's life
    assert after - before < ALLOWED_GROWTH_MB, (before, after)


@pytest.mark.parametrize("path, frame_options, ancestors", [
    ("/editor", "DENY", "frame-ancestors 'none'"),
    ("/", "SAMEORIGIN", "frame-ancestors 'self'"),
    ("/map?region=west_africa", "SAMEORIGIN", "frame-ancestors 'self'"),
])
def test_every_page_says_who_may_frame_it(server: Server, path, frame_options, ancestors):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(server.url + path, timeout=30) as resp:
        assert resp.headers["X-Frame-Options"] == frame_options
        assert resp.headers["Content-Security-Policy"] == ancestors
