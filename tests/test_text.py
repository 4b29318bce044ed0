"""Hovers name their source and confidence, in the reader's language, and never pass record text on as HTML."""

from __future__ import annotations

from dataclasses import replace
from html import escape

import pytest

import ibcr_data
from ibcr_data import Filters
from ibcr_present import text
from ibcr_ui.context import Context
from tests.support import page_context

INJECTED = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def context(ds, lang: str = "en", filters: Filters | None = None) -> Context:
    """A page context for one view, built the way views.map_figure builds it."""
    filters = filters or Filters()
    return page_context(ds, lang, filters, "map")


@pytest.fixture(scope="module")
def en(ds) -> Context:
    return context(ds, "en")


@pytest.fixture(scope="module")
def fr(ds) -> Context:
    return context(ds, "fr")


def title(ds, source_id: str, limit: int) -> str:
    return escape(text.short(ds.sources.set_index("source_id").at[source_id, "title"], limit))


def test_engagement_hover_names_source_and_confidence(ds, en, fr):
    rows = ibcr_data.timeline_rows(ds, en.view, "country")
    rows = rows[rows["country_iso3"] == "BFA"]
    assert len(rows) >= 5
    for ctx, source_word in ((en, "Source:"), (fr, "Source :")):
        hovers = text.engagement_hover(ctx, rows)
        assert list(hovers.index) == list(rows.index)
        for (_, r), hover in zip(rows.iterrows(), hovers):
            last = hover.split("<br>")[-1]
            assert last.startswith(f"{source_word} {title(ds, r['source_id'], 70)} · "), last
            if r["confidence_code"] == "exact":
                assert last.endswith(" · ● " + ctx.label("confidence", "exact"))
        assert hovers.iloc[0].startswith("<b>Burkina Faso</b> · ")
    assert any("◐ Approximate" in h for h in text.engagement_hover(en, rows))


def test_milestone_hover_names_source_and_confidence(ds, en, fr):
    events = ds.events[ds.events["event_id"] == "ev-1994-founding"]
    (hover,) = text.milestone_hover(en, events)
    assert hover.startswith("<b>1994</b> · IBCR founded in Montreal<br>")
    assert hover.endswith(f"<br>Source: {title(ds, 'ibcr-ar-2023-24', 70)} · ● Exact")
    (hover_fr,) = text.milestone_hover(fr, events)
    assert hover_fr.startswith("<b>1994</b> · Fondation de l'IBCR à Montréal<br>".replace("'", "&#x27;"))
    assert "<br>Source : " in hover_fr
    every = text.milestone_hover(en, ds.events)
    assert len(every) == len(ds.events) and every.str.contains("<br>Source: ").all()


def test_map_hover_lists_the_sources_of_each_country(ds, en):
    hovers = text.map_hover(en, ds.engagements)
    assert set(hovers) == set(ds.engagements["country_iso3"])
    bfa = ds.engagements[ds.engagements["country_iso3"] == "BFA"].sort_values("start_year")
    links = ds.record_sources[(ds.record_sources["record_table"] == "engagements")
                              & ds.record_sources["record_id"].isin(bfa["engagement_id"])]
    sources = list(dict.fromkeys([*bfa["source_id"], *links["source_id"]]))  # main sources, then further ones
    assert len(sources) > text.HOVER_SOURCES and len(links)
    last = hovers["BFA"].split("<br>")[-1]
    assert last.startswith("<i>Sources: ") and last.endswith(f" (+{len(sources) - text.HOVER_SOURCES})</i>"), last
    titles = {escape(text.short(ds.sources.set_index("source_id").at[s, "title"], 50)) for s in sources}
    named = last[len("<i>Sources: "):last.rindex(" (+")].split("; ")
    assert len(named) == text.HOVER_SOURCES and set(named) <= titles, (named, titles)
    # A country with one source names it, with nothing counted after it.
    gha = hovers["GHA"].split("<br>")
    assert gha[-1].startswith("<i>Sources: ") and "(+" not in gha[-1]
    assert gha[0].startswith("Technical support · ")


def test_map_hover_is_in_french_for_french_readers(ds, fr):
    hovers = text.map_hover(fr, ds.engagements)
    assert hovers["GHA"].split("<br>")[-1].startswith("<i>Sources : ")
    assert hovers["GHA"].startswith("Appui technique · ")


def test_map_hover_counts_what_it_leaves_out(ds, en):
    bfa = ds.engagements[ds.engagements["country_iso3"] == "BFA"]
    lines = text.map_hover(en, bfa, limit=3)["BFA"].split("<br>")
    assert len(lines) == 3 + 2 and lines[3] == f"+{len(bfa) - 3}…"


@pytest.fixture(scope="module")
def hostile(ds, en) -> Context:
    """The English context, with a source whose title is markup."""
    sources = dict(en.names.sources) | {"seed-000": (INJECTED, None)}
    return replace(en, names=replace(en.names, sources=sources))


def assert_inert(html_text: str) -> None:
    assert "<script" not in html_text and "<img" not in html_text, html_text
    assert "&lt;script&gt;" in html_text


def test_every_hover_escapes_record_text(ds, hostile):
    rows = ibcr_data.timeline_rows(ds, hostile.view, "country")
    rows = rows[rows["source_id"] == "seed-000"].head(3).copy()
    rows["description_en"] = INJECTED
    rows["name_en"] = INJECTED
    rows["programme_name_en"] = INJECTED
    for hover in text.engagement_hover(hostile, rows):
        assert_inert(hover.replace("<b>", "").replace("</b>", "").replace("<br>", ""))
        assert hover.count("&lt;script&gt;") == 4  # country, programme, description and source
    events = ds.events.head(2).assign(title_en=INJECTED, description_en=INJECTED, source_id="seed-000")
    for hover in text.milestone_hover(hostile, events):
        assert_inert(hover.replace("<b>", "").replace("</b>", "").replace("<br>", ""))
        assert hover.count("&lt;script&gt;") == 3
    eng = ds.engagements[ds.engagements["source_id"] == "seed-000"]
    for hover in text.map_hover(hostile, eng).values():
        assert_inert(hover.replace("<br>", "").replace("<i>", "").replace("</i>", ""))


def test_markdown_escaping_shows_record_text_literally():
    assert text.md("[click](javascript:alert(1)) <b>x</b>\nnext") == (
        r"\[click\]\(javascript\:alert\(1\)\) \<b\>x\</b\> next")
    assert text.md(None) == "" and text.md(float("nan")) == ""


def test_a_record_names_every_source_that_speaks_of_it(ds, en, fr):
    links = ds.record_sources[ds.record_sources["record_table"] == "engagements"]
    record_id = links["record_id"].value_counts().index[0]  # the record with the most further sources
    row = ds.engagements.set_index("engagement_id").loc[record_id]
    further = links.loc[links["record_id"] == record_id, "source_id"].tolist()
    line = text.source_line(en, row["source_id"], row["confidence_code"], "engagements", record_id)
    assert line.startswith("Source: ") and "Also in: " in line
    for source_id in [row["source_id"], *further]:
        assert text.source_link(en, source_id) in line  # the main source and each further one, linked
    assert "Aussi dans : " in text.source_line(fr, row["source_id"], row["confidence_code"], "engagements", record_id)
    rows = ibcr_data.timeline_rows(ds, ibcr_data.apply_filters(ds, Filters()), "country")
    hover = text.engagement_hover(en, rows[rows["engagement_id"] == record_id])
    n = len(further)
    assert f"(+{n} more source{'s' if n > 1 else ''})" in hover.iloc[0]
