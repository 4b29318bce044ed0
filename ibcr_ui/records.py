"""Records drawn on a page: engagement cards, figure tables, the timeline chart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ibcr_data

from . import figures, i18n, text
from .context import Context
from .text import md


def overall_span(eng: pd.DataFrame) -> tuple[int | None, int | None]:
    return i18n.as_year(eng["year_from"].min()), i18n.as_year(eng["year_to"].max())


def timeline_labels(ctx: Context) -> figures.TimelineLabels:
    return figures.TimelineLabels(
        statuses={s: ctx.label("status", s) for s in ctx.ds.descriptor.vocabularies["status_code"]},
        milestones=ctx.t("timeline.milestones_row"), imprecise=ctx.t("timeline.imprecise"), year=ctx.t("axis.year"))


def timeline_chart(ctx: Context, rows: pd.DataFrame, milestones: pd.DataFrame, key: str) -> None:
    """The Gantt of engagements and milestones, then the same records as a table for screen readers.

    Every bar and diamond names its source on hover.
    """
    fig = figures.timeline_figure(rows, milestones, ctx.lang, timeline_labels(ctx),
                                  text.engagement_hover(ctx, rows), text.milestone_hover(ctx, milestones))
    start, end = overall_span(rows) if not rows.empty else (None, None)
    alt = ctx.tn("timeline.alt", len(rows), start=start or "", end=end or "", milestones=ctx.number(len(milestones)))
    st.plotly_chart(fig, width="stretch", key=key, alt=alt,
                    config=figures.chart_config(ctx.lang, ctx.t("files.timeline_png")))
    with st.expander(ctx.t("table.show_timeline")):
        st.dataframe(pd.DataFrame({
            ctx.t("col.country"): rows[f"name_{ctx.lang}"],
            ctx.t("col.programme"): rows[f"programme_name_{ctx.lang}"].fillna(""),
            ctx.t("col.kind"): [ctx.label("kind", k) for k in rows["kind_code"]],
            ctx.t("col.dates"): [text.dates_text(ctx, r) for _, r in rows.iterrows()],
            ctx.t("col.status"): [text.status_text(ctx, r) for _, r in rows.iterrows()],
            ctx.t("col.source"): [ctx.source_title(s) for s in rows["source_id"]],
            ctx.t("col.confidence"): [ctx.label("confidence", c) for c in rows["confidence_code"]],
        }), hide_index=True, width="stretch")


def country_table(ctx: Context, per_country: pd.DataFrame) -> None:
    """The countries of a map, as a table: what a screen reader or a keyboard gets of the map."""
    table = per_country.assign(
        country=per_country[f"name_{ctx.lang}"],
        main_kind=per_country["main_kind_code"].map(lambda k: ctx.label("kind", k)),
        status=per_country["status_code"].map(lambda s: ctx.label("status", s)),
        region=per_country["ibcr_region_code"].map(ctx.region_name),
        years=[i18n.year_span(ctx.lang, a, b) for a, b in zip(per_country["first_year"], per_country["last_year"])],
        venue=per_country["is_venue_only"],
    )[["country", "region", "engagement_count", "main_kind", "status", "years", "venue"]]
    st.dataframe(table.sort_values("engagement_count", ascending=False), hide_index=True, width="stretch",
                 column_config={
                     "country": ctx.t("col.country"), "region": ctx.t("col.region"),
                     "engagement_count": st.column_config.NumberColumn(ctx.t("col.engagements")),
                     "main_kind": ctx.t("col.main_kind"), "status": ctx.t("col.status"),
                     "years": ctx.t("col.years"),
                     "venue": st.column_config.CheckboxColumn(ctx.t("col.venue_only")),
                 })


def country_timeline(ctx: Context, profile: ibcr_data.CountryProfile) -> None:
    view = ibcr_data.View(ibcr_data.Filters(), profile.engagements, profile.events, profile.metrics, profile.programmes)
    rows = ibcr_data.timeline_rows(ctx.ds, view, group_by="country")
    rows = rows.assign(group=[ctx.label("kind", k) for k in rows["kind_code"]])
    timeline_chart(ctx, rows, profile.events, key="country_timeline")


def engagement_cards(ctx: Context, eng: pd.DataFrame) -> None:
    for _, r in eng.iterrows():
        with st.container(border=True):
            st.markdown(f"**{md(ctx.label('kind', r['kind_code']))}** · {md(text.dates_text(ctx, r))}"
                        f" · {md(text.status_text(ctx, r))}")
            st.markdown(md(r[f"description_{ctx.lang}"]))
            bits = []
            if isinstance(r["place_name"], str):
                bits.append(ctx.pair("col.place", md(r["place_name"])))
            if isinstance(r["programme_id"], str):
                bits.append(ctx.pair("col.programme", md(ctx.programme_name(r["programme_id"]))))
            if isinstance(r["partners"], str):
                bits.append(ctx.pair("col.partners", md(ctx.orgs(r["partners"]))))
            if isinstance(r["funders"], str):
                bits.append(ctx.pair("col.funders", md(ctx.orgs(r["funders"]))))
            if bits:
                st.caption(" · ".join(bits))
            line = text.source_line(ctx, r["source_id"], r["confidence_code"], "engagements", r["engagement_id"])
            if isinstance(r["evidence"], str):
                line += "  \n" + ctx.pair("col.evidence", md(r["evidence"]))
            if isinstance(r["conflict_id"], str):
                line += "  \n⚠️ " + md(text.conflict_text(ctx, r["conflict_id"]))
            st.caption(line)


def metrics_table(ctx: Context, metrics: pd.DataFrame) -> None:
    """Figures as a table: never summed, each with its scope, period and source."""
    src = ctx.ds.sources.set_index("source_id")
    table = pd.DataFrame({
        ctx.t("col.figure"): [text.metric_row_text(ctx, r) for _, r in metrics.iterrows()],
        ctx.t("col.what"): metrics[f"note_{ctx.lang}"],
        ctx.t("col.scope"): [ctx.label("scope", s) + (" (" + ctx.t("metrics.target") + ")" if t else "")
                             for s, t in zip(metrics["scope_code"], metrics["is_target"])],
        ctx.t("col.period"): metrics[f"period_label_{ctx.lang}"],
        ctx.t("col.confidence"): [ctx.label("confidence", c) for c in metrics["confidence_code"]],
        ctx.t("col.source"): [_titles(ctx, s, ctx.further_sources("metrics", m))
                              for s, m in zip(metrics["source_id"], metrics["metric_id"])],
        ctx.t("col.link"): [src.at[s, "url"] if s in src.index else None for s in metrics["source_id"]],
    })
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={ctx.t("col.link"): st.column_config.LinkColumn(ctx.t("col.link"), display_text="↗")})


def _titles(ctx: Context, main: str, further: tuple[tuple[str, str], ...]) -> str:
    """The main source's title, then the others' (a figure the seeds and a report both give)."""
    return "; ".join(ctx.source_title(s) for s in [main, *(s for s, _ in further)])
