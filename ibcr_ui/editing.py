"""Editors' sign-in on the dashboard: a form, a session that ends, and nothing for anyone else.

Passwords are checked by ibcr_updates.accounts (argon2 hashes, throttling kept in the accounts
file); this module keeps who is signed in, with which account key and until when, in the session,
and tells the server's upload guard (guard.py) which sessions may upload. A session ends when it
expires, when the editor signs out, and when the account is removed (or its password reset): each
run checks the account is still the one signed in with.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ibcr_data import Problem, ValidationError
from ibcr_updates.accounts import SESSION_MINUTES, Editors
from ibcr_updates.files import NotWritten
from ibcr_updates.store import Conflict, Store, Version

from . import guard
from .context import Context
from .session import SESSION_KEY

log = logging.getLogger(__name__)


def signed_in(editors: Editors) -> str | None:
    """The account signed in on this session, or None: a session ends SESSION_MINUTES after sign-in, and
    as soon as its account is removed or its password reset (the pages' view follows session.audience)."""
    session = st.session_state.get(SESSION_KEY)
    if not session:
        return None
    if session["until"] < time.time():
        end_session("editor.expired")
        return None
    if editors.key(session["name"]) != session.get("key"):
        end_session("editor.ended")
        return None
    return session["name"]


def end_session(reason: str | None = None) -> None:
    """Sign out: the upload checked in this session, its uploaded files and its right to upload go too."""
    st.session_state.pop(SESSION_KEY, None)
    discard()
    guard.dismiss(_session_id())
    if reason:
        st.session_state["_editor_ended"] = reason


def client_address() -> str:
    """Where the sign-in comes from, for throttling: the connection's address; behind the proxy on this
    machine (Streamlit gives no address for a loopback connection), the address the proxy saw, from
    the X-Real-IP header that deploy/nginx.conf sets (a client cannot choose it through the proxy)."""
    ip = st.context.ip_address
    if not isinstance(ip, str):  # None on loopback (AppTest gives a stand-in object)
        ip = st.context.headers.get("X-Real-Ip") or "this machine"
    return ip


def sign_in_form(ctx: Context, editors: Editors) -> None:
    ended = st.session_state.pop("_editor_ended", None)
    if ended == "editor.expired":
        st.info(ctx.t("editor.expired"))
    elif ended:
        st.info(ctx.t("editor.ended"))
    with st.form("sign_in"):
        name = st.text_input(ctx.t("editor.name"), autocomplete="username")
        password = st.text_input(ctx.t("editor.password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(ctx.t("editor.sign_in"))
    if not submitted:
        return
    try:
        attempt = editors.attempt(name.strip(), password, client_address())
    except NotWritten:
        log.exception("a sign-in could not be counted")
        st.error(ctx.t("editor.unavailable"))
        return
    if attempt.ok:
        until = time.time() + SESSION_MINUTES * 60
        st.session_state[SESSION_KEY] = {"name": name.strip(), "until": until, "key": attempt.key}
        if editors.role(name.strip()) == "editor":  # only an editor's session may upload
            guard.admit(_session_id(), name.strip(), attempt.key, until)
        st.rerun()
    elif attempt.locked:
        st.error(ctx.tn("editor.locked", max(1, round(attempt.retry_after / 60))))
    elif attempt.retry_after:
        st.error(ctx.tn("editor.wait", max(1, round(attempt.retry_after))))
    else:
        st.error(ctx.t("editor.refused"))


def _session_id() -> str:
    run = get_script_run_ctx()
    return run.session_id if run is not None else ""


def session_line(ctx: Context, name: str) -> None:
    until = time.strftime("%H:%M", time.localtime(st.session_state[SESSION_KEY]["until"]))
    cols = st.columns([4, 1])
    cols[0].caption(ctx.t("editor.signed_in", name=name, until=until))
    if cols[1].button(ctx.t("editor.sign_out"), width="stretch"):
        end_session()
        st.rerun()


@dataclass(frozen=True)
class Checked:
    """An upload read and checked against one version: a candidate folder, or the problems found.

    NOTE: the session keeps only this small record (a folder path, no tables); the comparison is
    worked out from the folder on each run.
    """

    key: tuple[str, str]  # (upload id, version it was checked against)
    base: str
    folder: str | None
    problems: tuple[Problem, ...]


def checked_upload(upload, store: Store, current: Version) -> Checked:
    """Read and check an upload once per file and version (a new version means checking it again)."""
    key = (upload.file_id, current.id)
    cached: Checked | None = st.session_state.get("_checked")
    if cached and cached.key == key:
        return cached
    discard()
    from ibcr_updates.upload import read_upload  # noqa: PLC0415  (openpyxl: for editors only, see pages/8_editor.py)

    result = read_upload(upload.name, upload.getvalue(), store.load(current.id))
    checked = Checked(key, current.id, str(result.folder) if result.ok else None, tuple(result.problems))
    if not result.ok:
        result.discard()
    st.session_state["_checked"] = checked
    return checked


def discard() -> None:
    """Drop the checked upload of this session and its candidate folder."""
    old: Checked | None = st.session_state.pop("_checked", None)
    if old and old.folder:
        shutil.rmtree(old.folder, ignore_errors=True)


def accept(ctx: Context, store: Store, checked: Checked, who: str, note: str) -> None:
    try:
        version = store.accept(Path(checked.folder), base=checked.base, who=who, note=note.strip())
    except Conflict as exc:  # another editor accepted first: compare again with what is current now
        st.session_state.pop("_checked", None)
        st.session_state["_editor_notice"] = ("warning", ctx.t("editor.conflict", current=exc.current.id,
                                                                who=exc.current.who))
    except (ValueError, ValidationError) as exc:
        st.session_state["_editor_notice"] = ("error", str(exc))
    except NotWritten:
        log.exception("an accepted upload could not be written")
        st.session_state["_editor_notice"] = ("error", ctx.t("editor.not_written"))
    else:
        discard()
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1  # a fresh upload box
        st.session_state["_editor_notice"] = ("success", ctx.t("editor.accepted", id=version.id))
    st.rerun()


def notice(ctx: Context) -> None:
    """The outcome of the last action (kept across the rerun that follows it)."""
    found = st.session_state.pop("_editor_notice", None)
    if found:
        kind, message = found
        getattr(st, kind)(message)


def name_form(ctx: Context, store: Store, versions: list[Version], who: str) -> None:
    with st.form("name_version"):
        st.markdown("**" + ctx.t("editor.name_title") + "**")
        ref = st.selectbox(ctx.t("versions.id"), [v.id for v in versions])
        name = st.text_input(ctx.t("editor.name_label"), max_chars=80, placeholder=ctx.t("editor.name_example"))
        if st.form_submit_button(ctx.t("editor.name_button")) and name.strip():
            _do(ctx, lambda: store.name(ref, name.strip(), who), ctx.t("editor.named", id=ref, name=name.strip()))


def restore_form(ctx: Context, store: Store, versions: list[Version], who: str) -> None:
    older = [v.id for v in versions[1:]]
    if not older:
        return
    with st.form("restore_version"):
        st.markdown("**" + ctx.t("editor.restore_title") + "**")
        ref = st.selectbox(ctx.t("versions.id"), older)
        note = st.text_input(ctx.t("editor.note"), max_chars=300)
        sure = st.checkbox(ctx.t("editor.restore_sure"))
        if st.form_submit_button(ctx.t("editor.restore_button")) and sure and note.strip():
            current = versions[0].id
            _do(ctx, lambda: store.restore(ref, who=who, note=note.strip(), base=current),
                ctx.t("editor.restored", id=ref))


def _do(ctx: Context, action, success: str) -> None:
    try:
        action()
    except Conflict as exc:
        st.session_state["_editor_notice"] = ("warning", ctx.t("editor.conflict", current=exc.current.id,
                                                                who=exc.current.who))
    except (ValueError, KeyError, ValidationError) as exc:
        st.session_state["_editor_notice"] = ("error", str(exc).strip("'\""))
    except NotWritten:
        log.exception("a change to the store could not be written")
        st.session_state["_editor_notice"] = ("error", ctx.t("editor.not_written"))
    else:
        st.session_state["_editor_notice"] = ("success", success)
    st.rerun()
