"""The integer-code paths of filters and aggregations give exactly what the plain pandas code gives.

The data: the real tables, resampled into a few thousand rows with the awkward cases made common:
venue-only countries, ties between kinds and between status dates, rows with no years, engagements
with no programme, events and figures with no country.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import ibcr_data
from ibcr_data import Filters, View, apply_filters

SEED = 20260


def places(ds: ibcr_data.Dataset) -> set[str]:
    """The kinds that mark a place (a venue, an office), not a piece of work (codes/kind.csv)."""
    kinds = ds.codes["kind"]
    return set(kinds.loc[~kinds["counts_as_work"], "kind_code"])


def _shuffled(ds: ibcr_data.Dataset, n: int = 3000) -> ibcr_data.Dataset:
    rnd = np.random.default_rng(SEED)
    countries = ds.countries["country_iso3"].to_numpy()[:14]
    # The last three programmes get no engagement; one row in three has no programme.
    programmes = np.append(ds.programmes["programme_id"].to_numpy(dtype=object)[:-3], [None] * 6)
    kinds = np.append(ds.engagements["kind_code"].unique(), sorted(places(ds)))
    dates = np.array(["2016", "2016-05", "2019", "2021-01-01", "2024"])

    def pick(values, size):
        return pd.Series(rnd.choice(values, size), dtype="str")

    def years(size):
        y = rnd.integers(1994, 2030, size).astype("float64")
        y[rnd.random(size) < 0.1] = np.nan
        return y

    eng = ds.engagements.sample(n, replace=True, random_state=SEED).reset_index(drop=True)
    eng["engagement_id"] = pd.Series([f"eng-{i}" for i in range(n)], dtype="str")
    eng["country_iso3"] = pick(countries, n)
    eng["kind_code"] = pick(kinds, n)
    eng.loc[eng["country_iso3"] == countries[0], "kind_code"] = "event_venue"  # a venue-only country
    eng["status_code"] = pick(ds.engagements["status_code"].unique(), n)
    eng["status_as_of"] = pick(dates, n)
    eng["programme_id"] = pick(programmes, n)
    eng["is_venue"] = eng["kind_code"].isin(places(ds))
    eng["part_of_engagement_id"] = pd.Series(np.where(rnd.random(n) < 0.1, "eng-0", None), dtype="str")
    eng["is_counted"] = ~eng["is_venue"] & eng["part_of_engagement_id"].isna()
    eng["year_from"] = years(n)
    eng["year_to"] = eng["year_from"] + rnd.integers(0, 6, n)

    def spread(frame: pd.DataFrame, size: int, first: str, last: str) -> pd.DataFrame:
        out = frame.sample(size, replace=True, random_state=SEED).reset_index(drop=True)
        out["country_iso3"] = pick(np.append(countries.astype(object), [None] * 4), size)
        out["programme_id"] = pick(programmes, size)
        start = pd.array(rnd.integers(1994, 2030, size), dtype="Int64")
        out[first], out[last] = start, start + pd.array(rnd.integers(0, 4, size), dtype="Int64")
        return out

    events = spread(ds.events, 800, "start_year", "end_year")
    events.loc[rnd.random(800) < 0.3, "end_year"] = pd.NA
    metrics = spread(ds.metrics, 800, "start_year", "end_year")
    metrics.loc[rnd.random(800) < 0.3, "start_year"] = pd.NA
    progs = ds.programmes.assign(has_engagement=ds.programmes["programme_id"].isin(eng["programme_id"]))  # as at load
    return dataclasses.replace(ds, engagements=eng, events=events, metrics=metrics, programmes=progs)


@pytest.fixture(scope="module")
def big(ds):
    return _shuffled(ds)


def _reference_filters(ds: ibcr_data.Dataset, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The filters written out plainly on the text columns."""
    eng, ev, m = ds.engagements, ds.events, ds.metrics
    members = set().union(*(ds.region_members.get(r, set()) for r in f.regions)) if f.regions else None
    keep = pd.Series(True, index=eng.index)
    if f.years:
        keep &= (eng["year_from"] <= f.years[1]) & (eng["year_to"] >= f.years[0])
    for col, values in (("kind_code", f.kinds), ("status_code", f.statuses), ("programme_id", f.programmes),
                        ("country_iso3", f.countries)):
        if values:
            keep &= eng[col].isin(values)
    if members is not None:
        keep &= eng["country_iso3"].isin(members)
    places = None
    if members is not None or f.countries:
        places = (members if members is not None else set(f.countries)) & (set(f.countries) if f.countries else members)

    def narrow(frame, first, last):
        k = pd.Series(True, index=frame.index)
        if f.years:
            k &= (first <= f.years[1]) & (last >= f.years[0])
        if places is not None:
            k &= frame["country_iso3"].isin(places)
        if f.programmes:
            k &= frame["programme_id"].isin(f.programmes)
        return frame[k]

    ev_from = ev["start_year"].astype("float64")
    m_to = m["end_year"].astype("float64")
    used = set(eng.loc[keep, "programme_id"].dropna())
    progs = ds.programmes[ds.programmes["programme_id"].isin(used)]
    return (eng[keep], narrow(ev, ev_from, ev["end_year"].astype("float64").fillna(ev_from)),
            narrow(m, m["start_year"].astype("float64").fillna(m_to), m_to), progs)


def _filter_cases(ds: ibcr_data.Dataset) -> list[Filters]:
    eng = ds.engagements
    some_country = eng["country_iso3"].iloc[5]
    return [
        Filters(),
        Filters(years=(2010, 2015)),
        Filters(years=(2029, 2030)),
        Filters(regions=frozenset({"west_africa"})),
        Filters(regions=frozenset({"africa", "europe"})),
        Filters(kinds=frozenset({"training", "event_venue"})),
        Filters(statuses=frozenset({"ongoing"})),
        Filters(programmes=frozenset(eng["programme_id"].dropna().unique()[:2])),
        Filters(countries=frozenset({some_country, "ZZZ"})),
        Filters(countries=frozenset({some_country}), regions=frozenset({"west_africa"})),
        Filters(years=(2000, 2020), regions=frozenset({"africa"}), kinds=frozenset({"training"}),
                statuses=frozenset({"completed", "ongoing"})),
        Filters(countries=frozenset({"ZZZ"})),  # nothing at all
    ]


def _by_hand(view: View) -> View:
    """The same view with no record of its rows: the aggregations take the plain pandas path."""
    return View(view.filters, view.engagements, view.events, view.metrics, view.programmes)


@pytest.mark.parametrize("which", ["real", "shuffled"])
def test_filters_match_the_plain_text_tests(ds, big, which):
    data = ds if which == "real" else big
    for f in _filter_cases(data):
        view = apply_filters(data, f)
        eng, ev, m, progs = _reference_filters(data, f)
        for got, expected in ((view.engagements, eng), (view.events, ev), (view.metrics, m), (view.programmes, progs)):
            pd.testing.assert_frame_equal(got, expected, obj=repr(f))


@pytest.mark.parametrize("which", ["real", "shuffled"])
def test_aggregations_match_the_plain_pandas_path(ds, big, which):
    data = ds if which == "real" else big
    for f in _filter_cases(data):
        view = apply_filters(data, f)
        assert view.selection is not None
        plain = _by_hand(view)
        pd.testing.assert_frame_equal(ibcr_data.engagements_per_country(data, view),
                                      ibcr_data.engagements_per_country(data, plain), obj=repr(f))
        for group_by in ("country", "programme"):
            pd.testing.assert_frame_equal(ibcr_data.timeline_rows(data, view, group_by),
                                          ibcr_data.timeline_rows(data, plain, group_by), obj=repr(f))
        assert ibcr_data.headline_figures(data, view, 2026) == ibcr_data.headline_figures(data, plain, 2026)


def test_the_shuffled_data_have_the_awkward_cases(big):
    per = ibcr_data.engagements_per_country(big, apply_filters(big, Filters()))
    assert per["is_venue_only"].any() and not per["is_venue_only"].all()
    assert big.engagements["year_from"].isna().any() and big.engagements["programme_id"].isna().any()
    assert per["kinds"].str.contains(";").any()
    assert not big.programmes["programme_id"].isin(big.engagements["programme_id"]).all()


def test_per_country_follows_its_rules_on_a_tiny_table(ds):
    """Ties and venues, counted by hand."""
    rows = [  # country, kind, status, status date, from, to
        ("BFA", "training", "completed", "2016", 2010, 2012),
        ("BFA", "training", "ongoing", "2019", 2015, 2019),
        ("BFA", "advocacy", "planned", "2019", None, None),
        ("BFA", "advocacy", "completed", "2018", 2001, 2002),
        ("BFA", "event_venue", "ongoing", "2024", 2024, 2024),  # a venue row decides nothing here
        ("AUT", "event_venue", "completed", "2005", 2005, 2005),
        ("AUT", "tribunal_hearing", "planned", "2005", 2006, 2007),
        ("CAN", "training", "ongoing", None, None, None),  # no status date: no status
    ]
    eng = ds.engagements.iloc[[0] * len(rows)].reset_index(drop=True)
    for col, values in zip(("country_iso3", "kind_code", "status_code", "status_as_of", "year_from", "year_to"),
                           zip(*rows)):
        eng[col] = pd.Series(values, dtype="float64" if col.startswith("year") else "str")
    eng["is_venue"] = eng["kind_code"].isin(places(ds))
    eng["part_of_engagement_id"] = pd.Series([None] * len(rows), dtype="str")
    eng.loc[1, "part_of_engagement_id"] = eng.at[0, "engagement_id"]  # a part: shown, not counted again
    eng["is_counted"] = ~eng["is_venue"] & eng["part_of_engagement_id"].isna()
    tiny = dataclasses.replace(ds, engagements=eng)
    view = apply_filters(tiny, Filters())
    per = ibcr_data.engagements_per_country(tiny, view)
    pd.testing.assert_frame_equal(per, ibcr_data.engagements_per_country(tiny, _by_hand(view)))
    per = per.set_index("country_iso3")
    assert pd.isna(per.loc["CAN", "status_code"]) and pd.isna(per.loc["CAN", "first_year"])
    assert per.loc["BFA", ["engagement_count", "main_kind_code", "status_code", "is_venue_only", "kinds"]].tolist() \
        == [3, "advocacy", "ongoing", False, "advocacy; event_venue; training"]  # 5 records: a venue, a part
    assert (per.loc["BFA", "first_year"], per.loc["BFA", "last_year"]) == (2001, 2024)
    assert per.loc["AUT", ["main_kind_code", "status_code", "is_venue_only"]].tolist() == ["event_venue", "planned", True]
    headline = {fig.key: fig for fig in ibcr_data.headline_figures(tiny, apply_filters(tiny, Filters()), 2026)}
    assert headline["countries_engaged"].value == 2 and headline["countries_engaged"].venue_count == 1


def test_a_view_of_other_data_takes_the_plain_path(ds, big):
    view = apply_filters(big, Filters(regions=frozenset({"west_africa"})))
    pd.testing.assert_frame_equal(ibcr_data.timeline_rows(ds, view), ibcr_data.timeline_rows(ds, _by_hand(view)))


def test_changing_a_result_changes_no_later_result(big):
    view = apply_filters(big, Filters())
    first = ibcr_data.timeline_rows(big, view)
    before = first.copy()
    first["extra"] = 1
    first.loc[0, "country_iso3"] = "ZZZ"
    view.programmes.loc[view.programmes.index[0], "programme_id"] = "changed"
    again = apply_filters(big, Filters())
    pd.testing.assert_frame_equal(ibcr_data.timeline_rows(big, again), before)
    assert "changed" not in set(again.programmes["programme_id"])


def test_latest_reported_answers_as_on_fresh_data(ds):
    cases = [("professionals_trained", ("cumulative",), None), ("professionals_trained", ("cumulative",), 2015),
             ("volunteers_deployed", ("programme", "cumulative"), 2019), ("children_reached", ("cumulative",), 1990)]
    for code, scopes, year in cases:
        first = ibcr_data.latest_reported(ds, code, scopes, up_to_year=year)
        assert ibcr_data.latest_reported(ds, code, scopes, up_to_year=year) is first  # answered once
        fresh = dataclasses.replace(ds)  # new Dataset: nothing remembered
        assert ibcr_data.latest_reported(fresh, code, list(scopes), up_to_year=year) == first
    assert ibcr_data.latest_reported(ds, "children_reached", ("cumulative",), up_to_year=1990) is None
