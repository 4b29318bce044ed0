"""Rules for results against targets: a figure measured against a target measures the same thing.

A reported figure names the target it reports progress on in `target_metric_id` (a baseline is such a
figure with `is_baseline`). These rules refuse what would make a share of a target meaningless or
dishonest: a pair of different metrics, units, scopes, programmes or countries; a target counted as
progress; progress dated before its programme began. `rules.check_rules` runs them with the others.
"""

from __future__ import annotations

import pandas as pd

from .arrowtext import whole_numbers
from .checks import TRUE
from .csvread import RawTable
from .problems import MAX_PER_RULE, Problem

# What a figure and its target must share, and the Problem code when they do not.
PAIRED = (("metric_code", "pair_metric_mismatch", "counts something else"),
          ("unit_code", "pair_unit_mismatch", "counts in another unit"),
          ("scope_code", "pair_scope_mismatch", "has another scope"),
          ("programme_id", "pair_programme_mismatch", "belongs to another programme"),
          ("country_iso3", "pair_country_mismatch", "belongs to another country"))


def check_result_rules(tables: dict[str, RawTable], record_tables: dict[str, str]) -> list[Problem]:
    """Every rule on targets, achievements and baselines (metrics.csv)."""
    t = tables.get("metrics")
    if t is None or "target_metric_id" not in t.frame:
        return []
    df = t.frame
    is_target = df["is_target"].str.lower().isin(TRUE)
    is_baseline = df["is_baseline"].str.lower().isin(TRUE) if "is_baseline" in df else pd.Series(False, df.index)
    linked = df["target_metric_id"] != ""
    out: list[Problem] = []

    def add(i, column: str, message: str, hint: str, code: str) -> None:
        if len(out) < MAX_PER_RULE:
            out.append(Problem(t.resource.path, t.lines[i], column, df.at[i, column], message, hint, code=code))

    for i in df.index[is_target & linked]:
        add(i, "target_metric_id", "a target cannot count as progress against a target",
            "a target states what was promised: leave target_metric_id empty on it (and is_target false on "
            "the figure that reports what was achieved)", "target_counted_as_achieved")
    for i in df.index[is_target & is_baseline]:
        add(i, "is_baseline", "a target cannot also be a baseline",
            "set is_baseline to false, or is_target to false if the row is the value before the work began",
            "target_is_baseline")
    for i in df.index[is_baseline & ~linked & ~is_target]:
        add(i, "target_metric_id", "a baseline must name the target it is the starting point of",
            "write the metric_id of the target in target_metric_id, or set is_baseline to false",
            "baseline_without_target")

    row_of = {mid: i for i, mid in zip(df.index, df["metric_id"])}
    programme_start = _programme_starts(tables.get("programmes"))
    end = whole_numbers(df["end_year"])
    start = whole_numbers(df["start_year"])
    for i in df.index[linked & ~is_target]:
        target_id = df.at[i, "target_metric_id"]
        j = row_of.get(target_id)
        if j is None:
            continue  # the foreign-key check names it
        if not is_target[j]:
            add(i, "target_metric_id", f"'{target_id}' is not a target (its is_target is false)",
                "name a row whose is_target is true: progress is measured against what was promised",
                "pair_not_a_target")
            continue
        for column, code, what in PAIRED:
            mine, theirs = df.at[i, column], df.at[j, column]
            if mine != theirs:
                add(i, column, f"the figure {what} than its target '{target_id}' "
                    f"({mine or 'none'} here, {theirs or 'none'} there)",
                    f"a figure and its target must measure the same thing: write {theirs or 'nothing'} here, or "
                    "link the figure to a target that measures what it counts (or to none)", code)
        if is_baseline[i]:
            continue  # a baseline is the value before the work began
        began = programme_start.get(df.at[j, "programme_id"], float("nan"))
        began = start[j] if pd.isna(began) else began  # no programme, or its start unknown: the target's
        if pd.notna(end[i]) and pd.notna(began) and end[i] < began:
            add(i, "end_year", f"progress dated {int(end[i])}, before its programme began ({int(began)})",
                "correct the year, or mark the row as the baseline (is_baseline true) if it is the value "
                "before the work began", "achievement_before_start")
    return out


def _programme_starts(programmes: RawTable | None) -> dict[str, float]:
    """Programme id -> its start year (NaN when unknown)."""
    if programmes is None:
        return {}
    p = programmes.frame
    return dict(zip(p["programme_id"], whole_numbers(p["start_year"])))
