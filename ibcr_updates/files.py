"""Files of the data on disk: copy a folder, write a CSV, compare two folders, sync to disk; say why a write failed."""

from __future__ import annotations

import contextlib
import csv
import errno
import filecmp
import os
import shutil
from pathlib import Path

REASONS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
           errno.EROFS: "the file system is read-only", errno.EACCES: "the server may not write there (read-only?)",
           errno.EPERM: "the server may not write there (read-only?)"}


class NotWritten(Exception):
    """A write failed (a full disk, a read-only folder); what was being written was left out whole."""

    def __init__(self, what: str, exc: OSError):
        self.errno = exc.errno
        reason = REASONS.get(exc.errno) or exc.strerror or str(exc)
        super().__init__(f"{what} could not be written: {reason}. Nothing was changed; free some space or "
                         "make the folder writable, then try again")


def copy_folder(src: Path, dst: Path) -> None:
    """Copy a data folder (plain copies, writable: a version's files are read-only)."""
    for p in sorted(Path(src).rglob("*")):
        rel = p.relative_to(src)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_dir():
            (dst / rel).mkdir(parents=True, exist_ok=True)
        elif p.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dst / rel)


def write_csv(path: Path, rows: list[list[str]]) -> dict[int, int]:
    """Write rows; return the file line each record starts on -> its record number (header = 1).

    Linear in the rows: each row's text is kept as the writer makes it and its lines counted there
    (counting them in the whole text written so far made 80,000 rows take minutes).
    """
    out = _Rows()
    plain = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    starts: dict[int, int] = {}
    line = 1
    for k, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        # NOTE: csv quotes a cell only for the characters of its own line ending ("\n"): a carriage
        # return would be written bare and read back as the end of the record. Such a row is quoted
        # whole, so the cell reads back as written and the validator names it.
        starts[line] = k
        line += (quoted if any("\r" in c for c in cells) else plain).writerow(cells)
    path.unlink(missing_ok=True)
    path.write_text("".join(out.parts), encoding="utf-8")
    return starts


class _Rows:
    """Where csv.writer writes: one call per row; keeps the text and answers its number of lines."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return text.count("\n")


def same_files(a: Path, b: Path) -> bool:
    def files(root: Path) -> dict[Path, Path]:
        return {p.relative_to(root): p for p in root.rglob("*")
                if p.is_file() and not any(s.startswith(".") for s in p.relative_to(root).parts)}

    fa, fb = files(a), files(b)
    return fa.keys() == fb.keys() and all(filecmp.cmp(fa[k], fb[k], shallow=False) for k in fa)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems cannot sync a directory
        fsync_file(path)
