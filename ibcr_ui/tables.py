"""Readable renderings of records: engagement cards, figure tables, timeline inputs."""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

import ibcr_data

from . import components, figures, i18n
from .state import Context


def overall_span(eng: pd.DataFrame) -> tuple[int | None, int | None]:
    span = ibcr_data.filters.engagement_years(eng)
    lo, hi = span["from"].min(), span["to"].max()
    return i18n.as_year(lo), i18n.as_year(hi)


def dates_text(ctx: Context, row: pd.Series) -> str:
    """The dates of a record as precisely as they are known, and no more."""
    precision = row["date_precision_code"]
    start, end = i18n.as_year(row["start_year"]), i18n.as_year(row["end_year"])
    if precision == "unknown" or (start is None and end is None):
        return ctx.t("value.no_date")
    if precision in ("day", "month") and isinstance(row.get("start_date"), str):
        a = i18n.iso_date(ctx.lang, row["start_date"])
        b = i18n.iso_date(ctx.lang, row["end_date"]) if isinstance(row.get("end_date"), str) else (str(end) if end else "")
        return f"{a} – {b}" if b and b != a else a
    span = i18n.year_span(ctx.lang, start, end)
    if precision in ("range", "circa", "by_year"):
        return ctx.t(f"precision_prefix.{precision}", span=span if precision != "by_year" else str(end))
    return span


def status_text(ctx: Context, row: pd.Series) -> str:
    return ctx.t("status.as_of", status=ctx.label("status", row["status_code"]),
                 date=i18n.iso_date(ctx.lang, row["status_as_of"]))


def engagement_hover(ctx: Context, rows: pd.DataFrame) -> pd.Series:
    """HTML-safe hover text for timeline bars."""
    out = []
    for _, r in rows.iterrows():
        prog = r.get(f"programme_name_{ctx.lang}")
        out.append("<br>".join(filter(None, [
            f"<b>{escape(str(r.get(f'name_{ctx.lang}') or r['country_iso3']))}</b> · {escape(ctx.label('kind', r['kind_code']))}",
            escape(dates_text(ctx, r)) + " · " + escape(status_text(ctx, r)),
            escape(str(prog)) if isinstance(prog, str) else "",
            escape(_short(r[f"description_{ctx.lang}"])),
        ])))
    return pd.Series(out, index=rows.index, dtype="str")


def milestone_hover(ctx: Context, events: pd.DataFrame) -> pd.Series:
    return pd.Series([
        f"<b>{escape(str(y))}</b> · {escape(str(title))}<br>{escape(_short(desc))}"
        for y, title, desc in zip(events["start_year"], events[f"title_{ctx.lang}"], events[f"description_{ctx.lang}"])
    ], index=events.index, dtype="str")


def _short(text, limit: int = 140) -> str:
    text = "" if not isinstance(text, str) else text
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def timeline_labels(ctx: Context) -> dict[str, str]:
    labels = {s: ctx.label("status", s) for s in ctx.ds.descriptor.vocabularies["status_code"]}
    return labels | {"milestones": ctx.t("timeline.milestones_row"), "imprecise": ctx.t("timeline.imprecise"),
                     "year": ctx.t("axis.year")}


def country_timeline(ctx: Context, profile: ibcr_data.CountryProfile):
    view = ibcr_data.View(ibcr_data.Filters(), profile.engagements, profile.events, profile.metrics, profile.programmes)
    rows = ibcr_data.timeline_rows(ctx.ds, view, group_by="country")
    rows = rows.assign(group=[ctx.label("kind", k) for k in rows["kind_code"]])
    events = profile.events
    return figures.timeline_figure(rows, events, ctx.lang, timeline_labels(ctx), engagement_hover(ctx, rows),
                                   milestone_hover(ctx, events))


def engagement_cards(ctx: Context, eng: pd.DataFrame) -> None:
    for _, r in eng.iterrows():
        with st.container(border=True):
            st.markdown(f"**{components.md(ctx.label('kind', r['kind_code']))}** · {components.md(dates_text(ctx, r))}"
                        f" · {components.md(status_text(ctx, r))}")
            st.markdown(components.md(r[f"description_{ctx.lang}"]))
            bits = []
            if isinstance(r["place_name"], str):
                bits.append(ctx.pair("col.place", components.md(r["place_name"])))
            if isinstance(r["programme_id"], str):
                bits.append(ctx.pair("col.programme", components.md(ctx.programme_name(r["programme_id"]))))
            if isinstance(r["partners"], str):
                bits.append(ctx.pair("col.partners", components.md(ctx.orgs(r["partners"]))))
            if isinstance(r["funders"], str):
                bits.append(ctx.pair("col.funders", components.md(ctx.orgs(r["funders"]))))
            if bits:
                st.caption(" · ".join(bits))
            line = f"{ctx.t('card.source')} {components.source_link(ctx, r['source_id'])} · {components.confidence_mark(ctx, r['confidence_code'])}"
            if isinstance(r["evidence"], str):
                line += "  \n" + ctx.pair("col.evidence", components.md(r["evidence"]))
            if isinstance(r["conflict_id"], str):
                line += "  \n⚠️ " + components.md(conflict_text(ctx, r["conflict_id"]))
            st.caption(line)


def conflict_text(ctx: Context, conflict_id: str) -> str:
    c = ctx.ds.conflicts.set_index("conflict_id")
    if conflict_id not in c.index:
        return ctx.t("card.sources_disagree")
    return ctx.t("conflict.line", topic=c.at[conflict_id, f"topic_{ctx.lang}"],
                 resolution=c.at[conflict_id, f"resolution_{ctx.lang}"])


def figure_text(ctx: Context, row: pd.Series) -> str:
    if pd.isna(row["value"]):
        return ctx.t("value.not_reported")
    if row["qualifier_code"] == "range" and not pd.isna(row["value_max"]):
        return f"{i18n.number(ctx.lang, row['value'])}–{i18n.number(ctx.lang, row['value_max'])}"
    return ctx.t(f"qualifier_long.{row['qualifier_code']}", n=i18n.number(ctx.lang, row["value"]))


def metrics_table(ctx: Context, metrics: pd.DataFrame) -> None:
    """Figures as a table: never summed, each with its scope, period and source."""
    src = ctx.ds.sources.set_index("source_id")
    table = pd.DataFrame({
        ctx.t("col.figure"): [figure_text(ctx, r) for _, r in metrics.iterrows()],
        ctx.t("col.what"): metrics[f"note_{ctx.lang}"],
        ctx.t("col.scope"): [ctx.label("scope", s) + (f" ({ctx.t('metrics.target')})" if t else "")
                             for s, t in zip(metrics["scope_code"], metrics["is_target"])],
        ctx.t("col.period"): metrics[f"period_label_{ctx.lang}"],
        ctx.t("col.confidence"): [ctx.label("confidence", c) for c in metrics["confidence_code"]],
        ctx.t("col.source"): [src.at[s, "title"] if s in src.index else s for s in metrics["source_id"]],
        ctx.t("col.link"): [src.at[s, "url"] if s in src.index else None for s in metrics["source_id"]],
    })
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={ctx.t("col.link"): st.column_config.LinkColumn(ctx.t("col.link"), display_text="↗")})
