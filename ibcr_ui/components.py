"""Small Streamlit pieces shared by the pages: cards, notices, headers, problem tables.

Text that comes from the data is escaped (text.md) before it reaches Markdown, so a record can
never inject a link, an image or HTML into the page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ibcr_data import Problem

from . import i18n
from .context import Context
from .text import md
from .theme import IBCR_BLUE, MUTED

# Captions in Streamlit's default grey are 4.15:1 on white; MUTED (theme.py) is 5.8:1 (WCAG AA asks 4.5:1).
CSS = f"""
<style>
  [data-testid="stMetricValue"] {{ font-size: 1.9rem; }}
  [data-testid="stCaptionContainer"] {{ opacity: 1 !important; }}
  [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ color: {MUTED}; line-height: 1.35; }}
  [data-testid="stCaptionContainer"] a {{ color: {IBCR_BLUE}; }}
  [data-testid="stMain"] h2 {{ font-size: 1.45rem; padding-top: 1.2rem; }}
  /* Touch targets of at least 24 px, apart (WCAG 2.2, 2.5.8): Plotly's mode bar, table toolbars. */
  .modebar-btn {{ min-height: 26px !important; min-width: 26px !important; box-sizing: border-box; }}
  [data-testid="stElementToolbar"] {{ gap: 6px; }}
  [data-testid="stElementToolbar"] button {{ min-width: 28px; min-height: 28px; }}
  [data-testid="stTabs"] [role="tabpanel"] {{ padding-top: 2rem; }}  /* a table's toolbar stays off the tabs */
  :focus-visible {{ outline: 3px solid {IBCR_BLUE} !important; outline-offset: 2px; }}
  .block-container {{ padding-top: 2.2rem; max-width: 1400px; }}
</style>
"""


def inject_css(lang: str) -> None:
    st.html(CSS)
    # NOTE: Streamlit writes <html lang="en"> on every page (streamlit#15726); screen readers need
    # the reader's language to pronounce French. The value is one of i18n.LANGUAGES, never data.
    st.html(f"<script>document.documentElement.lang = {lang!r};</script>", unsafe_allow_javascript=True)


def section(title: str) -> None:
    """A section heading (h2, under the page's h1: headings never skip a level)."""
    st.header(title, anchor=False)


def _problems_frame(problems, lang: str, file_label: str, line_label: str):
    t = lambda k: i18n.translate(lang, k)  # noqa: E731
    return pd.DataFrame([{
        file_label: p.file, line_label: p.line, t("problems.column"): p.column,
        t("problems.value"): p.value, t("problems.message"): p.message, t("problems.hint"): p.hint,
    } for p in problems])


def problems_table(problems: list[Problem], lang: str) -> None:
    """The data folder failed validation: every problem, and nothing else of the dashboard."""
    st.title(i18n.translate(lang, "problems.title"))
    st.error(i18n.translate_plural(lang, "problems.intro", len(problems)))
    st.dataframe(_problems_frame(problems, lang, i18n.translate(lang, "problems.file"),
                                 i18n.translate(lang, "problems.line")), hide_index=True, width="stretch")
    st.caption(i18n.translate(lang, "problems.how_to_check"))


def problems_list(ctx: Context, problems) -> None:
    """An upload was refused: every problem with its sheet, row, column, value and fix; nothing changed."""
    st.error(ctx.tn("problems.upload_intro", len(problems)))
    st.dataframe(_problems_frame(problems, ctx.lang, ctx.t("problems.sheet"), ctx.t("problems.row")),
                 hide_index=True, width="stretch")


def ignored_notice(ctx: Context) -> None:
    items = ", ".join(f"{md(i.key)}={md(i.value)}" for i in ctx.ignored[:10])
    more = len(ctx.ignored) - 10
    text = ctx.t("notice.ignored", items=items) + (ctx.tn("notice.more", more) if more > 0 else "")
    st.info(text, icon="ℹ️")


def human_line(text: str) -> None:
    st.markdown(f"**{md(text)}**")


def page_header(ctx: Context, title: str, line: str | None = None) -> None:
    """The page title, then the human line saying what is in view."""
    st.title(title)
    if line:
        human_line(line)


def card(title: str, value: str, captions: list[str], conflicts: list[str] | None = None,
         conflict_label: str = "") -> None:
    with st.container(border=True):
        st.metric(title, value)
        st.caption("\n\n".join(captions))  # one element, not one per line: fewer messages to draw
        if conflicts:
            with st.expander(f"⚠️ {conflict_label}"):
                st.caption("  \n".join(conflicts))
