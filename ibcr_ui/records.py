"""Records drawn on a page: engagement cards, figure tables, the timeline (a server-drawn Gantt, or a Plotly chart)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import ibcr_data
from ibcr_present import blocks, cards, figures, ganttsvg, i18n, results, text
from ibcr_present.text import md

from . import data, images, link, session
from .context import Context


def overall_span(eng: pd.DataFrame) -> tuple[int | None, int | None]:
    return i18n.as_year(eng["year_from"].min()), i18n.as_year(eng["year_to"].max())


def timeline_labels(ctx: Context) -> figures.TimelineLabels:
    return figures.TimelineLabels(
        statuses={s: ctx.label("status", s) for s in ctx.ds.descriptor.vocabularies["status_code"]},
        milestones=ctx.t("timeline.milestones_row"), imprecise=ctx.t("timeline.imprecise"), year=ctx.t("axis.year"))


def _timeline_figure(ctx: Context, rows: pd.DataFrame, milestones: pd.DataFrame):
    return figures.timeline_figure(rows, milestones, ctx.lang, timeline_labels(ctx), text.engagement_hover(ctx, rows),
                                   text.milestone_hover(ctx, milestones))


def _timeline_alt(ctx: Context, rows: pd.DataFrame, milestones: pd.DataFrame) -> str:
    start, end = overall_span(rows) if not rows.empty else (None, None)
    return ctx.tn("timeline.alt", len(rows), start=start or "", end=end or "", milestones=ctx.number(len(milestones)))


def timeline_gantt(ctx: Context, rows: pd.DataFrame, milestones: pd.DataFrame, key: str, title: str = "",
                   view: str | None = None, linked: bool = True) -> None:
    """The Timeline drawn on the server (ibcr_present.ganttsvg), then the same records as a table.

    Each bar names what, where, when and the source in its tooltip and, when `linked`, links to its
    country's profile with the reader's view (on a country's own profile it does not: it is that page).
    The picture downloads (SVG, PNG) are drawn from the Plotly figure of the same records, built only
    when one is asked for: the page itself loads no Plotly.
    """
    today = dt.date.today()
    embedded = session.embedded()

    def build():
        hrefs = [link.profile_href(ctx.state, iso3, embedded) if linked else "" for iso3 in rows["country_iso3"]]
        labels = ganttsvg.GanttLabels(
            title=_timeline_alt(ctx, rows, milestones),
            statuses={s: ctx.label("status", s) for s in ctx.ds.descriptor.vocabularies["status_code"]},
            rough=ctx.t("timeline.imprecise"), open_end=ctx.t("timeline.open_end"),
            milestones=ctx.t("timeline.milestones_row"),
            today=ctx.t("timeline.today", date=i18n.iso_date(ctx.lang, today.isoformat())))
        # On a programme's row, each bar says its country (on a country's row, the label already does).
        # (On a country's own profile, never: every bar is in that country.)
        notes = [name if name != group and linked else "" for name, group in zip(rows[f"name_{ctx.lang}"], rows["group"])]
        svg = ganttsvg.timeline_gantt(rows, milestones, text.engagement_tooltips(ctx, rows),
                                      text.milestone_tooltips(ctx, milestones), hrefs, labels, today, notes)
        return svg, _timeline_table(ctx, rows)

    # Everything drawn comes from these records, the view (the links carry it), the language and the day.
    svg, table = data.memo(("gantt", ctx.fingerprint, ctx.lang, today, ctx.filters, embedded, linked,
                            tuple(rows["engagement_id"]), tuple(rows["group"]), tuple(milestones["event_id"])), build)
    # NOTE: st.html's sanitiser removes SVG; the markup is built with every text escaped (ganttsvg).
    st.markdown(svg, unsafe_allow_html=True)
    images.buttons(ctx, lambda: _timeline_figure(ctx, rows, milestones), title or ctx.t("timeline.title"),
                   ctx.t("files.timeline_png"), key=f"{key}_picture", view=view)
    st.html(table)


def _timeline_table(ctx: Context, rows: pd.DataFrame) -> str:
    columns = {
        ctx.t("col.country"): rows[f"name_{ctx.lang}"],
        ctx.t("col.programme"): rows[f"programme_name_{ctx.lang}"].fillna(""),
        ctx.t("col.kind"): [ctx.label("kind", k) for k in rows["kind_code"]],
        ctx.t("col.dates"): [text.dates_text(ctx, r) for _, r in rows.iterrows()],
        ctx.t("col.status"): [text.status_text(ctx, r) for _, r in rows.iterrows()],
        ctx.t("col.source"): rows["source_id"],  # replaced by the linked titles below
        ctx.t("col.confidence"): [ctx.label("confidence", c) for c in rows["confidence_code"]],
    }
    cells = {name: [md(v) for v in values] for name, values in columns.items()}
    cells[ctx.t("col.source")] = [text.source_link(ctx, s) for s in rows["source_id"]]  # linked titles
    return blocks.rich_table_html(list(cells), [list(r) for r in zip(*cells.values())],
                                  summary=ctx.t("table.show_timeline"))


def country_timeline(ctx: Context, profile: ibcr_data.CountryProfile) -> None:
    view = ibcr_data.View(ibcr_data.Filters(), profile.engagements, profile.events, profile.metrics, profile.programmes)
    rows = ibcr_data.timeline_rows(ctx.ds, view, group_by="country")
    rows = rows.assign(group=[ctx.label("kind", k) for k in rows["kind_code"]])
    name = ctx.country_name(profile.country_iso3)
    span = i18n.year_span(ctx.lang, *overall_span(profile.engagements))
    timeline_gantt(ctx, rows, profile.events, key="country_timeline", title=ctx.t("image.country_title", country=name),
                   view=ctx.t("image.country_view", country=name, span=span), linked=False)


def engagement_cards(ctx: Context, eng: pd.DataFrame, label: str) -> None:
    """A card per engagement, as one element: what and when, what was done, with whom, on what evidence.

    A part of a larger piece of work comes right after the card of its whole, marked as a part.
    """
    st.html(blocks.records_html([_engagement(ctx, r) for r in with_parts_under(eng).to_dict("records")], label,
                                columns=2))


def with_parts_under(eng: pd.DataFrame) -> pd.DataFrame:
    """The engagements in their order, each part moved to just after its whole (when the whole is there)."""
    wholes = set(eng["engagement_id"])
    parts = eng["part_of_engagement_id"].where(eng["part_of_engagement_id"].isin(wholes))
    order: list[int] = []
    children: dict[str, list[int]] = {}
    for i, part_of in zip(range(len(eng)), parts):
        if isinstance(part_of, str):
            children.setdefault(part_of, []).append(i)
    for i, (rid, part_of) in enumerate(zip(eng["engagement_id"], parts)):
        if not isinstance(part_of, str):
            order += [i, *children.get(rid, [])]
    return eng.iloc[order]


def _engagement(ctx: Context, r: dict) -> blocks.Record:
    who = []
    if isinstance(r["part_of_engagement_id"], str):
        whole = ctx.ds.engagements.loc[ctx.ds.engagements["engagement_id"] == r["part_of_engagement_id"]]
        name = (text.short(whole[f"description_{ctx.lang}"].iloc[0], 90) if not whole.empty
                else r["part_of_engagement_id"])
        who.append(ctx.t("records.part_of", whole=md(name)))
    if isinstance(r["place_name"], str):
        who.append(ctx.pair("col.place", md(r["place_name"])))
    if isinstance(r["programme_id"], str):
        who.append(ctx.pair("col.programme", md(ctx.programme_name(r["programme_id"]))))
    if isinstance(r["partners"], str):
        who.append(ctx.pair("col.partners", md(ctx.orgs(r["partners"]))))
    if isinstance(r["funders"], str):
        who.append(ctx.pair("col.funders", md(ctx.orgs(r["funders"]))))
    notes = [" · ".join(who)] if who else []
    notes.append(text.source_line(ctx, r["source_id"], r["confidence_code"], "engagements", r["engagement_id"]))
    if isinstance(r["evidence"], str):
        notes.append(ctx.pair("col.evidence", md(r["evidence"])))
    if isinstance(r["conflict_id"], str):
        notes.append("⚠️ " + md(text.conflict_text(ctx, r["conflict_id"])))
    head = (("↳ " if isinstance(r["part_of_engagement_id"], str) else "")
            + f"**{md(ctx.label('kind', r['kind_code']))}** · {md(text.dates_text(ctx, r))}"
            f" · {md(text.status_text(ctx, r))}")
    return blocks.Record(head, body=md(r[f"description_{ctx.lang}"]), notes=tuple(notes))


def programme_cards(ctx: Context, programmes: pd.DataFrame, label: str) -> None:
    """A card per programme, as one grid: name, dates and status, what it did, where, with whom, source."""
    def build() -> str:
        return blocks.records_html([_programme(ctx, p) for p in programmes.to_dict("records")], label, columns=3)

    st.html(data.memo(("programme_cards", ctx.fingerprint, ctx.lang, tuple(programmes["programme_id"]), label), build))


def _programme(ctx: Context, p: dict) -> blocks.Record:
    name = p[f"name_{ctx.lang}"]
    title = name + (f" ({p['acronym']})" if isinstance(p["acronym"], str) and p["acronym"] not in name else "")
    listed = p["country_iso3_list"]
    countries = [ctx.country_name(c) for c in listed.split("; ")] if isinstance(listed, str) else []
    notes = [ctx.pair("col.countries", md(", ".join(countries)) or ctx.t("value.none_recorded")),
             ctx.pair("col.funders", md(ctx.orgs(p["funders"])) or ctx.t("value.none_recorded")),
             ctx.pair("col.partners", md(ctx.orgs(p["partners"])) or ctx.t("value.none_recorded")),
             text.source_line(ctx, p["source_id"], p["confidence_code"], "programmes", p["programme_id"])]
    notes += [ctx.pair("results.target", results.short_line(ctx, r, cards.markdown(ctx)))
              for r in ibcr_data.results_of_programme(ctx.ds, p["programme_id"])]
    if isinstance(p["conflict_id"], str):
        notes.append("⚠️ " + md(text.conflict_text(ctx, p["conflict_id"])))
    return blocks.Record(f"**{md(title)}**", f"{md(text.dates_text(ctx, p))} · {md(text.status_text(ctx, p))}",
                         md(p[f"description_{ctx.lang}"]), tuple(notes))


def metrics_table(ctx: Context, metrics: pd.DataFrame) -> None:
    """Figures as a plain table (one light element): never summed, each with its scope, period and source.

    Each source's title links to the source, further sources included.
    """
    def build() -> str:
        columns = [ctx.t("col.figure"), ctx.t("col.what"), ctx.t("col.scope"), ctx.t("col.period"),
                   ctx.t("col.confidence"), ctx.t("col.source")]
        rows = [[md(text.metric_row_text(ctx, r)), md(r[f"note_{ctx.lang}"]),
                 md(ctx.label("scope", r["scope_code"]) + (" (" + ctx.t("metrics.target") + ")" if r["is_target"] else "")),
                 md(r[f"period_label_{ctx.lang}"]), md(ctx.label("confidence", r["confidence_code"])),
                 _source_links(ctx, r["source_id"], ctx.further_sources("metrics", r["metric_id"]))]
                for _, r in metrics.iterrows()]
        return blocks.rich_table_html(columns, rows)

    st.html(data.memo(("metrics_table", ctx.fingerprint, ctx.lang, tuple(metrics["metric_id"])), build))


def _source_links(ctx: Context, main: str, further: tuple[tuple[str, str], ...]) -> str:
    """Markdown: the main source, then the others (a figure the seeds and a report both give), each linked."""
    return "; ".join(text.source_link(ctx, s) for s in [main, *(s for s, _ in further)])
