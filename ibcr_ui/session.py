"""Who reads this session: signed in (board members, staff, editors: the board view) or not (the public view);
and whether the page is embedded in another site (always the public view).

The audience comes from the session's sign-in alone: no link, parameter or cookie a visitor can set
grants it. Kept apart from ibcr_ui.editing so that every page can ask without loading the editing
code (the workbook reader and writer).
"""

from __future__ import annotations

import time

import streamlit as st

SESSION_KEY = "_editor"  # {"name": …, "until": epoch seconds}; set by the sign-in form (ibcr_ui.editing)


def signed_in() -> str | None:
    """The account signed in on this session, or None (a session expires at its `until`)."""
    session = st.session_state.get(SESSION_KEY)
    if not session:
        return None
    if session["until"] < time.time():
        st.session_state.pop(SESSION_KEY, None)
        st.session_state["_editor_expired"] = True
        return None
    return session["name"]


def embedded() -> bool:
    """True when the page is opened with Streamlit's `?embed=true` (in another site's frame): content only.

    Streamlit keeps `embed` out of st.query_params; st.context says whether the address carried it.
    """
    return bool(getattr(st.context, "is_embedded", False))


def audience() -> str:
    """The view this session may see: "board" once signed in, else "public". An embedded page is always public:
    it is meant for other sites, whoever happens to be signed in where it is shown."""
    return "board" if signed_in() and not embedded() else "public"
