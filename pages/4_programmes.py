"""Programmes and figures: each programme at a glance, and every reported figure over time."""

from html import escape

import pandas as pd
import streamlit as st

import ibcr_data
from ibcr_ui import components, figures, i18n, state, tables

# Inputs
ctx = state.setup("programmes")
st.title(ctx.t("programmes.title"))
components.human_line(state.describe(ctx))

# Render: programme cards
programmes = ctx.view.programmes.sort_values(["start_year", "programme_id"])
st.subheader(ctx.t("programmes.cards_title", n=len(programmes)))
if programmes.empty:
    st.info(ctx.t("summary.none"))
for row_start in range(0, len(programmes), 3):
    cols = st.columns(3)
    for col, (_, p) in zip(cols, programmes.iloc[row_start:row_start + 3].iterrows()):
        with col, st.container(border=True):
            name = p[f"name_{ctx.lang}"]
            title = name + (f" ({p['acronym']})" if isinstance(p["acronym"], str) and p["acronym"] not in name else "")
            st.markdown(f"**{components.md(title)}**")
            st.caption(f"{components.md(tables.dates_text(ctx, p))} · {components.md(tables.status_text(ctx, p))}")
            countries = [ctx.country_name(c) for c in str(p["country_iso3_list"]).split("; ") if len(c) == 3]
            st.markdown(components.md(p[f"description_{ctx.lang}"]))
            lines = [ctx.pair("col.countries", components.md(", ".join(countries)) or ctx.t("value.none_recorded")),
                     ctx.pair("col.funders", components.md(ctx.orgs(p["funders"])) or ctx.t("value.none_recorded")),
                     ctx.pair("col.partners", components.md(ctx.orgs(p["partners"])) or ctx.t("value.none_recorded")),
                     f"{ctx.t('card.source')} {components.source_link(ctx, p['source_id'])} · "
                     f"{components.confidence_mark(ctx, p['confidence_code'])}"]
            if isinstance(p["conflict_id"], str):
                lines.append("⚠️ " + components.md(tables.conflict_text(ctx, p["conflict_id"])))
            st.caption("  \n".join(lines))

# Render: figures over time
st.subheader(ctx.t("programmes.figures_title"))
st.caption(ctx.t("programmes.figures_intro"))
metrics = ctx.view.metrics
codes = [c for c in ctx.ds.descriptor.vocabularies["metric_code"] if c in set(metrics["metric_code"])]
if not codes:
    st.info(ctx.t("programmes.no_figures"))
    st.stop()
code = st.selectbox(ctx.t("programmes.metric"), options=codes, key="metric_code",
                    format_func=lambda c: ctx.label("metric", c))
chosen = metrics[metrics["metric_code"] == code]
for scope in [s for s in ctx.ds.descriptor.vocabularies["scope_code"] if s in set(chosen["scope_code"])]:
    series = ibcr_data.metric_series(chosen, code, scope)
    st.markdown(f"**{ctx.label('metric', code)} — {ctx.label('scope', scope)}**")
    hover = pd.Series([f"<b>{escape(tables.figure_text(ctx, r))}</b> · {escape(r[f'period_label_{ctx.lang}'])}<br>"
                       f"{escape(r[f'note_{ctx.lang}'])}" for _, r in series.iterrows()], index=series.index, dtype="str")
    labels = {"exact": ctx.t("metrics.exact"), "estimate": ctx.t("metrics.estimate"),
              "target": ctx.t("metrics.target_legend"), "year": ctx.t("axis.year_reported"),
              "unit": ctx.label("metric", code)}
    if series["value"].notna().sum() >= 1:
        st.plotly_chart(figures.metric_figure(series, ctx.lang, labels, hover),
                        width="stretch", key=f"metric_{code}_{scope}",
                        config=figures.chart_config(ctx.lang, f"ibcr-{code}-{scope}"))
    tables.metrics_table(ctx, series)
st.caption(ctx.t("programmes.never_summed", n=i18n.number(ctx.lang, len(chosen))))
