"""Writing a release's files: the ZIP, the SQLite file and the IATI file, each named with the version.

NOTE: the makers are imported when a file is made: the IATI and SQLite writers load lxml and
sqlite-utils (about 6 MB in a server process), which a page that only offers the files never needs.
"""

from __future__ import annotations

from pathlib import Path

from .release import Release

KINDS = ("zip", "sqlite", "iati")
MEDIA_TYPES = {"zip": "application/zip", "sqlite": "application/vnd.sqlite3", "iati": "application/xml"}


def make(rel: Release, kind: str, lang: str = "en", org_ref: str | None = None) -> bytes:
    """One file of a release, as bytes ("zip", "sqlite" or "iati"; `org_ref` is IBCR's IATI identifier)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of file {kind!r}: use one of {', '.join(KINDS)}")
    if kind == "iati":
        from .iati import iati_xml

        return iati_xml(rel, lang=lang, ref=org_ref)
    if kind == "sqlite":
        from .sqlite import sqlite_bytes

        return sqlite_bytes(rel, lang=lang)
    from .package import package_zip

    return package_zip(rel, lang=lang)


def write(rel: Release, kind: str, out_dir: Path, lang: str = "en", org_ref: str | None = None) -> Path:
    """Write one file of a release into `out_dir` (created if needed), whole or not at all; return its path."""
    data = make(rel, kind, lang, org_ref)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / rel.file_name(kind)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
