"""An uploaded workbook's sheets as CSV rows: which sheets, what Excel changed in a cell, where each record is.

The cells come from ibcr_updates.cells (a child process under limits), after upload_checks has
refused what no reader should be given. Every problem names the sheet, the Excel row and the column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from ibcr_data import Dataset
from ibcr_data.problems import Problem
from ibcr_data.schema import Field, Resource

from .cells import Cells, read_cells
from .upload_checks import check_parts
from .workbook import LISTS_SHEET, README_SHEET

MAX_CELL_PROBLEMS = 100  # per rule and sheet; the rest are counted
EXCEL_ERRORS = re.compile(r"^#(N/A|REF!|VALUE!|DIV/0!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA)$")
WHOLE_FLOAT = re.compile(r"^\s*([+-]?\d+)\.0+\s*$")
PASTE_VALUES = "copy the cells, then Paste Special → Values (paste values only, no formulas)"
SKIPPED = {*README_SHEET.values(), LISTS_SHEET}  # sheets whose cells are never read


def read_workbook(name: str, data: bytes, tables: list[Resource], ds: Dataset):
    """The table sheets as CSV rows (header first), each record's Excel row, and the problems found."""
    problems = check_parts(name, data)
    if problems:
        return {}, {}, problems
    cells = read_cells(name, data, SKIPPED, MAX_CELL_PROBLEMS)
    if not isinstance(cells, Cells):
        return {}, {}, cells
    wanted = {res.name: res for res in tables}
    allowed = set(wanted) | SKIPPED
    seen: dict[str, str] = {}
    for s in cells.sheets:  # Excel never allows two sheets of one name (in any case): a crafted file does
        if s.name.casefold() in seen:
            problems.append(Problem(s.name, None, None, s.name, f"two sheets are named '{s.name}'",
                                    "keep one sheet of each name: delete or rename the other", code="sheet_twice"))
        seen[s.name.casefold()] = s.name
    if problems:
        return {}, {}, problems
    found = {s.name: s for s in cells.sheets}
    renamed: dict[str, str] = {}  # a table's sheet under another name -> the table it looks like
    sheets = {}
    for s in cells.sheets:
        if s.name not in allowed:
            missing = [t for t in wanted if t not in found]
            close = difflib.get_close_matches(s.name.lower(), missing, n=1, cutoff=0.5)
            if not s.rows:
                continue  # an empty extra sheet (Excel's "Sheet1") is ignored
            if close:
                renamed[s.name] = close[0]
                problems.append(Problem(s.name, None, None, s.name, "the sheet was renamed",
                                        f"rename the sheet '{s.name}' back to '{close[0]}'", code="sheet_renamed"))
            else:
                problems.append(Problem(s.name, None, None, s.name, "the sheet is not one of the tables",
                                        f"move its content to the table sheets ({', '.join(wanted)}) and delete "
                                        "this sheet", code="sheet_unknown"))
            continue
        if s.hidden and s.name != LISTS_SHEET:
            problems.append(Problem(s.name, None, None, None, "the sheet is hidden",
                                    "right-click a sheet tab → Unhide, check the sheet, then save again", code="sheet_hidden"))
        if s.name in wanted:
            sheets[s.name] = s
    if not renamed and not any(s.rows for s in sheets.values()):
        return {}, {}, [Problem(name, None, None, None, "the workbook is empty (no table sheet has any cell)",
                                "download the editing workbook from the dashboard, edit it and upload it", code="workbook_empty")]
    for t in wanted:
        if t not in found and t not in renamed.values():
            problems.append(Problem(t, None, None, None, "the sheet is missing",
                                    f"every table must be present: add back the sheet '{t}' (from a freshly "
                                    "downloaded editing workbook), with its rows", code="sheet_missing"))
    rows: dict[str, list[list[str]]] = {}
    lines: dict[str, dict[int, int]] = {}
    for t, s in sheets.items():
        head = s.rows[0] if s.rows else []
        for r0, c0, r1, c1 in s.merged:
            problems.append(Problem(t, r0 + 1, _column_name(head, c0), f"{cell_name(r0, c0)}:{cell_name(r1, c1)}",
                                    "merged cells", "select them, choose Unmerge Cells, and put the value in "
                                    "each cell of the row or column", code="merged_cells"))
        rows[t], lines[t], found_problems = _table_rows(t, s.rows, wanted[t], ds)
        problems += found_problems
        count, formula_cells = cells.formulas.get(t, (0, []))
        for row, col, coordinate, text in formula_cells:
            problems.append(Problem(t, row, _column_name(head, col) if col < len(head) and head[col] else coordinate,
                                    text, "a formula", PASTE_VALUES, code="formula"))
        if count > MAX_CELL_PROBLEMS:
            problems.append(Problem(t, None, None, None, f"a formula: {count - MAX_CELL_PROBLEMS} more cells",
                                    PASTE_VALUES, code="formula"))
    return rows, lines, problems


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
            problems.append(Problem(sheet, 1, cell_name(0, j), None, "values in a column with no header",
                                    "delete the column, or move the values to the right column", code="values_without_header"))
    for r_i, r in enumerate(cells[1:], start=2):
        stray = [j for j in range(width, len(r)) if r[j] not in ("", None)]
        if stray:
            problems.append(Problem(sheet, r_i, cell_name(0, stray[0]), str(r[stray[0]]),
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


def _column_name(head: list, col: int) -> str:
    return str(head[col]) if col < len(head) and head[col] not in (None, "") else cell_name(0, col)


def cell_name(r: int, c: int) -> str:
    """The Excel name of a cell from 0-based row and column: cell_name(0, 27) == "AB1"."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c + 1)}{r + 1}"
