"""Reliability and safety: hostile links, injected content, odd files — nothing breaks, nothing runs."""

from __future__ import annotations

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
from ibcr_ui import text
from ibcr_ui.registry import PAGES
from tests.apptest import run
from tests.conftest import DATA, read_rows, set_cell, write_rows

LINK_KEYS = ("years", "region", "kind", "status", "programme", "country", "lang")
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
def test_parse_query_never_fails_and_keeps_only_known_values(ds, ch, params):
    f, ignored = ibcr_data.parse_query(params, ch)
    assert f.regions <= set(ch.regions) and f.kinds <= set(ch.kinds)
    assert f.statuses <= set(ch.statuses) and f.programmes <= set(ch.programmes)
    assert f.countries <= set(ch.countries)
    if f.years:
        assert ch.year_min <= f.years[0] <= f.years[1] <= ch.year_max
    view = ibcr_data.apply_filters(ds, f)  # any accepted filter gives a view, possibly empty
    assert len(view.engagements) <= len(ds.engagements)
    for i in ignored:
        assert i.key in LINK_KEYS


@settings(max_examples=40, deadline=None)
@given(page=st.sampled_from([p.key for p in PAGES]), params=st.dictionaries(
    st.sampled_from(LINK_KEYS), st.one_of(st.sampled_from(NASTY), st.text(max_size=80)), min_size=1, max_size=4))
def test_every_page_survives_hostile_links(page, params):
    at = run(page, **params)
    assert not at.exception, (page, params)
    assert len(at.sidebar.multiselect) >= 4  # the shell is intact


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
    monkeypatch.setenv("IBCR_DATA_DIR", str(data_copy))
    return data_copy


def test_injected_text_is_escaped_before_markdown():
    out = text.md(INJECTION)
    assert not RAW_TAG.search(out) and "](javascript" not in out
    assert "\\<script\\>" in out


@pytest.mark.parametrize("page", ["country", "timeline", "map", "data", "programmes"])
def test_injected_records_render_as_text(injected, page):
    at = run(page, country="BFA") if page == "country" else run(page)
    assert not at.exception
    for el in list(at.markdown) + list(at.caption):
        assert not RAW_TAG.search(el.value) and "](javascript" not in el.value, el.value


def test_exports_neutralise_formulas(injected):
    ds = ibcr_data.load_dataset(injected)
    eng = ds.engagements[ds.engagements["country_iso3"] == "BFA"]
    text = export.csv_bytes(eng).decode("utf-8-sig")
    assert "'=HYPERLINK" not in text  # the injected cell starts with '<', not '='
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
        assert len(ds.engagements) > 100
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
        assert not at.exception and at.metric
    finally:
        ro.chmod(0o755)
    assert os.listdir(ro) == []


def test_strange_values_in_a_cell_are_reported_not_crashing(data_copy):
    set_cell(data_copy, "metrics.csv", 0, "value", "1e999")
    set_cell(data_copy, "events.csv", 0, "start_year", "99999999999999999999")
    problems = ibcr_data.validate(data_copy)[0]
    assert {p.file for p in problems} == {"metrics.csv", "events.csv"}


def test_data_dir_is_never_the_real_one_in_these_tests(injected):
    assert injected != DATA
