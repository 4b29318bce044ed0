"""Map: where IBCR works, by kind of work, status or number of engagements."""

import streamlit as st

import ibcr_data
from ibcr_ui import components, link, shell, views

# Inputs
ctx = shell.setup("map")
components.page_header(ctx, ctx.t("map.title"), ctx.describe())
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
views.svg_map(ctx, ctx.options.map_mode, key="map_chart")
components.section(ctx.t("map.table_title"))
if per_country.empty:
    st.info(ctx.t("map.empty"))
else:
    views.country_table(ctx, per_country, folded=False)
st.caption(ctx.t("map.disclaimer"))
shell.done(ctx)
