"""Record-level comparison of two datasets: records added, removed and changed, field by field.

Values are compared as the CSV text (so "2015" vs "2016", "" vs a value), read again from each
dataset's folder: the typed frames would hide "12.50" vs "12.5".
"""

from __future__ import annotations

import filecmp
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ibcr_data import Dataset
from ibcr_data.csvread import read_raw
from ibcr_data.schema import Descriptor, Resource

# Tables generated from installed packages, not edited by staff (compared only when they changed).
REFERENCE_TABLES = ("countries", "regions", "country_points")
MAX_TEXT = 70  # characters of a value shown in the plain-text rendering


def key_fields(res: Resource) -> tuple[str, ...]:
    """The fields of a table's primary key (several for a composite key; every field when it has none)."""
    fields = tuple(getattr(res, "key_fields", ()) or ((res.primary_key,) if res.primary_key else ()))
    return fields or tuple(res.field_names)


def editable_tables(ds: Dataset) -> list[Resource]:
    """The record tables staff edit, in descriptor order: not reference tables, not code tables."""
    return [r for r in ds.descriptor.resources if not r.is_code_table and r.name not in REFERENCE_TABLES]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RecordChange:
    key: str
    fields: tuple[FieldChange, ...]

    def field(self, name: str) -> FieldChange | None:
        return next((f for f in self.fields if f.field == name), None)


@dataclass(frozen=True)
class TableChanges:
    """One table's differences; records are named by the table's primary key ("a / b" when composite)."""

    table: str
    key_field: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[RecordChange, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class Comparison:
    """Per table (record tables always; code and reference tables only when they changed)."""

    tables: dict[str, TableChanges] = field(default_factory=dict)
    added_rows: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)  # CSV text of added records
    removed_rows: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def is_empty(self) -> bool:
        return all(t.is_empty for t in self.tables.values())

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return {name: t.counts for name, t in self.tables.items()}

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(c[k] for c in self.counts.values()) for k in ("added", "removed", "changed")}

    @property
    def audience_changes(self) -> list[tuple[str, str, str, str]]:
        """(table, record, old, new) for every record whose audience changes (empty = public), board ones first."""
        out = []
        for name, t in self.tables.items():
            for r in t.changed:
                f = r.field("audience_code")
                if f is not None:
                    out.append((name, r.key, f.old or "public", f.new or "public"))
        return sorted(out, key=lambda c: (c[3] != "public", c[0], c[1]))

    @property
    def publishes(self) -> list[tuple[str, str]]:
        """(table, record) of the records the board kept that this change makes public: each needs a yes of its own."""
        return [(t, k) for t, k, old, new in self.audience_changes if old == "board" and new == "public"]

    def text(self) -> str:
        """A plain-text rendering: records whose audience changes first, then one line per table and per record."""
        if self.is_empty:
            return "No record changed."
        lines = [f"Audience changes ({len(self.audience_changes)}):"] if self.audience_changes else []
        lines += [f"  {t} {k}: {old} → {new}" for t, k, old, new in self.audience_changes]
        for t in self.tables.values():
            if t.is_empty:
                continue
            c = t.counts
            lines.append(f"{t.table}: +{c['added']} −{c['removed']} ~{c['changed']}")
            lines += [f"  + {k}" for k in t.added]
            lines += [f"  − {k}" for k in t.removed]
            for r in t.changed:
                lines.append(f"  ~ {r.key}")
                lines += [f"      {f.field}: {_short(f.old)} → {_short(f.new)}" for f in r.fields]
        return "\n".join(lines)


def compare(old: Dataset | Path, new: Dataset | Path) -> Comparison:
    """What changed from `old` to `new`, record by record, keyed on each table's primary key.

    Each side is a loaded Dataset or a data folder (a folder is not validated: pass folders
    that are, such as a store's versions, to compare without loading them).
    """
    old, new = _side(old), _side(new)
    tables, added_rows, removed_rows = {}, {}, {}
    editable = {r.name for r in editable_tables(new)} | {r.name for r in editable_tables(old)}
    old_res = {r.name: r for r in old.descriptor.resources}
    for res in new.descriptor.resources:
        if res.name in old_res and old.audience == new.audience == "board" and _same_file(old, new, res):
            if res.name in editable:
                tables[res.name] = TableChanges(res.name, " / ".join(key_fields(res)))
            continue
        before = _text(old, old_res[res.name]) if res.name in old_res else _empty(res)
        after = _text(new, res)
        if res.name not in editable and before.equals(after):
            continue
        t, a, r = _compare_table(res.name, key_fields(res), before, after)
        if res.name in editable or not t.is_empty:
            tables[res.name] = t
            added_rows[res.name], removed_rows[res.name] = a, r
    for name in old_res.keys() - {r.name for r in new.descriptor.resources}:
        res = old_res[name]
        t, a, r = _compare_table(name, key_fields(res), _text(old, res), _empty(res))
        tables[name], added_rows[name], removed_rows[name] = t, a, r
    return Comparison(tables=tables, added_rows=added_rows, removed_rows=removed_rows)


@dataclass(frozen=True)
class _Folder:
    """A data folder read only for its descriptor and its CSV text."""

    descriptor: Descriptor
    data_dir: Path
    audience: str = "board"  # a folder holds every record

    def table(self, name: str):
        raise FileNotFoundError(f"{self.data_dir}: cannot read the table {name}")


def _side(x: Dataset | Path | str) -> Dataset | _Folder:
    if isinstance(x, str | Path):
        from ibcr_data.descriptor import read_descriptor  # noqa: PLC0415  (pydantic: see ibcr_data.descriptor)

        return _Folder(read_descriptor(Path(x)), Path(x))
    return x


def _compare_table(name: str, key: tuple[str, ...], before: pd.DataFrame, after: pd.DataFrame):
    old = before.set_index(_keys(before, key))
    new = after.set_index(_keys(after, key))
    added = [k for k in new.index if k not in old.index]
    removed = [k for k in old.index if k not in new.index]
    common = [k for k in new.index if k in old.index]
    columns = list(dict.fromkeys([*after.columns, *before.columns]))
    o = old.reindex(columns=columns, fill_value="").loc[common]
    n = new.reindex(columns=columns, fill_value="").loc[common]
    diff = o.ne(n)
    changed = []
    for k in diff.index[diff.any(axis=1)]:
        cols = diff.columns[diff.loc[k]]
        changed.append(RecordChange(str(k), tuple(FieldChange(c, str(o.at[k, c]), str(n.at[k, c])) for c in cols)))
    table = TableChanges(name, " / ".join(key), tuple(map(str, added)), tuple(map(str, removed)), tuple(changed))
    return table, new.loc[added].reset_index(drop=True), old.loc[removed].reset_index(drop=True)


def _keys(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Index:
    cols = [frame[k] if k in frame else pd.Series("", index=frame.index) for k in key]
    joined = cols[0].astype("str")
    for c in cols[1:]:
        joined = joined + " / " + c.astype("str")
    return pd.Index(joined, name=None, dtype="str")


def _text(ds: Dataset, res: Resource) -> pd.DataFrame:
    """A table as its CSV text, read as the validator reads it (cells stripped, blank rows dropped).

    The public view is compared on its own tables (ibcr_data.audience), never on the files: what a
    reader may not see must not show up as a change either.
    """
    table = read_raw(Path(ds.data_dir), res)[0] if ds.audience == "board" else None
    if table is None:  # the public view, or the folder is gone: the typed frame as text
        frame = ds.table(res.name)[res.field_names]
        return frame.astype("str").where(frame.notna(), "")
    return table.frame


def _same_file(old: Dataset, new: Dataset, res: Resource) -> bool:
    a, b = Path(old.data_dir) / res.path, Path(new.data_dir) / res.path
    try:
        return a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False


def _empty(res: Resource) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in res.field_names})


def _short(value: str) -> str:
    if value == "":
        return "(empty)"
    value = " ".join(value.split())
    return repr(value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…")
