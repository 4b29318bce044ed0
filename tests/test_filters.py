"""Filters, link parameters and aggregations: pure functions, no Streamlit."""

from __future__ import annotations

import pandas as pd
import pytest

import ibcr_data
from ibcr_data import Filters, apply_filters, parse_query


@pytest.fixture(scope="module")
def ch(ds):
    return ibcr_data.choices(ds)


def test_year_bounds_cover_only_years_with_data(ds, ch):
    assert ch.year_min == 1994
    assert 2026 <= ch.year_max <= 2030


def test_link_round_trip(ds, ch):
    f = Filters(years=(2012, 2020), regions=frozenset({"west_africa"}), kinds=frozenset({"training"}),
                statuses=frozenset({"completed"}), programmes=frozenset({"gac-bfa"}), countries=frozenset({"BFA"}))
    back, ignored = parse_query(f.to_query(), ch)
    assert back == f and ignored == []
    assert f.to_query()["years"] == "2012-2020"


def test_unknown_link_values_are_ignored_and_reported(ch):
    f, ignored = parse_query({"region": "west_africa,atlantis", "kind": ["training", "<script>"],
                              "years": "abcd", "country": "ZZZ", "status": "ongoing"}, ch)
    assert f.regions == {"west_africa"} and f.kinds == {"training"} and f.statuses == {"ongoing"}
    assert f.years is None and f.countries == frozenset()
    assert {(i.key, i.value) for i in ignored} == {("region", "atlantis"), ("kind", "<script>"),
                                                   ("years", "abcd"), ("country", "ZZZ")}


def test_link_years_are_clamped_and_ordered(ch):
    f, ignored = parse_query({"years": "2020-2012"}, ch)
    assert f.years == (2012, 2020) and not ignored
    f, _ = parse_query({"years": "1900-2500"}, ch)
    assert f.years is None  # the whole range is no filter at all
    f, ignored = parse_query({"years": "1900-1950"}, ch)
    assert f.years is None and ignored


def test_codes_in_links_are_case_insensitive(ch):
    f, ignored = parse_query({"country": "cod", "region": "WEST_AFRICA"}, ch)
    assert f.countries == {"COD"} and f.regions == {"west_africa"} and not ignored


def test_region_filter_keeps_only_that_region(ds):
    view = apply_filters(ds, Filters(regions=frozenset({"west_africa"})))
    assert len(view.engagements) > 10
    assert set(view.engagements["ibcr_region_code"]) == {"west_africa"}
    assert {"BFA", "SEN", "CIV"} <= set(view.engagements["country_iso3"])


def test_composite_region_includes_its_parts(ds):
    mena = apply_filters(ds, Filters(regions=frozenset({"mena"})))
    assert set(mena.engagements["ibcr_region_code"]) == {"north_africa", "middle_east"}
    un_africa = apply_filters(ds, Filters(regions=frozenset({"un_africa"})))
    assert {"MAR", "BFA", "AGO"} <= set(un_africa.engagements["country_iso3"])


def test_year_filter_uses_overlap_and_respects_status_dates(ds):
    view = apply_filters(ds, Filters(years=(2017, 2018)))
    span = ibcr_data.filters.engagement_years(view.engagements)
    assert ((span["from"] <= 2018) & (span["to"] >= 2017)).all()
    # "underway" in the undated c.2016 seed does not claim 2017-2018.
    seed_underway = view.engagements[(view.engagements["source_id"] == "seed-000")
                                     & (view.engagements["status_code"] == "ongoing")
                                     & view.engagements["end_year"].isna() & view.engagements["start_year"].isna()]
    assert seed_underway.empty


def test_filters_combine(ds):
    both = apply_filters(ds, Filters(regions=frozenset({"west_africa"}), kinds=frozenset({"training"})))
    assert set(both.engagements["kind_code"]) == {"training"}
    assert set(both.engagements["ibcr_region_code"]) == {"west_africa"}
    assert len(both.engagements) < len(apply_filters(ds, Filters(kinds=frozenset({"training"}))).engagements)


def test_headline_counts_follow_the_filter(ds):
    every = {f.key: f for f in ibcr_data.headline_figures(ds, apply_filters(ds, Filters()), 2026)}
    west = {f.key: f for f in ibcr_data.headline_figures(ds, apply_filters(ds, Filters(regions=frozenset({"west_africa"}))), 2026)}
    assert west["countries_engaged"].value < every["countries_engaged"].value
    assert west["engagements"].value < every["engagements"].value
    assert every["years_active"].value == 2026 - 1994


def test_headline_reported_figures_are_picked_not_summed(ds):
    figs = {f.key: f for f in ibcr_data.headline_figures(ds, apply_filters(ds, Filters()), 2026)}
    trained = figs["professionals_trained"]
    cumulative = ds.metrics[(ds.metrics["metric_code"] == "professionals_trained")
                            & (ds.metrics["scope_code"] == "cumulative") & ds.metrics["country_iso3"].isna()]
    assert trained.value in set(cumulative["value"])  # one reported figure, never a total
    assert trained.value == cumulative.sort_values("end_year")["value"].iloc[-1]
    assert trained.scope == "cumulative" and trained.qualifier == "more_than"
    assert trained.source_ids and trained.period_en and trained.period_fr


def test_headline_shows_the_volunteer_conflict(ds):
    figs = {f.key: f for f in ibcr_data.headline_figures(ds, apply_filters(ds, Filters()), 2026)}
    vol = figs["volunteers_deployed"]
    values = {vol.value} | {a.value for a in vol.alternatives}
    assert {70.0, 200.0} <= values
    assert vol.conflict_id == "prodef-volunteers"


def test_headline_respects_the_year_filter(ds):
    early = {f.key: f for f in ibcr_data.headline_figures(ds, apply_filters(ds, Filters(years=(1994, 2005))), 2026)}
    assert early["professionals_trained"].value is None  # nothing reported that early: no figure, not zero


def test_engagements_per_country_marks_venues(ds):
    per = ibcr_data.engagements_per_country(ds, apply_filters(ds, Filters())).set_index("country_iso3")
    assert per.at["AUT", "is_venue_only"] and per.at["FRA", "is_venue_only"]
    assert not per.at["BFA", "is_venue_only"]
    assert per["engagement_count"].sum() == len(ds.engagements)


def test_timeline_rows_group_by_country_or_programme(ds):
    view = apply_filters(ds, Filters())
    by_country = ibcr_data.timeline_rows(ds, view, "country")
    by_prog = ibcr_data.timeline_rows(ds, view, "programme")
    assert (by_country["year_to"] >= by_country["year_from"]).all()
    assert by_prog["programme_id"].notna().all()
    assert "PRIDE" in set(by_prog["group_en"]) or "PRIDE" in " ".join(by_prog["group_en"])
    with pytest.raises(ValueError):
        ibcr_data.timeline_rows(ds, view, "colour")


def test_metric_series_keeps_one_scope(ds):
    s = ibcr_data.metric_series(ds.metrics, "professionals_trained", "cumulative")
    assert set(s["scope_code"]) == {"cumulative"}
    assert s["end_year"].is_monotonic_increasing


def test_country_profile(ds):
    bfa = ibcr_data.country_profile(ds, "BFA")
    assert bfa.has_engagement and "Global Affairs Canada" in " ".join(bfa.funders)
    assert set(bfa.sources["source_id"]) >= set(bfa.engagements["source_id"])
    nowhere = ibcr_data.country_profile(ds, "ISL")
    assert not nowhere.has_engagement
    with pytest.raises(KeyError):
        ibcr_data.country_profile(ds, "XXX")


def test_source_usage_counts_records(ds):
    usage = ibcr_data.source_usage(ds)
    total = sum(len(ds.table(t)) for t in ("engagements", "programmes", "events", "metrics"))
    assert usage["record_count"].sum() == total
    assert usage.set_index("source_id").at["seed-000", "record_count"] > 10


def test_filtering_does_not_mutate_the_dataset(ds):
    before = ds.engagements.copy()
    apply_filters(ds, Filters(regions=frozenset({"mena"}), years=(2008, 2012)))
    pd.testing.assert_frame_equal(before, ds.engagements)
