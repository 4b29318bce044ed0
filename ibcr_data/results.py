"""Results against targets: what IBCR set out to achieve, and how far it has got (plain pandas).

A target is a figure with `is_target` (what was promised, by when). A reported figure is progress on
it when it names it in `target_metric_id` (result_rules.py makes sure the two measure the same thing
and that a target never counts as progress); a baseline is such a figure with `is_baseline`.

Targets that measure the same thing (same metric code, unit, programme, country and scope, and the
same year for annual and snapshot figures) are one `Result`: two targets there are sources that
disagree about the promise, and each keeps its own share and status, side by side.

How a result is counted (worded for readers as "results.how"):
- the figure reached is the latest reported (a stated date before an inferred one, then the latest
  year, the longer period, the surer confidence: the rule of the headline cards);
- the share is that figure ÷ the target as stated, qualified as the figures are ("more than 70 of
  about 100" is "at least 70 %"); a baseline is shown beside it, not subtracted;
- the time elapsed is the part of the target's years gone by at the year of that figure (whole
  years, the figure's year counted in full), or at the year the data are as of when none is reported;
- the status: reached (100 % or more); ended short (time is up, or the figure is dated at the end);
  ahead of time (a share at least the time elapsed); behind time; no progress reported (nothing
  reported against it, never 0 %); withheld, when the view withholds either number (ibcr_data.audience).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# NOTE: a row becomes a figure as the headline cards make it (one place says how).
from .aggregate import CONFIDENCE_RANK, HeadlineNumber, _figure_from_row
from .filters import View
from .model import Dataset

STATUSES = ("reached", "ahead", "behind", "ended_short", "no_progress", "withheld")
MIXED = "mixed"  # targets that disagree give different statuses
# How a share is bounded, from the achieved figure's qualifier (a target that is not exact makes an exact share "about").
SHARE_BOUND = {"exactly": "exactly", "more_than": "at_least", "at_least": "at_least", "about": "about",
               "nearly": "nearly", "range": "range"}
KEY = ["metric_code", "unit_code", "programme_id", "country_iso3", "scope_code"]
DATED_SCOPES = ("annual", "snapshot")  # a target of these scopes is for one year: its year is part of what it measures


@dataclass(frozen=True)
class Share:
    """How far one target has got: the share reached, the time elapsed, and what that means."""

    target: HeadlineNumber
    pct: float | None  # achieved ÷ target × 100 (None: nothing reported)
    pct_max: float | None = None  # the high end, when the achieved figure or the target is a range
    bound: str = "exactly"  # exactly | at_least | about | nearly | range
    time_elapsed: float | None = None  # 0..1, at `judged_year` (None: the target's years are not known)
    judged_year: int | None = None  # the year the share and the time are taken at
    status: str = "no_progress"


@dataclass(frozen=True)
class Result:
    """One thing promised: its target(s), what was achieved against it, and how far it has got."""

    key: str  # the metric_id of its lead target
    measures: tuple  # what it measures (KEY, then the year of an annual or snapshot target): the same across versions
    metric_code: str
    unit_code: str
    scope_code: str
    programme_id: str | None
    country_iso3: str | None
    targets: tuple[HeadlineNumber, ...]
    achievements: tuple[HeadlineNumber, ...]  # every figure reported against it, oldest first
    latest: HeadlineNumber | None  # the one the share is taken from
    baseline: HeadlineNumber | None
    shares: tuple[Share, ...]  # one per target, in the order of `targets`
    as_of_year: int  # the year the results are judged at

    @property
    def status(self) -> str:
        """The status, or MIXED when targets that disagree give different ones."""
        found = {s.status for s in self.shares}
        return found.pop() if len(found) == 1 else MIXED

    @property
    def conflict_id(self) -> str | None:
        return next((t.conflict_id for t in self.targets if t.conflict_id), None)

    @property
    def metric_ids(self) -> tuple[str, ...]:
        """Every record the result rests on: targets, baseline, achievements."""
        figs = (*self.targets, *((self.baseline,) if self.baseline else ()), *self.achievements)
        return tuple(f.metric_id for f in figs if f.metric_id)


def all_results(ds: Dataset, up_to_year: int | None = None) -> tuple[Result, ...]:
    """Every target of the data with its progress, judged at the data's year (or at `up_to_year`).

    NOTE: worked out once per dataset and year, and shared (the Results are frozen).
    """
    memo = ds.derived.setdefault("results", {})
    if up_to_year not in memo:
        memo[up_to_year] = _results(ds, up_to_year)
    return memo[up_to_year]


def results_in_view(ds: Dataset, view: View) -> tuple[Result, ...]:
    """The results whose targets are in view (the figures' filters: years, place, programme).

    With years chosen, only progress reported by the last of them counts, judged at that year.
    """
    up_to = view.filters.years[1] if view.filters.years else None
    results = all_results(ds, up_to)
    if len(view.metrics) == len(ds.metrics):
        return results
    shown = set(view.metrics.loc[view.metrics["is_target"], "metric_id"])
    return tuple(r for r in results if any(t.metric_id in shown for t in r.targets))


def results_of_programme(ds: Dataset, programme_id: str) -> tuple[Result, ...]:
    return tuple(r for r in all_results(ds) if r.programme_id == programme_id)


def status_counts(results: tuple[Result, ...]) -> dict[str, int]:
    """How many results have each status, in STATUSES order (then MIXED), zeros left out."""
    counts = {s: 0 for s in (*STATUSES, MIXED)}
    for r in results:
        counts[r.status] += 1
    return {s: n for s, n in counts.items() if n}


def _results(ds: Dataset, up_to_year: int | None) -> tuple[Result, ...]:
    """Every result, worked out on plain records.

    NOTE: a pandas group per target took a minute for the 12,000 targets of the 1,000x data; records
    and dictionaries take well under a second.
    """
    m = ds.metrics
    as_of = ds.as_of_year if up_to_year is None else min(up_to_year, ds.as_of_year)
    targets = m[m["is_target"]]
    if targets.empty:
        return ()
    linked = m[m["target_metric_id"].notna() & ~m["is_target"]]
    if up_to_year is not None:  # as latest_reported: with years chosen, an inferred date cannot be placed
        linked = linked[(linked["end_year"] <= up_to_year) & (linked["period_confidence_code"] != "inferred")]
    starts = dict(zip(ds.programmes["programme_id"], ds.programmes["start_year"]))
    dated = targets["scope_code"].isin(DATED_SCOPES)
    years = targets["end_year"].where(dated, -1).astype("int64")
    keys = zip(*(targets[c].astype("object").where(targets[c].notna(), "") for c in KEY), years)
    groups: dict[tuple, list[dict]] = {}
    for key, record in zip(keys, _records(targets)):
        groups.setdefault(key, []).append(record)
    by_target: dict[str, list[dict]] = {}
    for record in _records(linked):
        by_target.setdefault(record["target_metric_id"], []).append(record)
    return tuple(_result(measures, members, [r for t in members for r in by_target.get(t["metric_id"], ())],
                         starts, as_of) for measures, members in groups.items())


def _result(measures: tuple, targets: list[dict], linked: list[dict], starts: dict, as_of: int) -> Result:
    targets = sorted(targets, key=lambda r: (*_rank(r), _number(r["value"])))  # the lead first; a tie: the smaller
    first = targets[0]
    code = first["metric_code"]
    figs = tuple(_figure_from_row(code, r) for r in targets)
    progress = sorted((r for r in linked if not r["is_baseline"]), key=lambda r: (r["end_year"], r["metric_id"]))
    baselines = [r for r in linked if r["is_baseline"]]
    latest = _figure_from_row(code, min(progress, key=_rank)) if progress else None
    programme = _text(first["programme_id"])
    began = starts.get(programme)
    return Result(
        key=first["metric_id"], measures=measures, metric_code=code, unit_code=first["unit_code"],
        scope_code=first["scope_code"], programme_id=programme, country_iso3=_text(first["country_iso3"]),
        targets=figs, achievements=tuple(_figure_from_row(code, r) for r in progress), latest=latest,
        baseline=_figure_from_row(code, min(baselines, key=_rank)) if baselines else None,
        shares=tuple(_share(t, latest, began, as_of) for t in figs), as_of_year=as_of)


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dictionaries (what a figure is made from), without the evidence column.

    NOTE: column by column as NumPy objects: `to_dict("records")` walks Arrow text cell by cell, half a
    second on the 1,000x data.
    """
    columns = [c for c in frame.columns if c != "evidence"]
    values = [frame[c].to_numpy(dtype=object) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def _rank(r: dict) -> tuple:
    """The lead rule of the headline cards (aggregate._latest_reported), as a sort key: smallest leads.

    A stated date before an inferred one, then the latest year, the longer period (an unknown start
    counts as the longest), the surer confidence.
    """
    start = _number(r["start_year"])
    return (r["period_confidence_code"] == "inferred", -_number(r["end_year"]),
            float("-inf") if start != start else start, CONFIDENCE_RANK.get(r["confidence_code"], 9))


def _number(v) -> float:
    return float("nan") if v is None or pd.isna(v) else float(v)


def _text(v) -> str | None:
    return v if isinstance(v, str) else None


def _share(target: HeadlineNumber, achieved: HeadlineNumber | None, programme_start, as_of: int) -> Share:
    start = target.start_year if target.start_year is not None else _year(programme_start)
    end = target.end_year
    judged = achieved.end_year if achieved is not None and achieved.end_year is not None else as_of
    elapsed = _elapsed(start, end, judged)
    if target.is_withheld or (achieved is not None and achieved.is_withheld):  # the safeguarding policy: no share
        return Share(target, None, time_elapsed=elapsed, judged_year=judged, status="withheld")
    if achieved is None or achieved.value is None or not target.value:
        return Share(target, None, time_elapsed=elapsed, judged_year=judged)
    low_target = target.value
    high_target = target.value_max if target.qualifier == "range" and target.value_max else target.value
    pct = 100 * achieved.value / high_target
    top = achieved.value_max if achieved.qualifier == "range" and achieved.value_max else achieved.value
    pct_max = 100 * top / low_target
    bound = SHARE_BOUND.get(achieved.qualifier, "about")
    if bound == "exactly" and target.qualifier != "exactly":
        bound = "about"
    if pct_max != pct:
        bound = "range"
    ended = (end is not None and as_of > end) or (elapsed is not None and elapsed >= 1)
    if pct >= 100 and bound != "nearly":
        status = "reached"
    elif ended:
        status = "ended_short"
    elif elapsed is not None and pct >= 100 * elapsed:
        status = "ahead"
    else:
        status = "behind"
    return Share(target, pct, pct_max if bound == "range" else None, bound, elapsed, judged, status)


def _elapsed(start: int | None, end: int | None, year: int) -> float | None:
    """The part of the years start..end gone by at the end of `year` (0..1), None when either is unknown."""
    if start is None or end is None or end < start:
        return None
    return min(1.0, max(0.0, (year - start + 1) / (end - start + 1)))


def _year(v) -> int | None:
    return None if v is None or pd.isna(v) else int(v)
