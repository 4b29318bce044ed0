"""Load a data folder: validated (every check, in order), typed, with the columns the loader adds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import numbers
from .checks import FALSE, TRUE, check_foreign_keys, check_table
from .csvread import RawTable, read_raw, unlisted_files
from .model import Dataset, Policy
from .problems import Problem, ValidationError
from .rules import check_rules
from .schema import DESCRIPTOR, Descriptor, DescriptorError, Resource

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # the bundled data

MAX_PROBLEMS = 500  # beyond this, a file is broken wholesale: list the first ones and say how many more


def fingerprint(data_dir: Path) -> str:
    """A key that changes whenever a file of the data folder changes (for caching)."""
    data_dir = Path(data_dir)
    h = hashlib.sha1(str(data_dir.resolve()).encode())
    if data_dir.is_dir():
        for p in sorted(data_dir.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(data_dir)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def validate(data_dir: Path = DEFAULT_DATA_DIR) -> tuple[list[Problem], dict[str, RawTable], Descriptor | None]:
    """Check every file; return all problems (empty when the data are valid).

    In this order: the descriptor; each file read and checked against its schema; the foreign
    keys between tables; the rules across rows and tables (rules.py).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return [Problem(str(data_dir), None, None, None, "the data folder does not exist",
                        "run from the project folder, or pass the folder that holds datapackage.yaml",
                        code="folder_missing")], {}, None
    from .descriptor import read_descriptor  # noqa: PLC0415  (pydantic only where a descriptor is read)

    try:
        descriptor = read_descriptor(data_dir)
    except DescriptorError as exc:
        if exc.issues:
            return list(exc.issues), {}, None
        return [Problem(DESCRIPTOR, None, None, None, str(exc).split(": ", 1)[-1],
                        "restore data/datapackage.yaml from git", code="descriptor_unreadable")], {}, None
    problems = unlisted_files(data_dir, descriptor)
    tables: dict[str, RawTable] = {}
    for res in descriptor.resources:
        table, found = read_raw(data_dir, res)
        problems += found
        if table is not None:
            problems += check_table(table, descriptor)
            tables[res.name] = table
    descriptor = descriptor.with_vocabularies(_vocabularies(descriptor, tables))
    problems += check_foreign_keys(tables)
    problems += check_rules(tables, descriptor)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [Problem(
            "…", None, None, None, f"{more} more problems are not listed",
            "fix the problems above (they often share one cause), then validate again", code="more_problems")]
    return problems, tables, descriptor


def load_dataset(data_dir: Path | str = DEFAULT_DATA_DIR, version: str | None = None) -> Dataset:
    """Load and validate a data folder; raise ValidationError listing every problem, never half the data.

    `version` is the store's id of this folder, when it is one of the store's versions.
    """
    data_dir = Path(data_dir)
    problems, tables, descriptor = validate(data_dir)
    if problems:
        raise ValidationError(problems)
    typed = {name: _typed(t.frame, t.resource) for name, t in tables.items()}
    typed["metrics"]["is_withheld"] = False  # as loaded, every figure is shown (audience.view_for withholds)
    regions = typed["regions"]
    countries = typed["countries"]
    members = _region_members(regions, countries)
    engagements = _with_regions(typed["engagements"], countries, typed["kind"])
    programmes = programme_countries(typed["programmes"], engagements)
    codes = {r.name: typed[r.name] for r in descriptor.resources if r.is_code_table and r.name not in Dataset.TABLES}
    others = {name: frame for name, frame in typed.items()
              if name not in codes and name not in Dataset.TABLES and name != "country_points"}
    return Dataset(
        engagements=engagements, programmes=programmes, events=typed["events"],
        metrics=typed["metrics"], sources=typed["sources"], countries=countries, regions=regions,
        conflicts=typed["conflicts"], country_points=typed["country_points"],
        record_sources=typed["record_sources"],
        descriptor=descriptor, data_dir=data_dir, region_members=members, codes=codes, others=others, version=version,
        policy=_policy(typed),
    )


def _policy(typed: dict[str, pd.DataFrame]) -> Policy:
    """The safeguarding policy from policy.csv (one row), policy_metrics.csv and policy_countries.csv."""
    row = typed["policy"].iloc[0]
    statements = {c.removeprefix("statement_"): str(row[c]) for c in typed["policy"].columns if c.startswith("statement_")}
    return Policy(int(row["min_public_count"]), statements, frozenset(typed["policy_metrics"]["metric_code"]),
                  typed["policy_countries"])


def _vocabularies(descriptor: Descriptor, tables: dict[str, RawTable]) -> dict[str, dict[str, str]]:
    """Code -> English description for each code table, in table order (the order lists are shown in)."""
    out = {}
    for res in descriptor.resources:
        table = tables.get(res.name)
        if res.is_code_table and table is not None:
            text = "description_en" if "description_en" in table.frame else "name_en"
            out[res.primary_key] = dict(zip(table.frame[res.primary_key], table.frame[text]))
    return out


def _typed(frame: pd.DataFrame, res: Resource) -> pd.DataFrame:
    """The table with each column as its declared type; an empty text cell becomes missing.

    NOTE: text columns are typed in Arrow and converted to pandas together: masking them one
    by one in pandas took a third of a second on the 1,000x data.
    """
    out, text = {}, {}
    for f in res.fields:
        s = frame[f.name]
        if f.type == "integer":
            out[f.name] = numbers(s).astype("Int64")
        elif f.type == "number":
            out[f.name] = numbers(s)
        elif f.type == "boolean":
            low = s.str.lower()
            out[f.name] = low.isin(TRUE) & ~low.isin(FALSE)
        else:
            arr = pa.array(s, type=pa.string())
            text[f.name] = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    if text:
        typed = pa.table(text).to_pandas()
        out.update({name: typed[name] for name in text})
    return pd.DataFrame({f.name: out[f.name] for f in res.fields}, index=pd.RangeIndex(len(frame)))


def _region_members(regions: pd.DataFrame, countries: pd.DataFrame) -> dict[str, frozenset[str]]:
    members: dict[str, set[str]] = {}
    for col in ("ibcr_region_code", "un_region_code"):
        for code, grp in countries.dropna(subset=[col]).groupby(col):
            members.setdefault(str(code), set()).update(grp["country_iso3"])
    for code, includes in zip(regions["region_code"], regions["includes"]):
        if isinstance(includes, str):
            for part in includes.split(";"):
                members.setdefault(code, set()).update(members.get(part.strip(), set()))
    return {code: frozenset(v) for code, v in members.items()}


def _with_regions(engagements: pd.DataFrame, countries: pd.DataFrame, kinds: pd.DataFrame) -> pd.DataFrame:
    """The engagements with their country's regions, whether each marks a place or is counted as work, and
    the years each covers.

    The counting rule: a piece of work is counted once. A venue or an office marks a place, not a
    piece of work (its kind does not count as work, codes/kind.csv); a record that is part of a
    larger piece of work (part_of_engagement_id) is shown under it and not counted again.
    """
    cols = countries[["country_iso3", "ibcr_region_code", "un_region_code"]]
    out = engagements.merge(cols, on="country_iso3", how="left", validate="many_to_one")
    places = set(kinds.loc[~kinds["counts_as_work"], "kind_code"])
    out["is_venue"] = out["kind_code"].isin(places)
    out["is_counted"] = ~out["is_venue"] & out["part_of_engagement_id"].isna()
    out["year_from"], out["year_to"] = _coverage_years(out)
    return out


def _coverage_years(eng: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The years each engagement covers.

    Unknown start: the end year (or the status date) stands for both. Ongoing with no end: the
    status date closes it, so "underway in 2016" never claims later years. Undated records have
    no years and only show when no year filter is set.
    """
    as_of = pd.to_numeric(eng["status_as_of"].str[:4], errors="coerce")
    start = eng["start_year"].astype("float64")
    end = eng["end_year"].astype("float64")
    to = end.fillna(as_of.where(eng["status_code"] == "ongoing")).fillna(start)
    to = to.where(to.isna() | start.isna() | (to >= start), start)
    return start.fillna(to), to


def programme_countries(programmes: pd.DataFrame, engagements: pd.DataFrame) -> pd.DataFrame:
    """The programmes with the countries their engagements are in (country_iso3_list) and has_engagement."""
    pairs = (engagements[["programme_id", "country_iso3"]].dropna().drop_duplicates()
             .sort_values(["programme_id", "country_iso3"]))
    # NOTE: one join per programme over the sorted pairs: pandas joins group by group through its
    # groupby machinery, 0.9 s for the 21,000 programmes of the 1,000x data. Arrow's group_by did it
    # in C, but loads Acero and pyarrow.dataset with it: 24 MB more in every server, for this alone.
    p = pairs["programme_id"].to_numpy(dtype=object)
    c = pairs["country_iso3"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]]) if len(p) else np.array([], dtype=int)
    ends = np.r_[starts[1:], len(p)]
    by_prog = pd.Series(["; ".join(c[a:b]) for a, b in zip(starts, ends)], index=p[starts], dtype="str")
    out = programmes.copy()
    out["country_iso3_list"] = out["programme_id"].map(by_prog).astype("str")
    out["has_engagement"] = out["country_iso3_list"].notna()
    return out
