"""Rules across rows and tables that a column's type cannot express: links, duplicates, statuses, units.

Each rule reads the tables as text (RawTable) and returns Problems with the file line of the row at
fault, so a curator can fix the row in Excel. `load.validate` runs them after the foreign keys.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import INT_RE
from .csvread import RawTable
from .problems import MAX_PER_RULE, Problem, suggest
from .result_rules import check_result_rules
from .schema import Descriptor

# The columns that make two rows likely the same piece of work, with overlapping years (country,
# kind or category, programme): see _likely_duplicates for how each table compares them.
DUPLICATE_KEYS = {"engagements": ("country_iso3", "kind_code", "programme_id"),
                  "events": ("country_iso3", "category_code", "programme_id")}
# Kinds of work compared as one: a training described in one source is often a contribution-agreement
# project in another (the same capacity-building work, named by how it was funded).
COMPARED_AS_ONE = {"contribution_agreement": "training"}


def check_rules(tables: dict[str, RawTable], descriptor: Descriptor) -> list[Problem]:
    """Every cross-row rule; a rule whose tables failed to load is skipped (their problems are listed)."""
    problems: list[Problem] = []
    for rule in (_record_links, _distinct_pairs, _likely_duplicates, _parts, _ongoing_behind_programme, _ongoing_yet_ended,
                 _units, _figures_without_value, check_result_rules, _public_rests_on_board, _one_policy):
        problems += rule(tables, descriptor.record_tables)
    return problems


def _years(s: pd.Series) -> pd.Series:
    """The year a cell starts with ("2016-03" gives 2016), NaN when it starts with no whole number."""
    head = pc.utf8_slice_codeunits(pa.array(s, type=pa.string()), 0, 4)  # four characters, not bytes
    years = pc.cast(pc.if_else(pc.match_substring_regex(head, INT_RE), head, pa.scalar(None, pa.string())),
                    pa.float64())
    return pd.Series(years.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")


def _ids(tables: dict[str, RawTable], name: str) -> list[str] | None:
    t = tables.get(name)
    return None if t is None else list(t.frame[t.resource.primary_key])


def _record_links(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """Each link points at an existing record of its table and adds a source other than the record's own."""
    links = tables.get("record_sources")
    if links is None:
        return []
    out: list[Problem] = []
    df, name = links.frame, links.resource.path
    for table, id_col in record_tables.items():
        t = tables.get(table)
        if t is None:
            continue
        # Other cases (an unknown table, an empty id) are reported by the column checks.
        rows = df.loc[(df["record_table"] == table) & (df["record_id"] != ""), ["record_id", "source_id"]]
        main_source = _lookup(rows["record_id"], t.frame[id_col], t.frame["source_id"])
        ids: list[str] = []
        for i in rows.index[main_source.isna()][:MAX_PER_RULE]:
            record_id = df.at[i, "record_id"]
            ids = ids or list(dict.fromkeys(t.frame[id_col]))
            hint = suggest(record_id, ids, f"use an id from {table}.csv, or add the record first (or correct "
                           "record_table)")
            out.append(Problem(name, links.lines[i], "record_id", record_id, f"no record '{record_id}' in {table}.csv", hint, code="link_unknown_record"))
        for i in rows.index[(main_source == rows["source_id"]).fillna(False)][:MAX_PER_RULE]:
            out.append(Problem(name, links.lines[i], "source_id", df.at[i, "source_id"],
                               f"the link repeats the main source of '{df.at[i, 'record_id']}'",
                               "remove the row: the record's own source_id is already its main source", code="link_repeats_source"))
    return out[:MAX_PER_RULE]


def _lookup(keys: pd.Series, index: pd.Series, values: pd.Series) -> pd.Series:
    """The value at the first row of `index` equal to each key (NaN for none), done in Arrow.

    NOTE: the same as mapping through a Series indexed by `index`, without turning 100,000 ids
    into Python strings first.
    """
    at = pc.index_in(pa.array(keys, type=pa.string()), value_set=pa.array(index, type=pa.string()))
    found = pc.take(pa.array(values, type=pa.string()), at)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=keys.index, dtype="str")


def _distinct_pairs(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """Both records of a pair marked as distinct exist."""
    marks = tables.get("distinct_records")
    if marks is None:
        return []
    out: list[Problem] = []
    df = marks.frame
    for column in ("record_id", "other_id"):
        for i, (table, record_id) in enumerate(zip(df["record_table"], df[column])):
            ids = _ids(tables, table) if table in record_tables else None
            if ids is not None and record_id and record_id not in ids:
                out.append(Problem(marks.resource.path, marks.lines[i], column, record_id,
                                   f"no record '{record_id}' in {table}.csv",
                                   suggest(record_id, ids, f"use an id from {table}.csv, or remove the row"), code="distinct_unknown_record"))
    return out


def _marked_distinct(tables: dict[str, RawTable], table: str) -> set[frozenset[str]]:
    marks = tables.get("distinct_records")
    if marks is None:
        return set()
    df = marks.frame[marks.frame["record_table"] == table]
    return {frozenset(p) for p in zip(df["record_id"], df["other_id"])}


def _coverage(df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The years a row may cover, for the duplicate check.

    An engagement: its span as the loader computes it (load._coverage_years), except that an undated
    record covers every year up to its status date: "completed by 2016" may be any earlier work.
    A milestone: its own year only, so that two milestones match when they fall in the same year.
    """
    start = _years(df["start_year"])
    if "status_as_of" not in df:
        return start, start
    as_of = _years(df["status_as_of"])
    end = _years(df["end_year"]).fillna(as_of.where(df["status_code"] == "ongoing"))
    end = end.fillna(start)
    start = start.fillna(end)
    end = end.where(end.isna() | (end >= start), start)  # an end before the start: the start (as the loader)
    undated = start.isna() & end.isna()
    return start.mask(undated, float("-inf")), end.mask(undated, as_of)


def _groups_with_overlap(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Rows whose key group holds two overlapping spans: a vectorised first pass for 100,000 rows.

    Sorted by start within a group, a row overlaps an earlier one when it starts on or before the
    latest end so far; only those groups go through the exact pairwise check.
    """
    ordered = df.sort_values([*keys, "span_from"], kind="stable")
    latest_end = ordered.groupby(keys, sort=False)["span_to"].cummax()
    previous_end = latest_end.groupby([ordered[k] for k in keys], sort=False).shift()
    clashing = ordered.loc[ordered["span_from"] <= previous_end, keys].drop_duplicates()
    return pd.Series(pd.MultiIndex.from_frame(df[keys]).isin(pd.MultiIndex.from_frame(clashing)), index=df.index)


def _likely_duplicates(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """Two rows that likely tell of the same piece of work: same country, overlapping years, and

    - milestones: the same category and programme;
    - engagements of one programme: that programme, whatever their kinds (two records of one
      programme in one country are one piece of work, or one is a part of the other);
    - engagements with no programme: the same kind, or a record of that kind with any programme
      (a seed sentence rarely names the programme). Kinds in COMPARED_AS_ONE count as one kind.
    """
    out: list[Problem] = []
    for table, keys in DUPLICATE_KEYS.items():
        t = tables.get(table)
        if t is None:
            continue
        df, id_col = t.frame, record_tables[table]
        distinct = _marked_distinct(tables, table)
        if "part_of_engagement_id" in df:  # a part of a larger piece of work is not a copy of it
            distinct |= {frozenset(p) for p in zip(df[id_col], df["part_of_engagement_id"]) if p[1]}
        first, last = _coverage(df)
        country, kind, programme = keys
        # NOTE: only the columns the check and its message read: taking every text column of
        # 100,000 rows costs more than the check itself.
        dated = df.loc[first.notna(), [*keys, id_col, "source_id"]].assign(span_from=first, span_to=last)
        if table == "engagements":
            dated[kind] = dated[kind].replace(COMPARED_AS_ONE)
            named = dated[programme] != ""
            passes = ((_same_key(dated[named], [country, programme]), "programme and overlapping years"),
                      (_same_key(dated[~named], [country, kind]), "kind of work, no programme and overlapping years"),
                      (_without_programme(dated, [country, kind], programme),
                       "kind of work and overlapping years (one names no programme)"))
        else:
            passes = ((_same_key(dated, list(keys)), "category, programme and year"),)
        for pairs, what in passes:
            for a, b in pairs:
                if frozenset((getattr(a, id_col), getattr(b, id_col))) in distinct:
                    continue
                a_id, b_id = getattr(a, id_col), getattr(b, id_col)
                out.append(Problem(
                    t.resource.path, t.lines[b.Index], id_col, b_id,
                    f"likely the same piece of work as '{a_id}' (line {t.lines[a.Index]}): same country, {what}",
                    f"merge them into one record: keep '{a_id}', delete this row and link its source "
                    f"({b.source_id}) to '{a_id}' in record_sources.csv; if this row is a part of '{a_id}', "
                    f"write '{a_id}' in its part_of_engagement_id; if the two are genuinely different, list the "
                    "pair in distinct_records.csv with the reason", code="likely_duplicate"))
                if len(out) >= MAX_PER_RULE:
                    return out
    return out


def _overlap(a, b) -> bool:
    return a.span_from <= b.span_to and b.span_from <= a.span_to


def _same_key(rows: pd.DataFrame, keys: list[str]):
    """(earlier row, later row) with the same key and overlapping years: the first earlier match of each row."""
    rows = rows[rows.duplicated(keys, keep=False)]  # only rows that share a key can clash
    rows = rows[_groups_with_overlap(rows, keys)]
    for _, group in rows.groupby(keys, sort=False):
        found = list(group.itertuples())
        for j, b in enumerate(found):
            a = next((a for a in found[:j] if _overlap(a, b)), None)
            if a is not None:
                yield a, b


def _without_programme(rows: pd.DataFrame, keys: list[str], programme: str):
    """(row with a programme, row without one) in the same country and kind whose years overlap."""
    missing = rows[programme] == ""
    groups = rows.loc[missing, keys].drop_duplicates()
    if groups.empty:
        return
    both = rows[pd.MultiIndex.from_frame(rows[keys]).isin(pd.MultiIndex.from_frame(groups))]
    for _, group in both.groupby(keys, sort=False):
        with_programme = list(group[group[programme] != ""].itertuples())
        for b in group[group[programme] == ""].itertuples():
            a = next((a for a in with_programme if _overlap(a, b)), None)
            if a is not None:
                yield a, b


def _parts(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """A part of a larger piece of work lies inside it: the same country, within its years, both work,
    and the whole is not itself a part (a part is shown under its whole, one level)."""
    t, kinds = tables.get("engagements"), tables.get("kind")
    if t is None or "part_of_engagement_id" not in t.frame:
        return []
    df = t.frame
    place = set(kinds.frame.loc[kinds.frame["counts_as_work"].str.lower().isin({"false", "no", "0"}), "kind_code"]) \
        if kinds is not None and "counts_as_work" in kinds.frame else set()
    row_of = {rid: i for i, rid in enumerate(df["engagement_id"])}
    start, end = _years(df["start_year"]), _years(df["end_year"])
    out: list[Problem] = []
    for i in df.index[df["part_of_engagement_id"] != ""]:
        whole_id = df.at[i, "part_of_engagement_id"]
        w = row_of.get(whole_id)
        if w is None:
            continue  # the foreign-key check names it
        why = None
        if df.at[w, "country_iso3"] != df.at[i, "country_iso3"]:
            why = f"'{whole_id}' is in another country ({df.at[w, 'country_iso3']})"
        elif df.at[w, "part_of_engagement_id"]:
            why = f"'{whole_id}' is itself part of '{df.at[w, 'part_of_engagement_id']}'"
        elif df.at[i, "kind_code"] in place or df.at[w, "kind_code"] in place:
            why = "a venue or an office is a place, not a piece of work: it cannot be a part nor hold parts"
        elif (start[i] < start[w]) or (end[i] > end[w]):
            why = f"its years fall outside those of '{whole_id}' ({df.at[w, 'start_year']}-{df.at[w, 'end_year']})"
        if why:
            out.append(Problem(t.resource.path, t.lines[i], "part_of_engagement_id", whole_id,
                               f"not a part of that record: {why}",
                               "name the record this one belongs to, in the same country and years, or leave the "
                               "cell empty if it is a piece of work of its own", code="bad_part"))
    return out[:MAX_PER_RULE]


def _ongoing_behind_programme(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """An ongoing engagement of a programme known to be running later is no older than that news.

    Its status date decides the country's status on the map: an older one lets a finished project in
    the same country show the country as completed while the programme still runs there.
    """
    eng, progs = tables.get("engagements"), tables.get("programmes")
    if eng is None or progs is None:
        return []
    p = progs.frame[progs.frame["status_code"] == "ongoing"]
    as_of = dict(zip(p["programme_id"], p["status_as_of"]))
    df = eng.frame
    out: list[Problem] = []
    for i in df.index[(df["status_code"] == "ongoing") & df["programme_id"].isin(as_of)]:
        programme_date = as_of[df.at[i, "programme_id"]]
        if df.at[i, "status_as_of"] < programme_date:
            out.append(Problem(
                eng.resource.path, eng.lines[i], "status_as_of", df.at[i, "status_as_of"],
                f"the programme '{df.at[i, 'programme_id']}' is known to be running on {programme_date}, later than "
                f"this record's status date",
                f"if the work goes on in this country, set status_as_of to {programme_date} (and cite the programme's "
                "source); if it stopped, set status_code to completed", code="ongoing_behind_programme"))
    return out[:MAX_PER_RULE]


def _ongoing_yet_ended(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """An ongoing record cannot have ended on or before the date its status was true."""
    out: list[Problem] = []
    for table in ("engagements", "programmes"):
        t = tables.get(table)
        if t is None:
            continue
        df = t.frame
        end, as_of = _years(df["end_year"]), _years(df["status_as_of"])
        bad = (df["status_code"] == "ongoing") & (end <= as_of).fillna(False)
        for i in df.index[bad][:MAX_PER_RULE]:
            out.append(Problem(
                t.resource.path, t.lines[i], "end_year", df.at[i, "end_year"],
                f"the status is ongoing, yet the record ends in {df.at[i, 'end_year']}, on or before its "
                f"status date {df.at[i, 'status_as_of']}",
                "if the work was still under way on the status date, leave end_year empty (a window or a "
                "planned end goes in the description or evidence); if it had ended, set status_code to completed", code="ongoing_yet_ended"))
    return out


def _units(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """A figure's unit is the unit of its metric code (codes/metric.csv): one code, one unit."""
    metrics, codes = tables.get("metrics"), tables.get("metric")
    if metrics is None or codes is None or "unit_code" not in codes.frame:
        return []
    unit_of = dict(zip(codes.frame["metric_code"], codes.frame["unit_code"]))
    df = metrics.frame
    expected = _lookup(df["metric_code"], pd.Series(list(unit_of), dtype="str"), pd.Series(list(unit_of.values()), dtype="str"))
    bad = expected.notna() & (df["unit_code"] != "") & (df["unit_code"] != expected)
    out = []
    for i in df.index[bad][:MAX_PER_RULE]:
        unit, code = df.at[i, "unit_code"], df.at[i, "metric_code"]
        out.append(Problem(
            metrics.resource.path, metrics.lines[i], "unit_code", unit,
            f"the unit differs from the unit of {code}, which counts {expected[i]}",
            f"write {expected[i]}; if the figure really counts {unit}, use a metric code whose unit is {unit} "
            "(or add one to codes/metric.csv)", code="unit_mismatch"))
    return out


def _figures_without_value(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """A figure needs a value: no qualifier (exactly, more than, about, …) describes a missing number."""
    t = tables.get("metrics")
    if t is None:
        return []
    df = t.frame
    out = []
    for i in df.index[df["value"] == ""][:MAX_PER_RULE]:
        out.append(Problem(
            t.resource.path, t.lines[i], "value", "",
            f"the figure has no value, yet its qualifier '{df.at[i, 'qualifier_code']}' describes a number",
            "a figure needs a value; when a source gives none, add no row and note the gap in the notes "
            "of the source in sources.csv", code="figure_without_value"))
    return out


def _public_rests_on_board(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """A public record cannot rest on a board-only one: its source, its programme or its whole must be public too
    (else the public view would show a record that points at something it withholds)."""
    def board(name: str, key: str) -> set[str]:
        t = tables.get(name)
        if t is None or "audience_code" not in t.frame:
            return set()
        return set(t.frame.loc[t.frame["audience_code"] == "board", key])

    hidden = {"source_id": board("sources", "source_id"), "programme_id": board("programmes", "programme_id"),
              "part_of_engagement_id": board("engagements", "engagement_id")}
    out: list[Problem] = []
    for table in record_tables:
        t = tables.get(table)
        if t is None or "audience_code" not in t.frame:
            continue
        df = t.frame
        public = df["audience_code"] != "board"
        for col, ids in hidden.items():
            if col not in df or not ids:
                continue
            for i in df.index[public & df[col].isin(ids)][:MAX_PER_RULE]:
                out.append(Problem(t.resource.path, t.lines[i], col, df.at[i, col],
                                   f"a public record rests on '{df.at[i, col]}', which only the board may see",
                                   "mark this record board as well (audience_code), or make what it rests on public",
                                   code="public_rests_on_board"))
    return out[:MAX_PER_RULE]


def _one_policy(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """The safeguarding policy is one row: one threshold, one statement per language."""
    t = tables.get("policy")
    if t is None or len(t.frame) == 1:
        return []
    return [Problem(t.resource.path, t.lines[1] if len(t.lines) > 1 else None, None, str(len(t.frame)),
                    f"the policy has {len(t.frame)} rows; it must have exactly one",
                    "keep one row: the smallest count shown publicly and the published statement in each language",
                    code="policy_rows")]
