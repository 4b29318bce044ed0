"""Who reads this session: signed in (board members, staff, editors: the board view) or not (the public view);
and whether the page is embedded in another site (always the public view).

The audience comes from the session's sign-in alone: no link, parameter or cookie a visitor can set
grants it. A session counts only while it lasts and its account still exists with the key it signed
in with (ibcr_updates.accounts). Kept apart from ibcr_ui.editing so that every page can ask without
loading the editing code (the workbook reader and writer); the editing page ends a session that no
longer counts (editing.signed_in), and the upload guard checks the same things on its own.
"""

from __future__ import annotations

import time

import streamlit as st

from ibcr_updates import Editors

SESSION_KEY = "_editor"  # {"name": …, "until": epoch seconds, "key": the account's key, "role": …}


def signed_in(accounts: Editors | None = None) -> tuple[str, str] | None:
    """(name, role) of the account signed in on this session while the sign-in counts, else None (read only)."""
    session = st.session_state.get(SESSION_KEY)
    if not session or session["until"] < time.time():
        return None
    accounts = accounts or Editors.open()
    if session.get("key") is None or accounts.key(session["name"]) != session["key"]:
        return None
    return session["name"], accounts.role(session["name"]) or "board"


def embedded() -> bool:
    """True when the page is opened with Streamlit's `?embed=true` (in another site's frame): content only.

    Streamlit keeps `embed` out of st.query_params; st.context says whether the address carried it.
    """
    return bool(getattr(st.context, "is_embedded", False))


def audience() -> str:
    """The view this session may see: "board" for any signed-in account, else "public". An embedded page is
    always public: it is meant for other sites, whoever happens to be signed in where it is shown."""
    return "board" if signed_in() and not embedded() else "public"


def may_edit(accounts: Editors | None = None) -> bool:
    """Only a signed-in editor changes data (a board account reads the board view and nothing more)."""
    who = signed_in(accounts)
    return who is not None and who[1] == "editor"
