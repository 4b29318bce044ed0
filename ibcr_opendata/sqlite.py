"""The same public data as one SQLite file: typed (STRICT) tables, primary and foreign keys, the code tables,
full-text search over the descriptions, a data dictionary; and the Datasette metadata that serves it.

Built with sqlite-utils (the library made to fill SQLite files for Datasette): its full-text tables
are the ones Datasette finds by itself and offers a search box for.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pandas as pd
import sqlite_utils

from .package import LICENCE_URL, citation
from .release import LICENCE, Release, organisation, published_fields, published_frame

SQL_TYPES = {"string": str, "date": str, "integer": int, "boolean": int, "number": float}
# Words searched with MATCH: every language's text of a record, accents folded ("enfant" finds "Enfant").
SEARCHED = {
    "engagements": ("description_en", "description_fr", "description_es"),
    "programmes": ("name_en", "name_fr", "name_es", "acronym", "description_en", "description_fr", "description_es"),
    "events": ("title_en", "title_fr", "title_es", "description_en", "description_fr", "description_es"),
    "metrics": ("note_en", "note_fr", "note_es"),
    "sources": ("title", "publisher", "notes"),
}
TOKENIZER = "unicode61 remove_diacritics 2"
INFO_TABLE = "release_info"
DICTIONARY_TABLE = "data_dictionary"


def sqlite_bytes(rel: Release, lang: str = "en") -> bytes:
    """The SQLite file of a release, as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / rel.file_name("sqlite")
        write_sqlite(rel, path, lang)
        return path.read_bytes()


def write_sqlite(rel: Release, path: Path, lang: str = "en") -> Path:
    """Write the SQLite file of a release at `path` (replacing it)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        db = sqlite_utils.Database(conn)
        published = set(rel.tables())
        for name in _referenced_first(rel):
            _table(db, rel, name, published)
        for name, columns in SEARCHED.items():
            if name in published:
                db[name].enable_fts(list(columns), tokenize=TOKENIZER)
        _info(db, rel, lang)
        _dictionary(db, rel)
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
    return path


def _referenced_first(rel: Release) -> list[str]:
    """The tables in an order where each comes after those its foreign keys point at (sqlite-utils checks them)."""
    published = rel.tables()
    needs = {name: {fk.resource for fk in rel.ds.descriptor.resource(name).foreign_keys
                    if fk.resource != name and fk.resource in published} for name in published}
    order: list[str] = []
    while len(order) < len(published):
        ready = [n for n in published if n not in order and needs[n] <= set(order)]
        if not ready:
            raise ValueError(f"foreign keys run in a circle between {sorted(set(published) - set(order))}")
        order += ready
    return order


def _table(db: sqlite_utils.Database, rel: Release, name: str, published: set[str]) -> None:
    res = rel.ds.descriptor.resource(name)
    fields = published_fields(rel, name)
    keys = res.key_fields or ()
    db[name].create({f.name: SQL_TYPES[f.type] for f in fields},
                    pk=(keys[0] if len(keys) == 1 else tuple(keys)) if keys else None,
                    not_null={f.name for f in fields if f.required or f.name in keys},
                    foreign_keys=[(fk.field, fk.resource, fk.ref_field) for fk in res.foreign_keys
                                  if fk.resource in published],
                    strict=True)
    frame = published_frame(rel, name)
    rows = []
    for record in frame.astype(object).to_dict("records"):
        rows.append({k: _value(v) for k, v in record.items()})
    db[name].insert_all(rows)


def _value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "item"):  # a numpy scalar
        return v.item()
    return v


def _info(db: sqlite_utils.Database, rel: Release, lang: str) -> None:
    meta = rel.ds.descriptor.meta
    rows = [("title", str(meta.get("title", ""))), ("description", str(meta.get("description", "")).strip()),
            ("version", rel.label), ("version_date", rel.created), ("data_reviewed", rel.data_date),
            ("made", rel.made), ("licence", f"{LICENCE} ({LICENCE_URL})"), ("citation", citation(rel, lang)),
            ("safeguarding_statement", rel.ds.policy.statement(lang))]
    db[INFO_TABLE].insert_all([{"key": k, "value": v} for k, v in rows], pk="key")


def _dictionary(db: sqlite_utils.Database, rel: Release) -> None:
    rows = []
    for name in rel.tables():
        for f in published_fields(rel, name):
            rows.append({"table_name": name, "column_name": f.name, "type": f.type, "description_en": f.description,
                         "description_fr": f.description_fr, "description_es": f.description_es})
    db[DICTIONARY_TABLE].insert_all(rows, pk=("table_name", "column_name"))


def datasette_metadata(rel: Release, database: str) -> dict:
    """Datasette's metadata for the file served as `database`: title, licence, source, every column's description."""
    meta = rel.ds.descriptor.meta
    tables = {}
    for name in rel.tables():
        res = rel.ds.descriptor.resource(name)
        tables[name] = {"title": res.title, "description": res.description,
                        "columns": {f.name: f.description for f in published_fields(rel, name)}}
    return {
        "title": f"{meta.get('title', '')} ({rel.label})",
        "description": str(meta.get("description", "")).strip(),
        "license": LICENCE, "license_url": LICENCE_URL,
        "source": organisation("en"), "source_url": "https://www.ibcr.org/",
        "databases": {database: {"tables": tables}},
    }
