"""Figure builders: pure functions from tables to Plotly figures, tested without Streamlit."""

from __future__ import annotations

import pandas as pd
import pytest

import ibcr_data
from ibcr_data import Filters, apply_filters
from ibcr_present import figures
from ibcr_present.theme import KIND_COLOURS, VENUE_COLOUR


@pytest.fixture(scope="module")
def per_country(ds):
    return ibcr_data.engagements_per_country(ds, apply_filters(ds, Filters()))


def _map(ds, per_country, mode, hover=None):
    names = dict(zip(ds.countries["country_iso3"], ds.countries["name_en"]))
    labels = figures.MapLabels(categories={"training": "Training"}, venue="Venue or office only", count_axis="Engagements")
    return figures.world_map_figure(per_country, mode, names, hover or {}, ds.country_points, labels)


def test_map_by_kind_has_one_trace_per_kind_and_venues_apart(ds, per_country):
    fig = _map(ds, per_country, "kind")
    choropleths = [t for t in fig.data if t.type == "choropleth"]
    drawn = {iso for t in choropleths for iso in t.locations}
    assert drawn == set(per_country["country_iso3"])  # every engaged country, and no other
    venue = [t for t in choropleths if t.name == "Venue or office only"]
    assert venue and set(venue[0].locations) == set(per_country[per_country["is_venue_only"]]["country_iso3"])
    assert venue[0].colorscale[0][1] == VENUE_COLOUR
    training = next(t for t in choropleths if t.name == "Training")
    assert training.colorscale[0][1] == KIND_COLOURS["training"]
    markers = [t for t in fig.data if t.type == "scattergeo"]
    assert markers and markers[0].marker.symbol == "diamond"  # venues also carry a marker


def test_map_modes_and_clickable_ids(ds, per_country):
    by_count = _map(ds, per_country, "count")
    main = by_count.data[0]
    assert main.type == "choropleth" and list(main.z) == list(per_country.loc[~per_country["is_venue_only"], "engagement_count"])
    for fig in (by_count, _map(ds, per_country, "status")):
        for trace in fig.data:
            if trace.type == "choropleth":
                assert [row[0] for row in trace.customdata] == list(trace.locations)  # a click gives the ISO3
    assert by_count.layout.geo.projection.type == "natural earth"
    assert by_count.layout.geo.landcolor  # countries without engagement are drawn, in the land colour
    with pytest.raises(ValueError):
        _map(ds, per_country, "colour")


def test_map_config_serves_the_base_map_locally():
    cfg = figures.map_config("fr", "carte")
    assert cfg["topojsonURL"] == "app/static/"
    assert cfg["toImageButtonOptions"]["format"] == "png" and cfg["toImageButtonOptions"]["filename"] == "carte"
    assert cfg["locale"] == "fr"


def _timeline(ds, rows, milestones):
    hover = pd.Series("h", index=rows.index, dtype="str")
    mhover = pd.Series("m", index=milestones.index, dtype="str")
    labels = figures.TimelineLabels(statuses={"ongoing": "Ongoing", "completed": "Completed"},
                                    milestones="Milestones", imprecise="Dates known only roughly", year="Year")
    return figures.timeline_figure(rows, milestones, "en", labels, hover, mhover)


def test_timeline_draws_whole_years_and_marks_imprecise_dates(ds):
    view = apply_filters(ds, Filters())
    rows = ibcr_data.timeline_rows(ds, view, "country")
    rows = rows.assign(group=rows["group_en"])
    events = ds.events[ds.events["is_key_milestone"]]
    fig = _timeline(ds, rows, events)
    bars = [t for t in fig.data if t.type == "bar" and t.x is not None and len(t.x) and t.x[0] is not None]
    assert sum(len(t.x) for t in bars) == len(rows)  # one bar per dated engagement
    assert all(min(t.x) >= 1 for t in bars)  # a bar covers at least its one year
    hatched = [t for t in bars if t.marker.pattern.shape == "/"]
    imprecise = rows["date_precision_code"].isin(figures.IMPRECISE).sum()
    assert sum(len(t.x) for t in hatched) == imprecise
    diamonds = [t for t in fig.data if t.type == "scatter"]
    assert len(diamonds) == 1 and len(diamonds[0].x) == len(events)
    assert list(fig.layout.yaxis.categoryarray)[-1] == "Milestones"  # milestones on top, same time axis


def test_timeline_labels_are_escaped(ds):
    view = apply_filters(ds, Filters())
    rows = ibcr_data.timeline_rows(ds, view, "country").head(2)
    rows = rows.assign(group=["<img src=x onerror=alert(1)>", "Plain"])
    fig = _timeline(ds, rows, ds.events.head(0))
    assert all("<img" not in str(y) for t in fig.data for y in (t.y or []))


def _series(values, years, scope="cumulative", targets=None, confidence=None):
    n = len(values)
    return pd.DataFrame({
        "metric_id": [f"m{i}" for i in range(n)], "value": values, "end_year": years,
        "scope_code": [scope] * n if isinstance(scope, str) else scope,
        "is_target": targets or [False] * n, "confidence_code": confidence or ["exact"] * n,
    })


def test_metric_chart_keeps_gaps_and_never_mixes_scopes():
    s = _series([61200.0, 64300.0], [2020, 2023])
    fig = figures.metric_figure(s, "en", figures.MetricLabels(), pd.Series(["a", "b"]))
    line = next(t for t in fig.data if t.mode == "lines")
    assert list(line.x) == [2020, 2021, 2022, 2023]
    assert pd.isna(line.y[1]) and pd.isna(line.y[2])  # years without a figure are gaps, not zeros
    assert line.connectgaps is False
    mixed = _series([3097.0, 64300.0], [2021, 2021], scope=["annual", "cumulative"])
    with pytest.raises(ValueError):
        figures.metric_figure(mixed, "en", figures.MetricLabels(), pd.Series(["a", "b"]))


def test_metric_chart_shows_estimates_targets_and_conflicts_side_by_side():
    s = _series([4_000_000.0, 2_900_000.0, 250.0], [2021, 2021, 2028], targets=[False, False, True],
                confidence=["approximate", "approximate", "exact"])
    fig = figures.metric_figure(s, "en", figures.MetricLabels(estimate="Estimate", target="Target"),
                                pd.Series(["a", "b", "c"]))
    by_name = {t.name: t for t in fig.data if t.mode == "markers"}
    assert by_name["Estimate"].marker.symbol == "circle-open"
    assert by_name["Target"].marker.symbol == "square-open"
    xs = sorted(by_name["Estimate"].x)
    assert xs[0] < 2021 < xs[1]  # the two disagreeing figures for 2021 stand apart, around their year
    assert sum(len(t.y) for t in by_name.values()) == 3  # every figure drawn once, none added up


def test_real_metric_series_chart(ds):
    s = ibcr_data.metric_series(ds.metrics, "professionals_trained", "cumulative")
    fig = figures.metric_figure(s, "fr", figures.MetricLabels(), pd.Series("x", index=s.index, dtype="str"))
    assert fig.layout.separators == ", "  # French number formatting on the axes
    assert fig.layout.yaxis.rangemode == "tozero"


def test_a_narrowed_map_frames_its_countries(ds):
    view = apply_filters(ds, Filters(regions=frozenset({"west_africa"})))
    per = ibcr_data.engagements_per_country(ds, view)
    names = dict(zip(ds.countries["country_iso3"], ds.countries["name_en"]))
    framed = figures.world_map_figure(per, "kind", names, {}, ds.country_points, figures.MapLabels(), zoom_to_data=True)
    world = figures.world_map_figure(per, "kind", names, {}, ds.country_points, figures.MapLabels())
    assert framed.layout.geo.fitbounds == "locations"
    assert world.layout.geo.fitbounds in (None, False)
