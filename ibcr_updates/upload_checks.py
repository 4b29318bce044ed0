"""Is an uploaded file what its name says, and safe to open? Size, kind, macros, archive safety, extent.

Checked before anything is parsed: a file over the cap, a macro workbook, a renamed file, a zip
bomb or a path that escapes the folder is refused with a message for a person. Then every part of
a workbook is read once as a stream (`check_parts`): a part larger than it declares, an XML
declaration of entities, or a sheet reaching far beyond a table is refused before any reader
lays the sheet out in memory.
"""

from __future__ import annotations

import functools
import html
import io
import re
import zipfile
from pathlib import PurePosixPath

from ibcr_data.problems import Problem

MAX_UPLOAD_BYTES = 10 * 2**20
MAX_UNPACKED_BYTES = 100 * 2**20  # all members of the archive, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, per member above 1 MB (a zip bomb packs far tighter)
MAX_MEMBERS = 500
MAX_SHEET_ROWS = 100_000  # per sheet; the tables hold a few hundred rows
MAX_SHEET_COLUMNS = 100  # per sheet; the widest table has under 30 columns
MAX_CELLS = 3_000_000  # rows x columns of every sheet, as the reader lays them out (from A1 to the farthest cell)
CHUNK = 2**20
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted (password-protected) workbooks
ZIP_MAGIC = b"PK\x03\x04"


def check_container(name: str, data: bytes) -> list[Problem]:
    lower = name.lower()
    size = f"{len(data) / 2**20:.1f} MB"
    if len(data) > MAX_UPLOAD_BYTES:
        return [Problem(name, None, None, size, f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB",
                        "upload only the editing workbook (.xlsx, a few hundred KB); remove pictures or other "
                        "sheets pasted into it", code="upload_too_large")]
    if lower.endswith(MACRO_SUFFIXES):
        return [Problem(name, None, None, None, "a macro-enabled or binary workbook is not accepted",
                        "in Excel use File → Save As and choose 'Excel Workbook (*.xlsx)', then upload that file", code="macro_workbook")]
    if lower.endswith(".xls"):
        return [Problem(name, None, None, None, "an old-format Excel file (.xls) is not accepted",
                        "in Excel use File → Save As and choose 'Excel Workbook (*.xlsx)'", code="old_excel")]
    if not lower.endswith((".xlsx", ".zip")):
        return [Problem(name, None, None, None, "only an Excel workbook (.xlsx) or a .zip of CSV files is accepted",
                        "download the editing workbook from the dashboard, fill it in and upload it as .xlsx", code="wrong_file_type")]
    if not data:
        return [Problem(name, None, None, None, "the file is empty", "upload the saved workbook again", code="upload_empty")]
    if not data.startswith(ZIP_MAGIC):
        what = ("an old .xls file or a password-protected workbook" if data.startswith(OLE_MAGIC)
                else "probably a CSV or another file renamed")
        return [Problem(name, None, None, None, f"the file is not what its name says ({what})",
                        "open it in Excel, remove any password, and save it as 'Excel Workbook (*.xlsx)'", code="not_what_name_says")]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return [Problem(name, None, None, None, "the file is damaged (it cannot be opened as a zip archive)",
                        "save it again from Excel and upload the new file", code="zip_damaged")]
    problems = []
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS:
        problems.append(Problem(name, None, None, str(len(infos)), "the archive holds too many files",
                                "upload only the table files", code="zip_too_many_files"))
    if total > MAX_UNPACKED_BYTES:
        problems.append(Problem(name, None, None, f"{total / 2**20:.0f} MB", "the archive would unpack to more "
                                f"than {MAX_UNPACKED_BYTES // 2**20} MB (a zip bomb?)", "upload the real file", code="zip_too_large"))
    for i in infos:
        if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            problems.append(Problem(name, None, None, i.filename, "a file in the archive is compressed "
                                    f"more than {MAX_RATIO} times (a zip bomb?)", "upload the real file", code="zip_ratio"))
        path = PurePosixPath(i.filename)
        if i.filename.startswith("/") or "\\" in i.filename or ".." in path.parts or ":" in i.filename:
            problems.append(Problem(name, None, None, i.filename, "a file in the archive has an unsafe path",
                                    "zip the CSV files themselves, with plain names", code="zip_unsafe_path"))
        if i.flag_bits & 0x1:
            problems.append(Problem(name, None, None, i.filename, "the archive is password-protected",
                                    "upload it without a password", code="zip_encrypted"))
    if problems:
        return problems
    names = {i.filename for i in infos}
    is_workbook = "xl/workbook.xml" in names
    if lower.endswith(".xlsx"):
        try:
            types = read_member(zf, zf.getinfo("[Content_Types].xml")) if "[Content_Types].xml" in names else b""
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            types = b""  # check_parts names the damage
        if not is_workbook:
            return [Problem(name, None, None, None, "the file is not what its name says (not an Excel workbook)",
                            "download the editing workbook from the dashboard and save it as .xlsx", code="not_what_name_says")]
        if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
            return [Problem(name, None, None, None, "the workbook contains macros, although its name says .xlsx",
                            "in Excel use File → Save As and choose 'Excel Workbook (*.xlsx)' (no macros)", code="macro_workbook")]
    elif is_workbook:
        return [Problem(name, None, None, None, "the file is an Excel workbook named .zip",
                        "rename it to .xlsx and upload it again", code="workbook_named_zip")]
    return []


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, never more than it declares (a lying header cannot blow up memory)."""
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise zipfile.BadZipFile(f"{info.filename} is larger than it declares")
    return data


# The workbook's parts, read as streams

CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,4})([0-9]{1,8})\"[^>]*?(/?)>")  # a cell and its reference
DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')


def check_parts(name: str, data: bytes) -> list[Problem]:
    """Read every part of a workbook once, as a stream, and refuse what no reader should be given.

    NOTE: by hand, because the reader's cost is decided by where the farthest cell lies (it lays a
    sheet out from A1 to that cell), and no library answers that without laying the sheet out; a
    scan of the cell references in the sheet's XML does, in linear time and constant memory.
    """
    zf = zipfile.ZipFile(io.BytesIO(data))  # check_container opened it already
    sheets = _sheet_names(zf)
    problems: list[Problem] = []
    area = 0
    for info in zf.infolist():
        extent = _Extent() if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml") else None
        try:
            declared = _scan(zf, info, extent)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            return [Problem(name, None, None, info.filename, "the file is damaged (a part of it cannot be read, "
                            "or is larger than it declares)", "save it again from Excel and upload the new file",
                            code="zip_damaged")]
        if declared:
            return [Problem(name, None, None, info.filename, "the workbook declares XML entities (Excel never "
                            "writes them)", "open it in Excel, save it again as .xlsx and upload the new file",
                            code="xml_declaration")]
        if extent is None or not extent.rows:
            continue
        sheet = sheets.get(info.filename, info.filename)
        area += extent.rows * extent.columns
        if extent.rows > MAX_SHEET_ROWS or extent.columns > MAX_SHEET_COLUMNS:
            far = extent.far_row if extent.rows > MAX_SHEET_ROWS else extent.far_column
            problems.append(Problem(sheet, None, None, far, f"a cell far outside the table ({far}): the sheet "
                                    f"would be read as {extent.rows:,} rows × {extent.columns:,} columns, more than "
                                    f"{MAX_SHEET_ROWS:,} rows or {MAX_SHEET_COLUMNS} columns",
                                    f"go to {far} (Ctrl+G), delete what is there, then delete the rows below the "
                                    "table and the columns to the right of it; save and upload again",
                                    code="sheet_too_large"))
    if not problems and area > MAX_CELLS:
        problems.append(Problem(name, None, None, f"{area:,} cells", f"the sheets would be read as {area:,} cells, "
                                f"more than {MAX_CELLS:,}", "delete the rows below the tables and the columns to "
                                "the right of them, or upload fewer records at a time", code="workbook_too_large"))
    return problems


class _Extent:
    """The farthest row and column a sheet's cells reach, and a cell that reaches each."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self.far_row = self.far_column = ""

    def add(self, chunk: bytes) -> None:
        for m in CELL.finditer(chunk):
            if m.group(3):  # <c r="A1" s="1"/>: a formatted empty cell, which the reader does not lay out
                continue
            row, column = int(m.group(2)), _column_number(m.group(1))
            if row > self.rows:
                self.rows, self.far_row = row, (m.group(1) + m.group(2)).decode()
            if column > self.columns:
                self.columns, self.far_column = column, (m.group(1) + m.group(2)).decode()


def _scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, extent: _Extent | None) -> bool:
    """Stream one part: its size checked against what it declares; True when it declares XML entities."""
    total, carry = 0, b""
    is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            total += len(chunk)
            if total > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename} is larger than it declares")
            if not is_xml:
                continue
            text = carry + chunk
            cut = text.rfind(b"<")  # a tag never straddles two pieces: the last one waits for the next chunk
            piece, carry = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
            if DECLARATION.search(piece):
                return True
            if extent is not None:
                extent.add(piece)
    if carry and DECLARATION.search(carry):
        return True
    if extent is not None and carry:
        extent.add(carry)
    return False


@functools.cache  # a sheet has few distinct columns, and millions of cells
def _column_number(letters: bytes) -> int:
    from openpyxl.utils.cell import column_index_from_string

    try:
        return column_index_from_string(letters.decode())
    except ValueError:  # beyond XFD, which no reader should be given
        return 10**6


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet part -> the sheet name Excel shows (for the messages); empty when unclear."""
    try:
        book = read_member(zf, zf.getinfo("xl/workbook.xml")).decode("utf-8", "replace")
        rels = read_member(zf, zf.getinfo("xl/_rels/workbook.xml.rels")).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return {}
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\s([^>]*)>", rels):
        attrs = dict(ATTRIBUTE.findall(tag))
        target = attrs.get("Target", "").lstrip("/")
        targets[attrs.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    names = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\s([^>]*)>", book):
        attrs = dict(ATTRIBUTE.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if rid in targets and "name" in attrs:
            names[targets[rid]] = html.unescape(attrs["name"])
    return names
