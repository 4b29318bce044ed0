"""Read the CSV files and check them against the descriptor, collecting every problem."""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .arrowtext import INT_RE, isin, numbers, whole_numbers
from .schema import Descriptor, Field, Resource

BOM = b"\xef\xbb\xbf"
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PER_RULE = 100  # rows listed for one rule in one column; the rest are counted in one line
TRUE = {"true", "yes", "1", "vrai", "oui"}
FALSE = {"false", "no", "0", "faux", "non"}
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"

# Field-specific advice shown when a required cell is empty.
REQUIRED_HINTS = {
    "scope_code": "Every figure needs a scope (annual, cumulative, programme or snapshot): "
                  "figures of different scopes are never added together.",
    "source_id": "Every record must name its source: use an id from sources.csv.",
    "confidence_code": "Say how sure the record is: exact, approximate or inferred.",
    "status_as_of": "Give the date the status was true (a year is enough, e.g. 2016).",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the data, located precisely enough to fix it."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    hint: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        col = f" [{self.column}]" if self.column else ""
        val = f" value {self.value!r}" if self.value not in (None, "") else ""
        return f"{where}{col}{val}: {self.message}. Fix: {self.hint}"


@dataclass
class RawTable:
    """A CSV read as text, with the file line where each record starts."""

    resource: Resource
    frame: pd.DataFrame
    lines: list[int]


def read_raw(data_dir: Path, res: Resource) -> tuple[RawTable | None, list[Problem]]:
    path = data_dir / res.path
    name = res.path
    if not path.is_file():
        return None, [Problem(name, None, None, None, "the file listed in datapackage.yaml is missing",
                              f"restore {name} or remove the resource '{res.name}' from datapackage.yaml")]
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [Problem(name, None, None, f"{size / 1e6:.0f} MB", "the file is too large to load",
                              f"keep each file under {MAX_FILE_BYTES // 2**20} MB; check it was not "
                              "saved with stray content")]
    raw = path.read_bytes()
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, None, raw[exc.start: exc.start + 8].decode("latin-1"),
                              "the file is not UTF-8 text (probably Latin-1 from an older Excel)",
                              'in Excel use "Save As" and choose "CSV UTF-8 (Comma delimited)"')]
    if not text or text.isspace():
        return None, [Problem(name, None, None, None, "the file is empty",
                              "restore the header row and the records (see git history)")]
    try:
        header = [h.strip() for h in next(csv.reader(io.StringIO(_first_line(text), newline="")))]
    except csv.Error as exc:
        return None, [Problem(name, 1, None, None, f"the header row cannot be parsed ({exc})",
                              "check the quotes in the first row")]
    problems: list[Problem] = []
    fast = _fast_rows(raw, header) if len(set(header)) == len(header) else None
    if fast is not None:
        columns, lines = fast
    else:
        parsed = _exact_rows(text, header, name)
        if isinstance(parsed, Problem):
            return None, [parsed]
        columns, lines, problems = parsed
        columns = {h: c.str.strip() for h, c in columns.items()}
    expected = res.field_names
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for c in missing:
        close = difflib.get_close_matches(c, extra, n=1)
        problems.append(Problem(name, 1, c, None, "a column the schema requires is missing",
                                f"rename column '{close[0]}' to '{c}'" if close else f"add a column '{c}'"))
    for c in extra:
        if not difflib.get_close_matches(c, missing, n=1):
            problems.append(Problem(name, 1, c, None, "the column is not in datapackage.yaml",
                                    "remove it, or declare it in datapackage.yaml with a type and description"))
    for c in dupes:
        problems.append(Problem(name, 1, c, None, "the column appears twice", "keep one of them"))
    if missing or dupes:
        return None, problems
    frame = pd.DataFrame({c: columns[c] for c in expected}, index=pd.RangeIndex(len(lines)))
    return RawTable(res, frame, lines), problems


def _first_line(text: str) -> str:
    """The text up to its first line break, or all of it when the header may span lines.

    NOTE: parsing the header from the whole text copies a file of 100 MB into a buffer first.
    """
    end = text.find("\n")
    head = text if end < 0 else text[: end + 1]
    return text if '"' in head or "\r" in head[:-2] else head


def _fast_rows(raw: bytes, header: list[str]) -> tuple[dict[str, pd.Series], list[int]] | None:
    """Parse a well-formed file with Arrow's CSV reader, cells stripped; None when the exact path is needed.

    Well-formed: every record on one line with as many cells as the header. Anything else (a
    ragged row, a line break inside a quoted cell) goes to `_exact_rows`, which reports it.
    NOTE: cells are stripped and blank records dropped in Arrow, before pandas sees them: on the
    1,000x data that is a third of the time the pandas string methods took.
    """
    try:
        table = pa_csv.read_csv(
            io.BytesIO(raw),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    physical = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1) - 1
    if table.num_rows != physical or [c.strip() for c in table.column_names] != header:
        return None  # a quoted cell spans lines: the record-to-line map needs the exact parser
    # One chunk per column: Arrow takes a few rows out of a chunked column by walking all of it,
    # and every filtered view takes rows.
    cells = [pc.utf8_trim_whitespace(col).combine_chunks() for col in table.columns]
    lines = pa.array(range(2, table.num_rows + 2), type=pa.int64())
    if cells:
        filled = [pc.not_equal(c, "") for c in cells]
        keep = filled[0]
        for f in filled[1:]:
            keep = pc.or_(keep, f)
        if not pc.all(keep).as_py():
            cells = [c.filter(keep) for c in cells]
            lines = lines.filter(keep)
    df = pa.Table.from_arrays(cells, names=[f"c{i}" for i in range(len(cells))]).to_pandas()
    return {h: df[f"c{i}"] for i, h in enumerate(header)}, lines.to_pylist()


def _exact_rows(text: str, header: list[str], name: str):
    """Parse record by record, noting the line each starts on and every row of the wrong width."""
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    ragged = 0
    try:
        next(reader)
        start = reader.line_num + 1
        for row in reader:
            if any(row) and "".join(row).strip():
                if len(row) != len(header):
                    ragged += 1
                    if ragged <= MAX_PER_RULE:
                        problems.append(Problem(name, start, None, None,
                                                f"the row has {len(row)} cells but the header has {len(header)}",
                                                "check for a stray comma or an unquoted comma inside a text cell"))
                    row = (row + [""] * len(header))[: len(header)]
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return Problem(name, reader.line_num, None, None, f"the CSV cannot be parsed ({exc})",
                       "check the quotes around text cells")
    if ragged > MAX_PER_RULE:
        problems.append(_more(name, "", "rows with the wrong number of cells", ragged - MAX_PER_RULE))
    cells = list(zip(*rows)) if rows else [() for _ in header]
    columns = {}
    for i, h in enumerate(header):
        columns.setdefault(h, pd.Series(cells[i], dtype="str"))
    return columns, lines, problems


def check_table(table: RawTable, descriptor: Descriptor) -> list[Problem]:
    problems: list[Problem] = []
    df, lines, name = table.frame, pd.Series(table.lines, dtype="int64"), table.resource.path

    def report(mask: pd.Series, f: Field, message: str, hint) -> None:
        rows = mask[mask].index
        for i in rows[:MAX_PER_RULE]:
            value = df.at[i, f.name]
            problems.append(Problem(name, int(lines[i]), f.name, value, message,
                                    hint(value) if callable(hint) else hint))
        if len(rows) > MAX_PER_RULE:
            problems.append(_more(name, f.name, message, len(rows) - MAX_PER_RULE))

    fk_fields = {fk.field for fk in table.resource.foreign_keys}
    for f in table.resource.fields:
        s = df[f.name]
        filled = s != ""
        if f.required:
            report(~filled, f, "a required value is empty",
                   REQUIRED_HINTS.get(f.name, f"fill in {f.name} ({f.description.lower()})"))
        if f.type == "integer":
            report(filled & ~s.str.match(INT_RE), f, "not a whole number", "write digits only, e.g. 2015")
        elif f.type == "number":
            num = numbers(s)
            report(filled & num.isna(), f, "not a number",
                   "write the figure with digits and a dot for decimals, without spaces or units")
        elif f.type == "boolean":
            report(filled & ~s.str.lower().isin(TRUE | FALSE), f, "not true or false", "write true or false")
        elif f.type == "date":
            bad = filled & pd.to_datetime(s.where(s.str.match(DATE_RE)), errors="coerce", format="%Y-%m-%d").isna()
            report(bad, f, "not a date", "write the date as YYYY-MM-DD")
        if f.enum is not None:  # codes from a code table are checked with the foreign keys
            report(filled & ~s.isin(f.enum), f, "not one of the allowed codes",
                   lambda v, a=f.enum: _suggest(v, a, f"use one of: {', '.join(a)}"))
        if f.pattern and f.name not in fk_fields:  # the foreign-key check gives the better hint
            report(filled & ~s.str.fullmatch(f.pattern), f, "does not have the expected form",
                   _pattern_hint(f))
        if f.type in ("integer", "number") and (f.minimum is not None or f.maximum is not None):
            num = numbers(s)
            lo = f.minimum if f.minimum is not None else float("-inf")
            hi = f.maximum if f.maximum is not None else float("inf")
            report(num.notna() & ((num < lo) | (num > hi)), f, "outside the allowed range",
                   f"use a value between {f.minimum} and {f.maximum}")
        if f.unique:
            dup = filled & s.duplicated(keep="first")
            if dup.any():
                dup_values = set(s[dup])
                first = s[filled & s.isin(dup_values)].drop_duplicates(keep="first")
                first_line = {v: int(lines[i]) for i, v in first.items()}
                report(dup, f, "duplicate identifier",
                       lambda v, fl=first_line: f"ids must be unique; '{v}' is first used on line {fl.get(v)}")
    problems += _check_dates(df, lines, name)
    problems += _check_composite_key(table)
    return problems


def _check_composite_key(table: RawTable) -> list[Problem]:
    """A key of several fields (record_sources.csv) is unique as a whole."""
    keys = list(table.resource.key_fields)
    if len(keys) < 2:
        return []
    df = table.frame
    dup = df.duplicated(keys, keep="first")
    out = []
    for i in df.index[dup][:MAX_PER_RULE]:
        value = " · ".join(df.loc[i, keys])
        first = df.index[(df[keys] == df.loc[i, keys]).all(axis=1)][0]
        out.append(Problem(table.resource.path, table.lines[i], keys[-1], df.at[i, keys[-1]],
                           f"the row repeats the key ({', '.join(keys)}) of line {table.lines[first]}: {value}",
                           "keep one of the two rows"))
    return out


def _check_dates(df: pd.DataFrame, lines: pd.Series, name: str) -> list[Problem]:
    out: list[Problem] = []
    if {"start_year", "end_year"} <= set(df.columns):
        start, end = whole_numbers(df["start_year"]), whole_numbers(df["end_year"])
        for i in df.index[(end < start).fillna(False)][:MAX_PER_RULE]:
            out.append(Problem(name, int(lines[i]), "end_year", df.at[i, "end_year"],
                               f"the end year is before the start year ({df.at[i, 'start_year']})",
                               "swap the years or correct the one that is wrong"))
    for date_col, year_col in (("start_date", "start_year"), ("end_date", "end_year")):
        if {date_col, year_col} <= set(df.columns):
            d, y = df[date_col], df[year_col]
            bad = (d != "") & (y != "") & (d.str[:4] != y)
            for i in df.index[bad][:MAX_PER_RULE]:
                out.append(Problem(name, int(lines[i]), date_col, d.at[i],
                                   f"the date does not fall in {year_col} {y.at[i]}",
                                   f"make {date_col} and {year_col} agree"))
            missing_year = (d != "") & (y == "")
            for i in df.index[missing_year][:MAX_PER_RULE]:
                out.append(Problem(name, int(lines[i]), year_col, "",
                                   f"{date_col} is given but {year_col} is empty",
                                   f"fill in {year_col} with the year of {date_col}"))
    return out


def check_foreign_keys(tables: dict[str, RawTable]) -> list[Problem]:
    """Foreign keys resolve, then the rules across rows and tables (ibcr_data/rules.py) hold."""
    problems: list[Problem] = []
    countries = tables.get("countries")
    names = {}
    if countries is not None:
        for col in ("name_en", "name_fr"):
            names.update({n.lower(): c for n, c in zip(countries.frame[col], countries.frame["country_iso3"])})
    for table in tables.values():
        for fk in table.resource.foreign_keys:
            target = tables.get(fk.resource)
            if target is None or fk.field not in table.frame:
                continue
            s = table.frame[fk.field]
            bad = (s != "") & ~isin(s, target.frame[fk.ref_field])
            if not bad.any():
                continue
            ordered = list(dict.fromkeys(target.frame[fk.ref_field]))  # for the hints only
            keys = set(ordered)
            codes = target.resource.is_code_table
            message = (f"not one of the allowed codes in {target.resource.path}" if codes
                       else f"not found in {target.resource.path}")
            if bad.sum() > MAX_PER_RULE:
                problems.append(_more(table.resource.path, fk.field, message, int(bad.sum()) - MAX_PER_RULE))
            for i in s.index[bad][:MAX_PER_RULE]:
                value = s.at[i]
                if codes:
                    hint = _suggest(value, ordered, f"use one of: {', '.join(ordered)} (or add the code to "
                                    f"{target.resource.path} first)")
                elif fk.field == "country_iso3":
                    code = names.get(value.lower())
                    hint = (f"'{value}' is a country name: write its ISO3 code {code}" if code
                            else _suggest(value.upper(), sorted(keys), "use an ISO 3166-1 alpha-3 code "
                                          "listed in countries.csv (e.g. COD for the DR Congo)"))
                else:
                    hint = _suggest(value, sorted(keys), f"use an id that exists in {target.resource.path}")
                problems.append(Problem(table.resource.path, table.lines[i], fk.field, value, message, hint))
    from .rules import check_rules  # noqa: PLC0415 (rules build on this module)

    return problems + check_rules(tables)


def unlisted_files(data_dir: Path, descriptor: Descriptor) -> list[Problem]:
    listed = {Path(r.path) for r in descriptor.resources}
    out = []
    for path in sorted(data_dir.rglob("*.csv")):
        rel = path.relative_to(data_dir)
        if rel not in listed:
            out.append(Problem(str(rel), None, None, None, "the file is not listed in datapackage.yaml",
                               "add it as a resource with its schema, or move it out of data/"))
    return out


def _more(file: str, column: str, message: str, n: int) -> Problem:
    return Problem(file, None, column, None, f"{message}: {n} more rows like the ones above",
                   "fix the rows listed (they often share one cause), then validate again")


def _suggest(value: str, allowed, fallback: str) -> str:
    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? Otherwise {fallback}" if close else fallback


def _pattern_hint(f: Field) -> str:
    if f.name.endswith("_iso3"):
        return "use a three-letter upper-case ISO code, e.g. BFA"
    if f.name.endswith("_id"):
        return "use lower-case letters, digits and hyphens only, e.g. bfa-training-2015"
    if f.name.endswith(("_date", "_as_of")) or f.name == "published":
        return "write a date as YYYY, YYYY-MM or YYYY-MM-DD"
    if f.name == "url":
        return "write a full address starting with https://"
    return f"match the pattern {f.pattern}"
