"""The server's guards (ibcr_ui/guard.py) without a server: uploads only into a signed-in editor's session,
one file each, refused before the body is read; anti-framing headers, strictest on the editor's page;
and in AppTest, a session that ends when its account is removed (issue 24)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time

import pytest

from ibcr_ui import guard
from ibcr_updates.accounts import Editors
from ibcr_updates.store import Store
from tests.apptest import run
from tests.test_editing_app import PASSWORD, sign_in, uploaders

SESSION = "3f2a-session"


@pytest.fixture
def editors(tmp_path, monkeypatch):
    path = tmp_path / "editors.json"
    monkeypatch.setenv("IBCR_EDITORS_FILE", str(path))
    e = Editors.open(path)
    e.add("ana", PASSWORD)
    yield e
    guard.dismiss(SESSION)


class FakeFiles:
    def __init__(self):
        self.dropped = []

    def remove_session_files(self, session_id):
        self.dropped.append(session_id)


class FakeRuntime:
    def __init__(self, sessions):
        self.sessions = sessions
        self.uploaded_file_mgr = FakeFiles()

    def is_active_session(self, session_id):
        return session_id in self.sessions


def in_own_loop(coro):
    """Run a coroutine to its end in a thread of its own (a browser test may keep a loop in this one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def call(middleware_cls, method: str, path: str, runtime=None, monkeypatch=None):
    """One HTTP request through the middleware to an app that answers 204; (status, headers, app reached, body read)."""
    seen = {"app": False, "read": False}
    sent = []

    async def app(scope, receive, send):
        seen["app"] = True
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        seen["read"] = True
        return {"type": "http.request", "body": b"x" * 10, "more_body": False}

    async def send(message):
        sent.append(message)

    if monkeypatch is not None:
        monkeypatch.setattr(guard, "_runtime", lambda: runtime)
    scope = {"type": "http", "method": method, "path": path, "headers": []}
    in_own_loop(middleware_cls(app)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], dict(start["headers"]), seen["app"], seen["read"]


def test_a_visitors_upload_is_refused_before_its_body_is_read(editors, monkeypatch):
    runtime = FakeRuntime({SESSION})
    status, _, reached, read = call(guard.UploadGuard, "PUT", f"/_stcore/upload_file/{SESSION}/f1", runtime, monkeypatch)
    assert (status, reached, read) == (403, False, False)
    status, _, reached, _ = call(guard.UploadGuard, "PUT", "/_stcore/upload_file/unknown/f1", runtime, monkeypatch)
    assert (status, reached) == (204, True)  # an unknown session: Streamlit's own answer (400, unread)
    status, _, reached, _ = call(guard.UploadGuard, "GET", "/editor", runtime, monkeypatch)
    assert reached


def test_an_editors_session_uploads_one_file_at_a_time_until_it_ends(editors, monkeypatch):
    runtime = FakeRuntime({SESSION})
    guard.admit(SESSION, "ana", editors.key("ana"), time.time() + 60)
    status, _, reached, _ = call(guard.UploadGuard, "PUT", f"/_stcore/upload_file/{SESSION}/f2", runtime, monkeypatch)
    assert (status, reached) == (204, True)
    assert runtime.uploaded_file_mgr.dropped == [SESSION]  # the file before this one is dropped first
    guard.dismiss(SESSION)
    assert runtime.uploaded_file_mgr.dropped == [SESSION, SESSION]  # and every file when the session ends
    assert call(guard.UploadGuard, "PUT", f"/_stcore/upload_file/{SESSION}/f3", runtime, monkeypatch)[0] == 403


def test_an_expired_session_or_a_removed_account_may_not_upload(editors):
    guard.admit(SESSION, "ana", editors.key("ana"), time.time() - 1)
    assert not guard.may_upload(SESSION, editors)
    guard.admit(SESSION, "ana", editors.key("ana"), time.time() + 60)
    assert guard.may_upload(SESSION, editors)
    editors.remove("ana")
    editors.add("ana", PASSWORD)  # a reset password: the old sessions end
    assert not guard.may_upload(SESSION, editors)


def test_only_embeds_may_be_framed_by_another_site_and_the_editor_by_none():
    for path in ("/editor", "/embed/editor"):
        _, headers, _, _ = call(guard.FrameGuard, "GET", path)
        assert headers[b"x-frame-options"] == b"DENY"
        assert headers[b"content-security-policy"] == b"frame-ancestors 'none'"
    for path in ("/embed/map", "/embed/_stcore/health"):  # the process for embeds: the public view only
        _, headers, _, _ = call(guard.FrameGuard, "GET", path)
        assert b"x-frame-options" not in headers and headers[b"content-security-policy"] == b"frame-ancestors *"
    for path in ("/", "/map", "/embedded", "/static/world_110m.json"):
        _, headers, _, _ = call(guard.FrameGuard, "GET", path)
        assert headers[b"x-frame-options"] == b"SAMEORIGIN"
        assert headers[b"content-security-policy"] == b"frame-ancestors 'self'"


# 7. A session ends when its account is removed

@pytest.fixture
def store(tmp_path, monkeypatch, data_copy):
    root = tmp_path / "store"
    root.mkdir()
    monkeypatch.setenv("IBCR_DATA_DIR", str(root))
    monkeypatch.delenv("IBCR_EDITORS_FILE", raising=False)
    Store.open(root, create=True, seed=data_copy)
    Editors.open().add("ana", PASSWORD)
    return root


def test_a_removed_editor_is_signed_out_at_the_next_run(store):
    at = sign_in(run("editor"), "ana", PASSWORD)
    assert uploaders(at) == 1
    Editors.open().remove("ana")
    Editors.open().add("bea", PASSWORD)  # editing stays on, for others
    at = at.run()
    assert not at.exception and uploaders(at) == 0
    assert any("session ended" in i.value for i in at.info), [i.value for i in at.info]


def test_a_reset_password_ends_the_sessions_signed_in_with_the_old_one(store):
    at = sign_in(run("editor"), "ana", PASSWORD)
    assert uploaders(at) == 1
    Editors.open().remove("ana")
    Editors.open().add("ana", PASSWORD + " (new)")
    at = at.run()
    assert uploaders(at) == 0 and any("session ended" in i.value for i in at.info)


def test_a_read_only_store_gives_a_message_at_sign_in_not_an_error_box(store, monkeypatch):
    import errno
    import pathlib

    real_open = pathlib.Path.open

    def read_only(self, mode="r", *args, **kwargs):
        if "a" in mode or "w" in mode:
            raise PermissionError(errno.EROFS, "Read-only file system", str(self))
        return real_open(self, mode, *args, **kwargs)

    at = run("editor")
    monkeypatch.setattr(pathlib.Path, "open", read_only)
    at = sign_in(at, "ana", PASSWORD)  # the right password: the attempt cannot be counted, so it is not checked
    assert not at.exception and uploaders(at) == 0
    assert [e.value for e in at.error] == ["Sign-in is unavailable: the server cannot record sign-in attempts (its "
                                           "data folder is read-only or full). Tell the administrator."]
