"""Versions of the data on a page: what changed for the board, a record-level comparison, the list of versions."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ibcr_present import cards, i18n, results, text
from ibcr_present.text import md
from ibcr_updates.changes import Changes
from ibcr_updates.compare import Comparison
from ibcr_updates.store import Version

from . import tables
from .context import Context

HEADLINE_CARDS = ("countries_engaged", "programmes", "engagements", "years_active", "professionals_trained",
                  "volunteers_deployed", "children_reached", "countries_reached")


def version_label(ctx: Context, v: Version) -> str:
    """'v3 · 2 December 2026 · ana · “Board meeting 2026-11”'."""
    parts = [v.id, i18n.iso_date(ctx.lang, v.created[:10]), v.who]
    parts += [f"“{n}”" for n in v.names]
    return " · ".join(parts)


def _engagement(ctx: Context, change, what: str) -> str:
    place = ctx.country_name(change.country_iso3)
    kind = ctx.label("kind", change.kind_code)
    if change.added:
        return ctx.t("changes.line_new", place=md(place), kind=md(kind), id=md(change.engagement_id))
    old = ctx.label("status", change.old) if what == "status" else (change.old or "—")
    new = ctx.label("status", change.new) if what == "status" else (change.new or "—")
    return ctx.t("changes.line_moved", place=md(place), kind=md(kind), id=md(change.engagement_id),
                 old=md(old), new=md(new))


def changes_panel(ctx: Context, ch: Changes) -> None:
    """For the board: countries, engagements started, ended and changed, headline figures, corrections."""
    if ch.is_empty:
        st.info(ctx.t("changes.nothing"))
        return
    names = [ctx.country_name(c) for c in ch.countries_engaged]
    gone = [ctx.country_name(c) for c in ch.countries_no_longer]
    st.markdown(ctx.pair("changes.countries_new", md(", ".join(names)) or ctx.t("value.none_recorded")))
    if gone:
        st.markdown(ctx.pair("changes.countries_gone", md(", ".join(gone))))
    for title, items, what in ((ctx.tn("changes.started", len(ch.started)), ch.started, "year"),
                               (ctx.tn("changes.ended", len(ch.ended)), ch.ended, "year"),
                               (ctx.tn("changes.status", len(ch.status_changed)), ch.status_changed, "status")):
        if items:
            st.markdown("**" + title + "**  \n" + "  \n".join("- " + _engagement(ctx, c, what) for c in items))
    if ch.headlines:
        lines = []
        for h in ch.headlines:
            card = ctx.t(f"card.{h.key}") if h.key in HEADLINE_CARDS else h.key
            old = text.headline_value_text(ctx, h.old_figure) if h.old_figure else ctx.number(h.old)
            new = text.headline_value_text(ctx, h.new_figure) if h.new_figure else ctx.number(h.new)
            sources = ", ".join(text.source_link(ctx, s) for s in h.new_source_ids) or ctx.t("card.from_records")
            lines.append(ctx.t("changes.headline_line", card=md(card), old=md(old), new=md(new), sources=sources))
        st.markdown("**" + ctx.tn("changes.headlines", len(lines)) + "**  \n" + "  \n".join("- " + x for x in lines))
    if ch.results:
        lines = [results.change_line(ctx, c.old, c.new, cards.markdown(ctx)) for c in ch.results]
        st.markdown("**" + ctx.tn("changes.results", len(lines)) + "**  \n" + "  \n".join("- " + x for x in lines))
    if ch.corrected:
        rows = pd.DataFrame([{ctx.t("col.table"): table_name(ctx, c.table),
                              ctx.t("col.record"): c.key,
                              ctx.t("col.fields"): ", ".join(f.field for f in c.fields)} for c in ch.corrected])
        st.markdown("**" + ctx.tn("changes.corrected", len(rows)) + "**")
        tables.show(ctx, "corrected", rows, ctx.tn("changes.corrected", len(rows)), rows=250)


def table_name(ctx: Context, table: str) -> str:
    """A table's name in the reader's language, when the catalogues have one; else the file's name."""
    return ctx.t(f"table.{table}") if f"table.{table}" in i18n.catalogue("en") else table


def comparison_view(ctx: Context, comparison: Comparison) -> None:
    """Record by record, per table: added, removed, changed (field, old value, new value), with counts."""
    if comparison.is_empty:
        st.info(ctx.t("changes.nothing"))
        return
    if comparison.audience_changes:  # first: who may see a record is the change that matters most
        st.warning(ctx.tn("compare.audience", len(comparison.audience_changes)), icon="🔒")
        st.dataframe(pd.DataFrame([{ctx.t("col.table"): table, ctx.t("col.record"): key,
                                    ctx.t("compare.old"): ctx.label("audience", old),
                                    ctx.t("compare.new"): ctx.label("audience", new)}
                                   for table, key, old, new in comparison.audience_changes]),
                     hide_index=True, width="stretch")
    counts = pd.DataFrame([{ctx.t("col.table"): name, ctx.t("compare.added"): c["added"],
                            ctx.t("compare.removed"): c["removed"], ctx.t("compare.changed"): c["changed"]}
                           for name, c in comparison.counts.items() if any(c.values())])
    st.dataframe(counts, hide_index=True, width="stretch")
    for name, t in comparison.tables.items():
        if t.is_empty:
            continue
        rows = [{ctx.t("compare.what"): ctx.t("compare.added"), ctx.t("col.record"): k, ctx.t("compare.field"): "",
                 ctx.t("compare.old"): "", ctx.t("compare.new"): ""} for k in t.added]
        rows += [{ctx.t("compare.what"): ctx.t("compare.removed"), ctx.t("col.record"): k, ctx.t("compare.field"): "",
                  ctx.t("compare.old"): "", ctx.t("compare.new"): ""} for k in t.removed]
        rows += [{ctx.t("compare.what"): ctx.t("compare.changed"), ctx.t("col.record"): r.key,
                  ctx.t("compare.field"): f.field, ctx.t("compare.old"): f.old, ctx.t("compare.new"): f.new}
                 for r in t.changed for f in r.fields]
        with st.expander(ctx.tn("compare.table", len(t.added) + len(t.removed) + len(t.changed), table=name)):
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def versions_table(ctx: Context, versions: list[Version]) -> None:
    kinds = {"shipped": ctx.t("versions.kind_shipped"), "import": ctx.t("versions.kind_import"),
             "restore": ctx.t("versions.kind_restore")}
    st.dataframe(pd.DataFrame([{
        ctx.t("versions.id"): v.id, ctx.t("versions.date"): v.created.replace("T", " ").rstrip("Z")[:16],
        ctx.t("versions.who"): v.who, ctx.t("versions.kind"): kinds.get(v.kind, v.kind),
        ctx.t("versions.changes"): f"+{v.totals['added']} −{v.totals['removed']} ~{v.totals['changed']}",
        ctx.t("versions.note"): v.note, ctx.t("versions.names"): ", ".join(v.names),
    } for v in versions]), hide_index=True, width="stretch")
