"""Page sections used on more than one page: the world map, headline cards, milestone lists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ibcr_data
from ibcr_present import blocks, cards, figures, i18n, mapsvg, text
from ibcr_present.words import Words

from . import data, images, link, session
from .context import Context, DataKey
from .registry import page

MAP_PAGE_HEIGHT = 560  # the Map page's map, in pixels (part of its cached figure's key: see serve.warm)


def open_country(ctx: Context, iso3: str) -> None:
    st.switch_page(page("country").script, query_params=link.nav_params(ctx.state, "country", iso3))


def map_labels(w: Words) -> figures.MapLabels:
    codes = w.ds.descriptor.vocabularies
    return figures.MapLabels(
        categories={k: w.label("kind", k) for k in codes["kind_code"]}
        | {s: w.label("status", s) for s in codes["status_code"]},
        venue=w.t("map.venue_only"), count_axis=w.t("map.count_axis"), count_trace=w.t("map.mode.count"))


def words(key: DataKey, lang: str) -> Words:
    """The words of these data in one language, from the caches (for sections built outside a page run)."""
    return Words.of(data.dataset(key), lang, data.lookups(key, lang))


@st.cache_resource(show_spinner=False, max_entries=48)
def map_figure(key: DataKey, filters: ibcr_data.Filters, mode: str, lang: str, height: int):
    """The map of one view, built once and shared (figure building is the slow part).

    Every input is an argument, so the cache key says all the figure depends on.
    NOTE: the cached figure is shared between sessions; nothing may change it after this.
    """
    w = words(key, lang)
    view = ibcr_data.apply_filters(w.ds, filters)
    per_country = ibcr_data.engagements_per_country(w.ds, view)
    if per_country.empty:
        return None
    return figures.world_map_figure(per_country, mode, w.names.countries, text.map_hover(w, view.engagements),
                                    w.ds.country_points, map_labels(w), height, zoom_to_data=filters.narrows_place)


def world_map(ctx: Context, mode: str, key: str, height: int = 520) -> None:
    """The map of where IBCR works; clicking a country opens its profile."""
    fig = map_figure(ctx.key, ctx.filters, mode, ctx.lang, height)
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
    images.buttons(ctx, lambda: fig, ctx.t("map.title"), ctx.t("files.map_png"), key=f"{key}_picture")


@st.cache_resource(show_spinner=False, max_entries=64)
def headline(key: DataKey, filters: ibcr_data.Filters) -> list[ibcr_data.HeadlineNumber]:
    """The headline numbers of one view (shared between sessions: they are frozen)."""
    ds = data.dataset(key)
    return ibcr_data.headline_figures(ds, ibcr_data.apply_filters(ds, filters), ds.as_of_year)


def headline_cards(ctx: Context) -> None:
    """The eight headline cards, as one element: four counted from the records, four reported."""
    figs = {f.key: f for f in headline(ctx.key, ctx.filters)}
    counted, reported = cards.headline_cards(ctx, figs, cards.markdown(ctx))
    st.html(blocks.cards_html([counted, reported], ctx.t("overview.cards_label")))
    if ctx.filters.narrows_beyond_years:
        st.caption("ℹ️ " + ctx.t("card.reported_not_filtered"))


def milestone_list(ctx: Context, events: pd.DataFrame, limit: int | None = None, columns: int = 1) -> None:
    """Milestones, newest first, each with its date, place and source (one element)."""
    rows = events.sort_values(["start_year", "start_date"], ascending=False, na_position="last")
    if limit:
        rows = rows.head(limit)
    if rows.empty:
        st.caption(ctx.t("milestones.none"))
        return
    def build() -> str:
        items = [_milestone(ctx, ev) for ev in rows.to_dict("records")]
        return blocks.milestones_html(blocks.MilestoneList(items, columns))

    # The list depends only on these milestones, in this order, and the language: built once.
    st.html(data.memo(("milestones", ctx.fingerprint, ctx.lang, tuple(rows["event_id"]), columns), build))


def _milestone(ctx: Context, ev: dict) -> blocks.Milestone:
    place = ctx.country_name(ev["country_iso3"]) if isinstance(ev["country_iso3"], str) else ""
    if isinstance(ev["place_name"], str):
        place = f"{text.md(ev['place_name'])}, {place}" if place else text.md(ev["place_name"])
    heading = (f"**{text.md(text.milestone_when(ctx, ev))}** — **{text.md(ev[f'title_{ctx.lang}'])}**"
               + (f" · {place}" if place else ""))
    body = (f"{text.md(ev[f'description_{ctx.lang}'])}  \n"
            f"{text.source_line(ctx, ev['source_id'], ev['confidence_code'], 'events', ev['event_id'])}")
    return blocks.Milestone(heading, body)


def map_svg(key: DataKey, filters: ibcr_data.Filters, lang: str, mode: str = "kind",
            embedded: bool = False) -> str | None:
    """The map of one view as SVG markup, built once and shared (None: nothing to map).

    Embedded in another site, its country links keep the page embedded.
    """
    # A cache key is the arguments as passed: always all of them, so the Overview, the Map page's
    # default view and the launcher's warm-up share one entry.
    return _map_svg(key, filters, lang, mode, embedded)


@st.cache_resource(show_spinner=False, max_entries=48)
def _map_svg(key: DataKey, filters: ibcr_data.Filters, lang: str, mode: str, embedded: bool) -> str | None:
    w = words(key, lang)
    view = ibcr_data.apply_filters(w.ds, filters)
    per_country = ibcr_data.engagements_per_country(w.ds, view)
    if per_country.empty:
        return None
    state = link.ViewState(filters, link.Options(), lang)
    hrefs = {c: link.profile_href(state, c, embedded) for c in per_country["country_iso3"]}
    countries = int((~per_country["is_venue_only"]).sum())
    mode_name = w.t(f"map.mode.{mode}")
    labels = mapsvg.SvgMapLabels(w.tn("map.alt", countries, mode=mode_name.lower()), map_labels(w).categories,
                                 w.t("map.venue_only"), legend_title=mode_name,
                                 count_range=lambda lo, hi: _count_range(w, lo, hi))
    return mapsvg.world_map_svg(per_country, mode, text.map_tooltips(w, view.engagements), hrefs,
                                w.names.countries, labels, w.ds.country_points, zoom_to_data=filters.narrows_place)


def _count_range(w: Words, low: int, high: int | None) -> str:
    if high is None:
        return w.t("map.count_or_more", n=w.number(low))
    return w.number(low) if high == low else f"{w.number(low)}–{w.number(high)}"


def svg_map(ctx: Context, mode: str, key: str) -> None:
    """Where IBCR works, drawn on the server; each country links to its profile (the Overview, the Map page).

    The picture downloads are drawn from the Plotly figure of the same view and colouring (Kaleido,
    on the server, only when a button is pressed): the browser never loads Plotly for this map.
    """
    try:
        svg = map_svg(ctx.key, ctx.filters, ctx.lang, mode, session.embedded())
    except mapsvg.GeometryError:  # the outlines could not be projected here: the Plotly map needs none of it
        world_map(ctx, mode=mode, key=key, height=MAP_PAGE_HEIGHT)
        return
    if svg is None:
        st.info(ctx.t("map.empty"))
        return
    # NOTE: st.html's sanitiser removes SVG; the markup is built with every text escaped (mapsvg).
    st.markdown(svg, unsafe_allow_html=True)
    st.caption(ctx.t("map.svg_hint") + " " + ctx.t("map.credit"))
    images.buttons(ctx, lambda: map_figure(ctx.key, ctx.filters, mode, ctx.lang, MAP_PAGE_HEIGHT),
                   ctx.t("map.title"), ctx.t("files.map_png"), key=f"{key}_picture")


def country_table(ctx: Context, per_country: pd.DataFrame, folded: bool = True) -> None:
    """The countries of a map as a plain table (folded under the map): what a screen reader gets of it."""
    if per_country.empty:  # nothing in view: the map above already says so
        return
    rows = per_country.sort_values(["engagement_count", f"name_{ctx.lang}"], ascending=[False, True])
    yes, no = ctx.t("value.yes"), ctx.t("value.no")
    body = [[name, ctx.region_name(region), ctx.number(count), ctx.label("kind", kind), ctx.label("status", status),
             i18n.year_span(ctx.lang, first, last), yes if venue else no]
            for name, region, count, kind, status, first, last, venue in zip(
                rows[f"name_{ctx.lang}"], rows["ibcr_region_code"], rows["engagement_count"], rows["main_kind_code"],
                rows["status_code"], rows["first_year"], rows["last_year"], rows["is_venue_only"])]
    columns = [ctx.t("col.country"), ctx.t("col.region"), ctx.t("col.engagements"), ctx.t("col.main_kind"),
               ctx.t("col.status"), ctx.t("col.years"), ctx.t("col.venue_only")]
    st.html(blocks.table_html(columns, body, numeric=frozenset({2}),
                                 summary=ctx.t("table.show_map") if folded else "", name=ctx.t("map.table_title")))
