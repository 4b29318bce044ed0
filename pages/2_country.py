"""Country profile: what IBCR did in one country, when, with whom, and on what evidence."""

import streamlit as st

import ibcr_data
from ibcr_present import i18n, text
from ibcr_present.text import md
from ibcr_ui import components, data, packs, records, results, shell, views

# Inputs
ctx = shell.setup("country")
names = ctx.names.countries
engaged = sorted(set(ctx.ds.engagements["country_iso3"]), key=lambda c: names.get(c, c))
others = sorted(set(names) - set(engaged), key=lambda c: names.get(c, c))
iso3 = st.selectbox(ctx.t("country.pick"), options=engaged + others, format_func=lambda c: names.get(c, c),
                    placeholder=ctx.t("country.pick_placeholder"), **shell.bound(ctx, "country_pick"))
if not iso3:
    st.title(ctx.t("page.country"))
    st.info(ctx.t("country.choose"))
    shell.stop(ctx)

# Data
profile = data.memo(("profile", ctx.fingerprint, iso3), lambda: ibcr_data.country_profile(ctx.ds, iso3))  # read-only
name = names.get(iso3, iso3)
region = ctx.ds.countries.set_index("country_iso3").at[iso3, "ibcr_region_code"]

# Render
st.title(name)
st.caption(" · ".join(filter(None, [ctx.region_name(region) if isinstance(region, str) else "", iso3])))
if profile.has_engagement:
    packs.pack_button(ctx, ctx.t("packs.country", country=name), "country", iso3)
if not profile.has_engagement:
    st.info(ctx.t("country.no_engagement", country=md(name)))
    if not profile.events.empty:
        components.section(ctx.t("country.events"))
        views.milestone_list(ctx, profile.events)
    shell.stop(ctx)

eng = profile.engagements
venue_only = bool(eng["is_venue"].all())
facts = {"kinds": "; ".join(ctx.label("kind", k) for k in dict.fromkeys(eng["kind_code"])),
         "span": i18n.year_span(ctx.lang, *records.overall_span(eng))}
st.markdown(ctx.tn("country.lead_venue", len(eng), **facts) if venue_only
            else ctx.tn("country.lead", int(eng["is_counted"].sum()), **facts))
records.country_timeline(ctx, profile)

components.section(ctx.t("country.what"))
records.engagement_cards(ctx, eng, ctx.t("country.what"))

cols = st.columns(2, gap="large")
with cols[0]:
    components.section(ctx.t("country.programmes"))
    if profile.programmes.empty:
        st.caption(ctx.t("country.no_programme"))
    else:
        st.markdown("\n".join(f"- **{md(p[f'name_{ctx.lang}'])}** · "
                              f"{i18n.year_span(ctx.lang, p['start_year'], p['end_year'])} · "
                              f"{ctx.label('status', p['status_code'])}" for _, p in profile.programmes.iterrows()))
with cols[1]:
    components.section(ctx.t("country.partners_funders"))
    none = ctx.t("value.none_recorded")
    st.markdown(ctx.pair("col.partners", md(ctx.orgs("; ".join(profile.partners))) or none) + "  \n"
                + ctx.pair("col.funders", md(ctx.orgs("; ".join(profile.funders))) or none))

results.country_targets(ctx, iso3, set(profile.programmes["programme_id"]))
if not profile.metrics.empty:
    components.section(ctx.t("country.figures"))
    records.metrics_table(ctx, profile.metrics)
if not profile.events.empty:
    components.section(ctx.t("country.events"))
    views.milestone_list(ctx, profile.events)

components.section(ctx.t("country.sources"))
st.markdown("\n".join("- " + text.source_link(ctx, s["source_id"]) + " — " + md(ctx.orgs(s["publisher"]))
                       for _, s in profile.sources.iterrows()))
st.caption(ctx.t("country.confidence_legend"))
shell.done(ctx)
