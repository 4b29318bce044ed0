"""Pages drawn as few elements (issue 13): record cards, plain tables, bounded filters, empty views.

Each page here sends its records as one HTML element (ibcr_present.blocks); these tests read what a
reader sees in them: every record, its source, its links.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import pytest

import ibcr_data
from ibcr_data import Filters
from tests.apptest import run


def test_data_page_draws_only_the_open_tab_and_keeps_it_when_the_counts_change():
    def drawn(at) -> list[str]:
        return [e.proto.body for e in at.get("html") if 'data-ibcr-table="' in e.proto.body]

    at = run("data")
    (only,) = drawn(at)
    assert 'data-ibcr-table="data_engagements"' in only and ">Kind of work</th>" in only
    figures_tab = next(t.label for t in at.tabs if t.label.startswith("Figures"))
    at.session_state["data_tab"] = figures_tab
    at.run()
    (only,) = drawn(at)
    assert 'data-ibcr-table="data_metrics"' in only and ">What is counted</th>" in only
    at.multiselect(key="f_region").set_value(["west_africa"]).run()  # the tab's count changes
    assert not at.exception
    assert next(t.label for t in at.tabs if t.label.startswith("Figures")) != figures_tab
    (only,) = drawn(at)
    assert 'data-ibcr-table="data_metrics"' in only and not at.dataframe


def record_cards(at) -> list[dict[str, str]]:
    """The record cards of the page (one HTML list, ibcr_present.blocks.records_html): heading, line, body, notes, links."""
    def plain(fragment: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()

    found = []
    for e in at.get("html"):
        for li in re.findall(r'<li class="ibcr-record">(.*?)</li>', e.proto.body, flags=re.S):
            part = {k: (m.group(1) if (m := re.search(rx, li, flags=re.S)) else "") for k, rx in (
                ("head", r"<h3>(.*?)</h3>"), ("meta", r'<p class="ibcr-record-meta">(.*?)</p>'),
                ("body", r'<div class="ibcr-record-body">(.*?)</div>'),
                ("notes", r'<div class="ibcr-record-notes">(.*?)</div>'))}
            found.append({k: plain(v) for k, v in part.items()} | {"links": hrefs(li)})
    return found


def hrefs(body: str) -> set[str]:
    return {unquote(html.unescape(h)) for h in re.findall(r'href="([^"]+)"', body)}


def source_url(ds, source_id: str) -> str | None:
    """The source's address as a link shows it, or None when it has no public one."""
    url = ds.sources.set_index("source_id").at[source_id, "url"]
    return unquote(url.replace(" ", "%20")) if isinstance(url, str) and url.startswith(("https://", "http://")) else None


@pytest.mark.parametrize("params, filters", [({}, Filters()), ({"region": "west_africa"},
                                                             Filters(regions=frozenset({"west_africa"})))])
def test_every_programme_in_view_has_a_card_with_its_source(ds, params, filters):
    view = ibcr_data.apply_filters(ds, filters)
    at = run("programmes", **params)
    assert not at.exception
    shown = record_cards(at)
    assert len(shown) == len(view.programmes) > 0
    titles = ds.sources.set_index("source_id")["title"]
    for p in view.programmes.itertuples():
        card = next(c for c in shown if c["head"].startswith(p.name_en))
        assert card["meta"] and card["body"] == p.description_en
        assert f"Source: {titles[p.source_id]}" in card["notes"], card["notes"]
        assert source_url(ds, p.source_id) in card["links"] | {None}


def test_the_programme_pack_choice_downloads_the_chosen_programme(ds):
    at = run("programmes", region="west_africa")
    view = ibcr_data.apply_filters(ds, Filters(regions=frozenset({"west_africa"})))
    ordered = view.programmes.sort_values(["start_year", "programme_id"])
    choice = at.selectbox(key="pack_programme")
    assert choice.options == list(ordered["name_en"])  # the programmes of the cards, in their order
    last = ordered["programme_id"].iloc[-1]
    choice.select(last).run()
    assert not at.exception
    buttons = [b.proto for b in at.get("download_button") if "pack_programme_" in b.proto.id]
    assert len(buttons) == 1 and buttons[0].id.endswith(f"pack_programme_{last}_")
    assert buttons[0].label == "Programme brief (PDF)"


def test_a_country_profile_shows_each_engagement_with_its_source_and_evidence(ds):
    at = run("country", profile="BFA")
    eng = ds.engagements[ds.engagements["country_iso3"] == "BFA"]
    titles = ds.sources.set_index("source_id")["title"]
    shown = record_cards(at)
    assert len(shown) == len(eng) > 1
    for r in eng.itertuples():
        card = next(c for c in shown if c["body"] == r.description_en)
        part = isinstance(r.part_of_engagement_id, str)
        assert card["head"].startswith(("↳ " if part else "") + ds.code_labels("kind_code", "en")[r.kind_code])
        if part:  # a part comes right after its whole, and says so
            whole = ds.engagements.set_index("engagement_id").at[r.part_of_engagement_id, "description_en"]
            assert shown[shown.index(card) - 1]["body"] == whole and "Part of: " in card["notes"]
        assert f"Source: {titles[r.source_id]}" in card["notes"]
        assert not isinstance(r.evidence, str) or f"Evidence: {r.evidence}" in card["notes"]
    # The figures table links each figure's source, as the grid's link column did.
    tables = [e.proto.body for e in at.get("html") if "<table" in e.proto.body and "ibcr-details" not in e.proto.body]
    metrics = ibcr_data.country_profile(ds, "BFA").metrics
    assert len(tables) == 1 and not metrics.empty
    assert {source_url(ds, s) for s in metrics["source_id"]} - {None} <= hrefs(tables[0])


@pytest.mark.parametrize("page, params", [("country", {"profile": "BFA"}), ("programmes", {})])
def test_country_and_programmes_pages_send_few_elements(page, params):
    # Each element is one websocket message drawn on arrival (issue 13): cards and tables are one
    # element each, and no data grid makes the browser fetch its code. Each chart has one row more:
    # its two picture buttons (SVG, PNG), drawn only when pressed.
    at = run(page, **params)
    assert len(list(at.main)) <= 32, len(list(at.main))
    assert not at.dataframe


def test_programme_filter_lists_a_bounded_number_of_options_when_there_are_many(monkeypatch):
    """At 1,000x data every page sent 21,000 options to the browser: beyond the limit, those in view."""
    from ibcr_ui import shell

    monkeypatch.setattr(shell, "MAX_PROGRAMME_OPTIONS", 5)
    at = run("map", region="west_africa", programme="pride")
    assert not at.exception
    options = at.multiselect(key="f_programme").options
    assert len(options) == 5 and options[0] == "PRIDE"  # the chosen one first, then those in view
    assert any("5 of the 21 programmes" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("page", ["overview", "map"])
def test_a_view_with_nothing_in_it_says_so_without_an_error(page):
    at = run(page, region="west_africa", status="unknown")
    assert not at.exception
    assert any("No country" in i.value or "nothing" in i.value.lower() for i in at.info), [i.value for i in at.info]
