"""Page sections used on more than one page: the world map, headline cards, milestone lists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ibcr_data

from . import components, data, figures, link, text
from .context import Context, build_lookups
from .registry import page


def open_country(ctx: Context, iso3: str) -> None:
    st.switch_page(page("country").script, query_params=link.nav_params(ctx.state, "country", iso3))


def map_labels(ctx: Context) -> figures.MapLabels:
    codes = ctx.ds.descriptor.vocabularies
    return figures.MapLabels(
        categories={k: ctx.label("kind", k) for k in codes["kind_code"]}
        | {s: ctx.label("status", s) for s in codes["status_code"]},
        venue=ctx.t("map.venue_only"), count_axis=ctx.t("map.count_axis"), count_trace=ctx.t("map.mode.count"))


@st.cache_resource(show_spinner=False, max_entries=48)
def map_figure(fingerprint: str, filters: ibcr_data.Filters, mode: str, lang: str, height: int):
    """The map of one view, built once and shared (figure building is the slow part).

    Every input is an argument, so the cache key says all the figure depends on.
    NOTE: the cached figure is shared between sessions; nothing may change it after this.
    """
    ds = data.dataset(fingerprint)
    view = ibcr_data.apply_filters(ds, filters)
    per_country = ibcr_data.engagements_per_country(ds, view)
    if per_country.empty:
        return None
    ctx = Context(ds, data.choices(fingerprint), link.ViewState(filters, link.Options(map_mode=mode), lang), view,
                  (), "map", fingerprint, build_lookups(ds, lang))
    return figures.world_map_figure(per_country, mode, ctx.names.countries, text.map_hover(ctx, view.engagements),
                                    ds.country_points, map_labels(ctx), height, zoom_to_data=filters.narrows_place)


def world_map(ctx: Context, mode: str, key: str, height: int = 520) -> None:
    """The map of where IBCR works; clicking a country opens its profile."""
    fig = map_figure(ctx.fingerprint, ctx.filters, mode, ctx.lang, height)
    if fig is None:
        st.info(ctx.t("map.empty"))
        return
    countries = sum(len(t.locations) for t in fig.data if t.type == "choropleth")
    alt = ctx.tn("map.alt", countries, mode=ctx.t(f"map.mode.{mode}").lower())
    event = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key=key, width="stretch", alt=alt,
                            config=figures.map_config(ctx.lang, ctx.t("files.map_png")))
    points = event.selection.points if event and event.selection else []
    if points:
        iso3 = points[0].get("location") or (points[0].get("customdata") or [None])[0]
        if iso3:
            open_country(ctx, iso3)
    st.caption(ctx.t("map.click_hint") + " " + ctx.t("map.credit"))


@st.cache_data(show_spinner=False, max_entries=64)
def headline(fingerprint: str, filters: ibcr_data.Filters, as_of_year: int) -> list[ibcr_data.Figure]:
    ds = data.dataset(fingerprint)
    return ibcr_data.headline_figures(ds, ibcr_data.apply_filters(ds, filters), as_of_year)


def headline_cards(ctx: Context) -> None:
    figs = {f.key: f for f in headline(ctx.fingerprint, ctx.filters, ctx.as_of_year)}
    computed = st.columns(4)
    c = figs["countries_engaged"]
    with computed[0]:
        components.card(ctx.t("card.countries_engaged"), ctx.number(c.value),
                        [ctx.tn("card.countries_engaged.how", int(c.note_en), venues=ctx.number(int(c.note_en))), ctx.t("card.from_records")])
    with computed[1]:
        components.card(ctx.t("card.programmes"), ctx.number(figs["programmes"].value),
                        [ctx.t("card.programmes.how"), ctx.t("card.from_records")])
    with computed[2]:
        components.card(ctx.t("card.engagements"), ctx.number(figs["engagements"].value),
                        [ctx.t("card.engagements.how"), ctx.t("card.from_records")])
    y = figs["years_active"]
    with computed[3]:
        components.card(ctx.t("card.years_active"), ctx.number(y.value),
                        [ctx.t("card.years_active.how", start=y.start_year, end=y.end_year),
                         ctx.t("card.source") + " " + text.source_link(ctx, _founding_source(ctx))])
    reported = st.columns(4)
    for col, key in zip(reported, ("professionals_trained", "volunteers_deployed", "children_reached", "countries_reached")):
        fig = figs[key]
        with col:
            if fig.value is None:
                components.card(ctx.t(f"card.{key}"), "—", [ctx.t("card.no_figure")])
            else:
                lines, conflicts = text.headline_caption(ctx, fig)
                components.card(ctx.t(f"card.{key}"), text.headline_value_text(ctx, fig), lines, conflicts,
                                ctx.tn("card.disagree_n", len(conflicts)))
    if ctx.filters.narrows_beyond_years:
        st.caption("ℹ️ " + ctx.t("card.reported_not_filtered"))


def _founding_source(ctx: Context) -> str:
    ev = ctx.ds.events
    return ev.loc[ev["category_code"] == "founding"].sort_values("start_year")["source_id"].iloc[0]


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
    place = ctx.country_name(ev["country_iso3"]) if isinstance(ev["country_iso3"], str) else ""
    if isinstance(ev["place_name"], str):
        place = f"{text.md(ev['place_name'])}, {place}" if place else text.md(ev["place_name"])
    title = ev[f"title_{ctx.lang}"]
    desc = ev[f"description_{ctx.lang}"]
    st.markdown(f"**{text.md(text.milestone_when(ctx, ev))}** — **{text.md(title)}**" + (f" · {place}" if place else ""))
    st.caption(f"{text.md(desc)}  \n{text.source_line(ctx, ev['source_id'], ev['confidence_code'], 'events', ev['event_id'])}")

