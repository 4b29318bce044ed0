"""The Data explorer's downloads and dictionary: what is in the files a reader takes away."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from ibcr_data import Filters, export
from ibcr_ui import downloads
from ibcr_ui.context import Context
from tests.support import page_context

WEST = Filters(regions=frozenset({"west_africa"}), years=(2012, 2020))


def context(ds, lang: str, filters: Filters) -> Context:
    return page_context(ds, lang, filters, "data")


@pytest.fixture
def files(monkeypatch):
    """Press the download buttons: file name -> (label, bytes), for one call of downloads.buttons."""
    def press(ctx: Context, tables: dict[str, pd.DataFrame], scope: str) -> dict[str, tuple[str, bytes]]:
        out = {}

        def fake_button(label, data, file_name, **_):
            out[file_name] = (label, data() if callable(data) else data)

        monkeypatch.setattr(downloads.st, "download_button", fake_button)
        downloads.buttons(ctx, tables, scope)
        return out

    return press


def test_workbook_has_a_readable_sheet_per_table_and_the_filter(ds, files):
    ctx = context(ds, "en", WEST)
    tables = downloads.filtered_tables(ctx)
    pressed = files(ctx, tables, "filtered")
    assert set(pressed) == {"ibcr-filtered-view.xlsx", "ibcr-filtered-view-engagements.csv", "ibcr-filtered-view-csv.zip"}
    label, raw = pressed["ibcr-filtered-view.xlsx"]
    wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
    assert wb.sheetnames == ["Engagements", "Programmes", "Milestones", "Figures", "Sources", "Filter used"]
    rows = list(wb["Engagements"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    fields = ds.descriptor.resource("engagements").field_names
    assert list(header) == [ctx.t(f"field.{f}") for f in fields]
    assert "Description (English)" in header and "description_en" not in header
    assert len(body) == len(ctx.view.engagements)
    countries = {r[header.index(ctx.t("field.country_iso3"))] for r in body}
    assert countries and countries <= set(ds.region_members["west_africa"])
    total = sum(len(t) for t in tables.values())
    assert label == f"Excel workbook — {ctx.number(total)} rows, one sheet per table"
    assert total > len(body)  # the other sheets hold rows too
    view_rows = {r[0]: r[1] for r in wb["Filter used"].iter_rows(min_row=2, values_only=True)}
    assert view_rows["View"] == ctx.describe()
    assert view_rows["region"] == "west_africa" and view_rows["years"] == "2012-2020"
    assert view_rows["Data last updated"] == ds.last_updated


def test_zip_holds_one_csv_per_table_with_a_byte_order_mark(ds, files):
    ctx = context(ds, "fr", WEST)
    tables = downloads.filtered_tables(ctx)
    pressed = files(ctx, tables, "filtered")
    name = "ibcr-vue-filtree-csv.zip"
    with zipfile.ZipFile(io.BytesIO(pressed[name][1])) as zf:
        expected = [ctx.t(f"table.{k}").lower() + ".csv" for k in downloads.tables(ctx)]
        assert zf.namelist() == expected
        assert expected == ["interventions.csv", "programmes.csv", "jalons.csv", "chiffres.csv", "sources.csv"]
        for member, key in zip(expected, downloads.tables(ctx)):
            raw = zf.read(member)
            assert raw.startswith(b"\xef\xbb\xbf"), member
            back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
            assert len(back) == len(tables[key]), member
            assert list(back.columns) == [ctx.t(f"field.{f}") for f in tables[key].columns]
    eng = pd.read_csv(io.BytesIO(zipfile.ZipFile(io.BytesIO(pressed[name][1])).read("interventions.csv")),
                      encoding="utf-8-sig")
    assert {"Description (français)", "Description (anglais)"} <= set(eng.columns)
    assert eng["Description (français)"].str.contains("é").any()


def test_the_sources_file_lists_every_source_the_records_in_view_rest_on(ds):
    ctx = context(ds, "en", WEST)
    got = set(downloads.filtered_tables(ctx)["sources"]["source_id"])
    linked = ds.record_sources[(ds.record_sources["record_table"] == "engagements")
                               & ds.record_sources["record_id"].isin(set(ctx.view.engagements["engagement_id"]))]
    assert set(ctx.view.engagements["source_id"]) <= got
    assert set(linked["source_id"]) <= got and len(linked)  # the further sources too, not only each record's own


def test_engagements_csv_is_the_filtered_rows(ds, files):
    ctx = context(ds, "en", WEST)
    pressed = files(ctx, downloads.filtered_tables(ctx), "filtered")
    label, raw = pressed["ibcr-filtered-view-engagements.csv"]
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert list(back["Engagement"]) == list(ctx.view.engagements["engagement_id"])
    assert label == f"Engagements as CSV — {len(back)} rows"


def test_full_dataset_files_hold_every_record(ds, files):
    ctx = context(ds, "en", WEST)
    pressed = files(ctx, downloads.full_tables(ctx), "full")
    wb = openpyxl.load_workbook(io.BytesIO(pressed["ibcr-full-dataset.xlsx"][1]), read_only=True)
    assert wb["Engagements"].max_row == len(ds.engagements) + 1
    assert wb["Sources"].max_row == len(ds.sources) + 1


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_dictionary_lists_every_field_with_its_description_in_the_readers_language(ds, lang):
    ctx = context(ds, lang, Filters())
    for table in downloads.tables(ctx):
        fields = ds.descriptor.resource(table).fields
        d = downloads.dictionary(ctx, table)
        assert list(d[ctx.t("dict.name")]) == [f.name for f in fields]
        assert list(d[ctx.t("dict.description")]) == [f.description_in(lang) for f in fields]
        assert list(d[ctx.t("dict.column")]) == [ctx.t(f"field.{f.name}") for f in fields]
    d = downloads.dictionary(ctx, "engagements").set_index(ctx.t("dict.name"))
    assert d.at["engagement_id", ctx.t("dict.description")] == (
        "Identifiant court et stable" if lang == "fr" else "Short stable identifier")
    assert "training" in d.at["kind_code", ctx.t("dict.codes")].split(", ")
    assert d.at["engagement_id", ctx.t("dict.required")] == "✓"


def test_exports_keep_numbers_and_empty_cells(ds):
    df = pd.DataFrame({"value": [1.5, None], "label": ["a", None]})
    back = pd.read_csv(io.BytesIO(export.csv_bytes(df)), encoding="utf-8-sig")
    assert back["value"].iloc[0] == 1.5 and pd.isna(back["value"].iloc[1]) and pd.isna(back["label"].iloc[1])
    assert export.sheet_name("Figures: 2012/2020 [draft]" * 3) == ("Figures  2012 2020  draft " * 3)[:31]
