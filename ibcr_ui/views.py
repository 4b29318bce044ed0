"""Page sections used on more than one page: the world map, headline cards, milestone lists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ibcr_data

from . import components, figures, i18n
from .state import Context, nav_params


def open_country(ctx: Context, iso3: str) -> None:
    st.switch_page("pages/2_country.py", query_params=nav_params(ctx, "country", iso3))


def map_labels(ctx: Context) -> dict[str, str]:
    labels = {k: ctx.label("kind", k) for k in ctx.ds.descriptor.vocabularies["kind_code"]}
    labels |= {s: ctx.label("status", s) for s in ctx.ds.descriptor.vocabularies["status_code"]}
    labels |= {"venue": ctx.t("map.venue_only"), "count": ctx.t("map.count_axis"),
               "engaged_count": ctx.t("map.mode.count")}
    return labels


@st.cache_resource(show_spinner=False, max_entries=48)
def _map_figure(fingerprint: str, filters: ibcr_data.Filters, mode: str, lang: str, height: int,
                _ctx: Context):
    """The map figure, built once per view and shared (figure building is the slow part).

    NOTE: the cached figure is shared between sessions; nothing may change it after this.
    """
    ctx = _ctx
    per_country = ibcr_data.engagements_per_country(ctx.ds, ctx.view)
    if per_country.empty:
        return None
    hover = figures.hover_lines(
        ctx.view.engagements, lambda k: ctx.label("kind", k), lambda s: ctx.label("status", s),
        lambda a, b: i18n.year_span(ctx.lang, a, b))
    narrowed = bool(ctx.filters.regions or ctx.filters.countries)
    return figures.world_map_figure(per_country, mode, ctx.names.countries, hover, ctx.ds.country_points, map_labels(ctx), height,
                                    zoom_to_data=narrowed)


def world_map(ctx: Context, mode: str, key: str, height: int = 520) -> None:
    """The map of where IBCR works; clicking a country opens its profile."""
    fig = _map_figure(ctx.fingerprint, ctx.filters, mode, ctx.lang, height, ctx)
    if fig is None:
        st.info(ctx.t("map.empty"))
        return
    event = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key=key, width="stretch",
                            config=figures.map_config(ctx.lang, ctx.t("files.map_png")))
    points = event.selection.points if event and event.selection else []
    if points:
        iso3 = points[0].get("location") or (points[0].get("customdata") or [None])[0]
        if iso3:
            open_country(ctx, iso3)
    st.caption(ctx.t("map.click_hint") + " " + ctx.t("map.credit"))


@st.cache_data(show_spinner=False, max_entries=64)
def _headline(fingerprint: str, filters: ibcr_data.Filters, this_year: int, _ctx: Context) -> list:
    return ibcr_data.headline_figures(_ctx.ds, _ctx.view, this_year)


def headline_cards(ctx: Context) -> None:
    figs = {f.key: f for f in _headline(ctx.fingerprint, ctx.filters, ctx.this_year, ctx)}
    computed = st.columns(4)
    c = figs["countries_engaged"]
    with computed[0]:
        components.card(ctx.t("card.countries_engaged"), i18n.number(ctx.lang, c.value),
                        [ctx.t("card.countries_engaged.how", venues=c.note_en), ctx.t("card.from_records")])
    with computed[1]:
        components.card(ctx.t("card.programmes"), i18n.number(ctx.lang, figs["programmes"].value),
                        [ctx.t("card.programmes.how"), ctx.t("card.from_records")])
    with computed[2]:
        components.card(ctx.t("card.engagements"), i18n.number(ctx.lang, figs["engagements"].value),
                        [ctx.t("card.engagements.how"), ctx.t("card.from_records")])
    y = figs["years_active"]
    with computed[3]:
        components.card(ctx.t("card.years_active"), i18n.number(ctx.lang, y.value),
                        [ctx.t("card.years_active.how", start=y.start_year, end=y.end_year),
                         ctx.t("card.source") + " " + components.source_link(ctx, _founding_source(ctx))])
    reported = st.columns(4)
    for col, key in zip(reported, ("professionals_trained", "volunteers_deployed", "children_reached", "countries_reached")):
        fig = figs[key]
        with col:
            if fig.value is None:
                components.card(ctx.t(f"card.{key}"), "—", [ctx.t("card.no_figure")])
            else:
                lines, conflicts = components.figure_caption(ctx, fig)
                components.card(ctx.t(f"card.{key}"), components.figure_value(ctx, fig), lines, conflicts,
                                ctx.t("card.disagree_n", n=len(conflicts)))
    if ctx.filters.regions or ctx.filters.countries or ctx.filters.kinds or ctx.filters.programmes or ctx.filters.statuses:
        st.caption("ℹ️ " + ctx.t("card.reported_not_filtered"))


def _founding_source(ctx: Context) -> str:
    ev = ctx.ds.events
    return ev.loc[ev["category_code"] == "founding"].sort_values("start_year")["source_id"].iloc[0]


def summary_sentence(ctx: Context) -> str:
    eng = ctx.view.engagements
    if eng.empty:
        return ctx.t("summary.none")
    work = eng[~eng["is_venue"]]
    top = work["kind_code"].value_counts() if not work.empty else eng["kind_code"].value_counts()
    years = ctx.filters.years or (ctx.choices.year_min, ctx.choices.year_max)
    return ctx.t(
        "summary.sentence", start=years[0], end=years[1], n=i18n.number(ctx.lang, len(eng)),
        countries=i18n.number(ctx.lang, eng["country_iso3"].nunique()),
        kind=ctx.label("kind", top.index[0]).lower(), kind_n=i18n.number(ctx.lang, int(top.iloc[0])),
        programmes=i18n.number(ctx.lang, len(ctx.view.programmes)),
        ongoing=i18n.number(ctx.lang, int((eng["status_code"] == "ongoing").sum())),
    )


def milestone_list(ctx: Context, events: pd.DataFrame, limit: int | None = None, columns: int = 1) -> None:
    """Milestones, newest first, each with its date, place and source."""
    rows = events.sort_values(["start_year", "start_date"], ascending=False, na_position="last")
    if limit:
        rows = rows.head(limit)
    if rows.empty:
        st.caption(ctx.t("milestones.none"))
        return
    cols = st.columns(columns, gap="large") if columns > 1 else [st.container()]
    for i, (_, ev) in enumerate(rows.iterrows()):
        with cols[i % len(cols)]:
            _milestone(ctx, ev)


def _milestone(ctx: Context, ev: pd.Series) -> None:
    when = i18n.iso_date(ctx.lang, ev["start_date"]) if isinstance(ev["start_date"], str) else str(ev["start_year"])
    if ev["date_precision_code"] in ("range", "circa", "by_year"):
        when = ctx.t(f"precision_prefix.{ev['date_precision_code']}",
                     span=i18n.year_span(ctx.lang, int(ev["start_year"]),
                                         None if pd.isna(ev["end_year"]) else int(ev["end_year"])))
    place = ctx.country_name(ev["country_iso3"]) if isinstance(ev["country_iso3"], str) else ""
    if isinstance(ev["place_name"], str):
        place = f"{components.md(ev['place_name'])}, {place}" if place else components.md(ev["place_name"])
    title = ev[f"title_{ctx.lang}"]
    desc = ev[f"description_{ctx.lang}"]
    st.markdown(f"**{components.md(when)}** — **{components.md(title)}**" + (f" · {place}" if place else ""))
    st.caption(f"{components.md(desc)}  \n{ctx.t('card.source')} {components.source_link(ctx, ev['source_id'])}"
               f" · {components.confidence_mark(ctx, ev['confidence_code'])}")
