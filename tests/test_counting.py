"""Counts a board can defend: what the Engagements card counts, the duplicate rule, statuses, and which
figure leads a reported card (pages and packs alike)."""

from __future__ import annotations

import re

import pytest

import ibcr_data
from ibcr_data import Filters, apply_filters
from ibcr_present import cards
from ibcr_present.words import Words
from ibcr_report import scope as pack_scope
from ibcr_report.content import VersionInfo, build_content
from tests.support import read_rows, write_rows


def headline(ds, **filters) -> dict:
    return {f.key: f for f in ibcr_data.headline_figures(ds, apply_filters(ds, Filters(**filters)), ds.as_of_year)}


def test_the_engagements_card_counts_each_piece_of_work_once(ds):
    eng = ds.engagements
    kinds = ds.codes["kind"].set_index("kind_code")["counts_as_work"]
    work = eng["kind_code"].map(kinds) & eng["part_of_engagement_id"].isna()
    assert headline(ds)["engagements"].value == work.sum() < len(eng)
    offices = eng[eng["kind_code"] == "office"]
    venues = eng[eng["kind_code"].isin(["tribunal_hearing", "event_venue"])]
    parts = eng[eng["part_of_engagement_id"].notna()]
    assert len(offices) >= 5 and len(venues) >= 8 and len(parts) >= 3
    assert not eng.loc[offices.index.union(venues.index).union(parts.index), "is_counted"].any()
    # Countries engaged: countries with a piece of work; a country with only a venue is counted apart.
    countries = headline(ds)["countries_engaged"]
    assert countries.value == eng.loc[~eng["is_venue"], "country_iso3"].nunique()
    assert countries.venue_count == len(set(venues["country_iso3"]) - set(eng.loc[~eng["is_venue"], "country_iso3"]))


def test_the_map_counts_pieces_of_work_and_shows_places_as_places(ds):
    per = ibcr_data.engagements_per_country(ds, apply_filters(ds, Filters())).set_index("country_iso3")
    assert per.at["FRA", "engagement_count"] == 0 and per.at["FRA", "is_venue_only"]  # a Tribunal hearing only
    bfa = ds.engagements[ds.engagements["country_iso3"] == "BFA"]
    assert per.at["BFA", "engagement_count"] == bfa["is_counted"].sum() < len(bfa)  # an office and a part


@pytest.mark.parametrize("country", ["SEN", "TUN"])
def test_a_country_where_a_programme_still_runs_is_not_shown_as_completed(ds, country):
    per = ibcr_data.engagements_per_country(ds, apply_filters(ds, Filters())).set_index("country_iso3")
    assert per.at[country, "status_code"] == "ongoing"


def _add(folder, **cells) -> str:
    header, rows = read_rows(folder / "engagements.csv")
    base = dict(zip(header, rows[0])) | {"subdivision_code": "", "place_name": "", "programme_id": "",
                                          "part_of_engagement_id": "", "start_date": "", "end_date": "",
                                          "start_year": "", "end_year": "", "conflict_id": "", "partners": "",
                                          "funders": "", "source_id": "seed-000", "confidence_code": "inferred"}
    row = base | cells
    write_rows(folder / "engagements.csv", header, [*rows, [row[h] for h in header]])
    return row["engagement_id"]


def _set(folder, record_id: str, **cells) -> None:
    header, rows = read_rows(folder / "engagements.csv")
    for r in rows:
        if r[0] == record_id:
            for k, v in cells.items():
                r[header.index(k)] = v
    write_rows(folder / "engagements.csv", header, rows)


def duplicates_of(folder, record_id: str) -> set[str]:
    """The records the validator says `record_id` is likely a copy of."""
    problems = ibcr_data.validate(folder)[0]
    return {p.message.split("'")[1] for p in problems if p.code == "likely_duplicate" and p.value == record_id}


UNDATED = {"kind_code": "training", "date_precision_code": "unknown", "status_as_of": "2016"}


@pytest.mark.parametrize(("country", "status", "kept"), [
    ("BDI", "completed", "bdi-police-justice-2013"), ("CMR", "completed", "cmr-police-justice-2012"),
    ("CIV", "completed", "civ-security-forces-2012"), ("NER", "completed", "ner-security-schools-2011"),
    ("YEM", "completed", "yem-police-2013"), ("SEN", "completed", "sen-support-since-2009"),
    ("BFA", "ongoing", "bfa-gac-capacity-2015"), ("CRI", "ongoing", "cri-gac-trafficking-2015"),
    ("COD", "ongoing", "cod-batela-mwana-2015"),
])
def test_a_seed_training_row_with_no_date_is_refused_as_a_copy(data_copy, country, status, kept):
    """The seed's "training sessions completed / still under way" rows: undated, they cover the years up to
    their status date, and training is compared with contribution-agreement projects."""
    added = _add(data_copy, engagement_id=f"{country.lower()}-training-seed", country_iso3=country,
                 status_code=status, **UNDATED)
    assert kept in duplicates_of(data_copy, added)


@pytest.mark.parametrize(("country", "kept"), [("SEN", "sen-xale-sama-yite-2020"), ("BFA", "bfa-gac-capacity-2015"),
                                               ("COD", "cod-batela-mwana-2015")])
def test_a_seed_project_launched_in_2015_2020_is_refused_as_a_copy(data_copy, country, kept):
    added = _add(data_copy, engagement_id=f"{country.lower()}-new-project-seed", country_iso3=country,
                 kind_code="training", start_year="2015", date_precision_code="range", status_code="ongoing",
                 status_as_of="2020", source_id="seed-003")
    assert kept in duplicates_of(data_copy, added)


@pytest.mark.parametrize(("part", "whole"), [("bfa-school-courses-2018", "bfa-gac-capacity-2015"),
                                             ("cod-police-trainers-2019", "cod-batela-mwana-2015"),
                                             ("jor-country-profile-2011", "jor-manara")])
def test_a_part_recorded_as_work_of_its_own_is_refused(data_copy, part, whole):
    assert ibcr_data.validate(data_copy)[0] == []
    _set(data_copy, part, part_of_engagement_id="")
    assert whole in duplicates_of(data_copy, part)


def test_a_part_must_lie_inside_its_whole(data_copy):
    _set(data_copy, "jor-country-profile-2011", part_of_engagement_id="mar-manara")  # another country
    _set(data_copy, "bfa-school-courses-2018", part_of_engagement_id="bfa-office-ouagadougou")  # an office
    bad = {p.value: p.message for p in ibcr_data.validate(data_copy)[0] if p.code == "bad_part"}
    assert "another country" in bad["mar-manara"] and "a place" in bad["bfa-office-ouagadougou"]


def test_an_ongoing_record_older_than_its_running_programme_is_refused(data_copy):
    _set(data_copy, "sen-pride", status_as_of="2025")
    problems = [p for p in ibcr_data.validate(data_copy)[0] if p.code == "ongoing_behind_programme"]
    assert [(p.value, p.column) for p in problems] == [("2025", "status_as_of")]
    assert "2026-11" in problems[0].hint


# Which figure leads a card


def test_the_volunteers_card_leads_with_a_dated_count_never_the_undated_seed(ds):
    vol = headline(ds)["volunteers_deployed"]
    assert (vol.value, vol.qualifier, vol.end_year) == (70, "more_than", 2020)
    assert 200 in {a.value for a in vol.alternatives if not a.is_target}  # the seed's claim, shown as a conflict
    for years in ((2015, 2016), (2015, 2018), (2015, 2019)):
        assert headline(ds, years=years)["volunteers_deployed"].value is None  # the seed's date is only inferred


def test_the_professionals_card_leads_with_a_stated_date_over_an_inferred_one(ds):
    trained = headline(ds)["professionals_trained"]
    guide = ds.metrics.set_index("metric_id").loc["m-guide2021-workers-trained"]
    assert guide["period_confidence_code"] == "inferred" and guide["end_year"] > trained.end_year
    assert (trained.value, trained.metric_id) == (64_300, "m-ar2020-professionals-trained")
    assert guide["value"] in {a.value for a in trained.alternatives}


def test_two_children_figures_that_tie_are_shown_as_a_range_with_both_sources(ds):
    children = headline(ds)["children_reached"]
    assert children.is_tie and (children.value, children.value_max, children.qualifier) == (2_900_000, 4_000_000, "range")
    claims = {(a.value, a.source_ids) for a in children.alternatives}
    assert {(2_900_000.0, ("ibcr-ar-2020-21",)), (4_000_000.0, ("ibcr-ar-2020-21",))} <= claims


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_pack_words_the_cards_as_the_page_does(ds, lang):
    w = Words.of(ds, lang)
    counted, reported = cards.headline_cards(w, headline(ds), cards.plain(w))
    doc = build_content(ds, pack_scope.resolve(ds, "organisation", None), lang, VersionInfo("")).doc["figures"]
    assert [row[:2] for row in doc["counted"]] == [[c.title, c.value] for c in counted]
    assert [(r["label"], r["value"]) for r in doc["reported"]] == [(c.title, c.value) for c in reported]
    children = next(r for r in doc["reported"] if r["label"] == w.t("card.children_reached"))
    assert w.t("card.tie").replace(" :", "\u202f:") in children["lines"] or w.t("card.tie") in children["lines"]
    assert len(children["others"]) == 2


@pytest.mark.parametrize("regions", [(), ("west_africa",)])
def test_the_data_pages_engagement_rows_say_how_they_make_the_overviews_count(ds, regions):
    from tests.apptest import cards, run

    params = {"region": ",".join(regions)} if regions else {}
    overview, data = cards(run("overview", **params)), run("data", **params)
    (tab,) = [t.label for t in data.tabs if t.label.startswith("Engagements (")]
    line = next(c.value for c in data.caption if c.value.startswith("Rows: "))
    rows, counted, venues, parts = (int(n) for n in re.findall(r": (\d+)", line.replace(",", "")))
    assert tab == f"Engagements ({rows})" and str(counted) == overview["Engagements"]  # the card's own number
    eng = apply_filters(ds, Filters(regions=frozenset(regions))).engagements
    assert venues == eng["kind_code"].isin(["office", "tribunal_hearing", "event_venue"]).sum() > 0
    assert parts == eng["part_of_engagement_id"].notna().sum()
