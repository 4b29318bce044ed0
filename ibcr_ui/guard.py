"""What the server lets through before any page runs: uploads only into a signed-in editor's session, one
file each, and the editor's page never inside another site's frame.

Two ASGI middlewares for `st.App` (app.py, which `make run` serves):

* UploadGuard: Streamlit accepts a file on `PUT /_stcore/upload_file/SESSION/FILE` for any session
  that has its cookie and token, on any page, signed in or not, and keeps it in memory until the
  session ends (Streamlit issues #6748, #9218, #12607). Here a PUT is refused with 403, before its
  body is read, unless the session is one where an editor signed in (`admit`) and whose account
  still exists; an editor's session keeps one file (the newest) and none once it ends (`dismiss`).
  A visitor's session thus holds no uploaded byte: the bound is 0 for visitors, and one file of at
  most server.maxUploadSize (10 MB) per editor's session.
* FrameGuard: Streamlit sends no anti-framing header. Every response says who may frame it: the
  editor's page nobody (`X-Frame-Options: DENY`, `frame-ancestors 'none'`), under any path; the pages
  of the process for embeds (`--server.baseUrlPath embed`, paths under /embed/, always the public
  view) any site; the other pages this site only.

NOTE: the sessions admitted are kept in this process: a session lives in one process (the proxy
keeps each visitor on one, deploy/nginx.conf), and so do its uploads.
"""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ibcr_updates.accounts import Editors

UPLOAD_PATH = re.compile(r"/_stcore/upload_file/([^/]+)/[^/]+/?$")
EDITOR_PATH = re.compile(r"(^|/)editor/?$")
EMBED_PATH = re.compile(r"^/embed(/|$)")
DENY = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'")]
SAME_SITE = [(b"x-frame-options", b"SAMEORIGIN"), (b"content-security-policy", b"frame-ancestors 'self'")]
ANY_SITE = [(b"content-security-policy", b"frame-ancestors *")]  # X-Frame-Options has no "any" value

_admitted: dict[str, tuple[str, str, float]] = {}  # session id -> (editor, account key, until)
_lock = threading.Lock()


def admit(session_id: str, name: str, key: str, until: float) -> None:
    """An editor signed in on this session: it may upload until `until` (while the account exists)."""
    with _lock:
        _admitted[session_id] = (name, key, until)


def dismiss(session_id: str) -> None:
    """The session signed out, expired or lost its account: no more uploads, and its files are dropped."""
    with _lock:
        _admitted.pop(session_id, None)
    _drop_files(session_id)


def may_upload(session_id: str, editors: Editors | None = None) -> bool:
    with _lock:
        found = _admitted.get(session_id)
    if found is None or found[2] < time.time():
        return False
    name, key, _ = found
    if editors is None:
        # NOTE: imported here, not above: the server imports this module before it listens, and
        # ibcr_updates brings pandas (0.5 s); an upload by a signed-in editor finds it loaded.
        from ibcr_updates.accounts import Editors  # noqa: PLC0415

        editors = Editors.open()
    return editors.key(name) == key


class UploadGuard:
    """ASGI middleware: uploads only into admitted sessions, one file per session."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "PUT":
            m = UPLOAD_PATH.search(scope["path"])
            if m:
                session_id = m.group(1)
                if not may_upload(session_id):
                    if _is_session(session_id):  # an unknown session gets Streamlit's own 400, unread
                        await _refuse(send, 403, b"Sign in as an editor to upload a file.")
                        return
                else:
                    _drop_files(session_id)  # the new file replaces the one before: one per session
        await self.app(scope, receive, send)


class FrameGuard:
    """ASGI middleware: anti-framing headers on every HTTP response, strictest on the editor's page."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        extra = DENY if EDITOR_PATH.search(path) else ANY_SITE if EMBED_PATH.match(path) else SAME_SITE

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *((k, v) for k, v in extra if k not in names)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _runtime():
    from streamlit import runtime

    return runtime.get_instance() if runtime.exists() else None


def _is_session(session_id: str) -> bool:
    rt = _runtime()
    return rt is not None and rt.is_active_session(session_id)


def _drop_files(session_id: str) -> None:
    rt = _runtime()
    if rt is not None:
        rt.uploaded_file_mgr.remove_session_files(session_id)
