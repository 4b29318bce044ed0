"""Pure figure builders: DataFrames and labels in, a Plotly figure out (no Streamlit, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

import pandas as pd
import plotly.graph_objects as go

from .theme import (
    BLUE_SCALE,
    FONT,
    GRID,
    GRID_LINE,
    IBCR_ACCENT,
    KIND_COLOURS,
    LAND,
    NOT_ENGAGED_BORDER,
    STATUS_COLOURS,
    TARGET_COLOUR,
    TEXT,
    VENUE_COLOUR,
)

TOPOJSON_URL = "app/static/"



@dataclass(frozen=True)
class MapLabels:
    """Words on the map: a legend name for each kind or status code, and the venue and count names."""

    categories: Mapping[str, str] = field(default_factory=dict)
    venue: str = "venue"
    count_axis: str = ""
    count_trace: str = ""


@dataclass(frozen=True)
class TimelineLabels:
    statuses: Mapping[str, str] = field(default_factory=dict)
    milestones: str = ""
    imprecise: str = "imprecise"
    year: str = ""


@dataclass(frozen=True)
class MetricLabels:
    exact: str = "exact"
    estimate: str = "estimate"
    target: str = "target"
    year: str = ""
    unit: str = ""


def map_config(lang: str = "en", filename: str = "ibcr-map") -> dict:
    """Plotly config for every map: local base map, PNG export, no Plotly logo."""
    return {
        "topojsonURL": TOPOJSON_URL, "displaylogo": False, "locale": lang,
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def _geo_layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_geos(
        projection_type="natural earth", showframe=False, showcoastlines=False,
        showland=True, landcolor=LAND, showcountries=True, countrycolor=NOT_ENGAGED_BORDER,
        countrywidth=0.5, showocean=False, showlakes=False, lataxis_range=[-58, 85],
        bgcolor="rgba(0,0,0,0)", resolution=110,
    )
    fig.update_layout(
        height=height, margin={"l": 0, "r": 0, "t": 10, "b": 0}, font={"family": FONT, "color": TEXT},
        legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0, "bgcolor": "rgba(255,255,255,0.8)"},
        paper_bgcolor="rgba(0,0,0,0)", dragmode=False, clickmode="event+select",
    )
    return fig


def world_map_figure(per_country: pd.DataFrame, mode: str, names: Mapping[str, str],
                     hover: Mapping[str, str], points: pd.DataFrame, labels: MapLabels,
                     height: int = 520, zoom_to_data: bool = False) -> go.Figure:
    """Choropleth of countries by main kind of work, status, or number of engagements.

    Countries that were only a venue (a Tribunal hearing, a UN session) are drawn in a pale
    colour with a diamond marker, so they never read as programme countries. `hover` is the
    HTML-safe hover text of each country (its records and their sources). `zoom_to_data` frames
    the countries drawn (for a view narrowed to a region) instead of the whole world.
    """
    if mode not in ("kind", "status", "count"):
        raise ValueError(f"unknown map mode {mode!r}")
    fig = go.Figure()
    df = per_country.copy()
    df["name"] = [names.get(c, c) for c in df["country_iso3"]]
    df["hover"] = [hover.get(c, "") for c in df["country_iso3"]]
    template = "<b>%{customdata[1]}</b><br>%{customdata[2]}<extra></extra>"
    work, venues = df[~df["is_venue_only"]], df[df["is_venue_only"]]

    def choropleth(rows: pd.DataFrame, colour: str, name: str, **kw) -> go.Choropleth:
        return go.Choropleth(
            locations=rows["country_iso3"], z=[1] * len(rows), locationmode="ISO-3",
            colorscale=[[0, colour], [1, colour]], showscale=False, name=name, showlegend=True,
            customdata=rows[["country_iso3", "name", "hover"]].to_numpy(), hovertemplate=template,
            marker_line_color="white", marker_line_width=0.6, **kw,
        )

    if mode == "count":
        fig.add_trace(go.Choropleth(
            locations=work["country_iso3"], z=work["engagement_count"], locationmode="ISO-3",
            colorscale=BLUE_SCALE, zmin=0, name=labels.count_trace,
            colorbar={"title": {"text": labels.count_axis}, "thickness": 12, "len": 0.6, "x": 1.0},
            customdata=work[["country_iso3", "name", "hover"]].to_numpy(), hovertemplate=template,
            marker_line_color="white", marker_line_width=0.6,
        ))
    else:
        column, colours = (("main_kind_code", KIND_COLOURS) if mode == "kind" else ("status_code", STATUS_COLOURS))
        for code in colours:
            rows = work[work[column] == code]
            if not rows.empty:
                fig.add_trace(choropleth(rows, colours[code], labels.categories.get(code, code)))
    if not venues.empty:
        fig.add_trace(choropleth(venues, VENUE_COLOUR, labels.venue, legendgroup="venue"))
        pts = venues.merge(points, on="country_iso3", how="inner")
        fig.add_trace(go.Scattergeo(
            lon=pts["lon"], lat=pts["lat"], mode="markers", name=labels.venue,
            legendgroup="venue", showlegend=False,
            marker={"symbol": "diamond", "size": 9, "color": "white", "line": {"color": TEXT, "width": 1.5}},
            customdata=pts[["country_iso3", "name", "hover"]].to_numpy(), hovertemplate=template,
        ))
    _geo_layout(fig, height)
    if zoom_to_data:
        fig.update_geos(fitbounds="locations", lataxis_range=None)
    return fig


def _axis_style(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(gridcolor=GRID, zeroline=False)
    fig.update_yaxes(gridcolor=GRID, zeroline=False)
    fig.update_layout(font={"family": FONT, "color": TEXT}, plot_bgcolor="white", paper_bgcolor="white")
    return fig


IMPRECISE = frozenset({"range", "circa", "by_year"})
ROW_LABEL = 34  # characters of a timeline row label; the hover gives the full name


def _row_label(label: str) -> str:
    """A row label short enough to leave the bars room on a phone ("Deuxième projet de l'IBCR en…")."""
    return label if len(label) <= ROW_LABEL else label[: ROW_LABEL - 1].rsplit(" ", 1)[0] + "…"


def timeline_figure(rows: pd.DataFrame, milestones: pd.DataFrame, lang: str, labels: TimelineLabels,
                    hover: pd.Series, milestone_hover: pd.Series, height: int | None = None) -> go.Figure:
    """Gantt of engagements (one bar each, grouped on rows) with milestones on the same axis.

    Bars cover whole years: a bar from 2015 to 2020 runs from the start of 2015 to the end of
    2020. Dates known only roughly (a range, "about", "by year X") are hatched and paler.
    """
    fig = go.Figure()
    # Plotly reads a few HTML tags in labels: row labels from the data are escaped.
    rows = rows.assign(_hover=hover, group=rows["group"].astype("str").map(lambda g: escape(_row_label(g))))
    for status, colour in STATUS_COLOURS.items():
        sub = rows[rows["status_code"] == status]
        for imprecise in (False, True):
            part = sub[sub["date_precision_code"].isin(IMPRECISE) == imprecise]
            if part.empty:
                continue
            fig.add_trace(go.Bar(
                orientation="h", y=part["group"], base=part["year_from"],
                x=(part["year_to"] - part["year_from"] + 1), name=labels.statuses.get(status, status),
                legendgroup=status, showlegend=bool(not imprecise or sub["date_precision_code"].isin(IMPRECISE).all()),
                marker={"color": colour, "opacity": 0.5 if imprecise else 0.9,
                        "pattern": {"shape": "/" if imprecise else "", "fgcolor": "white", "size": 6},
                        "line": {"color": colour, "width": 1}},
                hovertext=part["_hover"], hovertemplate="%{hovertext}<extra></extra>",
            ))
    if rows["date_precision_code"].isin(IMPRECISE).any():
        fig.add_trace(go.Bar(x=[None], y=[None], name=labels.imprecise,
                             marker={"color": "#9AA4B1", "opacity": 0.5, "line": {"color": "#5B6675", "width": 1},
                                     "pattern": {"shape": "/", "fgcolor": "white", "size": 6}},
                             hoverinfo="skip"))
    if not milestones.empty:
        fig.add_trace(go.Scatter(
            x=milestones["start_year"].astype("float64") + 0.5, y=[labels.milestones] * len(milestones),
            mode="markers", name=labels.milestones,
            marker={"symbol": "diamond", "size": 12, "color": IBCR_ACCENT, "line": {"color": "white", "width": 1}},
            hovertext=milestone_hover, hovertemplate="%{hovertext}<extra></extra>",
        ))
    groups = list(dict.fromkeys(rows["group"]))
    order = ([labels.milestones] if not milestones.empty else []) + groups
    height = height or max(300, 26 * len(order) + 170)
    plot_height = height - 10 - 110  # less the top and bottom margins
    fig.update_layout(
        barmode="overlay", height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 110}, bargap=0.35,
        # Below the axis title (about 55 px down, whatever the height), clear of the chart's tools.
        legend={"orientation": "h", "yanchor": "top", "y": -55 / plot_height, "x": 0},
        yaxis={"categoryorder": "array", "categoryarray": order[::-1], "title": None, "automargin": True},
        xaxis={"title": labels.year, "tickformat": "d", "tickangle": 0},  # ticks as many as the width allows
        separators=", " if lang == "fr" else ".,",
    )
    return _axis_style(fig)


def metric_figure(series: pd.DataFrame, lang: str, labels: MetricLabels, hover: pd.Series,
                  year_range: tuple[int, int] | None = None) -> go.Figure:
    """One kind of figure, ONE scope, over time. Years without a figure stay gaps.

    Achieved figures are solid circles, estimates open circles, targets open squares; two
    figures for the same period that disagree sit side by side.
    """
    if series["scope_code"].nunique() > 1:
        raise ValueError("a chart shows one scope only: annual and cumulative figures are never mixed")
    fig = go.Figure()
    s = series.assign(_hover=hover).dropna(subset=["value"])
    if s.empty:
        return _axis_style(fig)
    lo = int(year_range[0]) if year_range else int(s["end_year"].min())
    hi = int(year_range[1]) if year_range else int(s["end_year"].max())
    achieved = s[~s["is_target"]].sort_values(["end_year", "confidence_code"])
    line = achieved.drop_duplicates("end_year").set_index("end_year")["value"]
    full = line.reindex(range(lo, hi + 1))
    if len(line) > 1:
        fig.add_trace(go.Scatter(x=list(full.index), y=full.to_numpy(), mode="lines", connectgaps=False,
                                 line={"color": GRID_LINE, "width": 2}, hoverinfo="skip", showlegend=False))
    dup = s.groupby("end_year")["metric_id"].transform("count")
    offset = s.groupby("end_year").cumcount() - (dup - 1) / 2
    s = s.assign(_x=s["end_year"].astype("float64") + 0.18 * offset)
    kinds = (("exact", (~s["is_target"]) & (s["confidence_code"] == "exact"), "circle", IBCR_ACCENT),
             ("estimate", (~s["is_target"]) & (s["confidence_code"] != "exact"), "circle-open", IBCR_ACCENT),
             ("target", s["is_target"], "square-open", TARGET_COLOUR))
    for key, mask, symbol, colour in kinds:
        part = s[mask]
        if not part.empty:
            fig.add_trace(go.Scatter(
                x=part["_x"], y=part["value"], mode="markers", name=getattr(labels, key),
                marker={"symbol": symbol, "size": 12, "color": colour, "line": {"width": 2, "color": colour}},
                hovertext=part["_hover"], hovertemplate="%{hovertext}<extra></extra>",
            ))
    fig.update_layout(
        height=320, margin={"l": 10, "r": 10, "t": 30, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        xaxis={"title": labels.year, "range": [lo - 0.7, hi + 0.7], "tickformat": "d", "dtick": 1 if hi - lo < 12 else 2},
        yaxis={"title": labels.unit, "rangemode": "tozero"},
        separators=", " if lang == "fr" else ".,",
    )
    return _axis_style(fig)
