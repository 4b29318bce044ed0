"""Reliability and safety: hostile links, injected content, odd files — nothing breaks, nothing runs."""

from __future__ import annotations

import html
import io
import os
import re
import stat
import time
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ibcr_data
from ibcr_data import export
from ibcr_data.filters import LINK_KEYS as FILTER_KEYS
from ibcr_data.filters import MAX_LINK_VALUE
from ibcr_present import text
from ibcr_ui.registry import PAGES
from tests.apptest import cards, run, sidebar_labels
from tests.support import read_rows, set_cell, write_rows

LINK_KEYS = (*FILTER_KEYS, "lang")
NASTY = [
    "' OR 1=1 --", "1; DROP TABLE engagements", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "javascript:alert(1)", "../../etc/passwd", "%00", "west_africa" * 300, "🙂" * 50, "=HYPERLINK(\"x\")",
    "2012-2020-2030", "9999-0000", "-1", "", ",,,", "west_africa,,training", "\u202e\u0000\ufeff",
]
link_values = st.one_of(st.sampled_from(NASTY), st.text(max_size=300),
                        st.lists(st.sampled_from(NASTY), min_size=1, max_size=4))
link_params = st.dictionaries(st.sampled_from(LINK_KEYS), link_values, max_size=7)


@pytest.fixture(scope="module")
def ch(ds):
    return ibcr_data.choices(ds)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=link_params)
def test_parse_query_never_fails_and_keeps_only_known_values(ch, params):
    f, ignored = ibcr_data.parse_query(params, ch)
    assert f.regions <= set(ch.regions) and f.kinds <= set(ch.kinds)
    assert f.statuses <= set(ch.statuses) and f.programmes <= set(ch.programmes)
    assert f.countries <= set(ch.countries)
    if f.years:
        assert ch.year_min <= f.years[0] <= f.years[1] <= ch.year_max
    # What was accepted makes a link that reads back as the same view, with nothing to ignore.
    assert ibcr_data.parse_query(f.to_query(), ch) == (f, [])
    # Nothing is dropped silently: every value in the link was either kept or named as ignored.
    named = {(i.key, i.value) for i in ignored}
    kept = {"region": f.regions, "kind": f.kinds, "status": f.statuses, "programme": f.programmes,
            "country": f.countries}
    for key, accepted in kept.items():
        for value in ibcr_data.filters.link_values(params, key, []):
            assert value.lower() in accepted or value.upper() in accepted or (key, value) in named, (key, value)
    for key in kept:
        raw = params.get(key)
        for item in raw if isinstance(raw, list) else [raw] if raw is not None else []:
            if len(item) > MAX_LINK_VALUE:
                assert (key, item[:40] + "…") in named  # an over-long value is named by its beginning


# One hostile link per page (far fewer runs than a fuzzer): each ignored value is named in the notice.
HOSTILE = {
    "overview": {"region": "<script>alert(1)</script>", "kind": "' OR 1=1 --"},
    "map": {"years": "abcd", "status": "🙂🙂", "mode": "javascript:alert(1)"},
    "country": {"country": "../../etc/passwd", "programme": "x" * 600},
    "timeline": {"region": "west_africa,,atlantis", "group": "%00", "category": "<img src=x onerror=alert(1)>"},
    "programmes": {"kind": "1; DROP TABLE engagements", "metric": "=HYPERLINK(\"x\")"},
    "results": {"programme": "<svg onload=alert(1)>", "years": "2030-2040"},
    "data": {"status": "\u202eevil", "country": "ZZZ"},
    "sources": {"lang": "klingon", "region": "west_africa" * 3},
    "changes": {"since": "v999", "kind": "<b>x</b>"},
    "editor": {"profile": "@@", "region": "javascript:alert(1)"},
    "account": {"region": "<svg onload=alert(1)>", "kind": "%%"},
}


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_every_page_names_each_ignored_value_of_a_hostile_link(page):
    params = HOSTILE[page]
    at = run(page, **params)
    assert not at.exception, (page, params)
    assert {"Years", "Region", "Kind of work", "Status", "Programme"} <= sidebar_labels(at)  # the shell is intact
    notice = "\n".join(i.value for i in at.info)
    assert notice.startswith("Some values in the link were not recognised"), notice
    for key, raw in params.items():
        if key == "lang":
            continue  # an unknown language falls back to English without a notice
        for value in raw.split(","):
            if value.strip() in ("", "west_africa"):
                continue
            shown = value.strip() if len(raw) <= MAX_LINK_VALUE else raw[:40] + "…"
            assert f"{text.md(key)}={text.md(shown)}" in notice, (key, shown, notice)
    assert not RAW_TAG.search(notice) and "](javascript" not in notice


def test_repeated_link_keys_are_handled(ch):
    f, ignored = ibcr_data.parse_query({"region": ["west_africa", "mena"], "years": ["2012-2020", "2000-2005"]}, ch)
    assert f.regions == {"west_africa", "mena"}
    assert f.years is None and {i.key for i in ignored} == {"years"}


RAW_TAG = re.compile(r"(?<!\\)<(script|img|b )")  # a tag that Markdown would not show literally
INJECTION = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> '
             '[click me](javascript:alert(1)) =HYPERLINK("http://example.invalid","x")')


@pytest.fixture
def injected(data_copy, monkeypatch):
    header, rows = read_rows(data_copy / "engagements.csv")
    i = next(i for i, r in enumerate(rows) if r[header.index("country_iso3")] == "BFA")
    for col in ("description_en", "description_fr", "partners", "evidence"):
        rows[i][header.index(col)] = INJECTION
    write_rows(data_copy / "engagements.csv", header, rows)
    header, rows = read_rows(data_copy / "programmes.csv")
    rows[0][header.index("name_en")] = "<b onmouseover=alert(1)>Tribunal</b>"
    write_rows(data_copy / "programmes.csv", header, rows)
    # A key milestone and a source title: they reach the milestone lists and the Overview map's tooltips.
    header, rows = read_rows(data_copy / "events.csv")
    key = [i for i, r in enumerate(rows) if r[header.index("is_key_milestone")].lower() == "true"]
    i = max(key, key=lambda i: rows[i][header.index("start_date")] or rows[i][header.index("start_year")])  # newest
    for col in ("title_en", "description_en"):
        rows[i][header.index(col)] = INJECTION
    write_rows(data_copy / "events.csv", header, rows)
    header, rows = read_rows(data_copy / "sources.csv")
    rows[0][header.index("title")] = INJECTION
    write_rows(data_copy / "sources.csv", header, rows)
    monkeypatch.setenv("IBCR_DATA_DIR", str(data_copy))
    return data_copy


def test_injected_text_is_escaped_before_markdown():
    out = text.md(INJECTION)
    assert not RAW_TAG.search(out) and "](javascript" not in out
    assert "\\<script\\>" in out


@pytest.mark.parametrize("page", ["overview", "country", "timeline", "map", "data", "programmes"])
def test_injected_records_render_as_text(injected, page):
    at = run(page, country="BFA") if page == "country" else run(page)
    assert not at.exception
    for el in list(at.markdown) + list(at.caption):
        assert not RAW_TAG.search(el.value) and "](javascript" not in el.value, el.value
    # The HTML blocks (cards, milestone lists): the record's markup arrives as escaped text only.
    blocks = [e.proto.body for e in at.get("html") if not e.proto.body.startswith(("<style", "<script>document"))]
    assert blocks or page not in ("overview", "country", "timeline", "programmes")
    for body in blocks:
        assert not RAW_TAG.search(body) and 'href="javascript' not in body and "onerror=" not in body.replace(
            "onerror=&quot;", ""), body[:300]
    if page in ("overview", "timeline"):
        assert any("&lt;script&gt;window.__pwned=1&lt;/script&gt;" in b for b in blocks)
    if page == "country":  # the page really shows the injected record, as literal text (its card)
        assert any(f"<p>{html.escape(INJECTION)}</p>" in b for b in blocks)
    if page == "programmes":  # the injected programme name, as literal text in its card's heading
        assert any("<h3><strong>&lt;b onmouseover=alert(1)&gt;Tribunal&lt;/b&gt;</strong></h3>" in b for b in blocks)


def test_exports_neutralise_formulas(injected):
    ds = ibcr_data.load_dataset(injected)
    eng = ds.engagements[ds.engagements["country_iso3"] == "BFA"]
    back = pd.read_csv(io.BytesIO(export.csv_bytes(eng)), encoding="utf-8-sig")
    # A cell that does not start with a formula character is kept exactly as written, ...
    assert back["description_en"].iloc[0] == INJECTION  # the first Burkina Faso record was injected
    # ... and one that does is made inert with an apostrophe, whatever its column.
    formula = eng.assign(evidence='=HYPERLINK("http://example.invalid","x")')
    back = pd.read_csv(io.BytesIO(export.csv_bytes(formula)), encoding="utf-8-sig")
    assert set(back["evidence"]) == {"'=HYPERLINK(\"http://example.invalid\",\"x\")"}
    risky = pd.DataFrame({"a": ["=1+1", "+SUM(A1)", "-2", "@cmd", "plain", "é à ç"], "n": [1, -2, 3, 4, 5, 6]})
    out = export.csv_bytes(risky)
    assert out.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(out), encoding="utf-8-sig")
    assert list(back["a"]) == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "plain", "é à ç"]
    assert list(back["n"]) == [1, -2, 3, 4, 5, 6]  # numbers stay numbers
    wb = openpyxl.load_workbook(io.BytesIO(export.workbook_bytes({"Sheet": risky})))
    values = [c.value for c in wb["Sheet"]["A"][1:]]
    assert values[0] == "'=1+1" and wb["Sheet"]["A2"].data_type == "s"


def test_workbook_and_zip_have_every_table(ds):
    tables = {name: ds.table(name) for name in ("engagements", "programmes", "events", "metrics", "sources")}
    wb = openpyxl.load_workbook(io.BytesIO(export.workbook_bytes(tables)), read_only=True)
    assert wb.sheetnames == list(tables)
    assert wb["engagements"].max_row == len(ds.engagements) + 1
    with zipfile.ZipFile(io.BytesIO(export.zip_of_csvs(tables))) as zf:
        assert sorted(zf.namelist()) == sorted(f"{n}.csv" for n in tables)
        eng = pd.read_csv(zf.open("engagements.csv"), encoding="utf-8-sig")
        assert len(eng) == len(ds.engagements)
        assert eng["description_fr"].str.contains("é").any()  # accents survive the round trip


def test_csv_export_round_trips_accents(ds):
    df = ds.countries[ds.countries["country_iso3"].isin(["CIV", "COD", "TUR"])][["country_iso3", "name_fr"]]
    back = pd.read_csv(io.BytesIO(export.csv_bytes(df)), encoding="utf-8-sig")
    assert set(back["name_fr"]) == set(df["name_fr"])
    assert "Côte d'Ivoire" in set(back["name_fr"])


def test_a_50_mb_file_is_handled_in_bounded_time(data_copy):
    path = data_copy / "engagements.csv"
    header, rows = read_rows(path)
    with path.open("a", encoding="utf-8") as fh:
        junk = ",".join(["x" * 40] * len(header)) + "\n"
        fh.write(junk * (50 * 1024 * 1024 // len(junk)))
    assert path.stat().st_size > 50 * 1024 * 1024
    started = time.perf_counter()
    problems = ibcr_data.validate(data_copy)[0]
    elapsed = time.perf_counter() - started
    assert elapsed < 30
    assert len(problems) <= ibcr_data.load.MAX_PROBLEMS + 1
    assert any("more rows like the ones above" in p.message for p in problems)


def test_read_only_data_folder_loads_and_is_not_written(data_copy):
    before = {p: p.stat().st_mtime_ns for p in data_copy.rglob("*")}
    for p in [data_copy, *data_copy.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        ds = ibcr_data.load_dataset(data_copy)
        assert len(ds.engagements) > 90
        assert {p: p.stat().st_mtime_ns for p in data_copy.rglob("*")} == before
    finally:
        for p in [data_copy, *data_copy.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)


def test_app_runs_from_a_read_only_working_folder(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    monkeypatch.chdir(ro)
    try:
        at = run("overview")
        assert not at.exception and cards(at)
    finally:
        ro.chmod(0o755)
    assert os.listdir(ro) == []


def test_strange_values_in_a_cell_are_reported_not_crashing(data_copy):
    set_cell(data_copy, "metrics.csv", 0, "value", "1e999")
    set_cell(data_copy, "events.csv", 0, "start_year", "99999999999999999999")
    problems = ibcr_data.validate(data_copy)[0]
    assert {p.file for p in problems} == {"metrics.csv", "events.csv"}
