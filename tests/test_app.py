"""AppTest: every page renders with the full shell, links restore views, bad links give notices."""

from __future__ import annotations

import html
import os
import re

import pytest

import ibcr_data
from ibcr_data import Filters
from ibcr_present import i18n, mapsvg, text
from ibcr_present.theme import STATUS_COLOURS, VENUE_COLOUR
from ibcr_ui import data, views
from ibcr_ui.context import DataKey
from ibcr_ui.registry import PAGES
from tests.apptest import (
    cards,
    html_text,
    link,
    metric,
    metric_charts,
    nav_links,
    run,
    sidebar_labels,
    svg_map,
    texts,
    widget,
)
from tests.support import read_rows, write_rows

TITLES = {
    "overview": "IBCR's work for children's rights, worldwide", "map": "Where IBCR works",
    "country": "Country profiles", "timeline": "Timeline", "programmes": "Programmes and figures",
    "results": "Results against targets",
    "data": "Data explorer", "sources": "Sources and method", "changes": "What changed since a version",
    "editor": "Update the data", "account": "Sign in",
}


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_page_renders_with_the_shell_on_every_run(page):
    at = run(page)
    assert not at.exception, at.exception
    assert {"Years", "Region", "Kind of work", "Status", "Programme"} <= sidebar_labels(at)
    assert at.title[0].value == TITLES[page]
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
    at = run("country", country="COD")  # a link shared before `profile` existed
    assert not at.exception
    assert at.title[0].value == "Democratic Republic of the Congo"
    assert link(at) == {"lang": "en", "profile": "COD"}
    shown = "\n".join(m.value for m in at.markdown)
    assert "\nFunders: Global Affairs Canada" in shown
    assert "- **Batela Mwana — child protection in the Democratic Republic of Congo** · 2015–2020 · Completed" in shown


def test_one_engagement_reads_in_the_singular():
    # NOTE: fails until the plural conversion of "country.lead" lands (it said "1 recorded engagements").
    at = run("country", profile="GHA")
    assert at.title[0].value == "Ghana"
    assert at.markdown[0].value.startswith("1 recorded engagement: Technical support."), at.markdown[0].value


def test_country_without_engagement_says_so():
    at = run("country", country="ISL")
    assert not at.exception
    assert any("no recorded engagement" in i.value for i in at.info)


@pytest.mark.parametrize("page, params, named", [
    ("overview", {"region": "atlantis"}, [("region", "atlantis")]),
    ("overview", {"years": "not-a-year"}, [("years", "not-a-year")]),
    ("map", {"kind": "<script>alert(1)</script>"}, [("kind", "<script>alert(1)</script>")]),
    ("country", {"country": "ZZZ"}, [("country", "ZZZ")]),
    ("overview", {"status": "done,ongoing"}, [("status", "done")]),
    ("overview", {"programme": "x" * 2000}, [("programme", "x" * 40 + "…")]),
    ("timeline", {"group": "colour", "category": "founding,parties"}, [("group", "colour"), ("category", "parties")]),
])
def test_bad_link_values_give_a_notice_naming_each_one(page, params, named):
    at = run(page, **params)
    assert not at.exception
    assert at.title[0].value == TITLES[page]
    assert len(at.info) >= 1, "a notice should say what was ignored"
    notice = at.info[0].value
    assert notice.startswith("Some values in the link were not recognised and were ignored:"), notice
    for key, value in named:
        assert f"{text.md(key)}={text.md(value)}" in notice, (key, value, notice)
    assert "ongoing" not in notice  # the good value of a half-good list is kept, not named
    if "status" in params:
        assert at.sidebar.multiselect(key="f_status").value == ["ongoing"]


def test_unknown_language_falls_back_to_english_quietly():
    at = run("overview", lang="klingon")
    assert not at.exception
    assert at.title[0].value == TITLES["overview"]
    assert link(at)["lang"] == "en"
    assert not any("not recognised" in i.value for i in at.info)


def test_reset_filters_clears_the_view():
    at = run("overview", region="west_africa", kind="training")
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_region").value == []
    assert "region" not in at.query_params


def test_broken_data_shows_a_problem_table_and_nothing_else(data_copy, monkeypatch):
    from tests.support import set_cell

    set_cell(data_copy, "engagements.csv", 0, "country_iso3", "Narnia")
    monkeypatch.setenv("IBCR_DATA_DIR", str(data_copy))
    at = run("overview")
    assert not at.exception
    assert at.title[0].value == "The data could not be loaded"
    assert len(at.dataframe) == 1 and "Narnia" in at.dataframe[0].value.to_string()
    assert not cards(at) and not at.get("plotly_chart")  # no partial figures


@pytest.mark.parametrize("params", [{"kind": "training"}, {"status": "ongoing", "region": "mena"},
                                    {"years": "1994-1996"}, {"kind": "office", "lang": "fr"}])
def test_narrow_filters_render_every_page(params):
    # Narrow views hold countries whose only records are undated: the pages must cope.
    for page in ("map", "overview", "timeline", "programmes", "data"):
        at = run(page, **params)
        assert not at.exception, (page, params)


def fr(key: str, **values) -> str:
    return i18n.translate("fr", key, **values)


def map_legend(at) -> set[str]:
    """The words of the map's legend, venues aside."""
    return set(svg_map(at)["legend"]) - {"Venue or office only", "Lieu ou bureau seulement"}


def map_countries(at) -> set[str]:
    return set(svg_map(at)["countries"])


STATUS_EN = {"Planned", "Ongoing", "Completed", "Status unknown"}
WEST_AFRICA = {"BFA", "SEN", "CIV", "GHA", "MLI", "NER", "TGO", "BEN", "GIN", "GMB", "LBR", "SLE", "GNB", "CPV", "MRT",
               "NGA"}


def test_language_switch_turns_the_page_and_the_link_french():
    at = run("overview")
    widget(at.sidebar, "button_group", "lang_choice").set_value("fr").run()
    assert not at.exception
    assert link(at)["lang"] == "fr"
    assert at.title[0].value == fr("overview.title")
    assert {fr("filters.years"), fr("filters.region"), fr("filters.kind")} <= sidebar_labels(at)
    assert list(nav_links(at))[0] == fr("page.overview")
    assert all(q == "lang=fr" for q in nav_links(at).values())


def test_map_colour_mode_status_colours_by_status_and_goes_into_the_link():
    at = run("map")
    assert "Training of security, justice and social workers" in map_legend(at)
    widget(at, "button_group", "map_mode").set_value("status").run()
    assert not at.exception
    assert link(at) == {"lang": "en", "mode": "status"}
    drawn = svg_map(at)
    assert drawn["title"] == "Status"
    names = map_legend(at)
    assert names and names <= STATUS_EN, names
    assert {"Ongoing", "Completed"} <= names
    fills = {fill for fill, _, _ in drawn["countries"].values()}
    assert fills <= set(STATUS_COLOURS.values()) | {VENUE_COLOUR}


def test_map_page_draws_the_map_on_the_server_without_plotly():
    at = run("map", kind="training", lang="fr")
    assert not at.exception
    assert not at.get("plotly_chart")  # the browser never loads Plotly for this page
    drawn = svg_map(at)
    assert "BFA" in drawn["countries"] and "PER" not in drawn["countries"]  # no training is recorded in Peru
    fill, tip, href = drawn["countries"]["AFG"]
    # Each country is a link to its profile that keeps the reader's view, its tooltip its name and counts.
    assert href.startswith("country?") and {"kind=training", "lang=fr", "profile=AFG"} <= set(href.split("?")[1].split("&"))
    assert tip.startswith("Afghanistan — 2 interventions\n"), tip
    assert "\nSources : " in tip  # then its records and the sources they rest on
    # Burkina Faso's training is a course of a larger project (not counted again): never called a venue.
    assert svg_map(at)["countries"]["BFA"][1].startswith("Burkina Faso — partie d'une intervention plus large")
    assert drawn["view_box"][2] == mapsvg.WIDTH  # no place filter: the whole world


def test_map_page_coloured_by_count_gives_a_legend_of_counts_in_words():
    at = run("map", mode="count", lang="es")
    drawn = svg_map(at)
    assert drawn["title"] == i18n.translate("es", "map.mode.count")
    counts = [x for x in drawn["legend"] if x != i18n.translate("es", "map.venue_only")]
    assert len(counts) >= 2 and counts[-1].endswith(" o más"), counts
    assert all(re.fullmatch(r"\d+(–\d+)?( o más)?", x) for x in counts), counts
    assert {fill for fill, _, _ in drawn["countries"].values()} <= set(mapsvg.COUNT_COLOURS) | {VENUE_COLOUR}


def test_a_region_filter_frames_the_map_page_to_it():
    west = svg_map(run("map", region="west_africa"))
    assert set(west["countries"]) <= WEST_AFRICA and {"BFA", "SEN"} <= set(west["countries"])
    x, y, width, height = west["view_box"]
    assert width < mapsvg.WIDTH / 3  # zoomed to the region
    geometry = mapsvg.geometry(())
    for iso3 in ("BFA", "SEN", "CIV"):
        x0, y0, x1, y1 = geometry.boxes[iso3]
        assert x <= x0 and x1 <= x + width and y <= y0 and y1 <= y + height, iso3


def test_map_search_opens_the_profile_and_keeps_the_filters():
    at = run("map", region="west_africa")
    at.selectbox(key="map_search").select("GHA").run()
    assert not at.exception
    assert at.title[0].value == "Ghana"
    assert link(at) == {"lang": "en", "region": "west_africa", "profile": "GHA"}


def test_country_picker_changes_the_profile_and_the_link():
    at = run("country")
    assert at.title[0].value == "Country profiles"
    at.selectbox(key="country_pick").select("SEN").run()
    assert not at.exception
    assert at.title[0].value == "Senegal"
    assert link(at) == {"lang": "en", "profile": "SEN"}
    at.selectbox(key="country_pick").select("BFA").run()
    assert (at.title[0].value, link(at)["profile"]) == ("Burkina Faso", "BFA")


def gantt(at) -> str:
    """The Timeline's picture: the server-drawn SVG (ibcr_present.ganttsvg), drawn with st.markdown."""
    found = [m.value for m in at.markdown if 'class="ibcr-gantt"' in m.value]
    assert len(found) == 1 and not at.get("plotly_chart"), "the Timeline draws one SVG Gantt and no Plotly chart"
    return found[0]


def bar_labels(at) -> set[str]:
    """The labels of the rows that hold bars (the milestones' row left out)."""
    rows = re.findall(r'<g class="ibcr-row">.*?</g>(?=<g class="ibcr-row">|<line class="ibcr-today")', gantt(at))
    labels = [re.search(r'<text class="ibcr-row-label"[^>]*>(?:<title>(.*?)</title>)?([^<]*)</text>', r) for r in rows]
    return {html.unescape(m.group(1) or m.group(2)) for m, r in zip(labels, rows) if 'class="ibcr-bar"' in r}


def milestone_titles(at) -> set[str]:
    """The titles of the milestones listed (the list is one HTML element, ibcr_present.blocks)."""
    heads = [h for e in at.get("html") for h in re.findall(r'<p class="ibcr-milestone-head">(.*?)</p>', e.proto.body)]
    return {html.unescape(m.group(1)) for h in heads if (m := re.match(r"<strong>.+?</strong> — <strong>(.+?)</strong>", h))}


def test_timeline_grouping_by_country_labels_bars_by_country(ds):
    at = run("timeline")
    assert "PRIDE" in bar_labels(at)
    widget(at, "button_group", "timeline_group").set_value("country").run()
    assert not at.exception
    assert link(at) == {"lang": "en", "group": "country"}
    labels = bar_labels(at)
    assert {"Burkina Faso", "Senegal", "Canada"} <= labels
    assert labels <= set(ds.countries["name_en"]), labels - set(ds.countries["name_en"])


def test_timeline_categories_list_only_those_milestones(ds):
    at = run("timeline")
    widget(at, "button_group", "timeline_categories").set_value(["founding", "workshop"]).run()
    assert not at.exception
    assert link(at) == {"lang": "en", "category": "founding,workshop"}
    chosen = ds.events[ds.events["category_code"].isin({"founding", "workshop"})]
    assert milestone_titles(at) == set(chosen["title_en"])
    assert "IBCR founded in Montreal" in milestone_titles(at)


def test_metric_selector_shows_that_kind_of_figure(ds):
    at = run("programmes")
    figure_labels = set(ds.code_labels("metric_code", "en").values())
    at.selectbox(key="metric_code").select("volunteers_deployed").run()
    assert not at.exception
    assert link(at) == {"lang": "en", "metric": "volunteers_deployed"}
    assert not at.get("plotly_chart")  # drawn on the server: the browser never loads Plotly for this page
    titles = list(metric_charts(at))
    assert titles and all("Volunteers deployed" in t for t in titles)
    headings = {m.value.split(" — ")[0].strip("*") for m in at.markdown if " — " in m.value}
    assert headings & figure_labels == {"Volunteers deployed"}


def test_page_choices_in_a_link_open_the_same_view_in_a_new_session():
    at = run("map", mode="status")
    assert widget(at, "button_group", "map_mode").value == "status"
    assert map_legend(at) <= STATUS_EN
    at = run("timeline", group="country", category="workshop,founding")
    assert widget(at, "button_group", "timeline_group").value == "country"
    assert sorted(widget(at, "button_group", "timeline_categories").value) == ["founding", "workshop"]
    assert link(at) == {"lang": "en", "group": "country", "category": "founding,workshop"}
    assert "IBCR founded in Montreal" in milestone_titles(at)
    at = run("programmes", metric="volunteers_deployed")
    assert at.selectbox(key="metric_code").value == "volunteers_deployed"
    assert metric_charts(at) and all("Volunteers deployed" in t for t in metric_charts(at))


def test_two_sessions_never_get_each_others_map(ds):
    west = run("map", region="west_africa", mode="status")
    world = run("map", lang="fr")
    west.run()  # the first session again, after the second built its own map
    assert map_legend(west) <= STATUS_EN
    assert map_countries(west) <= WEST_AFRICA
    assert ds.code_labels("kind_code", "fr")["training"] in map_legend(world)
    assert {"CAN", "JOR", "BFA"} <= map_countries(world)
    assert not map_legend(world) & STATUS_EN
    assert all("lang=fr" in href for _, _, href in svg_map(world)["countries"].values())


def test_map_figure_cache_keys_on_every_argument():
    fp = DataKey(data.source(), "public")
    west = views.map_figure(fp, Filters(regions=frozenset({"west_africa"})), "status", "en", 500)
    world_fr = views.map_figure(fp, Filters(), "kind", "fr", 500)
    west_fr = views.map_figure(fp, Filters(regions=frozenset({"west_africa"})), "status", "fr", 500)
    assert views.map_figure(fp, Filters(regions=frozenset({"west_africa"})), "status", "en", 500) is west

    def names(fig):
        return {t.name for t in fig.data if t.type == "choropleth"}

    def places(fig):
        return set().union(*(set(t.locations) for t in fig.data if t.type == "choropleth"))

    assert {"Ongoing", "Completed"} <= names(west)
    assert {"En cours", "Terminé"} <= names(west_fr) and not names(west_fr) & STATUS_EN
    assert places(west) == places(west_fr) and places(west) <= WEST_AFRICA
    assert places(world_fr) > places(west)
    assert not names(world_fr) & {"En cours", "Terminé"}
    assert views.map_figure(fp, Filters(), "kind", "fr", 400).layout.height == 400


def test_navigation_links_carry_the_filters_and_the_language():
    at = run("map", region="west_africa", years="2012-2020", lang="fr", mode="status")
    links = nav_links(at)
    assert len(links) == len([p for p in PAGES if not p.for_editors])  # no editor account: no editing page
    # The filters and the language travel; the map's own colouring stays on the map.
    assert set(links.values()) == {"years=2012-2020&region=west_africa&lang=fr"}
    at = run("country", profile="BFA", kind="training")
    links = nav_links(at)
    assert links["Country profiles"] == "kind=training&lang=en&profile=BFA"
    assert links["Map"] == "kind=training&lang=en"


def test_editing_a_csv_reloads_the_data(data_copy, monkeypatch):
    monkeypatch.setenv("IBCR_DATA_DIR", str(data_copy))
    at = run("country", profile="BFA")
    assert not at.exception and at.title[0].value == "Burkina Faso"
    path = data_copy / "engagements.csv"
    header, rows = read_rows(path)
    i = next(i for i, r in enumerate(rows) if r[header.index("country_iso3")] == "BFA")
    rows[i][header.index("description_en")] = "Edited while the dashboard runs"
    write_rows(path, header, rows)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    at.run()
    assert not at.exception
    assert "Edited while the dashboard runs" in html_text(at)


@pytest.mark.parametrize("page", ["timeline", "programmes", "data"])
def test_pages_say_what_is_in_view_in_one_human_line(ds, page):
    view = ibcr_data.apply_filters(ds, Filters(regions=frozenset({"west_africa"}), years=(2012, 2020)))
    eng = view.engagements
    n, countries = int(eng["is_counted"].sum()), eng.loc[~eng["is_venue"], "country_iso3"].nunique()  # pieces of work
    assert n < len(eng)  # a part of a larger piece of work in view is not counted again
    expected = f"**{text.md(f'{n} engagements in {countries} countries · West Africa · 2012–2020')}**"
    at = run(page, region="west_africa", years="2012-2020")
    assert not at.exception
    assert at.markdown[0].value == expected, (at.markdown[0].value, expected)


def test_overview_says_reported_figures_are_not_filtered_by_region():
    note = "The reported figures in the second row are IBCR-wide"
    assert any(c.value.startswith("ℹ️ " + note) for c in run("overview", region="west_africa").caption)
    assert not any(note in c.value for c in run("overview", years="2012-2020").caption)
    assert note not in texts(run("overview"))
