"""Small Streamlit pieces shared by the pages: cards, notices, source lines, problem tables.

Text that comes from the data is escaped before it reaches Markdown, so a record can never
inject a link, an image or HTML into the page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from ibcr_data import Figure, Problem

from . import i18n

if TYPE_CHECKING:
    from .state import Context

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")

CSS = """
<style>
  [data-testid="stMetricValue"] { font-size: 1.9rem; }
  [data-testid="stCaptionContainer"] p { line-height: 1.35; }
  .block-container { padding-top: 2.2rem; max-width: 1400px; }
</style>
"""


def md(text) -> str:
    """Escape text from the data so Markdown shows it literally."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def inject_css() -> None:
    st.html(CSS)


def problems_table(problems: list[Problem], lang: str) -> None:
    t = lambda k, **kw: i18n.translate(lang, k, **kw)  # noqa: E731
    st.title(t("problems.title"))
    st.error(t("problems.intro", n=len(problems)))
    rows = pd.DataFrame([{
        t("problems.file"): p.file, t("problems.line"): p.line, t("problems.column"): p.column,
        t("problems.value"): p.value, t("problems.message"): p.message, t("problems.hint"): p.hint,
    } for p in problems])
    st.dataframe(rows, hide_index=True, width="stretch")
    st.caption(t("problems.how_to_check"))


def ignored_notice(ctx: Context) -> None:
    items = ", ".join(f"{md(i.key)}={md(i.value)}" for i in ctx.ignored[:10])
    more = len(ctx.ignored) - 10
    text = ctx.t("notice.ignored", items=items) + (ctx.t("notice.more", n=more) if more > 0 else "")
    st.info(text, icon="ℹ️")


def human_line(text: str) -> None:
    st.markdown(f"**{md(text)}**")


def source_link(ctx: Context, source_id: str) -> str:
    """Markdown for one source: its title, linked when it has a public address."""
    if source_id not in ctx.names.sources:
        return md(source_id)
    title, url = ctx.names.sources[source_id]
    title = md(title)
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f"[{title}]({url.replace(')', '%29').replace(' ', '%20')})"
    return f"*{title}*"


def figure_value(ctx: Context, fig: Figure) -> str:
    if fig.value is None:
        return "—"
    if fig.qualifier == "range" and fig.value_max is not None:
        return f"{i18n.number(ctx.lang, fig.value)}–{i18n.number(ctx.lang, fig.value_max)}"
    return ctx.t(f"qualifier_short.{fig.qualifier}", n=i18n.compact(ctx.lang, fig.value))


def figure_caption(ctx: Context, fig: Figure) -> tuple[list[str], list[str]]:
    """How a reported figure was counted and where it comes from; then what disagrees with it."""
    lines = [ctx.t(f"qualifier_long.{fig.qualifier}", n=i18n.number(ctx.lang, fig.value)) + " · "
             + ctx.t(f"scope_card.{fig.scope}", period=md(fig.period_fr if ctx.lang == "fr" else fig.period_en))]
    note = fig.note_fr if ctx.lang == "fr" else fig.note_en
    if note:
        lines.append(md(note))
    marks = [ctx.t("card.estimate")] if fig.is_estimate else []
    marks.append(ctx.t("card.confidence", level=ctx.label("confidence", fig.confidence)))
    lines.append(" · ".join(marks))
    lines.append(ctx.t("card.source") + " " + ", ".join(source_link(ctx, s) for s in fig.source_ids))
    conflicts = []
    for alt in fig.alternatives:
        alt_text = ctx.t(f"qualifier_long.{alt.qualifier}", n=i18n.number(ctx.lang, alt.value))
        if alt.is_target:
            alt_text += " " + ctx.t("card.target_suffix")
        conflicts.append(ctx.t("card.conflict", value=alt_text, period=md(alt.period_fr if ctx.lang == "fr" else alt.period_en),
                               source=", ".join(source_link(ctx, s) for s in alt.source_ids)))
    return lines, conflicts


def card(title: str, value: str, captions: list[str], conflicts: list[str] | None = None,
         conflict_label: str = "") -> None:
    with st.container(border=True):
        st.metric(title, value)
        st.caption("\n\n".join(captions))  # one element, not one per line: fewer messages to draw
        if conflicts:
            with st.expander(f"⚠️ {conflict_label}"):
                st.caption("  \n".join(conflicts))


def confidence_mark(ctx: Context, code: str) -> str:
    symbol = {"exact": "●", "approximate": "◐", "inferred": "○"}.get(code, "?")
    return f"{symbol} {ctx.label('confidence', code)}"
