"""Read an upload (the editing workbook, or a .zip of CSV files) into a candidate data folder.

The candidate is a copy of the current version's folder with the uploaded tables written as
CSV, checked with the same rules as `python -m ibcr_data validate`; every problem names the
sheet, the Excel row and the column, and says what to do. Any problem: no folder.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ibcr_data import Dataset, ValidationError, load_dataset
from ibcr_data.problems import Problem
from ibcr_data.schema import Resource

from .accounts import SESSION_MINUTES
from .compare import editable_tables
from .files import copy_folder, write_csv
from .upload_checks import MAX_UPLOAD_BYTES, check_container, read_member
from .upload_sheets import read_workbook

__all__ = ["MAX_UPLOAD_BYTES", "Intake", "read_upload"]  # the cap lives in upload_checks.py; callers read it here

CANDIDATE_PREFIX = "ibcr-upload-"
# A candidate folder lives at most as long as the editor's session that checked it (a command line
# import removes its own). One older than twice that was left by a session that ended without
# accepting or dropping it, or by a killed import: the next upload removes it.
LEFTOVER_SECONDS = 2 * SESSION_MINUTES * 60


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
        rows, lines, problems = read_workbook(name, data, tables, ds)
    else:
        rows, lines, problems = _read_zip(name, data, tables)
    if problems:
        return Intake(None, problems, filename=name)
    remove_leftovers()
    try:
        folder = Path(tempfile.mkdtemp(prefix=CANDIDATE_PREFIX))
    except OSError as exc:
        return Intake(None, [_not_written(name, exc)], filename=name)
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
    except OSError as exc:  # a full or read-only temporary folder: nothing was kept
        shutil.rmtree(folder, ignore_errors=True)
        return Intake(None, [_not_written(name, exc)], filename=name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Intake(folder, [], candidate, filename=name)


def _not_written(name: str, exc: OSError) -> Problem:
    return Problem(name, None, None, None, f"the upload could not be written on the server ({exc.strerror or exc})",
                   "try again later; if it happens again, tell the administrator (the server's disk may be full)",
                   code="server_write_failed")


def remove_leftovers(now: float | None = None) -> list[Path]:
    """Remove the candidate folders older than LEFTOVER_SECONDS in the temporary folder; return them."""
    now = time.time() if now is None else now
    removed = []
    for p in Path(tempfile.gettempdir()).glob(f"{CANDIDATE_PREFIX}*"):
        try:
            st = p.lstat()
        except OSError:
            continue
        if p.is_dir() and not p.is_symlink() and st.st_uid == os.getuid() and now - st.st_mtime > LEFTOVER_SECONDS:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


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

