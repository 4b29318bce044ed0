"""AppTest: every page renders with the full shell, links restore views, bad links give notices."""

from __future__ import annotations

import pytest

from ibcr_ui.registry import PAGES
from tests.apptest import metric, run, sidebar_labels


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_page_renders_with_the_shell_on_every_run(page):
    at = run(page)
    assert not at.exception, at.exception
    assert {"Years", "Region", "Kind of work", "Status", "Programme"} <= sidebar_labels(at)
    assert len(at.title) >= 1
    at.run()  # a rerun must keep the shell too
    assert not at.exception
    assert {"Region", "Kind of work"} <= sidebar_labels(at)


def test_changing_a_filter_changes_a_headline_figure():
    at = run("overview")
    before = metric(at, "Countries engaged")
    at.sidebar.multiselect(key="f_region").set_value(["west_africa"]).run()
    assert not at.exception
    after = metric(at, "Countries engaged")
    assert int(after) < int(before)
    assert at.query_params["region"] in ("west_africa", ["west_africa"])


def test_link_filters_fill_the_widgets():
    at = run("map", years="2012-2020", region="west_africa", kind="training")
    assert not at.exception
    assert at.sidebar.slider(key="f_years").value == (2012, 2020)
    assert at.sidebar.multiselect(key="f_region").value == ["west_africa"]
    assert any("West Africa" in m.value and "2012–2020" in m.value for m in at.markdown)


def test_country_link_opens_the_drc_profile():
    at = run("country", country="COD")
    assert not at.exception
    assert at.title[0].value == "Democratic Republic of the Congo"
    text = " ".join(m.value for m in at.markdown)
    assert "Global Affairs Canada" in text or "Batela" in text


def test_country_without_engagement_says_so():
    at = run("country", country="ISL")
    assert not at.exception
    assert any("no recorded engagement" in i.value for i in at.info)


@pytest.mark.parametrize("params", [
    {"region": "atlantis"}, {"years": "not-a-year"}, {"kind": "<script>alert(1)</script>"},
    {"country": "ZZZ"}, {"status": "done,ongoing"}, {"lang": "klingon"}, {"programme": "x" * 2000},
])
def test_bad_link_values_give_a_notice_not_an_error(params):
    page = "country" if "country" in params else "overview"
    at = run(page, **params)
    assert not at.exception
    if "lang" not in params:
        assert at.info, "a notice should say what was ignored"


def test_reset_filters_clears_the_view():
    at = run("overview", region="west_africa", kind="training")
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_region").value == []
    assert "region" not in at.query_params


def test_broken_data_shows_a_problem_table_and_nothing_else(data_copy, monkeypatch):
    from tests.conftest import set_cell

    set_cell(data_copy, "engagements.csv", 0, "country_iso3", "Narnia")
    monkeypatch.setenv("IBCR_DATA_DIR", str(data_copy))
    at = run("overview")
    assert not at.exception
    assert at.title[0].value == "The data could not be loaded"
    assert len(at.dataframe) == 1 and "Narnia" in at.dataframe[0].value.to_string()
    assert not at.metric  # no partial figures


@pytest.mark.parametrize("params", [{"kind": "training"}, {"status": "ongoing", "region": "mena"},
                                    {"years": "1994-1996"}, {"kind": "office", "lang": "fr"}])
def test_narrow_filters_render_every_page(params):
    # Narrow views hold countries whose only records are undated: the pages must cope.
    for page in ("map", "overview", "timeline", "programmes", "data"):
        at = run(page, **params)
        assert not at.exception, (page, params)
