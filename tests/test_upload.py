"""Reading an upload: every bad input gets a message naming sheet, row and column, and no folder."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from ibcr_updates.__main__ import main
from ibcr_updates.compare import compare, editable_tables
from ibcr_updates.store import Store
from ibcr_updates.upload import MAX_UPLOAD_BYTES, read_upload
from ibcr_updates.workbook import template
from tests.support import DATA


@pytest.fixture(scope="module")
def book(ds) -> bytes:
    return template(ds)


def edited(book: bytes):
    return openpyxl.load_workbook(io.BytesIO(book))


def save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def col(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(name) + 1


def refused(ds, data: bytes, filename: str = "records.xlsx"):
    intake = read_upload(filename, data, ds)
    assert intake.folder is None and intake.dataset is None and intake.problems
    return intake.problems


def one(problems, message: str):
    found = [p for p in problems if message in p.message]
    assert found, [str(p) for p in problems]
    return found[0]


def test_a_formula_is_refused_paste_values_only(ds, book):
    wb = edited(book)
    ws = wb["engagements"]
    ws.cell(3, col(ws, "partners")).value = '=CONCAT("a", "b")'
    p = one(refused(ds, save(wb)), "a formula")
    assert (p.file, p.line, p.column) == ("engagements", 3, "partners")
    assert "Paste Special → Values" in p.hint


def test_a_macro_workbook_or_a_file_that_is_not_what_its_name_says(ds, book):
    assert "macro" in refused(ds, book, "records.xlsm")[0].message
    buf = io.BytesIO(book)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\0" * 64)
    p = refused(ds, buf.getvalue())[0]
    assert "contains macros" in p.message and "Excel Workbook (*.xlsx)" in p.hint
    p = refused(ds, (DATA / "engagements.csv").read_bytes())[0]
    assert "not what its name says" in p.message
    assert "not accepted" in refused(ds, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")[0].message


def test_hidden_and_renamed_sheets(ds, book):
    wb = edited(book)
    wb["events"].sheet_state = "hidden"
    p = one(refused(ds, save(wb)), "hidden")
    assert p.file == "events" and "Unhide" in p.hint
    wb = edited(book)
    wb["metrics"].title = "Metrics 2026"
    p = one(refused(ds, save(wb)), "renamed")
    assert p.file == "Metrics 2026" and "back to 'metrics'" in p.hint
    wb = edited(book)
    del wb["conflicts"]
    p = one(refused(ds, save(wb)), "the sheet is missing")
    assert p.file == "conflicts" and "every table must be present" in p.hint


def test_merged_cells(ds, book):
    wb = edited(book)
    ws = wb["programmes"]
    c = col(ws, "funders")
    ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c + 1)
    p = one(refused(ds, save(wb)), "merged cells")
    assert (p.file, p.line, p.column) == ("programmes", 4, "funders") and "Unmerge" in p.hint


def test_dates_and_date_serials_in_year_columns(ds, book):
    wb = edited(book)
    ws = wb["engagements"]
    ws.cell(4, col(ws, "start_year")).value = dt.datetime(2016, 1, 1)
    ws.cell(5, col(ws, "end_year")).value = 42370  # 2016-01-01 as an Excel serial
    problems = refused(ds, save(wb))
    p = one(problems, "turned the number into a date")
    assert (p.file, p.line, p.column) == ("engagements", 4, "start_year") and "2016" in p.hint
    p = one(problems, "date serial")
    assert (p.line, p.column) == (5, "end_year") and "2016" in p.hint and "2016-01-01" in p.message


def test_numbers_as_text_and_whole_floats_are_read_as_whole_numbers(ds, book):
    wb = edited(book)
    ws = wb["engagements"]
    c = col(ws, "start_year")
    rows = [r for r in range(2, ws.max_row + 1) if isinstance(ws.cell(r, c).value, int)][:3]
    ws.cell(rows[0], c).value = f"{ws.cell(rows[0], c).value}.0"  # text "2015.0"
    ws.cell(rows[1], c).value = float(ws.cell(rows[1], c).value)  # 2015.0, a number
    ws.cell(rows[2], c).value = str(ws.cell(rows[2], c).value)  # a number stored as text
    with read_upload("records.xlsx", save(wb), ds) as intake:
        assert intake.problems == []
        assert compare(ds, intake.dataset).is_empty


def test_extra_and_missing_columns(ds, book):
    wb = edited(book)
    ws = wb["sources"]
    extra = ws.max_column + 1
    ws.cell(1, extra).value = "comments"
    ws.cell(2, extra).value = "to check"
    ws.delete_cols(col(ws, "notes"))
    problems = refused(ds, save(wb))
    p = one(problems, "extra column")
    assert (p.file, p.line, p.column) == ("sources", 1, "comments")
    p = one(problems, "a column is missing")
    assert (p.file, p.line, p.column) == ("sources", 1, "notes") and "add back the column 'notes'" in p.hint


def test_a_file_over_the_cap_is_refused_before_parsing(ds):
    p = refused(ds, b"PK\x03\x04" + b"\0" * MAX_UPLOAD_BYTES)[0]
    assert "larger than 10 MB" in p.message and p.value == "10.0 MB"


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def table_files(ds) -> dict[str, bytes]:
    return {r.path: (DATA / r.path).read_bytes() for r in editable_tables(ds)}


def test_a_zip_bomb_and_path_traversal(ds):
    bomb = zip_of({**table_files(ds), "engagements.csv": b" " * (20 * 2**20)})
    assert len(bomb) < 1 * 2**20
    assert "zip bomb" in refused(ds, bomb, "tables.zip")[0].message
    p = refused(ds, zip_of({"../engagements.csv": b"x"}), "tables.zip")[0]
    assert "unsafe path" in p.message and p.value == "../engagements.csv"


def test_a_zip_of_csv_files_and_a_latin_1_csv(ds):
    files = table_files(ds)
    with read_upload("tables.zip", zip_of({f"data/{k}": v for k, v in files.items()}), ds) as intake:
        assert intake.problems == [] and compare(ds, intake.dataset).is_empty
    latin = files["engagements.csv"].decode("utf-8").encode("latin-1", errors="replace")
    p = refused(ds, zip_of({**files, "engagements.csv": latin}), "tables.zip")[0]
    assert p.file == "engagements.csv" and "not UTF-8" in p.message and "CSV UTF-8" in p.hint
    p = refused(ds, zip_of({k: v for k, v in files.items() if k != "events.csv"}), "tables.zip")[0]
    assert "missing" in p.message and p.value == "events.csv"


def test_an_empty_workbook(ds):
    p = refused(ds, save(openpyxl.Workbook()))
    assert len(p) == 1 and "the workbook is empty" in p[0].message


def test_a_validation_problem_names_the_sheet_and_excel_row(ds, book):
    wb = edited(book)
    ws = wb["engagements"]
    ws.insert_rows(3)  # a blank row: the record below is on Excel row 6, CSV line 5
    ws.cell(6, col(ws, "kind_code")).value = "trainning"
    p = one(refused(ds, save(wb)), "not one of the allowed codes")
    assert (p.file, p.line, p.column, p.value) == ("engagements", 6, "kind_code", "trainning")
    assert "did you mean 'training'" in p.hint


def test_a_bad_upload_on_the_command_line_changes_nothing(ds, book, data_copy, tmp_path, capsys):
    root = tmp_path / "store"
    Store.open(root, create=True, seed=data_copy)
    wb = edited(book)
    ws = wb["engagements"]
    ws.cell(2, col(ws, "evidence")).value = "=1+1"
    path = tmp_path / "records.xlsx"
    path.write_bytes(save(wb))
    assert main(["--store", str(root), "import", str(path), "--note", "x", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "nothing was changed" in err and "engagements:2 [evidence]" in err
    assert [v.id for v in Store.open(root).versions()] == ["v1"]
