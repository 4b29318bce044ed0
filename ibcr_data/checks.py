"""Check each table against the descriptor (types, codes, keys, dates), then the foreign keys between tables."""

from __future__ import annotations

import re

import pandas as pd

from .arrowtext import INT_RE, isin, matches, numbers, whole_numbers
from .csvread import RawTable
from .problems import MAX_PER_RULE, Problem, more, suggest
from .schema import Descriptor, Field

TRUE = {"true", "yes", "1", "vrai", "oui"}
FALSE = {"false", "no", "0", "faux", "non"}
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"

# What any cell may hold, from a CSV file or a workbook: at most Excel's own limit of characters, and
# no control character but a tab and a line break (Alt+Enter in Excel). A carriage return would end a
# CSV record, and the other controls (and U+FFFE, U+FFFF) cannot be written into an .xlsx at all: the
# editing workbook and the Excel export could not be made from data holding one.
MAX_CELL_CHARS = 32_767
CONTROL_RE = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]"
CONTROL_RE2 = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\x{fffe}\x{ffff}]"  # the same class, in RE2's syntax (Arrow)
SNIPPET = 30  # characters shown on each side of a control character

# Field-specific advice shown when a required cell is empty.
REQUIRED_HINTS = {
    "scope_code": "Every figure needs a scope (annual, cumulative, programme or snapshot): "
                  "figures of different scopes are never added together.",
    "source_id": "Every record must name its source: use an id from sources.csv.",
    "confidence_code": "Say how sure the record is: exact, approximate or inferred.",
    "status_as_of": "Give the date the status was true (a year is enough, e.g. 2016).",
}



def check_table(table: RawTable, descriptor: Descriptor) -> list[Problem]:
    problems: list[Problem] = []
    df, lines, name = table.frame, pd.Series(table.lines, dtype="int64"), table.resource.path

    def report(mask: pd.Series, f: Field, code: str, message: str, hint) -> None:
        rows = mask[mask].index
        for i in rows[:MAX_PER_RULE]:
            value = df.at[i, f.name]
            problems.append(Problem(name, int(lines[i]), f.name, value, message,
                                    hint(value) if callable(hint) else hint, code=code))
        if len(rows) > MAX_PER_RULE:
            problems.append(more(name, f.name, message, len(rows) - MAX_PER_RULE, code))

    problems += check_text(table)
    fk_fields = {fk.field for fk in table.resource.foreign_keys}
    for f in table.resource.fields:
        s = df[f.name]
        filled = s != ""
        if f.required:
            report(~filled, f, "required_empty", "a required value is empty",
                   REQUIRED_HINTS.get(f.name, f"fill in {f.name} ({f.description.lower()})"))
        if f.type == "integer":
            report(filled & ~s.str.match(INT_RE), f, "not_integer", "not a whole number", "write digits only, e.g. 2015")
        elif f.type == "number":
            num = numbers(s)
            report(filled & num.isna(), f, "not_number", "not a number",
                   "write the figure with digits and a dot for decimals, without spaces or units")
        elif f.type == "boolean":
            report(filled & ~s.str.lower().isin(TRUE | FALSE), f, "not_boolean", "not true or false", "write true or false")
        elif f.type == "date":
            bad = filled & pd.to_datetime(s.where(s.str.match(DATE_RE)), errors="coerce", format="%Y-%m-%d").isna()
            report(bad, f, "not_date", "not a date", "write the date as YYYY-MM-DD")
        if f.enum is not None:  # codes from a code table are checked with the foreign keys
            report(filled & ~s.isin(f.enum), f, "not_allowed_code", "not one of the allowed codes",
                   lambda v, a=f.enum: suggest(v, a, f"use one of: {', '.join(a)}"))
        if f.pattern and f.name not in fk_fields:  # the foreign-key check gives the better hint
            report(filled & ~s.str.fullmatch(f.pattern), f, "bad_form", "does not have the expected form",
                   _pattern_hint(f))
        if f.type in ("integer", "number") and (f.minimum is not None or f.maximum is not None):
            num = numbers(s)
            lo = f.minimum if f.minimum is not None else float("-inf")
            hi = f.maximum if f.maximum is not None else float("inf")
            report(num.notna() & ((num < lo) | (num > hi)), f, "out_of_range", "outside the allowed range",
                   f"use a value between {f.minimum} and {f.maximum}")
        if f.unique:
            dup = filled & s.duplicated(keep="first")
            if dup.any():
                dup_values = set(s[dup])
                first = s[filled & s.isin(dup_values)].drop_duplicates(keep="first")
                first_line = {v: int(lines[i]) for i, v in first.items()}
                report(dup, f, "duplicate_id", "duplicate identifier",
                       lambda v, fl=first_line: f"ids must be unique; '{v}' is first used on line {fl.get(v)}")
    problems += _check_dates(df, lines, name)
    problems += _check_composite_key(table)
    return problems


def check_text(table: RawTable) -> list[Problem]:
    """Every cell holds text that a CSV file and an Excel cell both keep as it is (see MAX_CELL_CHARS)."""
    out: list[Problem] = []
    df, name = table.frame, table.resource.path
    for column in df.columns:
        s = df[column]
        too_long = s.str.len() > MAX_CELL_CHARS
        for i in s.index[too_long][:MAX_PER_RULE]:
            out.append(Problem(name, table.lines[i], column, s.at[i][:SNIPPET * 2] + "…",
                               f"the text has {len(s.at[i]):,} characters, more than an Excel cell holds "
                               f"({MAX_CELL_CHARS:,})", "shorten it, or put the full text in a document and "
                               "its address here", code="text_too_long"))
        control = matches(s, CONTROL_RE2)
        for i in s.index[control][:MAX_PER_RULE]:
            text = s.at[i]
            at = re.search(CONTROL_RE, text).start()
            shown = text[max(0, at - SNIPPET): at] + f"[U+{ord(text[at]):04X}]" + text[at + 1: at + 1 + SNIPPET]
            if text[at] == "\r":
                out.append(Problem(name, table.lines[i], column, shown, "a carriage return (a line break from "
                                   "another program) in the text", "delete the line break; for a new line inside "
                                   "a cell type Alt+Enter in Excel", code="text_carriage_return"))
            else:
                out.append(Problem(name, table.lines[i], column, shown, f"an invisible control character "
                                   f"(U+{ord(text[at]):04X}) in the text", "delete it: type the text again (text "
                                   "pasted from another program can bring such characters)", code="text_control_character"))
        for code, n in (("text_too_long", int(too_long.sum())), ("text_control_character", int(control.sum()))):
            if n > MAX_PER_RULE:
                out.append(more(name, column, "text a cell cannot hold", n - MAX_PER_RULE, code))
    return out


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
                           "keep one of the two rows", code="duplicate_key"))
    return out


def _check_dates(df: pd.DataFrame, lines: pd.Series, name: str) -> list[Problem]:
    out: list[Problem] = []
    if {"start_year", "end_year"} <= set(df.columns):
        start, end = whole_numbers(df["start_year"]), whole_numbers(df["end_year"])
        for i in df.index[(end < start).fillna(False)][:MAX_PER_RULE]:
            out.append(Problem(name, int(lines[i]), "end_year", df.at[i, "end_year"],
                               f"the end year is before the start year ({df.at[i, 'start_year']})",
                               "swap the years or correct the one that is wrong", code="end_before_start"))
    for date_col, year_col in (("start_date", "start_year"), ("end_date", "end_year")):
        if {date_col, year_col} <= set(df.columns):
            d, y = df[date_col], df[year_col]
            bad = (d != "") & (y != "") & (d.str[:4] != y)
            for i in df.index[bad][:MAX_PER_RULE]:
                out.append(Problem(name, int(lines[i]), date_col, d.at[i],
                                   f"the date does not fall in {year_col} {y.at[i]}",
                                   f"make {date_col} and {year_col} agree", code="date_year_differ"))
            missing_year = (d != "") & (y == "")
            for i in df.index[missing_year][:MAX_PER_RULE]:
                out.append(Problem(name, int(lines[i]), year_col, "",
                                   f"{date_col} is given but {year_col} is empty",
                                   f"fill in {year_col} with the year of {date_col}", code="date_without_year"))
    return out


def check_foreign_keys(tables: dict[str, RawTable]) -> list[Problem]:
    """Every foreign key resolves: a code in its code table, an id in the table it names."""
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
            code = "unknown_code" if codes else "unknown_reference"
            if bad.sum() > MAX_PER_RULE:
                problems.append(more(table.resource.path, fk.field, message, int(bad.sum()) - MAX_PER_RULE, code))
            for i in s.index[bad][:MAX_PER_RULE]:
                value = s.at[i]
                if codes:
                    hint = suggest(value, ordered, f"use one of: {', '.join(ordered)} (or add the code to "
                                    f"{target.resource.path} first)")
                elif fk.field == "country_iso3":
                    iso3 = names.get(value.lower())
                    hint = (f"'{value}' is a country name: write its ISO3 code {iso3}" if iso3
                            else suggest(value.upper(), sorted(keys), "use an ISO 3166-1 alpha-3 code "
                                          "listed in countries.csv (e.g. COD for the DR Congo)"))
                else:
                    hint = suggest(value, sorted(keys), f"use an id that exists in {target.resource.path}")
                problems.append(Problem(table.resource.path, table.lines[i], fk.field, value, message, hint, code=code))
    return problems


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
