"""Map: where IBCR works, by kind of work, status or number of engagements."""

import streamlit as st

import ibcr_data
from ibcr_ui import components, i18n, link, shell, text, views

# Inputs
ctx = shell.setup("map")
components.page_header(ctx, ctx.t("map.title"), text.describe(ctx))
controls = st.columns([2, 2])
controls[0].segmented_control(ctx.t("map.colour_by"), options=list(link.MAP_MODES),
                              format_func=lambda m: ctx.t(f"map.mode.{m}"), **shell.bound(ctx, "map_mode"))
names = ctx.names.countries
engaged = sorted(set(ctx.ds.engagements["country_iso3"]), key=lambda c: names.get(c, c))
found = controls[1].selectbox(ctx.t("map.search"), options=engaged, index=None, key="map_search",
                              format_func=lambda c: names.get(c, c), placeholder=ctx.t("map.search_placeholder"))
if found:
    views.open_country(ctx, found)

# Data
per_country = ibcr_data.engagements_per_country(ctx.ds, ctx.view)

# Render
views.world_map(ctx, mode=ctx.options.map_mode, key="map_chart", height=560)
st.subheader(ctx.t("map.table_title"))
if per_country.empty:
    st.info(ctx.t("map.empty"))
else:
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
st.caption(ctx.t("map.disclaimer"))
