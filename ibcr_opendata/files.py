"""Writing a release's files: the ZIP, the SQLite file and the IATI file, each named with the version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .iati import iati_xml
from .package import package_zip
from .release import Release
from .sqlite import sqlite_bytes

KINDS = ("zip", "sqlite", "iati")
MAKERS: dict[str, Callable[..., bytes]] = {"zip": package_zip, "sqlite": sqlite_bytes, "iati": iati_xml}
MEDIA_TYPES = {"zip": "application/zip", "sqlite": "application/vnd.sqlite3", "iati": "application/xml"}


def make(rel: Release, kind: str, lang: str = "en", org_ref: str | None = None) -> bytes:
    """One file of a release, as bytes ("zip", "sqlite" or "iati"; `org_ref` is IBCR's IATI identifier)."""
    if kind not in MAKERS:
        raise ValueError(f"unknown kind of file {kind!r}: use one of {', '.join(KINDS)}")
    if kind == "iati":
        return iati_xml(rel, lang=lang, ref=org_ref)
    return MAKERS[kind](rel, lang=lang)


def write(rel: Release, kind: str, out_dir: Path, lang: str = "en", org_ref: str | None = None) -> Path:
    """Write one file of a release into `out_dir` (created if needed), whole or not at all; return its path."""
    data = make(rel, kind, lang, org_ref)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / rel.file_name(kind)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
