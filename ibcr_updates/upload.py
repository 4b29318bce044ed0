"""Read an upload (the editing workbook, or a .zip of CSV files) into a candidate data folder.

The candidate is a copy of the current version's folder with the uploaded tables written as
CSV, checked with the same rules as `python -m ibcr_data validate`; every problem names the
sheet, the Excel row and the column, and says what to do. Any problem: no folder.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ibcr_data import Dataset, ValidationError, load_dataset
from ibcr_data.problems import Problem
from ibcr_data.schema import Field, Resource

from .compare import editable_tables
from .files import copy_folder, write_csv
from .upload_checks import MAX_UPLOAD_BYTES, check_container, read_member
from .workbook import LISTS_SHEET, README_SHEET

__all__ = ["MAX_UPLOAD_BYTES", "Intake", "read_upload"]  # the cap lives in container.py; callers read it here

MAX_CELL_PROBLEMS = 100  # per rule and sheet; the rest are counted
EXCEL_ERRORS = re.compile(r"^#(N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)$")
WHOLE_FLOAT = re.compile(r"^\s*([+-]?\d+)\.0+\s*$")
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a formula element in a sheet's XML
PASTE_VALUES = "copy the cells, then Paste Special → Values (paste values only, no formulas)"


@dataclass
class Intake:
    """An upload read: a candidate folder ready for Store.accept, or the problems that stop it."""

    folder: Path | None
    problems: list[Problem] = field(default_factory=list)
    dataset: Dataset | None = None  # the candidate, loaded (when there is no problem)
    filename: str = ""

    @property
    def ok(self) -> bool:
        return self.folder is not None and not self.problems

    def discard(self) -> None:
        """Remove the candidate folder (call it once the upload is accepted or dropped)."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> Intake:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def read_upload(filename: str, data: bytes, ds: Dataset) -> Intake:
    """Read an uploaded .xlsx workbook or .zip of CSVs against the current dataset `ds`."""
    name = Path(filename).name or "upload"
    problems = check_container(name, data)
    if problems:
        return Intake(None, problems, filename=name)
    tables = editable_tables(ds)
    if name.lower().endswith(".xlsx"):
        rows, lines, problems = _read_workbook(name, data, tables, ds)
    else:
        rows, lines, problems = _read_zip(name, data, tables)
    if problems:
        return Intake(None, problems, filename=name)
    folder = Path(tempfile.mkdtemp(prefix="ibcr-upload-"))
    try:
        copy_folder(ds.data_dir, folder)
        for res in tables:
            content = rows[res.name]
            if isinstance(content, bytes):
                (folder / res.path).write_bytes(content)
            else:  # CSV line -> record number -> Excel row
                starts = write_csv(folder / res.path, content)
                lines[res.name] = {line: lines[res.name].get(k, k) for line, k in starts.items()}
        candidate = load_dataset(folder)
    except ValidationError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        workbook = name.lower().endswith(".xlsx")
        return Intake(None, [_located(p, tables, lines, workbook) for p in exc.problems], filename=name)
    except Exception:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Intake(folder, [], candidate, filename=name)


# A zip of CSV files

def _read_zip(name: str, data: bytes, tables: list[Resource]):
    zf = zipfile.ZipFile(io.BytesIO(data))
    members = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")
               and not PurePosixPath(i.filename).name.startswith(".")]
    tops = {PurePosixPath(i.filename).parts[0] for i in members}
    strip = len(tops) == 1 and all(len(PurePosixPath(i.filename).parts) > 1 for i in members)
    by_path = {res.path: res for res in tables}
    rows: dict[str, bytes] = {}
    unreadable: set[str] = set()  # tables present in the .zip that could not be read (not also "missing")
    problems = []
    for i in members:
        rel = "/".join(PurePosixPath(i.filename).parts[1 if strip else 0:])
        res = by_path.get(rel)
        if res is None:
            close = difflib.get_close_matches(rel, list(by_path), n=1)
            problems.append(Problem(name, None, None, i.filename, "the file is not one of the tables edited by upload",
                                    f"rename it to {close[0]}" if close else
                                    f"keep only {', '.join(by_path)} in the .zip", code="zip_unknown_member"))
            continue
        try:
            rows[res.name] = read_member(zf, i)
        except (zipfile.BadZipFile, OSError) as exc:
            unreadable.add(res.name)
            problems.append(Problem(name, None, None, i.filename, f"the file cannot be read ({exc})",
                                    "zip the CSV files again", code="zip_member_unreadable"))
    if not members:
        problems.append(Problem(name, None, None, None, "the .zip is empty", f"put {', '.join(by_path)} in it", code="zip_empty"))
    else:
        for res in tables:
            if res.name not in rows and res.name not in unreadable:
                problems.append(Problem(name, None, None, res.path, "a table is missing from the .zip",
                                        f"add {res.path}: every table must be present (an unchanged table too)", code="zip_table_missing"))
    return rows, {}, problems


# The workbook

def _read_workbook(name: str, data: bytes, tables: list[Resource], ds: Dataset):
    import python_calamine

    problems: list[Problem] = []
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta = wb.sheets_metadata
    except Exception as exc:  # noqa: BLE001 (calamine raises several kinds for a damaged file)
        return {}, {}, [Problem(name, None, None, None, f"the workbook cannot be read ({type(exc).__name__})",
                                "open it in Excel, save it again as .xlsx and upload the new file", code="workbook_unreadable")]
    wanted = {res.name: res for res in tables}
    allowed = set(wanted) | set(README_SHEET.values()) | {LISTS_SHEET}
    found = {m.name: m for m in meta}
    renamed: dict[str, str] = {}  # a table's sheet under another name -> the table it looks like
    sheets = {}
    for m in meta:
        hidden = str(m.visible).rsplit(".", 1)[-1].lower() != "visible"
        if m.name not in allowed:
            missing = [t for t in wanted if t not in found]
            close = difflib.get_close_matches(m.name.lower(), missing, n=1, cutoff=0.5)
            if not _sheet_rows(wb, m.name):
                continue  # an empty extra sheet (Excel's "Sheet1") is ignored
            if close:
                renamed[m.name] = close[0]
                problems.append(Problem(m.name, None, None, m.name, "the sheet was renamed",
                                        f"rename the sheet '{m.name}' back to '{close[0]}'", code="sheet_renamed"))
            else:
                problems.append(Problem(m.name, None, None, m.name, "the sheet is not one of the tables",
                                        f"move its content to the table sheets ({', '.join(wanted)}) and delete "
                                        "this sheet", code="sheet_unknown"))
            continue
        if hidden and m.name != LISTS_SHEET:
            problems.append(Problem(m.name, None, None, None, "the sheet is hidden",
                                    "right-click a sheet tab → Unhide, check the sheet, then save again", code="sheet_hidden"))
        if m.name in wanted:
            sheets[m.name] = wb.get_sheet_by_name(m.name)
    if not renamed and not any(_sheet_rows(wb, m.name) for m in meta if m.name in wanted):
        return {}, {}, [Problem(name, None, None, None, "the workbook is empty (no table sheet has any cell)",
                                "download the editing workbook from the dashboard, edit it and upload it", code="workbook_empty")]
    for t in wanted:
        if t not in found and t not in renamed.values():
            problems.append(Problem(t, None, None, None, "the sheet is missing",
                                    f"every table must be present: add back the sheet '{t}' (from a freshly "
                                    "downloaded editing workbook), with its rows", code="sheet_missing"))
    rows: dict[str, list[list[str]]] = {}
    lines: dict[str, dict[int, int]] = {}
    for t, sheet in sheets.items():
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
            problems.append(Problem(t, r0 + 1, _column_name(sheet, c0), f"{_cell(r0, c0)}:{_cell(r1, c1)}",
                                    "merged cells", "select them, choose Unmerge Cells, and put the value in "
                                    "each cell of the row or column", code="merged_cells"))
        got = _table_rows(t, _sheet_rows(wb, t), wanted[t], ds)
        rows[t], lines[t], found_problems = got
        problems += found_problems
    problems += _formulas(name, data, [t for t in sheets])
    return rows, lines, problems


def _sheet_rows(wb, sheet: str) -> list[list]:
    try:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 (a chart sheet or a damaged one has no cells)
        return []
    while rows and all(v in ("", None) for v in rows[-1]):
        rows.pop()
    return rows


def _table_rows(sheet: str, cells: list[list], res: Resource, ds: Dataset):
    """The sheet as CSV text rows (header first), the Excel row of each record, and the problems."""
    problems: list[Problem] = []
    if not cells:
        return [], {}, [Problem(sheet, 1, None, None, "the sheet is empty (no header row)",
                                f"put back the header row: {', '.join(res.field_names)}", code="sheet_no_header")]
    header = [str(v).strip() if v not in (None, "") else "" for v in cells[0]]
    while header and header[-1] == "":
        header.pop()
    expected = res.field_names
    missing = [c for c in expected if c not in header]
    extra = [h for h in header if h and h not in expected]
    for c in missing:
        close = difflib.get_close_matches(c, extra, n=1)
        problems.append(Problem(sheet, 1, c, None, "a column is missing",
                                f"rename the column '{close[0]}' back to '{c}'" if close else
                                f"add back the column '{c}' (its header exactly as in the editing workbook)", code="sheet_column_missing"))
    for h in extra:
        if not difflib.get_close_matches(h, missing, n=1):
            problems.append(Problem(sheet, 1, h, None, "an extra column that the table does not have",
                                    "delete the column (new columns are added to the schema, not the workbook)", code="sheet_column_extra"))
    for h in sorted({h for h in header if h and header.count(h) > 1}):
        problems.append(Problem(sheet, 1, h, None, "the column appears twice", "delete one of them", code="sheet_column_twice"))
    width = len(header)
    for j in range(width):
        if header[j] == "" and any(j < len(r) and r[j] not in ("", None) for r in cells[1:]):
            problems.append(Problem(sheet, 1, _cell(0, j), None, "values in a column with no header",
                                    "delete the column, or move the values to the right column", code="values_without_header"))
    for r_i, r in enumerate(cells[1:], start=2):
        stray = [j for j in range(width, len(r)) if r[j] not in ("", None)]
        if stray:
            problems.append(Problem(sheet, r_i, _cell(0, stray[0]), str(r[stray[0]]),
                                    "a value to the right of the last column", "delete it or move it into a column", code="value_right_of_table"))
    if problems:
        return [], {}, problems
    index = {h: j for j, h in enumerate(header)}
    fields = res.fields
    out = [expected]
    line_of: dict[int, int] = {}
    counted: dict[str, int] = {}  # cells changed by Excel, by code
    first_message: dict[str, str] = {}
    for r_i, r in enumerate(cells[1:], start=2):
        if all(v in ("", None) for v in r):
            continue
        text_row = []
        for f in fields:
            j = index[f.name]
            text, changed = _normalise(r[j] if j < len(r) else "", f)
            if changed:
                code, message, hint = changed
                counted[code] = counted.get(code, 0) + 1
                if counted[code] <= MAX_CELL_PROBLEMS:
                    problems.append(Problem(sheet, r_i, f.name, text, message, hint, code=code))
                    first_message.setdefault(code, message)
            text_row.append(text)
        out.append(text_row)
        line_of[len(out)] = r_i  # the CSV record number (header = 1) -> the Excel row
    for code, n in counted.items():
        if n > MAX_CELL_PROBLEMS:
            problems.append(Problem(sheet, None, None, None, f"{first_message[code]}: {n - MAX_CELL_PROBLEMS} more "
                                    "cells like the ones above", "fix the cells listed (they often share one cause)",
                                    code=code))
    if len(out) == 1 and len(ds.table(res.name)):
        problems.append(Problem(sheet, 2, None, None, f"the sheet has no records (it would delete all "
                                f"{len(ds.table(res.name))} {res.name})",
                                "put the records back (from a freshly downloaded editing workbook)", code="sheet_no_records"))
    return out, line_of, problems


def _normalise(value, f: Field) -> tuple[str, tuple[str, str, str] | None]:
    """A cell as CSV text, or the text and (code, message, hint) when Excel changed what was typed."""
    is_year = f.type == "integer" and f.name.endswith("_year")
    is_date = f.type == "date" or bool(f.pattern and f.pattern.startswith("^\\d{4}"))
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, dt.datetime | dt.date):
        iso = value.isoformat()
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(value, dt.datetime) and value.time() != dt.time(0):
            return iso, ("excel_datetime", "a date and time, where a plain value is expected",
                         "format the cell as Text and type the value again")
        if f.type == "date":
            return day.isoformat(), None
        if is_year or f.type in ("integer", "number"):
            return day.isoformat(), ("excel_number_as_date", "Excel turned the number into a date",
                                     f"format the column as Number and type the year or figure again (e.g. {day.year})")
        if is_date:
            return day.isoformat(), ("excel_text_as_full_date", "Excel turned the text into a full date (it may have added a month or a day)",
                                     f"format the cell as Text and type the date as you mean it: {day.year}, "
                                     f"{day.year}-{day.month:02d} or {day.isoformat()}")
        return day.isoformat(), ("excel_text_as_date", "Excel turned the text into a date", "format the cell as Text and type it again")
    if isinstance(value, dt.time | dt.timedelta):
        return str(value), ("excel_time", "Excel turned the value into a time", "format the cell as Text and type it again")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return repr(value), None
        n = int(value)
        if (is_year or is_date) and 20000 <= n <= 80000:
            day = dt.date(1899, 12, 30) + dt.timedelta(days=n)
            return str(n), ("excel_date_serial", f"an Excel date serial number (it stands for {day.isoformat()})",
                            f"type the year as a whole number, e.g. {day.year}" if is_year else
                            f"format the cell as Text and type the date, e.g. {day.isoformat()}")
        return str(n), None
    text = str(value)
    if EXCEL_ERRORS.match(text.strip()):
        return text, ("excel_error", "an Excel error instead of a value", "type the value itself; " + PASTE_VALUES)
    m = WHOLE_FLOAT.match(text)
    if m and f.type in ("integer", "number"):
        return m.group(1), None  # "2015.0" typed or pasted as text: the whole number, unambiguous
    return text, None


def _formulas(name: str, data: bytes, sheets: list[str]) -> list[Problem]:
    """Every formula cell (openpyxl, which uses defusedxml when installed): values only are accepted."""
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # sizes checked already; most uploads have no formula at all
        sheets_xml = [i for i in zf.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        if not any(FORMULA_TAG.search(read_member(zf, i)) for i in sheets_xml):
            return []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001
        return [Problem(name, None, None, None, f"the workbook cannot be read ({type(exc).__name__})",
                        "open it in Excel, save it again as .xlsx and upload the new file", code="workbook_unreadable")]
    out = []
    try:
        for sheet in sheets:
            ws = wb[sheet]
            header: list[str] = []
            n = 0
            for row in ws.iter_rows():
                for c in row:
                    if getattr(c, "row", None) == 1:
                        header.append(str(c.value or ""))
                    if getattr(c, "data_type", None) == "f":
                        n += 1
                        if n <= MAX_CELL_PROBLEMS:
                            col = c.column - 1
                            out.append(Problem(sheet, c.row, header[col] if col < len(header) and header[col]
                                               else c.coordinate, str(c.value)[:80], "a formula", PASTE_VALUES, code="formula"))
            if n > MAX_CELL_PROBLEMS:
                out.append(Problem(sheet, None, None, None, f"a formula: {n - MAX_CELL_PROBLEMS} more cells",
                                   PASTE_VALUES, code="formula"))
    finally:
        wb.close()
    return out


def _column_name(sheet, col: int) -> str:
    try:
        head = sheet.to_python(skip_empty_area=False)[0]
        return str(head[col]) if col < len(head) and head[col] else _cell(0, col)
    except (IndexError, Exception):  # noqa: BLE001
        return _cell(0, col)


def _cell(r: int, c: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c + 1)}{r + 1}"


# The candidate folder

def _located(p: Problem, tables: list[Resource], lines: dict[str, dict], workbook: bool) -> Problem:
    """A validator problem (CSV file and line) named by sheet and Excel row, for a workbook."""
    if not workbook:
        return p
    res = next((r for r in tables if r.path == p.file), None)
    if res is None:
        return p
    row = p.line if p.line is None else lines.get(res.name, {}).get(p.line, p.line)
    message, hint = p.message, p.hint
    for r in tables:
        message = message.replace(r.path, f"the '{r.name}' sheet")
        hint = hint.replace(r.path, f"the '{r.name}' sheet")
    return Problem(res.name, row, p.column, p.value, message, hint, code=p.code)

