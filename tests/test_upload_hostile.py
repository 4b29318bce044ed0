"""Uploads from a careless editor or an attacker (issue 24): each builds its hostile workbook here, in code.

Every case gets a message naming what to do, never a traceback, a dead server or a half-written folder:
a cell far outside the table, a reader that runs out of memory or time, control characters, a cell
longer than Excel allows, two sheets of one name, XML entities, a part lying about its size, a full
disk; and writing the rows of a large upload takes linear time.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ibcr_data.checks import CONTROL_RE, MAX_CELL_CHARS
from ibcr_present import i18n
from ibcr_updates import upload as upload_module
from ibcr_updates.cells import Cells, Limits, read_cells
from ibcr_updates.files import write_csv
from ibcr_updates.upload import read_upload
from ibcr_updates.upload_checks import MAX_SHEET_ROWS
from ibcr_updates.workbook import template
from tests.support import ROOT

ENGAGEMENTS_XML = "xl/worksheets/sheet7.xml"  # openpyxl writes the sheets in order; strings inline


@pytest.fixture(scope="module")
def book(ds) -> bytes:
    return template(ds)


@pytest.fixture(autouse=True)
def own_tmp(tmp_path, monkeypatch):
    """Candidate folders go to this test's own temporary folder, so leftovers can be counted."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def edited(book: bytes, **cells) -> bytes:
    """The workbook with `cells` ({"engagements!B3": value}) set by openpyxl."""
    wb = openpyxl.load_workbook(io.BytesIO(book))
    for ref, value in cells.items():
        sheet, cell = ref.split("!")
        wb[sheet][cell] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def patched(data: bytes, member: str, old: bytes, new: bytes) -> bytes:
    """The same .zip with one replacement in one member (what openpyxl refuses to write)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    assert member in src.namelist()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == member:
                assert old in body, (member, old)
                body = body.replace(old, new, 1)
            out.writestr(info.filename, body)
    return buf.getvalue()


def lying_about_size(data: bytes, member: str) -> bytes:
    """The same .zip where `member` declares 10 bytes fewer than it holds (headers patched by hand)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(member)
    raw = bytearray(data)
    local = info.header_offset
    size = int.from_bytes(raw[local + 22: local + 26], "little")
    raw[local + 22: local + 26] = (size - 10).to_bytes(4, "little")
    central = raw.find(b"PK\x01\x02")  # the central directory's entries, after the members
    while central >= 0:
        name_len = int.from_bytes(raw[central + 28: central + 30], "little")
        if bytes(raw[central + 46: central + 46 + name_len]) == member.encode():
            raw[central + 24: central + 28] = (size - 10).to_bytes(4, "little")
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    assert zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo(member).file_size == size - 10
    return bytes(raw)


def column_of(book: bytes, sheet: str, name: str) -> str:
    ws = openpyxl.load_workbook(io.BytesIO(book), read_only=True)[sheet]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    return openpyxl.utils.get_column_letter(header.index(name) + 1)


def refused(ds, data: bytes, filename: str = "records.xlsx"):
    intake = read_upload(filename, data, ds)
    assert intake.folder is None and intake.dataset is None and intake.problems
    return intake.problems


def codes(problems) -> list[str]:
    return [p.code for p in problems]


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# 1. A cell far outside the table: a message, and the process that read it lives on

FAR = """
import io, sys, time
import openpyxl
from ibcr_data import load_dataset
from ibcr_updates.upload import read_upload
from ibcr_updates.workbook import template
ds = load_dataset()
wb = openpyxl.load_workbook(io.BytesIO(template(ds)))
wb["engagements"][sys.argv[1]] = "a careless edit"
buf = io.BytesIO()
wb.save(buf)
t = time.perf_counter()
intake = read_upload("records.xlsx", buf.getvalue(), ds)
print(time.perf_counter() - t)
for p in intake.problems:
    print(p.code, p.file, p.value, p.message, sep="|")
"""


@pytest.mark.parametrize("cell", ["XFD1048576", "ZZ200000"])
def test_a_cell_far_outside_the_table_gets_a_message_and_the_reader_survives(cell):
    run = subprocess.run([sys.executable, "-c", FAR, cell], capture_output=True, text=True, cwd=ROOT, timeout=240,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr[-2000:]  # was: abort (134) or minutes of work
    seconds, *problems = run.stdout.strip().splitlines()
    assert float(seconds) < 20
    assert [p.split("|")[:3] for p in problems] == [["sheet_too_large", "engagements", cell]]
    assert f"a cell far outside the table ({cell})" in problems[0]


def test_rows_beyond_the_bound_are_refused_before_reading(ds, book):
    problems = refused(ds, edited(book, **{f"events!A{MAX_SHEET_ROWS + 1}": "x"}))
    assert codes(problems) == ["sheet_too_large"] and problems[0].file == "events"


def test_the_reader_runs_out_of_memory_or_time_in_its_own_process(ds, book):
    far = edited(book, **{"engagements!XFD1048576": "x"})
    found = read_cells("records.xlsx", far, set(), 100, Limits(memory_bytes=768 * 2**20))
    assert codes(found) == ["workbook_too_much_memory"] and "768 MB" in found[0].message
    found = read_cells("records.xlsx", book, set(), 100, Limits(wall_seconds=0.01))
    assert codes(found) == ["workbook_too_slow"]
    cells = read_cells("records.xlsx", book, {"Read me", "lists"}, 100)  # and the next one is read as usual
    assert isinstance(cells, Cells)
    rows = next(s for s in cells.sheets if s.name == "engagements").rows
    assert len(rows) == len(ds.engagements) + 1 and rows[0][0] == "engagement_id"  # every record and the header


# 3. and 13. What a text cell may hold

def test_a_vertical_tab_is_one_problem_not_a_broken_workbook_later(ds, book):
    col = column_of(book, "engagements", "partners")
    data = patched(edited(book, **{f"engagements!{col}4": "Ministry MARK of Justice"}), ENGAGEMENTS_XML,
                   b"Ministry MARK of", b"Ministry _x000B_ of")
    (p,) = refused(ds, data)
    assert (p.code, p.file, p.line, p.column) == ("text_control_character", "engagements", 4, "partners")
    assert "U+000B" in p.message and "U+000B" in p.value


def test_a_carriage_return_is_one_problem_not_19_about_row_widths(ds, book):
    col = column_of(book, "engagements", "evidence")
    data = patched(edited(book, **{f"engagements!{col}5": "first MARK second"}), ENGAGEMENTS_XML,
                   b"first MARK second", b"first_x000D_second")
    (p,) = refused(ds, data)
    assert (p.code, p.file, p.line, p.column) == ("text_carriage_return", "engagements", 5, "evidence")
    assert "Alt+Enter" in p.hint


def test_a_cell_longer_than_excel_allows_is_refused(ds, book):
    col = column_of(book, "engagements", "evidence")
    data = edited(book, **{f"engagements!{col}3": "LONG"})  # openpyxl itself cuts a longer text at the limit
    (p,) = refused(ds, patched(data, ENGAGEMENTS_XML, b"<t>LONG</t>", b"<t>" + b"x" * 40_000 + b"</t>"))
    assert (p.code, p.file, p.line, p.column) == ("text_too_long", "engagements", 3, "evidence")
    assert "40,000 characters" in p.message and f"{MAX_CELL_CHARS:,}" in p.message


def test_line_breaks_and_tabs_are_kept(ds, book):
    col = column_of(book, "engagements", "evidence")
    with read_upload("records.xlsx", edited(book, **{f"engagements!{col}3": "one\ntwo\tthree"}), ds) as intake:
        assert intake.problems == []
        assert "one\ntwo\tthree" in set(intake.dataset.engagements["evidence"])


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_what_the_text_rule_accepts_an_excel_cell_holds(text):
    import re

    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if re.search(CONTROL_RE, text) is None:
        assert not ILLEGAL_CHARACTERS_RE.search(text)
        openpyxl.Workbook().active["A1"] = text  # never IllegalCharacterError


def test_the_read_me_states_the_rule(ds):
    for lang, new_line in (("en", "Alt+Enter"), ("fr", "Alt+Entrée"), ("es", "Alt+Entrar")):
        readme = openpyxl.load_workbook(io.BytesIO(template(ds, lang))).worksheets[0]
        text = " ".join(str(c.value) for c in readme["A"] if c.value)
        assert i18n.number(lang, MAX_CELL_CHARS) in text and MAX_CELL_CHARS == 32_767  # as the dashboard writes it
        assert new_line in text


def test_a_second_sheet_named_engagements_is_refused(ds, book):
    data = patched(book, "xl/workbook.xml", b'name="events"', b'name="Engagements"')
    problems = refused(ds, data)
    assert codes(problems) == ["sheet_twice"] and "two sheets are named" in problems[0].message


# 9. Damaged or crafted files: a message, never a traceback

def test_an_entity_declared_inside_a_sheet(ds, book):
    data = patched(book, ENGAGEMENTS_XML, b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY boom "boom">]><worksheet')
    assert codes(refused(ds, data)) == ["xml_declaration"]


def test_a_part_lying_about_its_size(ds, book):
    assert codes(refused(ds, lying_about_size(book, ENGAGEMENTS_XML))) == ["zip_damaged"]
    assert codes(refused(ds, lying_about_size(book, "[Content_Types].xml"))) == ["zip_damaged"]
    from ibcr_updates.compare import editable_tables
    from tests.support import DATA

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for res in editable_tables(ds):
            zf.writestr(res.path, (DATA / res.path).read_bytes())
    p = refused(ds, lying_about_size(buf.getvalue(), "engagements.csv"), "tables.zip")
    assert codes(p) == ["zip_member_unreadable"] and "cannot be read" in p[0].message


# 10. Temporary folders: none left on any path

def test_no_candidate_folder_is_left_behind(ds, book, own_tmp, monkeypatch):
    refused(ds, edited(book, **{"engagements!A3": "=1+1"}))
    with read_upload("records.xlsx", book, ds) as intake:
        assert intake.folder.parent == own_tmp
    assert leftovers(own_tmp) == []

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(upload_module, "write_csv", full_disk)
        p = refused(ds, book)[0]
    assert p.code == "server_write_failed" and "No space left" in p.message
    assert leftovers(own_tmp) == []


def test_folders_left_by_a_killed_import_are_removed_by_the_next_upload(ds, book, own_tmp):
    old = own_tmp / "ibcr-upload-killed"
    (old / "codes").mkdir(parents=True)
    recent = own_tmp / "ibcr-upload-in-use"
    recent.mkdir()
    an_hour_and_more = time.time() - upload_module.LEFTOVER_SECONDS - 60
    os.utime(old, (an_hour_and_more, an_hour_and_more))
    with read_upload("records.xlsx", book, ds):
        pass
    assert leftovers(own_tmp) == ["ibcr-upload-in-use"]


# 2. Writing the rows of a large upload

def test_writing_rows_takes_linear_time(tmp_path):
    row = [f"cell {i} of a record with a few words" for i in range(25)]
    rows = [["h"] * 25] + [row] * 40_000
    t = time.perf_counter()
    write_csv(tmp_path / "t.csv", rows)
    assert time.perf_counter() - t < 5  # was quadratic: about a minute for these 40,000 rows


def test_each_record_keeps_its_line_with_line_breaks_and_carriage_returns(tmp_path):
    starts = write_csv(tmp_path / "t.csv", [["a", "b"], ["1", "two\nlines"], ["2", "x\ry"], ["3", "z"]])
    assert starts == {1: 1, 2: 2, 4: 3, 5: 4}
    import csv

    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [["a", "b"], ["1", "two\nlines"], ["2", "x\ry"], ["3", "z"]]
