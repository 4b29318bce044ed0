"""The editing workbook: sheets, headers, drop-downs, notes, and a round trip that changes nothing."""

from __future__ import annotations

import filecmp
import io

import openpyxl
import pytest

from ibcr_data.checks import MAX_CELL_CHARS
from ibcr_present import i18n
from ibcr_updates import workbook
from ibcr_updates.compare import editable_tables
from ibcr_updates.upload import read_upload
from ibcr_updates.workbook import LISTS_SHEET, template


@pytest.fixture(scope="module")
def book_fr(ds) -> bytes:
    return template(ds, "fr")


def test_the_workbook_has_a_read_me_then_one_sheet_per_editable_table(ds, book_fr):
    wb = openpyxl.load_workbook(io.BytesIO(book_fr))
    tables = [r.name for r in editable_tables(ds)]
    assert wb.sheetnames == ["À lire", *tables, LISTS_SHEET]
    assert {"engagements", "programmes", "events", "metrics", "sources", "conflicts"} <= set(tables)
    assert not {"countries", "regions", "kind", "status"} & set(tables)
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    readme = "\n".join(str(c.value) for c in wb["À lire"]["A"] if c.value)
    assert "Collage spécial" in readme and "source_id" in readme and ".xlsx" in readme
    assert openpyxl.load_workbook(io.BytesIO(template(ds, "en"))).sheetnames[0] == "Read me"


def test_the_read_me_is_in_the_editors_language_and_asks_for_every_language_the_records_require(ds):
    for lang, sheet, words in (("en", "Read me", "Paste Special"), ("fr", "À lire", "Collage spécial"),
                               ("es", "Léame", "Pegado especial")):
        wb = openpyxl.load_workbook(io.BytesIO(template(ds, lang)))
        readme = "\n".join(str(c.value) for c in wb[sheet]["A"] if c.value)
        assert wb.sheetnames[0] == sheet and words in readme, lang
        assert all(f"…_{code}" in readme for code in ("en", "fr", "es")), lang  # each text column is required
        assert f"{i18n.number(lang, MAX_CELL_CHARS)} " in readme, lang  # 32,767 / 32 767 / 32.767
        assert wb["engagements"].data_validations.dataValidation[0].error == workbook.CHOOSE[lang]
    required = {f.name for res in editable_tables(ds) for f in res.fields if f.required}
    assert {"description_en", "description_fr", "description_es"} <= required


def test_a_spanish_workbook_read_back_changes_no_file(ds):
    with read_upload("registros.xlsx", template(ds, "es"), ds) as intake:
        assert intake.problems == [] and intake.folder is not None
        for res in ds.descriptor.resources:
            assert filecmp.cmp(intake.folder / res.path, ds.data_dir / res.path, shallow=False), res.path


def test_each_sheet_has_its_header_notes_drop_downs_and_frozen_row(ds, book_fr):
    wb = openpyxl.load_workbook(io.BytesIO(book_fr))
    res = ds.descriptor.resource("engagements")
    ws = wb["engagements"]
    header = [c.value for c in ws[1]]
    assert header == res.field_names
    assert ws.freeze_panes == "A2"
    kind = res.field("kind_code")
    assert ws.cell(1, header.index("kind_code") + 1).comment.text == kind.description_in("fr")
    rules = {str(dv.sqref).split(":")[0]: dv.formula1.replace("'", "") for dv in ws.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter
    kind_rule = rules[f"{letter(header.index('kind_code') + 1)}2"]
    country_rule = rules[f"{letter(header.index('country_iso3') + 1)}2"]
    source_rule = rules[f"{letter(header.index('source_id') + 1)}2"]
    assert kind_rule.startswith("lists!") and country_rule.startswith("lists!")
    assert source_rule.startswith("sources!$A$2")  # the sources sheet itself, so a new source is offered
    lists = wb[LISTS_SHEET]
    columns = {c.value: c.column for c in lists[1] if c.value}
    codes = [c.value for c in lists[letter(columns["kind_code"])][1:] if c.value]
    assert codes == list(ds.codes["kind"]["kind_code"])
    iso = [c.value for c in lists[letter(columns["country_iso3"])][1:] if c.value]
    assert "BFA" in iso and len(iso) == len(ds.countries)
    assert 10 < ws.column_dimensions[letter(header.index("description_en") + 1)].width <= 60


def test_values_are_written_as_in_the_csv(ds, book_fr):
    ws = openpyxl.load_workbook(io.BytesIO(book_fr))["engagements"]
    header = [c.value for c in ws[1]]
    years = [c.value for c in ws[openpyxl.utils.get_column_letter(header.index("start_year") + 1)][1:]
             if c.value is not None]
    assert years and all(isinstance(y, int) for y in years)
    ids = [c.value for c in ws["A"][1:] if c.value]
    assert ids == list(ds.engagements["engagement_id"])


def test_the_template_read_back_changes_no_file(ds, book_fr):
    with read_upload("records.xlsx", book_fr, ds) as intake:
        assert intake.problems == [] and intake.folder is not None
        for res in ds.descriptor.resources:
            assert filecmp.cmp(intake.folder / res.path, ds.data_dir / res.path, shallow=False), res.path
    assert intake.folder is None  # discarded
