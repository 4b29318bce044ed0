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


def test_undated_seed_ongoing_records_claim_no_later_years(ds):
    # Data regression: "underway" in the undated c.2016 seed does not claim 2017-2018.
    view = apply_filters(ds, Filters(years=(2017, 2018)))
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
    stated = cumulative[cumulative["period_confidence_code"] != "inferred"]
    assert trained.value == stated.sort_values("end_year")["value"].iloc[-1]  # the latest stated period leads
    assert trained.scope == "cumulative" and trained.qualifier == "more_than"
    assert trained.source_ids and trained.period("en") and trained.period("fr") and trained.period("es")


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
    assert per["engagement_count"].sum() == ds.engagements["is_counted"].sum() < len(ds.engagements)


def test_timeline_rows_group_by_country_or_programme(ds):
    view = apply_filters(ds, Filters())
    by_country = ibcr_data.timeline_rows(ds, view, "country")
    by_prog = ibcr_data.timeline_rows(ds, view, "programme")
    assert (by_country["year_to"] >= by_country["year_from"]).all()
    assert by_prog["programme_id"].notna().all()
    assert {"PRIDE", "PRODEF", "Batela Mwana"} <= set(by_prog["group_en"])  # acronyms label programme bars
    assert {"Burkina Faso", "Senegal"} <= set(by_country["group_en"])
    assert "Sénégal" in set(by_country["group_fr"])
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
    # A further source of a record counts once more, unless it is the record's main source.
    main = {(t, rid, src) for t, col in ds.record_tables.items()
            for rid, src in zip(ds.table(t)[col], ds.table(t)["source_id"])}
    further = {(t, rid, src) for t, rid, src in ds.record_sources[["record_table", "record_id", "source_id"]]
               .itertuples(index=False)} - main
    assert usage["record_count"].sum() == total + len(further)
    assert usage.set_index("source_id").at["seed-000", "record_count"] > 10


def test_filtering_does_not_mutate_the_dataset(ds):
    before = ds.engagements.copy()
    apply_filters(ds, Filters(regions=frozenset({"mena"}), years=(2008, 2012)))
    pd.testing.assert_frame_equal(before, ds.engagements)


# A tiny dataset where every answer is known: the real code tables, countries and programmes,
# with a handful of engagements, milestones and figures written here.
ENGAGEMENTS = [
    # id, country, kind, programme, start, end, precision, status, status as of
    ("bfa-train", "BFA", "training", "gac-bfa", "2012", "2016", "year", "completed", "2016"),
    ("bfa-research", "BFA", "research", "", "2018", "", "year", "ongoing", "2019"),  # ongoing, closed by 2019
    ("bfa-venue", "BFA", "event_venue", "", "2020", "2020", "year", "completed", "2021"),
    ("sen-ongoing", "SEN", "training", "", "2015", "", "year", "ongoing", "2016"),  # "underway in 2016"
    ("mar-undated", "MAR", "jj_analysis", "", "", "", "unknown", "completed", "2016"),
    ("egy-manara", "EGY", "civil_society", "manara", "2010", "", "year", "ongoing", "2022"),
    ("jor-research", "JOR", "research", "jor-cida", "2019", "2020", "year", "completed", "2020"),
    ("aut-venue", "AUT", "event_venue", "", "2001", "2001", "year", "completed", "2001"),
]
EVENTS = [
    # id, start, end, precision, category, country, programme
    ("ev-founding", "1994", "", "year", "founding", "CAN", ""),
    ("ev-bfa", "2013", "", "year", "programme", "BFA", "gac-bfa"),
    ("ev-jor", "2019", "2020", "range", "workshop", "JOR", ""),
]
METRICS = [
    # id, code, value, qualifier, scope, is_target, start, end, country
    ("m-2010", "professionals_trained", "1000", "more_than", "cumulative", "false", "1994", "2010", ""),
    ("m-2015", "professionals_trained", "5000", "about", "cumulative", "false", "1994", "2015", ""),
    ("m-2020", "professionals_trained", "8000", "more_than", "cumulative", "false", "1994", "2020", ""),
    ("m-bfa", "professionals_trained", "20000", "exactly", "cumulative", "false", "2012", "2022", "BFA"),
    ("m-annual", "professionals_trained", "3000", "exactly", "annual", "false", "2021", "2021", ""),
    ("m-target", "professionals_trained", "50000", "exactly", "cumulative", "true", "1994", "2025", ""),
]


def _write(path, rows: list[dict]) -> None:
    from tests.support import read_rows, write_rows

    header, _ = read_rows(path)
    write_rows(path, header, [[r.get(c, "") for c in header] for r in rows])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> ibcr_data.Dataset:
    import shutil

    from tests.support import DATA

    data = tmp_path_factory.mktemp("tiny") / "data"
    shutil.copytree(DATA, data)
    common = {"source_id": "seed-000", "confidence_code": "exact"}
    _write(data / "engagements.csv", [common | {
        "engagement_id": i, "country_iso3": c, "kind_code": k, "programme_id": p, "start_year": a, "end_year": b,
        "date_precision_code": prec, "status_code": s, "status_as_of": as_of,
        "description_en": f"Record {i}", "description_fr": f"Fiche {i}",
        "description_es": f"Ficha {i}"} for i, c, k, p, a, b, prec, s, as_of in ENGAGEMENTS])
    _write(data / "events.csv", [common | {
        "event_id": i, "start_year": a, "end_year": b, "date_precision_code": prec, "category_code": cat,
        "is_key_milestone": "true", "country_iso3": c, "programme_id": p, "title_en": i, "title_fr": i,
        "title_es": i, "description_en": i, "description_fr": i, "description_es": i} for i, a, b, prec, cat, c, p in EVENTS])
    _write(data / "metrics.csv", [common | {
        "metric_id": i, "metric_code": code, "unit_code": "people", "value": v, "qualifier_code": q, "scope_code": scope, "is_target": target,
        "start_year": a, "end_year": b, "country_iso3": c, "period_label_en": f"{a}-{b}", "period_label_fr": f"{a}-{b}",
        "period_label_es": f"{a}-{b}", "note_en": f"Figure {i}", "note_fr": f"Chiffre {i}", "note_es": f"Cifra {i}",
        "period_confidence_code": "exact"} for i, code, v, q, scope, target, a, b, c in METRICS])
    for linked in ("distinct_records.csv", "record_sources.csv"):  # they name records of the real data
        if (data / linked).exists():
            _write(data / linked, [])
    return ibcr_data.load_dataset(data)


def ids(view) -> set[str]:
    return set(view.engagements["engagement_id"])


def test_tiny_year_filter_is_an_overlap_and_ongoing_records_end_at_their_status_date(tiny):
    assert ids(apply_filters(tiny, Filters(years=(2017, 2018)))) == {"bfa-research", "egy-manara"}
    # "Ongoing since 2015, as of 2016" covers 2015-2016: not 2017, and not 2025 either.
    assert ids(apply_filters(tiny, Filters(years=(2016, 2016)))) == {"bfa-train", "sen-ongoing", "egy-manara"}
    assert ids(apply_filters(tiny, Filters(years=(2020, 2022)))) == {"bfa-venue", "egy-manara", "jor-research"}
    assert ids(apply_filters(tiny, Filters(years=(2023, 2026)))) == set()
    assert ids(apply_filters(tiny, Filters(years=(2001, 2001)))) == {"aut-venue"}


def test_tiny_undated_records_show_only_without_a_year_filter(tiny):
    assert "mar-undated" in ids(apply_filters(tiny, Filters()))
    assert len(apply_filters(tiny, Filters()).engagements) == len(ENGAGEMENTS)
    for years in ((1994, 2026), (2016, 2016), (1994, 2000)):
        assert "mar-undated" not in ids(apply_filters(tiny, Filters(years=years))), years


def test_tiny_region_and_composite_region(tiny):
    assert ids(apply_filters(tiny, Filters(regions=frozenset({"west_africa"})))) == {
        "bfa-train", "bfa-research", "bfa-venue", "sen-ongoing"}
    # MENA is North Africa plus the Middle East; UN Africa takes every African country.
    assert ids(apply_filters(tiny, Filters(regions=frozenset({"mena"})))) == {"mar-undated", "egy-manara", "jor-research"}
    assert {c for c in apply_filters(tiny, Filters(regions=frozenset({"un_africa"}))).engagements["country_iso3"]} == {
        "BFA", "SEN", "MAR", "EGY"}
    two = apply_filters(tiny, Filters(regions=frozenset({"west_africa", "europe"})))
    assert set(two.engagements["country_iso3"]) == {"BFA", "SEN", "AUT"}


def test_tiny_filters_combine_as_and(tiny):
    f = Filters(regions=frozenset({"west_africa"}), kinds=frozenset({"training"}), years=(2015, 2016))
    assert ids(apply_filters(tiny, f)) == {"bfa-train", "sen-ongoing"}
    assert ids(apply_filters(tiny, f.with_(statuses=frozenset({"ongoing"})))) == {"sen-ongoing"}
    assert ids(apply_filters(tiny, f.with_(programmes=frozenset({"gac-bfa"})))) == {"bfa-train"}
    assert ids(apply_filters(tiny, f.with_(countries=frozenset({"SEN"})))) == {"sen-ongoing"}
    assert ids(apply_filters(tiny, f.with_(kinds=frozenset({"research"})))) == set()


def test_tiny_milestones_and_figures_follow_place_years_and_programme(tiny):
    def events(**kw):
        return set(apply_filters(tiny, Filters(**kw)).events["event_id"])

    assert events() == {"ev-founding", "ev-bfa", "ev-jor"}
    assert events(regions=frozenset({"west_africa"})) == {"ev-bfa"}
    assert events(years=(2020, 2020)) == {"ev-jor"}  # a 2019-2020 milestone overlaps 2020
    assert events(programmes=frozenset({"gac-bfa"})) == {"ev-bfa"}
    assert set(apply_filters(tiny, Filters(countries=frozenset({"BFA"}))).metrics["metric_id"]) == {"m-bfa"}
    view = apply_filters(tiny, Filters(programmes=frozenset({"gac-bfa"})))
    assert list(view.programmes["programme_id"]) == ["gac-bfa"]


def test_tiny_per_country_counts_and_venue_only_countries(tiny):
    per = ibcr_data.engagements_per_country(tiny, apply_filters(tiny, Filters())).set_index("country_iso3")
    # Pieces of work: a venue is not one (Austria shows, with none; Burkina Faso's event is not counted).
    assert per["engagement_count"].to_dict() == {"AUT": 0, "BFA": 2, "EGY": 1, "JOR": 1, "MAR": 1, "SEN": 1}
    assert per["is_venue_only"].to_dict() == {"AUT": True, "BFA": False, "EGY": False, "JOR": False, "MAR": False,
                                              "SEN": False}
    # Burkina Faso hosted an event in 2020-2021, but its programme work (latest: ongoing as of 2019) decides.
    assert per.at["BFA", "status_code"] == "ongoing"
    assert per.at["BFA", "main_kind_code"] in {"training", "research"}
    assert (per.at["BFA", "first_year"], per.at["BFA", "last_year"]) == (2012, 2020)
    assert per.at["AUT", "main_kind_code"] == "event_venue"
    assert pd.isna(per.at["MAR", "first_year"])  # undated: no years, not zero
    west = ibcr_data.engagements_per_country(tiny, apply_filters(tiny, Filters(years=(2017, 2018))))
    assert dict(zip(west["country_iso3"], west["engagement_count"])) == {"BFA": 1, "EGY": 1}


def test_tiny_headline_counts_and_reported_figures_are_picked_not_summed(tiny):
    def cards(f: Filters) -> dict:
        return {c.key: c for c in ibcr_data.headline_figures(tiny, apply_filters(tiny, f), 2026)}

    every = cards(Filters())
    assert every["countries_engaged"].value == 5 and every["countries_engaged"].venue_count == 1  # Austria: venue only
    assert every["engagements"].value == len(ENGAGEMENTS) - 2  # the two venues are places, not pieces of work
    assert every["years_active"].value == 2026 - 1994
    trained = every["professionals_trained"]
    # The latest IBCR-wide cumulative figure: not the sum (14,000), not a country's, a target or an annual figure.
    assert (trained.value, trained.qualifier, trained.source_ids) == (8000, "more_than", ("seed-000",))
    assert cards(Filters(years=(1994, 2016)))["professionals_trained"].value == 5000
    assert cards(Filters(years=(1994, 2016)))["professionals_trained"].qualifier == "about"
    assert cards(Filters(years=(1994, 2012)))["professionals_trained"].value == 1000
    assert cards(Filters(years=(1994, 2005)))["professionals_trained"].value is None  # nothing yet: no figure, not 0
    assert every["volunteers_deployed"].value is None
    west = cards(Filters(regions=frozenset({"west_africa"})))
    assert (west["countries_engaged"].value, west["engagements"].value) == (2, 3)  # three pieces of work; the event venue is not one
    # Reported figures are IBCR-wide: a place filter does not change them.
    assert west["professionals_trained"].value == 8000
