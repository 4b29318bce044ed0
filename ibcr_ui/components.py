"""Small Streamlit pieces shared by the pages: cards, notices, headers, problem tables.

Text that comes from the data is escaped (text.md) before it reaches Markdown, so a record can
never inject a link, an image or HTML into the page.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ibcr_data import Problem
from ibcr_present import i18n
from ibcr_present.text import md
from ibcr_present.theme import IBCR_BLUE, LAND, MUTED, TEXT

from .context import Context

# Captions in Streamlit's default grey are 4.15:1 on white; MUTED (theme.py) is 5.8:1 (WCAG AA asks 4.5:1).
CSS = f"""
<style>
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
  /* Headline cards and milestone lists (ibcr_present.blocks): one HTML element each. */
  .ibcr-cards {{ display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1rem; margin-bottom: 1rem; }}
  @media (max-width: 1100px) {{ .ibcr-cards {{ grid-template-columns: repeat(2, minmax(0, 1fr)); }} }}
  @media (max-width: 520px) {{ .ibcr-cards {{ grid-template-columns: 1fr; }} }}
  .ibcr-card {{ border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.9rem 1rem; }}
  .ibcr-card p {{ margin: 0; }}
  .ibcr-card-label {{ font-size: 0.875rem; color: {TEXT}; }}
  .ibcr-card-value {{ font-size: 1.9rem; line-height: 1.25; padding: 0.15rem 0 0.45rem; color: {TEXT}; }}
  .ibcr-card-caption p, .ibcr-conflicts p, .ibcr-milestone-body p {{ font-size: 0.875rem; color: {MUTED};
      line-height: 1.35; margin: 0 0 0.35rem; }}
  .ibcr-card a, .ibcr-milestones a {{ color: {IBCR_BLUE}; }}
  .ibcr-conflicts summary {{ cursor: pointer; font-size: 0.875rem; min-height: 24px; padding-top: 0.2rem; }}
  [data-testid="stHtml"] ul.ibcr-milestones {{ list-style: none; padding: 0; margin: 0; display: grid; gap: 0.9rem 3rem; }}
  .ibcr-milestones li {{ margin: 0; }}
  .ibcr-milestone-head {{ margin: 0 0 0.2rem; }}
  .ibcr-columns-2 {{ grid-template-columns: repeat(2, minmax(0, 1fr)); }}
  @media (max-width: 640px) {{ .ibcr-columns-2 {{ grid-template-columns: 1fr; }} }}
  /* Plain tables (blocks.table_html), folded like Streamlit's expanders when they have a summary. */
  .ibcr-details {{ border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.55rem 1rem;
      margin: 0.5rem 0 1rem; }}
  .ibcr-details summary {{ cursor: pointer; min-height: 24px; }}
  .ibcr-details[open] summary {{ margin-bottom: 0.6rem; }}
  .ibcr-table-wrap {{ overflow-x: auto; max-height: 28rem; overflow-y: auto; }}
  table.ibcr-table {{ border-collapse: collapse; width: 100%; font-size: 0.875rem; color: {TEXT}; }}
  table.ibcr-table th {{ text-align: left; font-weight: 600; border-bottom: 2px solid rgba(49, 51, 63, 0.2);
      padding: 0.3rem 0.6rem; position: sticky; top: 0; background: #FFFFFF; }}
  table.ibcr-table td {{ border-bottom: 1px solid rgba(49, 51, 63, 0.1); padding: 0.3rem 0.6rem; }}
  table.ibcr-table .num {{ text-align: right; font-variant-numeric: tabular-nums; }}
  /* Tables to read (ibcr_ui.tables): as wide as their columns need, scrolled inside their own box (a phone too). */
  .ibcr-table-wrap[data-ibcr-table] {{ max-height: 36rem; }}
  [data-ibcr-table] table.ibcr-table {{ width: auto; min-width: 100%; }}
  [data-ibcr-table] table.ibcr-table td {{ min-width: 6rem; vertical-align: top; overflow-wrap: anywhere; }}
  [data-ibcr-table] table.ibcr-table .wide {{ min-width: 26rem; }}
  [data-ibcr-table] table.ibcr-table th {{ vertical-align: bottom; }}
  /* The world map of the Overview and the Map page (ibcr_present.mapsvg). */
  .ibcr-map-figure {{ margin: 0; }}
  .ibcr-map {{ display: block; width: 100%; height: auto; }}
  .ibcr-land {{ fill: {LAND}; stroke: #FFFFFF; stroke-width: 0.5; }}
  .ibcr-country path, .ibcr-country circle {{ stroke: #FFFFFF; stroke-width: 0.6; }}
  /* Borders as thin on a map framed to a region as on the world (widths in screen pixels). */
  .ibcr-land, .ibcr-country path, .ibcr-country circle {{ vector-effect: non-scaling-stroke; }}
  .ibcr-country .ibcr-mark {{ fill: #FFFFFF; stroke: {TEXT}; stroke-width: 1.5; }}
  .ibcr-country:hover path, .ibcr-country:focus-visible path, .ibcr-country:hover circle {{ stroke: {TEXT};
      stroke-width: 1.6; }}
  /* Focus: a blue ring around the country and its outline drawn dark. An outline inside the SVG scales
     with the picture: the map gives the ring's width in its own units (--ibcr-ring, see mapsvg). */
  svg.ibcr-map a.ibcr-country:focus-visible {{ outline: var(--ibcr-ring, 3px) solid {IBCR_BLUE} !important;
      outline-offset: var(--ibcr-ring, 3px); }}
  .ibcr-country:focus-visible path, .ibcr-country:focus-visible circle {{ stroke: {TEXT}; stroke-width: 2.5; }}
  ul.ibcr-legend {{ list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; padding: 0;
      margin: 0.4rem 0 0.6rem; font-size: 0.875rem; color: {TEXT}; }}
  .ibcr-legend li {{ margin: 0; }}
  .ibcr-legend .ibcr-legend-title {{ font-weight: 600; }}
  .ibcr-swatch {{ display: inline-block; width: 0.9rem; height: 0.9rem; border-radius: 2px; margin-right: 0.4rem;
      vertical-align: -0.1rem; }}
  /* The Timeline (ibcr_present.ganttsvg): as wide as the page, its words in pixels; narrower than 340 px
     it scrolls sideways in its own box. */
  .ibcr-gantt-figure {{ margin: 0; }}
  .ibcr-gantt-scroll {{ overflow-x: auto; }}
  .ibcr-gantt {{ display: block; min-width: 340px; }}
  .ibcr-gantt a {{ text-decoration: none; }}
  @media (max-width: 700px) {{ .ibcr-gantt .ibcr-bar-note {{ display: none; }} }}  /* no room: the tooltips and table say it */
  .ibcr-gantt .ibcr-bar:hover .ibcr-bar-shape, .ibcr-gantt .ibcr-bar:focus-visible .ibcr-bar-shape {{
      stroke: {TEXT}; stroke-width: 2.5; }}
  .ibcr-gantt .ibcr-milestone:hover path, .ibcr-gantt .ibcr-milestone:focus-visible path {{ stroke: {TEXT};
      stroke-width: 2.5; }}
  .ibcr-gantt .ibcr-bar:focus-visible, .ibcr-gantt .ibcr-milestone:focus-visible {{ outline: 3px solid {IBCR_BLUE}; }}
  .ibcr-swatch.ibcr-swatch-open {{ width: 1.8rem; }}
  .ibcr-swatch.ibcr-swatch-diamond {{ transform: rotate(45deg) scale(0.75); border-radius: 0; }}
  .ibcr-swatch.ibcr-swatch-line {{ width: 2px; }}
  .ibcr-swatch.ibcr-swatch-point {{ border-radius: 0; }}
  /* Figures over time on the Programmes page (ibcr_present.figuresvg): as wide as the page, its words in
     pixels; on a phone every other year is labelled; narrower than 300 px it scrolls sideways. */
  .ibcr-metric-figure {{ margin: 0 0 0.4rem; }}
  .ibcr-metric-scroll {{ overflow-x: auto; }}
  .ibcr-metric-chart {{ display: block; min-width: 300px; }}
  @media (max-width: 700px) {{ .ibcr-metric-chart .ibcr-tick-minor {{ display: none; }} }}
  .ibcr-metric-chart .ibcr-point {{ cursor: default; }}
  .ibcr-metric-chart .ibcr-point:hover circle, .ibcr-metric-chart .ibcr-point:hover rect,
  .ibcr-metric-chart .ibcr-point:focus-visible circle, .ibcr-metric-chart .ibcr-point:focus-visible rect {{
      stroke: {TEXT}; stroke-width: 3; }}
  .ibcr-metric-chart .ibcr-point:focus-visible {{ outline: 3px solid {IBCR_BLUE}; outline-offset: 2px; }}
  /* Record cards and linked tables (blocks.records_html, blocks.rich_table_html): the Country and
     Programmes pages, one HTML element per list of cards. */
  [data-testid="stHtml"] ul.ibcr-records {{ list-style: none; padding: 0; margin: 0 0 1rem; display: grid;
      gap: 1rem; }}
  .ibcr-records.ibcr-columns-3 {{ grid-template-columns: repeat(3, minmax(0, 1fr)); }}
  @media (max-width: 1100px) {{ .ibcr-records.ibcr-columns-3 {{ grid-template-columns: repeat(2, minmax(0, 1fr)); }} }}
  @media (max-width: 640px) {{ .ibcr-records.ibcr-columns-3 {{ grid-template-columns: 1fr; }} }}
  [data-testid="stHtml"] li.ibcr-record {{ margin: 0; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
      padding: 0.9rem 1rem; }}
  [data-testid="stHtml"] .ibcr-record h3 {{ font-size: 1rem; font-weight: 400; line-height: 1.4; margin: 0 0 0.2rem;
      padding: 0; color: {TEXT}; }}
  .ibcr-record-body p {{ margin: 0.4rem 0; font-size: 0.95rem; line-height: 1.45; color: {TEXT}; }}
  .ibcr-record-meta, .ibcr-record-notes p {{ font-size: 0.875rem; color: {MUTED}; line-height: 1.35;
      margin: 0 0 0.35rem; }}
  .ibcr-record a, table.ibcr-table a {{ color: {IBCR_BLUE}; }}
  /* Results against targets (ibcr_present.results): one list, a bar beside the words it draws. */
  [data-testid="stHtml"] ul.ibcr-results {{ list-style: none; padding: 0; margin: 0 0 1rem; display: grid; gap: 1rem; }}
  [data-testid="stHtml"] li.ibcr-result {{ margin: 0; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
      padding: 0.8rem 1rem; }}
  [data-testid="stHtml"] .ibcr-result h3 {{ font-size: 1.05rem; font-weight: 600; margin: 0 0 0.3rem; padding: 0;
      color: {TEXT}; }}
  .ibcr-result-place, .ibcr-result-source, .ibcr-result-note, .ibcr-bar-label {{ color: {MUTED}; font-weight: 400; }}
  .ibcr-result p {{ margin: 0.3rem 0; font-size: 0.92rem; line-height: 1.4; }}
  .ibcr-result a {{ color: {IBCR_BLUE}; }}
  .ibcr-result-target {{ margin-top: 0.5rem; }}
  .ibcr-bars {{ display: grid; gap: 0.25rem; margin: 0.35rem 0 0.2rem; }}
  .ibcr-bar-row {{ display: grid; grid-template-columns: 7.5rem minmax(6rem, 16rem) 1fr; gap: 0.6rem;
      align-items: center; font-size: 0.875rem; }}
  @media (max-width: 640px) {{ .ibcr-bar-row {{ grid-template-columns: 6rem 1fr; }}
      .ibcr-bar-text {{ grid-column: 1 / -1; }} }}
  .ibcr-bar {{ position: relative; display: block; height: 0.8rem; background: {LAND}; border-radius: 3px;
      overflow: hidden; }}
  .ibcr-bar-fill, .ibcr-bar-more {{ position: absolute; top: 0; bottom: 0; left: 0; }}
  .ibcr-bar-share {{ background: {IBCR_BLUE}; }}
  .ibcr-bar-time {{ background: {MUTED}; }}
  .ibcr-bar-more {{ background: {IBCR_BLUE}; opacity: 0.35; }}
  .ibcr-bar-over {{ box-shadow: inset -4px 0 0 {TEXT}; }}
  .ibcr-bar-none {{ position: absolute; inset: 0; border: 1px dashed {MUTED}; border-radius: 3px; background: #FFFFFF; }}
  .ibcr-results-summary {{ margin: 0 0 0.4rem; }}
  [data-testid="stHtml"] h2.ibcr-section {{ font-weight: 600; color: {TEXT}; margin: 0 0 0.6rem; line-height: 1.2; }}
  p.ibcr-result-note {{ font-size: 0.875rem; color: {MUTED}; }}
  [data-testid="stHtml"] ul.ibcr-results-compact {{ list-style: none; padding: 0; margin: 0 0 0.6rem; }}
  [data-testid="stHtml"] li.ibcr-result-compact {{ margin: 0; display: grid; gap: 0.2rem 1rem; align-items: center;
      grid-template-columns: 30% 24% 1fr;
      padding: 0.45rem 0; border-bottom: 1px solid rgba(49, 51, 63, 0.1); font-size: 0.9rem; }}
  @media (max-width: 900px) {{ [data-testid="stHtml"] li.ibcr-result-compact {{ grid-template-columns: 1fr; }} }}
  .ibcr-rc-share .ibcr-bar-row {{ grid-template-columns: 6.5rem 5rem 1fr; gap: 0.5rem; }}
  .ibcr-rc-title .ibcr-status {{ margin-top: 0.25rem; }}
  .ibcr-status {{ display: inline-block; font-size: 0.82rem; font-weight: 600; padding: 0.05rem 0.5rem;
      border-radius: 1rem; border: 1px solid currentColor; }}
  .ibcr-status-reached, .ibcr-status-ahead {{ color: #1B6B3A; background: #EAF6EE; }}
  .ibcr-status-behind, .ibcr-status-mixed {{ color: #8A4B00; background: #FFF4E0; }}
  .ibcr-status-ended_short {{ color: #A11D1D; background: #FDECEC; }}
  .ibcr-status-no_progress {{ color: {MUTED}; background: #F3F5F8; }}
</style>
"""


def inject_css(lang: str) -> None:
    st.html(CSS)
    # NOTE: Streamlit writes <html lang="en"> on every page (streamlit#15726); screen readers need
    # the reader's language to pronounce French. The value is one of i18n.LANGUAGES, never data.
    st.html(f"<script>document.documentElement.lang = {lang!r};</script>", unsafe_allow_javascript=True)


def board_banner(ctx: Context) -> None:
    """Every page of the board view says so, with the date: it is not for circulation."""
    st.warning(ctx.t("board.banner", date=i18n.iso_date(ctx.lang, dt.date.today().isoformat())), icon="🔒")


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
