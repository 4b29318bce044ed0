"""Country profile: what IBCR did in one country, when, with whom, and on what evidence."""

import streamlit as st

import ibcr_data
from ibcr_ui import components, figures, i18n, state, tables, views

# Inputs
ctx = state.setup("country")
names = ctx.names.countries
engaged = sorted(set(ctx.ds.engagements["country_iso3"]), key=lambda c: names.get(c, c))
others = sorted(set(names) - set(engaged), key=lambda c: names.get(c, c))
requested = (st.query_params.get("country") or "").upper()
if requested and requested not in names:
    st.info(ctx.t("country.unknown_code", code=components.md(requested[:12])), icon="ℹ️")
    requested = ""
if st.session_state.get("_country_synced") != requested or "country_pick" not in st.session_state:
    st.session_state["country_pick"] = requested or None
    st.session_state["_country_synced"] = requested
iso3 = st.selectbox(ctx.t("country.pick"), options=engaged + others, key="country_pick",
                    format_func=lambda c: names.get(c, c), placeholder=ctx.t("country.pick_placeholder"))
if iso3 and iso3 != requested:
    st.query_params["country"] = iso3
    st.session_state["_country_synced"] = iso3
if not iso3:
    st.title(ctx.t("page.country"))
    st.info(ctx.t("country.choose"))
    st.stop()

# Data
profile = ibcr_data.country_profile(ctx.ds, iso3)
name = names.get(iso3, iso3)
region = ctx.ds.countries.set_index("country_iso3").at[iso3, "ibcr_region_code"]

# Render
st.title(name)
st.caption(" · ".join(filter(None, [ctx.region_name(region) if isinstance(region, str) else "", iso3])))
if not profile.has_engagement:
    st.info(ctx.t("country.no_engagement", country=components.md(name)))
    if not profile.events.empty:
        st.subheader(ctx.t("country.events"))
        views.milestone_list(ctx, profile.events)
    st.stop()

eng = profile.engagements
venue_only = bool(eng["is_venue"].all())
st.markdown(ctx.t("country.lead_venue" if venue_only else "country.lead", n=len(eng),
                  kinds="; ".join(ctx.label("kind", k) for k in dict.fromkeys(eng["kind_code"])),
                  span=i18n.year_span(ctx.lang, *tables.overall_span(eng))))
st.plotly_chart(tables.country_timeline(ctx, profile), width="stretch",
                config=figures.chart_config(ctx.lang, ctx.t("files.timeline_png")), key="country_timeline")

st.subheader(ctx.t("country.what"))
tables.engagement_cards(ctx, eng)

cols = st.columns(2, gap="large")
with cols[0]:
    st.subheader(ctx.t("country.programmes"))
    if profile.programmes.empty:
        st.caption(ctx.t("country.no_programme"))
    for _, p in profile.programmes.iterrows():
        st.markdown(f"**{components.md(p[f'name_{ctx.lang}'])}** · "
                    f"{i18n.year_span(ctx.lang, p['start_year'], p['end_year'])} · "
                    f"{ctx.label('status', p['status_code'])}")
with cols[1]:
    st.subheader(ctx.t("country.partners_funders"))
    st.markdown(ctx.pair("col.partners", components.md(ctx.orgs("; ".join(profile.partners))) or ctx.t("value.none_recorded")))
    st.markdown(ctx.pair("col.funders", components.md(ctx.orgs("; ".join(profile.funders))) or ctx.t("value.none_recorded")))

if not profile.metrics.empty:
    st.subheader(ctx.t("country.figures"))
    tables.metrics_table(ctx, profile.metrics)
if not profile.events.empty:
    st.subheader(ctx.t("country.events"))
    views.milestone_list(ctx, profile.events)

st.subheader(ctx.t("country.sources"))
for _, s in profile.sources.iterrows():
    st.markdown("- " + components.source_link(ctx, s["source_id"]) + " — " + components.md(ctx.orgs(s["publisher"])))
st.caption(ctx.t("country.confidence_legend"))
