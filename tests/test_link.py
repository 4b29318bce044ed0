"""The link is the view: parse and write query parameters without Streamlit, on small made-up choices."""

from __future__ import annotations

import pytest

from ibcr_data import Choices, Filters
from ibcr_ui import link
from ibcr_ui.link import Options, ViewState

CH = Choices(year_min=1994, year_max=2026, regions=("west_africa", "mena"), kinds=("training", "office"),
             statuses=("ongoing", "completed"), programmes=("pride", "prodef"), countries=("BFA", "GHA", "SEN"),
             categories=("tribunal", "founding"), metrics=("professionals_trained", "volunteers_deployed"))


def parse(**params):
    return link.parse(params, CH)


def test_every_page_choice_comes_back_from_its_link():
    state = ViewState(Filters(years=(2012, 2020), regions=frozenset({"west_africa"})),
                      Options(map_mode="status", timeline_group="country", categories=frozenset({"tribunal", "founding"}),
                              metric="volunteers_deployed", profile="GHA"), "fr")
    for page, kept in (("map", {"map_mode": "status"}), ("timeline", {"timeline_group": "country",
                       "categories": frozenset({"tribunal", "founding"})}),
                       ("programmes", {"metric": "volunteers_deployed"}), ("country", {"profile": "GHA"})):
        back, ignored = link.parse(link.to_params(state, page), CH)
        assert not ignored
        assert back.filters == state.filters and back.lang == "fr"
        assert back.options == Options(**kept), page  # the page's own choices travel, no other page's


def test_defaults_never_appear_in_a_link():
    params = link.to_params(ViewState(lang="en"), "map")
    assert params == {"lang": "en"}
    assert "mode" not in link.to_params(ViewState(options=Options(map_mode="kind")), "map")
    assert "group" not in link.to_params(ViewState(), "timeline")


def test_a_link_is_written_one_way_only():
    a = ViewState(options=Options(categories=frozenset({"tribunal", "founding"})))
    assert link.to_params(a, "timeline")["category"] == "founding,tribunal"


@pytest.mark.parametrize(("params", "ignored"), [
    ({"mode": "rainbow"}, ("mode", "rainbow")),
    ({"group": "colour"}, ("group", "colour")),
    ({"category": "tribunal,parties"}, ("category", "parties")),
    ({"metric": "smiles"}, ("metric", "smiles")),
    ({"profile": "ZZZ"}, ("profile", "ZZZ")),
])
def test_unknown_choices_are_ignored_and_named(params, ignored):
    state, found = link.parse(params, CH)
    assert ignored in {(i.key, i.value) for i in found}
    assert state.options.map_mode == "kind" and state.options.timeline_group == "programme"


def test_choices_in_links_are_case_insensitive():
    state, ignored = parse(mode="STATUS", profile="gha", metric="Volunteers_Deployed")
    assert not ignored
    assert (state.options.map_mode, state.options.profile, state.options.metric) == ("status", "GHA",
                                                                                    "volunteers_deployed")


def test_language_from_the_link_else_the_default():
    assert parse(lang="fr-CA")[0].lang == "fr"
    assert parse(lang="klingon")[0].lang == "en"
    assert link.parse({}, CH, default_lang="fr")[0].lang == "fr"


def test_navigation_carries_filters_and_language_but_not_page_choices():
    state = ViewState(Filters(kinds=frozenset({"training"})), Options(map_mode="count", profile="BFA"), "fr")
    assert link.nav_params(state, "timeline") == {"kind": "training", "lang": "fr"}
    assert link.nav_params(state, "country", "SEN") == {"kind": "training", "lang": "fr", "profile": "SEN"}


def test_an_old_country_link_opens_the_profile_and_nothing_else_reads_it_so():
    state, _ = parse(country="GHA")
    on_profile = link.for_page(state, "country")
    assert on_profile.options.profile == "GHA" and not on_profile.filters.countries
    assert link.for_page(state, "map").filters.countries == {"GHA"}  # elsewhere it stays a filter
    two, _ = parse(country="GHA,SEN")
    assert link.for_page(two, "country").options.profile is None


def test_keys_the_dashboard_does_not_use_are_kept():
    assert link.extra_params({"utm_source": "board", "region": "mena"}) == {"utm_source": ["board"]}
