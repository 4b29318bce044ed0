"""The HTML blocks (cards, milestone lists, tables) and the SVG world map, built without Streamlit."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

from ibcr_present import blocks, mapsvg, text
from ibcr_present.theme import STATUS_COLOURS, VENUE_COLOUR

INJECTION = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'


def test_card_texts_from_the_data_stay_text():
    card = blocks.Card("Engagements", "107", (text.md(INJECTION), "Source: [Annual report](https://ibcr.org/r.pdf)"),
                       (text.md(INJECTION),), "Sources disagree")
    html = blocks.cards_html([[card]], "Headline figures")
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://ibcr.org/r.pdf" target="_blank" rel="noopener noreferrer">Annual report</a>' in html
    assert '<p class="ibcr-card-label">Engagements</p><p class="ibcr-card-value">107</p>' in html
    assert "<details" in html and "Sources disagree" in html  # the disagreeing figure folds away, never hidden


def test_a_card_without_conflicts_has_nothing_to_unfold():
    html = blocks.cards_html([[blocks.Card("Programmes", "21", ("Named programmes.",))]], "Headline figures")
    assert "<details" not in html


def test_milestones_keep_their_order_and_columns():
    items = [blocks.Milestone(f"**{y}** — **Event {y}**", "What happened.  \nSource: *Report*") for y in (2024, 2020)]
    html = blocks.milestones_html(blocks.MilestoneList(items, columns=2))
    assert "ibcr-columns-2" in html
    assert html.index("Event 2024") < html.index("Event 2020")
    assert "<br />" in html and "<em>Report</em>" in html  # a hard break and italics survive


def test_tables_escape_every_cell_and_fold_under_their_summary():
    html = blocks.table_html(["Country", "Engagements"], [[INJECTION, "3"]], numeric=frozenset({1}), summary="Show")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert html.startswith('<details class="ibcr-details"><summary>Show</summary>')
    assert '<th scope="col" class="num">Engagements</th>' in html and '<td class="num">3</td>' in html
    assert not blocks.table_html(["A"], [["b"]]).startswith("<details")


# The map

def _per_country(rows):
    return pd.DataFrame(rows, columns=["country_iso3", "main_kind_code", "status_code", "is_venue_only"])


POINTS = pd.DataFrame({"country_iso3": ["BFA", "CHE", "XKX"], "lon": [-1.5, 8.2, 20.9], "lat": [12.3, 46.8, 42.6]})
LABELS = mapsvg.SvgMapLabels("World map of 3 countries", {"training": "Training", "research": "Research"}, "Venue only")


def _map(rows, **kw):
    per_country = _per_country(rows)
    hrefs = {c: f"country?profile={c}" for c in per_country["country_iso3"]}
    tips = {c: f"{c} name — 2 engagements\nTraining · 2015–2021" for c in per_country["country_iso3"]}
    return mapsvg.world_map_svg(per_country, "kind", tips, hrefs, {}, LABELS, POINTS, **kw)


def test_every_country_of_the_view_is_a_link_to_its_profile_with_its_name_and_counts():
    svg = _map([("BFA", "training", "ongoing", False), ("CAN", "research", "completed", False),
                ("CHE", "event_venue", "completed", True)])
    links = re.findall(r'<a class="ibcr-country" href="([^"]+)" target="_self" aria-label="([^"]+)">', svg)
    assert links == [("country?profile=BFA", "BFA name — 2 engagements"), ("country?profile=CAN", "CAN name — 2 engagements"),
                     ("country?profile=CHE", "CHE name — 2 engagements")]
    assert svg.count('class="ibcr-mark"') == 1  # the venue's diamond
    assert "&#10;Training · 2015–2021" in svg and "\n" not in svg  # one line: Markdown leaves it alone
    legend = re.findall(r"</span>([^<]+)</li>", svg)
    assert legend == ["Training", "Research", "Venue only"]  # only the colours the map uses


def test_a_country_too_small_for_the_outlines_is_a_dot_at_its_centre():
    svg = _map([("XKX", "training", "ongoing", False)])
    assert re.search(r'href="country\?profile=XKX"[^>]*><title>[^<]*</title><circle ', svg)


def test_tooltips_and_names_from_the_data_are_escaped():
    per_country = _per_country([("BFA", "training", "ongoing", False)])
    svg = mapsvg.world_map_svg(per_country, "kind", {"BFA": INJECTION}, {"BFA": 'country?profile=BFA"><script>'}, {},
                               LABELS, POINTS)
    assert "<script" not in svg and "<img" not in svg
    assert unescape(re.search(r"<title>(.*?)</title>", svg).group(1)) == INJECTION


def test_a_view_narrowed_to_a_place_frames_its_countries():
    whole = _map([("BFA", "training", "ongoing", False)])
    framed = _map([("BFA", "training", "ongoing", False)], zoom_to_data=True)
    width = lambda svg: float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ', svg).group(1))  # noqa: E731
    assert width(whole) == mapsvg.WIDTH
    assert mapsvg.WIDTH / 5 <= width(framed) < mapsvg.WIDTH / 3
    australia = mapsvg.geometry(()).paths["AUS"]
    assert australia in whole and australia not in framed  # land out of the frame is left out
    assert len(framed) < len(whole) / 3


def test_no_outline_runs_across_the_map():
    """Fiji and the east of Russia cross 180°: drawn as stored they become bands across the whole map."""
    for iso3, d in mapsvg.geometry(()).paths.items():
        for ring in re.findall(r"M[^M]+", d):
            head, _, steps = ring[1:].rstrip("z").partition("l")
            x = float(head.split()[0])
            xs = [x]
            for dx in steps.split()[::2]:
                x += float(dx)
                xs.append(x)
            assert max(xs) - min(xs) < mapsvg.WIDTH / 2, iso3


def test_the_svg_map_refuses_an_unknown_colouring():
    with pytest.raises(ValueError):
        mapsvg.world_map_svg(_per_country([]), "anything", {}, {}, {}, LABELS, POINTS)


def _fills(svg: str) -> dict[str, str]:
    return dict(re.findall(r'href="country\?profile=(\w+)"[^>]*><title>[^<]*</title><(?:path d="[^"]*"|circle [^>]*?) '
                           r'fill="(#\w+)"', svg))


def _legend(svg: str) -> list[str]:
    return [unescape(x) for x in re.findall(r"</span>([^<]+)</li>", svg)]


def test_the_map_coloured_by_status_gives_the_status_legend():
    per_country = _per_country([("BFA", "training", "ongoing", False), ("CAN", "research", "completed", False)])
    labels = mapsvg.SvgMapLabels("Map", {"ongoing": "Ongoing", "completed": "Completed", "training": "Training"},
                                 "Venue only", legend_title="Status")
    svg = mapsvg.world_map_svg(per_country, "status", {}, {c: f"country?profile={c}" for c in ("BFA", "CAN")}, {},
                               labels, POINTS)
    assert _legend(svg) == ["Ongoing", "Completed"]
    assert '<li class="ibcr-legend-title">Status</li>' in svg
    assert _fills(svg) == {"BFA": STATUS_COLOURS["ongoing"], "CAN": STATUS_COLOURS["completed"]}


@pytest.mark.parametrize(("counts", "classes"), [
    ([1], [(1, None)]),
    ([1, 1, 1, 2, 2, 3, 4, 7], [(1, 1), (2, 3), (4, 6), (7, None)]),  # median, upper quartile, top decile
    ([40, 1234, 1500, 1999, 3000], [(1, 1499), (1500, 1899), (1900, 2999), (3000, None)]),  # two significant digits
])
def test_count_classes_have_round_bounds_and_an_open_top(counts, classes):
    assert mapsvg.count_classes(counts) == classes


def test_the_map_coloured_by_count_names_each_class_in_words_darker_for_more():
    per_country = _per_country([("BFA", "training", "ongoing", False), ("CAN", "research", "completed", False),
                                ("XKX", "training", "ongoing", False), ("CHE", "event_venue", "completed", True),
                                ("SEN", "training", "ongoing", False)])
    per_country["engagement_count"] = [12, 1, 2, 0, 0]
    labels = mapsvg.SvgMapLabels("Map", {}, "Venue only", legend_title="Number of engagements",
                                 count_range=lambda lo, hi: f"{lo} or more" if hi is None else f"{lo} to {hi}")
    # BFA 12, CAN 1, XKX 2 (a dot: too small for the outlines), CHE a venue only, SEN only part of larger work
    svg = mapsvg.world_map_svg(per_country, "count", {}, {c: f"country?profile={c}" for c in per_country["country_iso3"]},
                               {}, labels, POINTS)
    assert '<li class="ibcr-legend-title">Number of engagements</li>' in svg
    assert _legend(svg) == ["0 to 0", "1 to 1", "2 to 11", "12 or more", "Venue only"]
    fills = _fills(svg)
    assert fills["SEN"] == mapsvg.NONE_COUNTED
    assert fills["CAN"] == mapsvg.COUNT_COLOURS[0] and fills["BFA"] == mapsvg.COUNT_COLOURS[-1]
    assert fills["CHE"] == VENUE_COLOUR  # a venue stays a venue, whatever the colouring
    swatches = re.findall(r'<span class="ibcr-swatch" style="background:(#\w+)">', svg)
    assert swatches[:4] == [fills["SEN"], fills["CAN"], fills["XKX"], fills["BFA"]]
