"""The charts of a pack: the map of its scope, the timeline, the figures over time, each with its alt text.

Built with the dashboard's pure figure builders (ibcr_present.figures) and styled for print; render.py
draws them as SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

import ibcr_data
from ibcr_present import figures, i18n, text
from ibcr_present.theme import IBCR_BLUE
from ibcr_present.words import Words

from .scope import Scope

FONT = "Source Sans 3"
CHART_WIDTH = 900  # CSS pixels; the template scales every chart to the text width


@dataclass
class Chart:
    name: str
    fig: go.Figure
    alt: str
    height: int
    width: int = CHART_WIDTH



def _s(value) -> str:
    return value if isinstance(value, str) else ""



def _styled(fig: go.Figure) -> go.Figure:
    fig.update_layout(font_family=FONT, paper_bgcolor="white")
    return fig


def map_section(ctx: Words, scope: Scope, out: list[Chart]) -> dict:
    ds, view = ctx.ds, scope.view
    section = {"title": ctx.t("pack.section.map"), "chart": None, "caption": "", "empty": ctx.t("pack.map.none")}
    labels = figures.MapLabels(
        categories={k: ctx.label("kind", k) for k in ds.descriptor.vocabularies["kind_code"]},
        venue=ctx.t("map.venue_only"), count_axis=ctx.t("map.count_axis"), count_trace=ctx.t("map.mode.count"))
    names = ctx.names.countries
    if scope.kind == "country":
        region = ds.countries.set_index("country_iso3").at[scope.key, "ibcr_region_code"]
        members = sorted(ds.region_members.get(region, frozenset({scope.key})) | {scope.key})
        regional = ibcr_data.apply_filters(ds, ibcr_data.Filters(countries=frozenset(members)))
        per_country = ibcr_data.engagements_per_country(ds, regional)
        fig = figures.world_map_figure(per_country, "kind", names, {}, ds.country_points, labels, 560,
                                       zoom_to_data=True)
        fig.add_trace(go.Choropleth(locations=members, z=[1] * len(members), locationmode="ISO-3",
                                    colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
                                    name=ctx.t("pack.map.region"), showlegend=False,
                                    marker_line_color="#5B6675", marker_line_width=1.2))
        fig.add_trace(go.Choropleth(locations=[scope.key], z=[1], locationmode="ISO-3",
                                    colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
                                    name=ctx.t("pack.map.highlight"), showlegend=False,
                                    marker_line_color=IBCR_BLUE, marker_line_width=3.5))
        fig.update_geos(fitbounds="locations", lataxis_range=None)
        region_name = ctx.region_name(region)
        alt = ctx.t("pack.map.alt_country", region=region_name, country=ctx.country_name(scope.key))
        section["caption"] = ctx.t("pack.map.caption_country", country=ctx.country_name(scope.key),
                                   region=region_name)
    else:
        per_country = ibcr_data.engagements_per_country(ds, view)
        if per_country.empty:
            return section
        fig = figures.world_map_figure(per_country, "kind", names, {}, ds.country_points, labels, 520,
                                       zoom_to_data=scope.kind != "organisation")
        alt = ctx.tn("map.alt", len(per_country), mode=ctx.t("map.mode.kind").lower())
        section["caption"] = ctx.t("pack.map.caption")
    out.append(Chart("map", _styled(fig), alt, int(fig.layout.height)))
    section["chart"] = "map"
    section["alt"] = alt
    return section


def timeline_section(ctx: Words, scope: Scope, out: list[Chart]) -> dict:
    ds, view = ctx.ds, scope.view
    section = {"title": ctx.t("pack.section.timeline"), "chart": None, "empty": ctx.t("pack.timeline.none"),
               "note": ctx.t("pack.timeline.how_to_read")}
    rows = ibcr_data.timeline_rows(ds, view, group_by="country")
    if scope.kind == "country":
        rows = rows.assign(group=[ctx.label("kind", k) for k in rows["kind_code"]])
    else:
        rows = rows.assign(group=rows[f"group_{ctx.lang}"])
    milestones = view.events if scope.kind != "organisation" else view.events[view.events["is_key_milestone"]]
    milestones = milestones[milestones["start_year"].notna()]
    if rows.empty and milestones.empty:
        return section
    labels = figures.TimelineLabels(
        statuses={s: ctx.label("status", s) for s in ds.descriptor.vocabularies["status_code"]},
        milestones=ctx.t("timeline.milestones_row"), imprecise=ctx.t("timeline.imprecise"), year=ctx.t("axis.year"))
    fig = figures.timeline_figure(rows, milestones, ctx.lang, labels, text.engagement_hover(ctx, rows),
                                  text.milestone_hover(ctx, milestones))
    start = i18n.as_year(rows["year_from"].min()) if not rows.empty else ""
    end = i18n.as_year(rows["year_to"].max()) if not rows.empty else ""
    alt = ctx.tn("timeline.alt", len(rows), start=start or "", end=end or "", milestones=ctx.number(len(milestones)))
    out.append(Chart("timeline", _styled(fig), alt, int(fig.layout.height)))
    section.update(chart="timeline", alt=alt)
    return section


def metrics_section(ctx: Words, scope: Scope, out: list[Chart]) -> dict:
    metrics = scope.view.metrics
    section = {"title": ctx.t("pack.section.metrics"), "intro": ctx.t("pack.metrics.intro"),
               "empty": ctx.t("pack.metrics.none"), "charts": [], "table_title": ctx.t("pack.metrics.table")}
    if metrics.empty:
        section["rows"] = []
        return section
    scopes = list(ctx.ds.descriptor.vocabularies["scope_code"])
    codes = [c for c in ibcr_data.choices(ctx.ds).metrics if c in set(metrics["metric_code"])]
    for code in codes:
        chosen = metrics[metrics["metric_code"] == code]
        labels = figures.MetricLabels(exact=ctx.t("metrics.exact"), estimate=ctx.t("metrics.estimate"),
                                      target=ctx.t("metrics.target_legend"), year=ctx.t("axis.year_reported"),
                                      unit=ctx.label("metric", code))
        for sc in [s for s in scopes if s in set(chosen["scope_code"])]:
            series = ibcr_data.metric_series(chosen, code, sc)
            if series["value"].notna().sum() < 2 or series["end_year"].dropna().nunique() < 2:
                continue  # a single figure is a table row, not a chart
            fig = figures.metric_figure(series, ctx.lang, labels, text.metric_hover(ctx, series))
            fig.update_layout(height=300)
            years = series["end_year"].dropna()
            alt = ctx.tn("metrics.alt", len(series), metric=ctx.label("metric", code), scope=ctx.label("scope", sc),
                         period=i18n.year_span(ctx.lang, years.min(), years.max()))
            name = f"metric-{code}-{sc}"
            out.append(Chart(name, _styled(fig), alt, 300))
            sources = dict.fromkeys(series["source_id"])
            section["charts"].append({"chart": name, "alt": alt,
                                      "title": f"{ctx.label('metric', code)} — {ctx.label('scope', sc)}",
                                      "source": ctx.t("card.source") + " "
                                      + "; ".join(ctx.source_title(s) for s in sources)})
    order = metrics.assign(_c=metrics["metric_code"].map({c: i for i, c in enumerate(codes)}))
    order = order.sort_values(["_c", "scope_code", "end_year", "metric_id"])
    section["columns"] = [ctx.t(k) for k in ("col.figure", "col.what", "col.scope", "col.period", "col.confidence",
                                             "col.source")]
    section["rows"] = [[
        ctx.label("metric", r["metric_code"]) + ": " + text.metric_row_text(ctx, r),
        _s(r[f"note_{ctx.lang}"]),
        ctx.label("scope", r["scope_code"]) + (f" ({ctx.t('metrics.target')})" if r["is_target"] else ""),
        _s(r[f"period_label_{ctx.lang}"]),
        ctx.label("confidence", r["confidence_code"]),
        "; ".join(ctx.source_title(s) for s in [r["source_id"], *(s for s, _ in ctx.further_sources("metrics",
                                                                                                 r["metric_id"]))]),
    ] for _, r in order.iterrows()]
    return section
