"""Programmes and figures: each programme at a glance, and every reported figure over time."""

import streamlit as st

import ibcr_data
from ibcr_ui import components, figures, i18n, packs, records, shell, text
from ibcr_ui.text import md

# Inputs
ctx = shell.setup("programmes")
components.page_header(ctx, ctx.t("programmes.title"), text.describe(ctx))

# Render: a brief for one funder's work, then the programme cards
funder_col, button_col = st.columns([2, 2], vertical_alignment="bottom")
funder = funder_col.selectbox(ctx.t("packs.funder_choice"), options=ibcr_data.funders(ctx.ds), format_func=ctx.orgs,
                              key="pack_funder")
with button_col:
    packs.pack_button(ctx, ctx.t("packs.funder"), "funder", funder)
programmes = ctx.view.programmes.sort_values(["start_year", "programme_id"])
components.section(ctx.tn("programmes.cards_title", len(programmes)))
if programmes.empty:
    st.info(ctx.t("summary.none"))
for row_start in range(0, len(programmes), 3):
    cols = st.columns(3)
    for col, (_, p) in zip(cols, programmes.iloc[row_start:row_start + 3].iterrows()):
        with col, st.container(border=True):
            name = p[f"name_{ctx.lang}"]
            title = name + (f" ({p['acronym']})" if isinstance(p["acronym"], str) and p["acronym"] not in name else "")
            st.markdown(f"**{md(title)}**")
            st.caption(f"{md(text.dates_text(ctx, p))} · {md(text.status_text(ctx, p))}")
            listed = p["country_iso3_list"]
            countries = [ctx.country_name(c) for c in listed.split("; ")] if isinstance(listed, str) else []
            st.markdown(md(p[f"description_{ctx.lang}"]))
            lines = [ctx.pair("col.countries", md(", ".join(countries)) or ctx.t("value.none_recorded")),
                     ctx.pair("col.funders", md(ctx.orgs(p["funders"])) or ctx.t("value.none_recorded")),
                     ctx.pair("col.partners", md(ctx.orgs(p["partners"])) or ctx.t("value.none_recorded")),
                     text.source_line(ctx, p["source_id"], p["confidence_code"], "programmes", p["programme_id"])]
            if isinstance(p["conflict_id"], str):
                lines.append("⚠️ " + md(text.conflict_text(ctx, p["conflict_id"])))
            st.caption("  \n".join(lines))
            packs.pack_button(ctx, ctx.t("packs.programme"), "programme", p["programme_id"])

# Render: figures over time
components.section(ctx.t("programmes.figures_title"))
st.caption(ctx.t("programmes.figures_intro"))
metrics = ctx.view.metrics
codes = [c for c in ctx.choices.metrics if c in set(metrics["metric_code"])]
if not codes:
    st.info(ctx.t("programmes.no_figures"))
    st.stop()
if st.session_state.get("metric_code") not in codes:
    st.session_state["metric_code"] = codes[0]  # the kind asked for is not in this view: show the first
code = st.selectbox(ctx.t("programmes.metric"), options=codes, format_func=lambda c: ctx.label("metric", c),
                    **shell.bound(ctx, "metric_code"))
chosen = metrics[metrics["metric_code"] == code]
labels = figures.MetricLabels(exact=ctx.t("metrics.exact"), estimate=ctx.t("metrics.estimate"),
                              target=ctx.t("metrics.target_legend"), year=ctx.t("axis.year_reported"),
                              unit=ctx.label("metric", code))
for scope in [s for s in ctx.ds.descriptor.vocabularies["scope_code"] if s in set(chosen["scope_code"])]:
    series = ibcr_data.metric_series(chosen, code, scope)
    st.markdown(f"**{ctx.label('metric', code)} — {ctx.label('scope', scope)}**")
    hover = text.metric_hover(ctx, series)
    if series["value"].notna().sum() >= 1:
        years = series["end_year"].dropna()
        alt = ctx.tn("metrics.alt", len(series), metric=ctx.label("metric", code), scope=ctx.label("scope", scope),
                     period=i18n.year_span(ctx.lang, years.min(), years.max()))
        st.plotly_chart(figures.metric_figure(series, ctx.lang, labels, hover), alt=alt,
                        width="stretch", key=f"metric_{code}_{scope}",
                        config=figures.chart_config(ctx.lang, f"ibcr-{code}-{scope}"))
    records.metrics_table(ctx, series)
st.caption(ctx.tn("programmes.never_summed", len(chosen)))
