"""A new visitor's Overview painted at once from what a previous run drew, while the page runs for real.

A server's first visitor waits for pandas and the data (0.6 s of imports, then the run); every
later visitor of a fresh session waits for the run. Yet the Overview of a first visit (the public
view, no filters, the reader's language) is the same page every time the data and the code are the
same. So a run that drew it keeps what it sent to the browser (every element message, in order: the
stylesheet, the cards, the map, the milestones, the sidebar's words) in ibcr_data.kept's folder, with a
signature of what it was made from (one such page per data source shown lately: a store, a
folder): every file of the data folder shown, the store's log, where
IBCR_DATA_DIR points, and every source, translation and setting file of the dashboard (their
sizes and dates). The next first visit whose signature matches gets its first screen before the page
imports anything heavy (`paint`, the Overview's first line) and the rest once the imports are done
(`paint_rest`); then the page runs as always, and sends only the elements that differ from those
painted at the same place (the sidebar's controls): see _Painted. Anything that changed (a data
version, a file, a translation) changes the signature, and nothing is painted: a reader never sees
numbers the data no longer hold.

Only the public view is kept and painted: a first run has no sign-in, and `keep` records only a
public, unfiltered, unembedded run. Widgets are not replayed (each is an empty slot until the page
draws it): a widget answers only once the page has registered it.

NOTE: Streamlit has no public way to do this; the messages are its own protobufs (ForwardMsg), sent
through the run's context as every st.* call sends them. A Streamlit upgrade that changes them
changes the code's signature (the venv's streamlit version is part of it), and a painted page is
always followed by the real run, which sends every element that is not exactly the one painted at its
place: the worst case is a page drawn twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import threading
from pathlib import Path

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from ibcr_data import kept
from ibcr_present.i18n import DEFAULT_LANGUAGE, normalise_language

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
KIND = "prepaint"
CODE = ("dashboard.py", "app.py", "pages/*.py", "ibcr_*/**/*.py", "ibcr_*/**/*.po", ".streamlit/*.toml", "static/*")
# The first index of a delta path in the page's main area, its sidebar, and its event area, where
# Streamlit puts an st.html holding only styles (the page's stylesheet): Streamlit's RootContainer.MAIN,
# .SIDEBAR and .EVENT. Without the sidebar, a desktop drew the painted content full width, then
# narrowed it when the run drew the sidebar.
PAINTED_ROOTS = (0, 1, 2)
SHOWN = {"markdown", "html", "heading", "alert", "page_link", "empty", "text"}  # elements that only show
_RECORDER = "_ibcr_prepaint"  # the recorder's attribute on the run's context
_PAINTED = "_ibcr_painted"  # what was painted in this run (_Painted), on the run's context
LARGE = 16_000  # bytes: an element this large and those after it are painted second (_Painted)

page_drawn = threading.Event()  # set when a page run has drawn its page (shell.done): the launcher's warm-up waits for it


def _signature(inputs: dict) -> str:
    """Sizes and dates of every file the page is made from; IBCR_DATA_DIR; Streamlit's version."""
    h = hashlib.sha256(f"{st.__version__}|{os.environ.get('IBCR_DATA_DIR')}|{inputs['log']}".encode())
    files = [p for pattern in CODE for p in sorted(ROOT.glob(pattern))]
    folder = Path(inputs["folder"])
    files += sorted(folder.rglob("*")) if folder.is_dir() else []
    for p in [*files, Path(inputs["log"])]:
        try:
            s = p.stat()
        except OSError:
            h.update(f"{p}:absent;".encode())
            continue
        if p.is_file():
            h.update(f"{p}:{s.st_size}:{s.st_mtime_ns};".encode())
    return h.hexdigest()


def _first_visit() -> str | None:
    """The language of a first visit to the public, unfiltered Overview, or None when this run is not one."""
    if len(st.session_state) or getattr(st.context, "is_embedded", False):
        return None  # not a session's first run, or signed in (ibcr_ui.session), or embedded
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    if set(params) - {"lang"}:
        return None
    asked = params.get("lang", [None])[-1]
    lang = normalise_language(asked)
    if asked is not None and lang is None:
        return None  # the page will say the link's language is unknown
    return lang or normalise_language(getattr(st.context, "locale", None)) or DEFAULT_LANGUAGE


def paint(page_key: str) -> None:
    """At a page's first line: send the first screen of what a previous run drew for this first visit (the
    rest follows with `paint_rest`), or get ready to keep what this run draws."""
    ctx = get_script_run_ctx()
    lang = _first_visit()
    if ctx is None or lang is None or kept.cache_dir() is None:  # nothing to read, nowhere to keep
        return
    prefix = f"{page_key}-{lang}-"
    for name in kept.names(KIND, prefix):  # one per data source drawn lately (a store, a folder), newest first
        try:
            header, messages = (kept.read(KIND, name) or b"{}\n").split(b"\n", 1)
            made = json.loads(header)
            if made.get("signature") != _signature(made["inputs"]):
                continue
            painted = _Painted(ctx, [ForwardMsg.FromString(base64.b64decode(b64)) for b64 in json.loads(messages)])
        except Exception:  # a damaged file paints nothing: the page runs as always
            log.warning("could not paint %s from what was kept", name, exc_info=True)
            kept.forget(KIND, name)
            continue
        painted.first_screen()
        return
    _record(ctx, prefix)


def paint_rest() -> None:
    """Send the rest of the painted page (from its first large element on), once the page has imported
    what it needs: the browser draws the first screen meanwhile. A no-op when nothing was painted."""
    ctx = get_script_run_ctx()
    painted = getattr(ctx, _PAINTED, None) if ctx is not None else None
    if painted is not None:
        painted.rest()


class _Painted:
    """A painted page on its way to the browser, and the run's own messages that would only repeat it.

    In two parts: the page's settings, styles and sidebar with the main area up to its first large
    element (LARGE: the Overview's map, 80 KB of markup that the browser parses for 0.1-0.2 s),
    then, with `rest`, everything after. Sent together, the browser drew them in one go and the cards
    appeared only once the map was drawn. Then, for the rest of the run, no element is sent that the
    browser already shows at the same place: it draws only what the run changes (the sidebar's
    controls, in place of their empty slots), not the whole page a second time. The painted elements
    came in this run, so Streamlit keeps them at its end like the run's own.
    """

    def __init__(self, ctx, messages: list[ForwardMsg]) -> None:
        self.ctx, self.send, self.run = ctx, ctx.enqueue, ctx.cursors
        self.shown: dict[tuple[int, ...], bytes] = {}
        at = next((i for i, m in enumerate(messages) if m.WhichOneof("type") == "delta"
                   and m.metadata.delta_path[0] == 0 and m.ByteSize() > LARGE), len(messages))
        self.later = [m for m in messages[at:] if m.WhichOneof("type") == "delta" and m.metadata.delta_path[0] == 0]
        later = {id(m) for m in self.later}
        self.now = [m for m in messages if id(m) not in later]

    def first_screen(self) -> None:
        self._send(self.now)
        self.ctx.enqueue = self._enqueue
        setattr(self.ctx, _PAINTED, self)

    def rest(self) -> None:
        later, self.later = self.later, []
        if self.ctx.cursors is self.run:
            self._send(later)

    def _send(self, messages: list[ForwardMsg]) -> None:
        for msg in messages:
            self.send(msg)
            if msg.WhichOneof("type") == "delta":
                self.shown[tuple(msg.metadata.delta_path)] = msg.delta.SerializeToString()

    def _enqueue(self, msg: ForwardMsg) -> None:
        if self.ctx.cursors is not self.run:  # a later run: every message again, as Streamlit sends it
            del self.ctx.enqueue
            vars(self.ctx).pop(_PAINTED, None)
        elif (msg.WhichOneof("type") == "delta"
              and self.shown.get(tuple(msg.metadata.delta_path)) == msg.delta.SerializeToString()):
            return
        self.send(msg)


def _record(ctx, prefix: str) -> None:
    """Copy each main-area message of this run (widgets as empty slots) until `keep` is called."""
    messages: list[bytes] = []
    send = ctx.enqueue
    this_run = ctx.cursors  # a new dict at each run (ScriptRunContext.reset): how a later run is told apart

    def enqueue(msg: ForwardMsg) -> None:
        send(msg)  # first: Streamlit fills in the message's hash
        if ctx.cursors is not this_run:  # the run ended before `keep` (an error, st.stop): record no more
            _stop(ctx)
            return
        kind = msg.WhichOneof("type")
        if kind == "page_config_changed":
            messages.append(msg.SerializeToString())
        elif (kind == "delta" and msg.delta.WhichOneof("type") in ("new_element", "add_block")
              and msg.metadata.delta_path and msg.metadata.delta_path[0] in PAINTED_ROOTS):
            copy = ForwardMsg()
            copy.CopyFrom(msg)
            delta = copy.delta
            if delta.WhichOneof("type") == "new_element" and delta.new_element.WhichOneof("type") not in SHOWN:
                delta.new_element.Clear()
                delta.new_element.empty.SetInParent()
                copy.ClearField("hash")
            messages.append(copy.SerializeToString())

    ctx.enqueue = enqueue
    setattr(ctx, _RECORDER, (prefix, messages))


def _stop(ctx) -> None:
    """The run's own enqueue again, and no recorder."""
    if _RECORDER in vars(ctx):
        delattr(ctx, _RECORDER)
        del ctx.enqueue


def keep(folder: Path, log_file: Path, public_first_visit: bool) -> None:
    """At the end of a page's main area: keep what this run sent, if it was a public first visit."""
    ctx = get_script_run_ctx()
    recorder = getattr(ctx, _RECORDER, None) if ctx is not None else None
    if recorder is None:
        return
    _stop(ctx)
    if not public_first_visit:
        return
    prefix, messages = recorder
    inputs = {"folder": str(Path(folder).resolve()), "log": str(Path(log_file).resolve())}
    source = hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:12]
    header = json.dumps({"signature": _signature(inputs), "inputs": inputs})
    body = json.dumps([base64.b64encode(m).decode("ascii") for m in messages])
    kept.keep(KIND, prefix + source, (header + "\n" + body).encode())
