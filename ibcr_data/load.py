"""Load the whole dataset from data/, validated and typed, or fail with every problem."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schema import DESCRIPTOR, Descriptor, DescriptorError, Resource, read_descriptor
from .validate import FALSE, TRUE, Problem, RawTable, check_foreign_keys, check_table, numbers, read_raw, unlisted_files

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"

MAX_PROBLEMS = 500  # beyond this, a file is broken wholesale: list the first ones and say how many more

# Kinds of work that mark a place where something was held, not a country IBCR works in.
VENUE_KINDS = frozenset({"tribunal_hearing", "event_venue"})


class ValidationError(Exception):
    """The data failed validation; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        files = sorted({p.file for p in problems})
        super().__init__(f"{len(problems)} problem(s) in {', '.join(files)}")


@dataclass(frozen=True)
class Dataset:
    """Every table of the dataset, typed. Treat the frames as read-only."""

    engagements: pd.DataFrame
    programmes: pd.DataFrame
    events: pd.DataFrame
    metrics: pd.DataFrame
    sources: pd.DataFrame
    countries: pd.DataFrame
    regions: pd.DataFrame
    conflicts: pd.DataFrame
    country_points: pd.DataFrame
    record_sources: pd.DataFrame  # every further source of a record (its own source_id is the main one)
    descriptor: Descriptor
    data_dir: Path
    region_members: dict[str, frozenset[str]] = field(default_factory=dict)
    codes: dict[str, pd.DataFrame] = field(default_factory=dict)  # the code tables (codes/*.csv), by resource name

    TABLES = ("engagements", "programmes", "events", "metrics", "sources", "conflicts",
              "countries", "regions", "record_sources")

    @cached_property
    def organisation_figures(self) -> pd.DataFrame:
        """Reported IBCR-wide figures (no country, not a target, with a value): what cards pick from."""
        m = self.metrics
        return m[m["country_iso3"].isna() & ~m["is_target"] & m["value"].notna()]

    @cached_property
    def precomputed(self):
        """Integer codes and ready-made tables for filters and counts (ibcr_data/precomputed.py)."""
        from .precomputed import Precomputed  # precomputed builds on this module

        return Precomputed(self)

    def table(self, name: str) -> pd.DataFrame:
        """A table by resource name: a record or reference table, or a code table ("kind")."""
        if name in self.codes:
            return self.codes[name]
        return getattr(self, name)

    def code_labels(self, vocabulary: str, lang: str) -> dict[str, str]:
        """Code -> label in `lang` for a vocabulary ("kind_code"), in table order.

        Labels come from the code table's `label_<lang>` column (`name_<lang>` for regions); a
        language without its column falls back to English, so a language is added as a column.
        """
        res = self.descriptor.code_table(vocabulary)
        df = self.table(res.name)
        for stem in ("label", "name"):
            english = f"{stem}_en"
            if english in df.columns:
                column = f"{stem}_{lang}" if f"{stem}_{lang}" in df.columns else english
                return dict(zip(df[vocabulary], df[column].fillna(df[english])))
        return {code: code for code in df[vocabulary]}

    @property
    def last_updated(self) -> str:
        return str(self.descriptor.meta.get("last_updated", ""))

    def counts(self) -> dict[str, int]:
        return {name: len(self.table(name)) for name in self.TABLES}


def default_data_dir() -> Path:
    """The folder to load: the current version of the store, or a plain data folder.

    `IBCR_DATA_DIR` if set (a store, or a plain folder loaded directly); else the store in
    var/ibcr-data/ when it exists; else the bundled data/ (see ibcr_data/versions.py).
    """
    from .versions import current_folder  # versions imports this module

    return current_folder()


def fingerprint(data_dir: Path | None = None) -> str:
    """A key that changes whenever a file in data/ changes (for caching)."""
    data_dir = Path(data_dir or default_data_dir())
    h = hashlib.sha1(str(data_dir.resolve()).encode())
    if data_dir.is_dir():
        for p in sorted(data_dir.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(data_dir)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def validate(data_dir: Path | None = None) -> tuple[list[Problem], dict[str, RawTable], Descriptor | None]:
    """Check every file; return all problems (empty when the data are valid)."""
    data_dir = Path(data_dir or default_data_dir())
    if not data_dir.is_dir():
        return [Problem(str(data_dir), None, None, None, "the data folder does not exist",
                        "run from the project folder, or pass the folder that holds datapackage.yaml")], {}, None
    try:
        descriptor = read_descriptor(data_dir)
    except DescriptorError as exc:
        if exc.issues:
            return [Problem(DESCRIPTOR, i.line, i.column, i.value, i.message, i.hint) for i in exc.issues], {}, None
        return [Problem(DESCRIPTOR, None, None, None, str(exc).split(": ", 1)[-1],
                        "restore data/datapackage.yaml from git")], {}, None
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
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [Problem(
            "…", None, None, None, f"{more} more problems are not listed",
            "fix the problems above (they often share one cause), then validate again")]
    return problems, tables, descriptor


def load_dataset(data_dir: Path | str | None = None) -> Dataset:
    """Load and validate data/; raise ValidationError listing every problem, never half the data."""
    data_dir = Path(data_dir or default_data_dir())
    problems, tables, descriptor = validate(data_dir)
    if problems:
        raise ValidationError(problems)
    typed = {name: _typed(t.frame, t.resource) for name, t in tables.items()}
    regions = typed["regions"]
    countries = typed["countries"]
    members = _region_members(regions, countries)
    engagements = _with_regions(typed["engagements"], countries)
    programmes = _with_countries(typed["programmes"], engagements)
    codes = {r.name: typed[r.name] for r in descriptor.resources if r.is_code_table and r.name not in Dataset.TABLES}
    return Dataset(
        engagements=engagements, programmes=programmes, events=typed["events"],
        metrics=typed["metrics"], sources=typed["sources"], countries=countries, regions=regions,
        conflicts=typed["conflicts"], country_points=typed["country_points"],
        record_sources=typed["record_sources"],
        descriptor=descriptor, data_dir=data_dir, region_members=members, codes=codes,
    )


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


def _with_regions(engagements: pd.DataFrame, countries: pd.DataFrame) -> pd.DataFrame:
    cols = countries[["country_iso3", "ibcr_region_code", "un_region_code"]]
    out = engagements.merge(cols, on="country_iso3", how="left", validate="many_to_one")
    out["is_venue"] = out["kind_code"].isin(VENUE_KINDS)
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


def _with_countries(programmes: pd.DataFrame, engagements: pd.DataFrame) -> pd.DataFrame:
    pairs = (engagements[["programme_id", "country_iso3"]].dropna().drop_duplicates()
             .sort_values(["programme_id", "country_iso3"]))
    # NOTE: joined in Arrow (a list per programme, then one join): pandas joins group by group in
    # Python, 0.9 s for the 21,000 programmes of the 1,000x data.
    grouped = pa.table({"p": pairs["programme_id"].to_numpy(dtype=object), "c": pairs["country_iso3"].to_numpy(dtype=object)}
                       ).group_by("p", use_threads=False).aggregate([("c", "list")])
    by_prog = pd.Series(pc.binary_join(grouped["c_list"], "; ").to_numpy(zero_copy_only=False),
                        index=grouped["p"].to_numpy(zero_copy_only=False), dtype="str")
    out = programmes.copy()
    out["country_iso3_list"] = out["programme_id"].map(by_prog).astype("str")
    out["has_engagement"] = out["country_iso3_list"].notna()
    return out
