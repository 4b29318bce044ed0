"""Programmes and figures: each programme at a glance, and every reported figure over time."""

from functools import partial

import streamlit as st

import ibcr_data
from ibcr_present import figures, figuresvg, i18n, text
from ibcr_ui import components, data, images, packs, records, shell

# Inputs
ctx = shell.setup("programmes")
components.page_header(ctx, ctx.t("programmes.title"), ctx.describe())

# Render: a brief for one funder's work, then the programme cards and a brief for one of them
packs.pack_choice(ctx, ctx.t("packs.funder_choice"), ibcr_data.funders(ctx.ds), ctx.orgs, ctx.t("packs.funder"),
                  "funder", key="pack_funder")
programmes = ctx.view.programmes.sort_values(["start_year", "programme_id"])
title = ctx.tn("programmes.cards_title", len(programmes))
components.section(title)
if programmes.empty:
    st.info(ctx.t("summary.none"))
packs.pack_choice(ctx, ctx.t("packs.programme_choice"), list(programmes["programme_id"]), ctx.programme_name,
                  ctx.t("packs.programme"), "programme", key="pack_programme")
if not programmes.empty:
    records.programme_cards(ctx, programmes, title)

# Render: figures over time
components.section(ctx.t("programmes.figures_title"))
st.caption(ctx.t("programmes.figures_intro"))
metrics = ctx.view.metrics
codes = [c for c in ctx.choices.metrics if c in set(metrics["metric_code"])]
if not codes:
    st.info(ctx.t("programmes.no_figures"))
    shell.stop(ctx)
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
    if series["value"].notna().sum() >= 1:
        years = series["end_year"].dropna()
        alt = ctx.tn("metrics.alt", len(series), metric=ctx.label("metric", code), scope=ctx.label("scope", scope),
                     period=i18n.year_span(ctx.lang, years.min(), years.max()))
        words = figuresvg.FigureLabels(alt, labels.exact, labels.estimate, labels.target, labels.year,
                                       partial(i18n.number, ctx.lang))
        # Drawn on the server (no Plotly in the browser); NOTE: st.html's sanitiser removes SVG, and the
        # markup is built with every text escaped (figuresvg).
        svg = data.memo(("metric_svg", ctx.fingerprint, ctx.lang, tuple(series["metric_id"])),  # read-only
                        lambda s=series, w=words: figuresvg.metric_svg(s, text.metric_tooltips(ctx, s), w))
        st.markdown(svg, unsafe_allow_html=True)
        # The pictures to download are drawn from the Plotly figure, built only when a button is pressed.
        images.buttons(ctx, lambda series=series: figures.metric_figure(series, ctx.lang, labels,
                                                                        text.metric_hover(ctx, series)),
                       f"{ctx.label('metric', code)} — {ctx.label('scope', scope)}",
                       f"ibcr-{code}-{scope}", key=f"metric_{code}_{scope}_picture")
    records.metrics_table(ctx, series)
st.caption(ctx.tn("programmes.never_summed", len(chosen)))
shell.done(ctx)
