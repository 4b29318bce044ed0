"""Results against targets on a page: the Results page's list and table, the Overview's block, a profile's targets.

Each list is one HTML element (ibcr_present.results), built once per view and language and shared.
"""

from __future__ import annotations

from html import escape

import streamlit as st

import ibcr_data
from ibcr_data import Result
from ibcr_present import blocks, cards
from ibcr_present import results as words
from ibcr_present.text import md

from . import components, data, link
from .context import Context
from .registry import page

MAX_SHOWN = 100  # results drawn on the page at once; beyond, the reader narrows the view with the filters
OVERVIEW_SHOWN = 6


def _html(ctx: Context, shown: list[Result], compact: bool) -> tuple[str, str]:
    """The list and its table, built once per view and language (a page section is read-only once built)."""
    def build() -> tuple[str, str]:
        rows = [words.row(ctx, r, cards.markdown(ctx)) for r in shown]
        if compact:
            return words.compact_html(rows, words.labels(ctx)), ""
        columns, cells = words.table_rows(ctx, rows)
        table = blocks.rich_table_html(columns, cells, summary=ctx.t("results.table_summary"))
        return words.results_html(rows, words.labels(ctx)), table

    # The years chosen decide which progress counts (results_in_view): part of what the section shows.
    key = ("results", ctx.fingerprint, ctx.lang, compact, tuple(r.key for r in shown), ctx.filters.years)
    return data.memo(key, build)


def results_list(ctx: Context, results: tuple[Result, ...]) -> None:
    """Every result in view with its bars and sources, then the same as a plain table."""
    st.markdown(f"**{words.summary(ctx, results)}**")
    if ctx.filters.kinds or ctx.filters.statuses:
        st.caption("ℹ️ " + ctx.t("results.filters_note"))
    if not results:
        st.info(ctx.t("results.empty"))
        return
    shown = words.ordered(results)[:MAX_SHOWN]
    if len(results) > len(shown):
        st.caption(ctx.t("results.more", shown=ctx.number(len(shown)), total=ctx.number(len(results))))
    listing, table = _html(ctx, shown, compact=False)
    st.html(listing)
    st.html(table)
    st.caption(ctx.t("results.how"))


def overview_block(ctx: Context) -> None:
    """A short "Progress against targets": the counts, the first few results, a link to all of them."""
    results = ibcr_data.results_in_view(ctx.ds, ctx.view)
    first = sorted(words.ordered(results), key=lambda r: r.latest is None)[:OVERVIEW_SHOWN]  # progress reported first
    listing, _ = _html(ctx, first, compact=True) if first else ("", "")
    # NOTE: one element for the heading, the counts, the list and the note: each element is one more
    # message for the browser to draw (measured: some 60-90 ms more on the Overview's reload as five).
    heading, note = ctx.t("overview.results_title"), ctx.t("overview.results_sources")
    st.html(f'<h2 class="ibcr-section">{escape(heading)}</h2>'
            f'<p class="ibcr-results-summary">{escape(words.summary(ctx, results))}</p>{listing}'
            + (f'<p class="ibcr-result-note">{escape(note)}</p>' if first else ""))
    st.page_link(page("results").script, label=ctx.t("overview.results_link"),
                 query_params=link.nav_params(ctx.state, "results"))


def country_targets(ctx: Context, iso3: str, programme_ids: set[str]) -> None:
    """A profile's targets: those set for the country, then programme-wide ones of programmes working there."""
    every = ibcr_data.all_results(ctx.ds)
    here = [r for r in every if r.country_iso3 == iso3]
    wide = [r for r in every if r.country_iso3 is None and r.programme_id in programme_ids]
    if not here and not wide:
        return
    components.section(ctx.t("country.targets"))
    style = cards.markdown(ctx)
    lines = [f"- **{md(words.programme_label(ctx, r.programme_id))}** · {words.short_line(ctx, r, style)}" for r in here]
    if wide:
        lines.append("- *" + ctx.t("country.targets_programme_wide") + "*")
        lines += [f"    - **{md(words.programme_label(ctx, r.programme_id))}** · {words.short_line(ctx, r, style)}"
                  for r in wide]
    st.markdown("\n".join(lines))
    st.page_link(page("results").script, label=ctx.t("overview.results_link"),
                 query_params=link.nav_params(ctx.state, "results"))
