"""Download buttons for the board and donor packs (PDF): the pack of what the reader is looking at.

The PDF is made only when the button is pressed (Streamlit runs the callable then), by ibcr_report,
which is imported at that moment so that no page pays for its start-up.
"""

from __future__ import annotations

import streamlit as st

from . import data
from .context import Context

PACK_LANGUAGES = ("en", "fr")  # as ibcr_report.PACK_LANGUAGES (not imported here: see the module docstring)


def pack_button(ctx: Context, label: str, kind: str, key: str | None = None, since: str | None = None) -> None:
    """A button that downloads the PDF pack of one scope (organisation, country, programme, funder)."""
    lang = ctx.lang if ctx.lang in PACK_LANGUAGES else "en"
    data_key = ctx.key

    def pdf() -> bytes:
        import ibcr_report

        return ibcr_report.build(data.dataset(data_key), kind, key, lang=lang, since=since,
                                 store=data.store(data_key.source))

    name = "-".join(["ibcr-pack", kind, *([key] if key else []), lang, *([f"since-{since}"] if since else [])])
    st.download_button(label, data=pdf, file_name=_safe(name) + ".pdf", mime="application/pdf", on_click="ignore",
                       key=f"pack_{kind}_{key or 'all'}_{since or ''}")
    if ctx.lang not in PACK_LANGUAGES:
        st.caption(ctx.t("packs.languages_note"))


def pack_choice(ctx: Context, choice_label: str, options: list[str], format_func, button_label: str, kind: str,
                key: str) -> None:
    """A choice of scope (a funder, a programme) beside one button for its pack.

    One control for many scopes, rather than a button on each card: the cards can then be one
    HTML element, which cannot hold a Streamlit button. Nothing to choose, no control.
    """
    if not options:
        return
    choice_col, button_col = st.columns([2, 2], vertical_alignment="bottom")
    chosen = choice_col.selectbox(choice_label, options=options, format_func=format_func, key=key)
    with button_col:
        pack_button(ctx, button_label, kind, chosen)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
