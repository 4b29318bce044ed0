"""One browser-like client of Streamlit's websocket protocol: connect, send a rerun, read it to its end.

Protocol notes (Streamlit 1.67, Starlette/uvicorn server; see streamlit/web/server/starlette/
starlette_websocket.py and streamlit/runtime/app_session.py):
- the socket is ws://HOST:PORT/_stcore/stream with subprotocol "streamlit". The server reads a
  second subprotocol entry as an XSRF token, but only to trust auth cookies; an anonymous client
  needs none. The Origin header must match the Host (same-origin), as a browser's does;
- the client sends binary BackMsg frames; the browser's first message is a `rerun_script` with a
  ClientState (query string, page hash, context info, widget states, cached message hashes);
- the server sends one ForwardMsg per binary frame (runtime_util.serialize_forward_msg); a run is
  `new_session` ... deltas ... `script_finished`. FINISHED_EARLY_FOR_RERUN means the run was
  replaced (st.rerun / st.switch_page) and the real end is still to come;
- like the browser (ForwardMsgCache), the client keeps messages marked `metadata.cacheable`, sends
  their hashes with each rerun, resolves `ref_hash` references from that cache, and forgets entries
  not used in the last `global.maxCachedMessageAge` (2) runs;
- a legacy pages/ app runs through st.navigation internally (script_runner._mpa_v1): `new_session`
  names only the entry script, and the `navigation` message carries the page list (page_script_hash,
  url_pathname; the default page's url_pathname is empty) and the hash of the page this run shows.

Behind a proxy the client first fetches the page and the health check, as a browser does, and sends
back the cookies it was given (deploy/nginx.conf keeps each visitor on one process by a cookie).

The client depends on the protocol and on each run's end only, never on what the pages draw: the
only element it looks at is an Exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie

from measures import Results
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

HOST = "127.0.0.1"  # loopback only, by design: there is no option to change it
MAX_CACHED_MESSAGE_AGE = 2  # streamlit config global.maxCachedMessageAge (default)
MAX_WS_MESSAGE = 200 * 1024 * 1024  # streamlit config server.maxMessageSize (default 200 MB)
FINAL_STATUSES = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
STATUS_NAMES = {v.number: v.name for v in ForwardMsg.DESCRIPTOR.enum_types_by_name["ScriptFinishedStatus"].values}

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Page:
    script_hash: str
    name: str  # url_pathname: "map", "country", ...; the entry page's script name ("dashboard")
    is_default: bool = False


class SessionError(Exception):
    """A failure that ends the current connection (the session reconnects)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def _get(port: int, path: str, cookies: dict[str, str], timeout: float) -> None:
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", headers=_cookie_header(cookies))
    try:
        with _NO_PROXY.open(req, timeout=timeout) as resp:
            resp.read()
            jar = SimpleCookie()
            for header in resp.headers.get_all("Set-Cookie") or ():
                jar.load(header)
    except OSError as exc:
        raise SessionError("connect", f"GET {path}: {type(exc).__name__}: {exc}") from exc
    cookies.update({k: m.value for k, m in jar.items()})


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def browser_cookies(port: int, timeout: float) -> dict[str, str]:
    """The cookies a browser holds after loading the app: the page's (nginx's sticky cookie), then
    the health check's (Streamlit's XSRF cookie, which the frontend fetches before connecting)."""
    cookies: dict[str, str] = {}
    _get(port, "/", cookies, timeout)
    _get(port, "/_stcore/health", cookies, timeout)
    return cookies


class Session:
    """One websocket connection to the app, as one browser tab holds it."""

    def __init__(self, sid: int, port: int, results: Results, locale: str, msg_timeout: float,
                 rerun_timeout: float) -> None:
        self.sid = sid
        self.port = port
        self.results = results
        self.locale = locale
        self.msg_timeout = msg_timeout
        self.rerun_timeout = rerun_timeout
        self.ws: ClientConnection | None = None
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run when last used)
        self.runs = 0
        self.pages: list[Page] = []
        self.current: tuple[str, str] = ("", "")  # (page, query) of the rerun in progress
        self.cookies: dict[str, str] = {}
        self.session_id = ""  # the server's id of this session (new_session)

    @property
    def main_hash(self) -> str:
        return next((p.script_hash for p in self.pages if p.is_default), "")

    async def connect(self) -> None:
        self.current = ("(connect)", "")
        self.cookies = await asyncio.to_thread(browser_cookies, self.port, self.msg_timeout)
        url = f"ws://{HOST}:{self.port}/_stcore/stream"
        try:
            self.ws = await asyncio.wait_for(
                connect(url, subprotocols=["streamlit"], origin=f"http://{HOST}:{self.port}", proxy=None,
                        max_size=MAX_WS_MESSAGE, ping_interval=None, open_timeout=self.msg_timeout,
                        close_timeout=5, user_agent_header="ibcr-loadtest",
                        additional_headers=_cookie_header(self.cookies)),
                timeout=self.msg_timeout + 5)
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise SessionError("connect", f"{type(exc).__name__}: {exc}") from exc
        self.cache.clear()
        self.runs = 0

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), timeout=5)
            self.ws = None

    def _back_msg(self, page: Page | None, query: str) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_script_hash = page.script_hash if page else ""
        cs.page_name = ""
        cs.widget_states.SetInParent()  # empty: every filter comes from the link
        cs.cached_message_hashes.extend(self.cache)
        ci = cs.context_info
        ci.timezone = "America/Toronto"
        ci.timezone_offset = 300
        ci.locale = self.locale
        path = "" if page is None or page.script_hash == self.main_hash else page.name
        ci.url = f"http://{HOST}:{self.port}/{path}" + (f"?{query}" if query else "")
        ci.is_embedded = False
        ci.color_scheme = "light"
        return msg.SerializeToString()

    def _resolve(self, fm: ForwardMsg, page_label: str, query: str) -> ForwardMsg | None:
        """Apply the browser's message cache; None when a reference cannot be resolved."""
        if fm.WhichOneof("type") == "ref_hash":
            hit = self.cache.get(fm.ref_hash)
            if hit is None:
                self.results.error("cache_miss", self.sid, page_label, query, fm.ref_hash)
                return None
            self.cache[fm.ref_hash] = (hit[0], self.runs)
            self.results.ref_hits += 1
            return hit[0]
        if fm.metadata.cacheable and fm.hash:
            self.cache[fm.hash] = (fm, self.runs)
        return fm

    def _expire_cache(self) -> None:
        self.runs += 1
        for h in [h for h, (_, used) in self.cache.items() if self.runs - used > MAX_CACHED_MESSAGE_AGE]:
            del self.cache[h]

    async def _recv(self, t0: float, deadline: float) -> ForwardMsg:
        remaining = min(self.msg_timeout, deadline - time.perf_counter())
        if remaining <= 0:
            raise SessionError("timeout", f"no script_finished within {self.rerun_timeout} s")
        try:
            raw = await asyncio.wait_for(self.ws.recv(), timeout=remaining)
        except TimeoutError as exc:
            waited = time.perf_counter() - t0
            raise SessionError("timeout", f"no message for {remaining:.0f} s ({waited:.0f} s into the rerun)") from exc
        except ConnectionClosed as exc:
            raise SessionError("disconnected", f"code={exc.rcvd.code if exc.rcvd else None} {exc}") from exc
        if isinstance(raw, str):
            raise SessionError("protocol", f"text frame: {raw[:200]!r}")
        try:
            return ForwardMsg.FromString(raw)
        except Exception as exc:  # noqa: BLE001 - any decode failure is a protocol error
            raise SessionError("protocol", f"unparseable ForwardMsg ({len(raw)} bytes): {exc}") from exc

    async def rerun(self, page: Page | None, query: str) -> float:
        """Send one rerun_script and read until its script_finished; return the latency in seconds."""
        assert self.ws is not None
        label = page.name if page else "(entry)"
        self.current = (label, query)
        payload = self._back_msg(page, query)
        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(self.ws.send(payload), timeout=self.msg_timeout)
        except TimeoutError as exc:
            raise SessionError("timeout", f"send took over {self.msg_timeout} s") from exc
        except ConnectionClosed as exc:
            raise SessionError("disconnected", f"while sending: {exc}") from exc
        deadline = t0 + self.rerun_timeout
        ran_hash = None
        while True:
            fm = self._resolve(await self._recv(t0, deadline), label, query)
            if fm is None:
                continue
            what = fm.WhichOneof("type")
            if what == "new_session":
                self.session_id = fm.new_session.initialize.session_id or self.session_id
            elif what == "navigation":
                ran_hash = fm.navigation.page_script_hash
                if not self.pages and fm.navigation.app_pages:
                    self.pages = [Page(p.page_script_hash, p.url_pathname or p.page_name, p.is_default)
                                  for p in fm.navigation.app_pages]
            elif what == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun / st.switch_page: the real end is still to come
                latency = time.perf_counter() - t0
                self._expire_cache()
                self.results.reruns += 1
                if status not in FINAL_STATUSES:
                    self.results.error("status", self.sid, label, query, STATUS_NAMES.get(status, str(status)))
                elif page is not None and ran_hash is not None and ran_hash != page.script_hash:
                    self.results.error("wrong_page", self.sid, label, query, f"server ran {ran_hash}")
                return latency
            else:
                self._check(fm, what, label, query)

    def upload(self, payload: bytes = b"x") -> int:
        """PUT a small file to this session's upload route, as st.file_uploader does; the HTTP status.

        The process that holds the websocket is the only one that knows the session: behind a proxy
        that is not sticky, the upload reaches another process about half the time and gets 400.
        """
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"probe.txt\"\r\n"
                f"Content-Type: text/plain\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
        headers = {**_cookie_header(self.cookies), "Content-Type": f"multipart/form-data; boundary={boundary}",
                   "X-Xsrftoken": self.cookies.get("_streamlit_xsrf", ""), "Origin": f"http://{HOST}:{self.port}"}
        req = urllib.request.Request(f"http://{HOST}:{self.port}/_stcore/upload_file/{self.session_id}/"
                                     f"{uuid.uuid4().hex}", data=body, headers=headers, method="PUT")
        try:
            with _NO_PROXY.open(req, timeout=self.msg_timeout) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def _check(self, fm: ForwardMsg, what: str, label: str, query: str) -> None:
        """Count what a browser would show as an error; note source edits."""
        if what == "delta":
            el = fm.delta.new_element if fm.delta.WhichOneof("type") == "new_element" else None
            if el is not None and el.WhichOneof("type") == "exception":
                ex = el.exception
                detail = f"{ex.type}: {ex.message}".strip()
                if ex.stack_trace:
                    detail += " | " + " / ".join(ex.stack_trace[-4:])
                self.results.error("exception_warning" if ex.is_warning else "exception",
                                   self.sid, label, query, detail)
        elif what == "page_not_found":
            self.results.error("page_not_found", self.sid, label, query, fm.page_not_found.page_name)
        elif what == "session_event":
            ev = fm.session_event
            which = ev.WhichOneof("type")
            if which == "script_compilation_exception":
                ex = ev.script_compilation_exception
                self.results.error("compile_exception", self.sid, label, query, f"{ex.type}: {ex.message}")
            elif which == "script_changed_on_disk":
                self.results.notes["script_changed_on_disk"] += 1
            elif which == "script_was_manually_stopped":
                self.results.error("stopped", self.sid, label, query, "script_was_manually_stopped")
