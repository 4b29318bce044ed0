"""Is an uploaded file what its name says, and safe to open? Size, kind, macros, and archive safety.

Checked before anything is parsed: a file over the cap, a macro workbook, a renamed file, a zip
bomb or a path that escapes the folder is refused with a message for a person.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from ibcr_data.problems import Problem

MAX_UPLOAD_BYTES = 10 * 2**20
MAX_UNPACKED_BYTES = 100 * 2**20  # all members of the archive, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, per member above 1 MB (a zip bomb packs far tighter)
MAX_MEMBERS = 500
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
        types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
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
