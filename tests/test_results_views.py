"""Results against targets where a board member looks: the Results page, the Overview, programme cards,
country profiles, What changed and the packs (AppTest and plain Python; the browser test is in tests/e2e)."""

from __future__ import annotations

import html
import io
import re

import pytest

import ibcr_data
from ibcr_present import cards
from ibcr_present import results as words
from ibcr_present.words import Words
from ibcr_ui.registry import page
from ibcr_updates import what_changed
from tests.apptest import html_text, link, nav_links, run, texts
from tests.support import read_rows, write_rows

XALE_REACHED = "m-test-xale-people-reached-2024"


def _add_xale_progress(data_dir, value: str = "66000") -> None:
    """A new achievement against Xalé Sama Yité's 550,000 people reached: 66,000 by 2024 is 12 %."""
    header, rows = read_rows(data_dir / "metrics.csv")
    base = dict(zip(header, next(r for r in rows if r[0] == "m-sen-target-people-reached")))
    new = base | {"metric_id": XALE_REACHED, "value": value, "is_target": "false", "start_year": "2020",
                  "end_year": "2024", "period_label_en": "2020-2024", "period_label_fr": "2020-2024",
                  "period_label_es": "2020-2024", "target_metric_id": "m-sen-target-people-reached"}
    write_rows(data_dir / "metrics.csv", header, [*rows, [new[h] for h in header]])


def _result_items(at) -> dict[str, str]:
    """Each result on the page: its key -> its visible text (tags dropped)."""
    found = {}
    for e in at.get("html"):
        for key, body in re.findall(r'<li class="ibcr-result" data-result="([^"]+)"[^>]*>(.*?)</li>(?=<li class="ibcr-result"|</ul>)',
                                    e.proto.body, flags=re.S):
            found[key] = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))  # no-break spaces too
    return found


def test_every_target_appears_with_its_achievement_or_no_progress(ds):
    at = run("results")
    assert not at.exception, at.exception
    assert at.title[0].value == "Results against targets"
    items = _result_items(at)
    results = ibcr_data.all_results(ds)
    assert set(items) == {r.key for r in results}
    w = Words.of(ds, "en")
    for r in results:
        shown = items[r.key]
        for t in r.targets:  # every target, with its promise and its source
            assert words.promise_text(w, t) in shown, (r.key, t.metric_id)
            assert w.source_title(t.source_ids[0]) in shown
        if r.latest is None:  # never 0 % (the how-we-count line says so, in so many words)
            assert "No progress reported yet" in shown and not re.search(r"\b0%", shown.replace(w.t("results.how"), ""))
        else:
            assert words.qualified(w, r.latest) in shown and w.source_title(r.latest.source_ids[0]) in shown
    assert "7 targets in view: 1 reached, 1 ended short, 5 with no progress reported yet" in texts(at)


def test_qualifiers_and_conflicts_carry_through(ds):
    items = _result_items(run("results"))
    prodef = items["m-prodef-volunteers-target"]
    assert "more than 70 of about 100 by 2020: at least 70%" in prodef
    assert "more than 70 of more than 200 by 2020: at least 35%" in prodef
    assert "Sources disagree about the target" in prodef and "Ended short" in prodef
    assert "15,093 of more than 4,000 by 2021: about 377%" in items["m-cod-target-professionals"]
    assert "78% of its years (2020–2028) gone by 2026" in items["m-pride-page-volunteers-planned"]


def test_each_row_opens_the_records_behind_both_numbers_and_how_they_are_counted():
    at = run("results")
    body = next(e.proto.body for e in at.get("html") if 'data-result="m-cod-target-professionals"' in e.proto.body)
    row = body.split('data-result="m-cod-target-professionals"')[1].split("</li>")[0]
    details = row.split('<details class="ibcr-details">')[1]
    assert details.count("<tr>") == 1 + 3  # header, the target, two achievements (newest first)
    assert details.index("15,093") < details.index("12,000")
    assert "How we count" in details and "https://w05.international.gc.ca" in details


def test_a_disputed_claim_is_shown_beside_the_result_not_counted(ds):
    at = run("results")
    body = next(e.proto.body for e in at.get("html") if 'data-result="m-prodef-volunteers-target"' in e.proto.body)
    details = body.split('data-result="m-prodef-volunteers-target"')[1].split("</li>")[0].split("<details")[1]
    seed = Words.of(ds, "en").source_title("seed-000")
    # the seed's "more than 200 deployed" (c.2016): listed with the records, as another figure of the conflict
    assert re.search(r"Another figure \(sources disagree\)</td><td>More than 200</td>", details)
    assert html.escape(seed) in details or seed in html.unescape(details)


def test_filters_and_the_link_work_as_on_every_page():
    at = run("results", programme="xale-sama-yite")
    assert not at.exception
    assert len(_result_items(at)) == 3 and link(at)["programme"] == "xale-sama-yite"
    at = run("results", region="central_africa")
    assert list(_result_items(at)) == ["m-cod-target-professionals"]
    at = run("results", years="2015-2017")  # nothing was reported by 2017
    assert "No progress reported yet" in _result_items(at)["m-prodef-volunteers-target"]
    assert "programme=xale-sama-yite" in nav_links(run("results", programme="xale-sama-yite"))["Results against targets"]


def test_the_page_in_french_and_spanish():
    at = run("results", lang="fr")
    assert at.title[0].value == "Résultats par rapport aux cibles"
    items = _result_items(at)
    assert "plus de 70 sur environ 100 en 2020 : au moins 70 %" in items["m-prodef-volunteers-target"]
    assert "Aucun progrès signalé pour l'instant" in items["m-sen-target-people-reached"]
    at = run("results", lang="es")
    assert "15.093 de más de 4000 en 2021: alrededor del 377 %" in _result_items(at)["m-cod-target-professionals"]


def test_the_overview_has_a_short_progress_block_that_links_to_the_page():
    at = run("overview", region="west_africa")
    shown = html_text(at)
    assert "<h2" in next(e.proto.body for e in at.get("html") if "Progress against targets" in e.proto.body)
    assert "Xalé Sama Yité · People reached" in shown and "Batela Mwana" not in shown  # the region's targets only
    links = [p for p in at.get("page_link") if p.proto.page == page("results").url_path.strip("/")]
    assert links and "region=west_africa" in links[0].proto.query_string


def test_programme_cards_and_country_profiles_show_their_targets():
    at = run("programmes", programme="gac-cod-batela-mwana")
    assert "Target: Professionals trained — more than 4,000 by 2020; achieved: 15,093 by 2021 (about 377%) — Reached" \
        in html_text(at)
    text = texts(run("country", profile="SEN"))
    assert "Targets and results" in text
    assert "People reached — 550,000 by 2025 — No progress reported yet" in text
    assert "Volunteers deployed — 250 by 2028 / more than 240 by 2027" in text  # PRIDE works in Senegal too


def test_what_changed_reports_progress_since_a_version(ds, data_copy):
    _add_xale_progress(data_copy)
    new = ibcr_data.load_dataset(data_copy)
    changes = what_changed(ds, new)
    (change,) = changes.results
    assert change.old.latest is None and change.new.latest.value == 66000
    w = Words.of(new, "en")
    line = words.change_line(w, change.old, change.new, cards.plain(w))
    assert line == ("Xalé Sama Yité · People reached: no progress reported → 12% of its target of 550,000 (by 2024)"
                    " — Source: " + w.source_title("xeradb-gac-2383"))
    assert "xale-sama-yite people_reached SEN: no progress reported → 12% of 550,000 (2024, ended_short)" in \
        changes.text()
    assert not what_changed(ds, ds).results  # nothing moved, nothing said


pypdf = pytest.importorskip("pypdf")


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ("Results against targets", "15,093 of more than 4,000 by 2021: about 377%", "No progress reported yet",
            "7 targets in this pack: 1 reached, 1 ended short, 5 with no progress reported yet")),
    ("fr", ("Résultats par rapport aux cibles", "15 093 sur plus de 4 000 en 2021", "Aucun progrès signalé pour l'instant",
            "7 cibles dans ce dossier")),
])
def test_the_board_pack_holds_the_results_section(ds, lang, expected):
    import ibcr_report

    pdf = ibcr_report.build(ds, "organisation", lang=lang)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))
    for part in expected:
        assert part in text, part
