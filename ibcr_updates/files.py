"""Files of the data on disk: copy a folder, write a CSV, compare two folders, sync to disk."""

from __future__ import annotations

import contextlib
import csv
import filecmp
import io
import os
import shutil
from pathlib import Path


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
    """Write rows; return the file line each record starts on -> its record number (header = 1)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    starts: dict[int, int] = {}
    line = 1
    for k, row in enumerate(rows, start=1):
        before = buf.tell()
        writer.writerow([c.strip() for c in row])
        starts[line] = k
        line += buf.getvalue()[before:].count("\n")
    path.unlink(missing_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return starts


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
