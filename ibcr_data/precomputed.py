"""Integer codes and ready-made tables, worked out once per dataset, so filters and counts skip text.

At 1,000 times the real data, comparing and grouping text columns row by row is most of a page run.
Here each column a filter or a count reads becomes small integers once, on first use, and a view
remembers which engagements it holds (`Selection`), so narrowing and counting are array arithmetic.
NOTE: nothing here changes what callers see: the frames of `Dataset` and `View` are as before, and
every function that uses these codes falls back to the plain pandas code for a view built by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .model import Dataset

STATUS_RANK = {"ongoing": 0, "planned": 1, "completed": 2, "unknown": 3}


class Codes:
    """One text column as integers: row i holds `values[codes[i]]`; a missing cell holds len(values)."""

    def __init__(self, s: pd.Series):
        codes, uniques = pd.factorize(s, sort=True)  # sorted: code order is text order
        self.values = pd.Index(uniques, dtype="str")
        self.codes = np.where(codes < 0, len(uniques), codes).astype(np.intp)

    @property
    def size(self) -> int:
        """Number of codes, the slot of missing cells included."""
        return len(self.values) + 1

    def table(self, allowed: Iterable[str]) -> np.ndarray:
        """True at the code of each allowed value; the missing slot is never allowed (as in `isin`)."""
        out = np.zeros(self.size, dtype=bool)
        at = self.values.get_indexer(list(allowed))
        out[at[at >= 0]] = True
        return out

    def isin(self, allowed: Iterable[str]) -> np.ndarray:
        return self.table(allowed)[self.codes]


@dataclass(frozen=True)
class Selection:
    """The engagements a view holds, as ascending row positions in `source`'s dataset (None: all)."""

    source: Precomputed
    engagements: np.ndarray | None


def index_of(ds: Dataset) -> Precomputed:
    """The codes and tables of one dataset, made on first use and kept with it."""
    index = ds.derived.get("precomputed")
    if index is None:
        index = ds.derived.setdefault("precomputed", Precomputed(ds))
    return index


class Precomputed:
    """Codes and tables for one dataset, each built the first time something needs it."""

    def __init__(self, ds: Dataset):
        self.ds = ds

    # Engagements

    @cached_property
    def country(self) -> Codes:
        return Codes(self.ds.engagements["country_iso3"])

    @cached_property
    def kind(self) -> Codes:
        return Codes(self.ds.engagements["kind_code"])

    @cached_property
    def status(self) -> Codes:
        return Codes(self.ds.engagements["status_code"])

    @cached_property
    def status_as_of(self) -> Codes:
        return Codes(self.ds.engagements["status_as_of"])

    @cached_property
    def programme(self) -> Codes:
        return Codes(self.ds.engagements["programme_id"])

    def codes(self, column: str) -> Codes:
        """The codes of an engagements column a filter tests (see filters.DIMENSIONS)."""
        return {"country_iso3": self.country, "kind_code": self.kind, "status_code": self.status,
                "programme_id": self.programme}[column]

    @cached_property
    def years(self) -> tuple[np.ndarray, np.ndarray]:
        eng = self.ds.engagements
        return eng["year_from"].to_numpy("float64"), eng["year_to"].to_numpy("float64")

    @cached_property
    def is_venue(self) -> np.ndarray:
        return self.ds.engagements["is_venue"].to_numpy(bool)

    @cached_property
    def is_counted(self) -> np.ndarray:
        return self.ds.engagements["is_counted"].to_numpy(bool)

    # Events and reported figures: place, programme and the years they cover

    @cached_property
    def event_columns(self) -> tuple[Codes, Codes, np.ndarray, np.ndarray]:
        ev = self.ds.events
        start = ev["start_year"].astype("float64")
        return (Codes(ev["country_iso3"]), Codes(ev["programme_id"]), start.to_numpy(),
                ev["end_year"].astype("float64").fillna(start).to_numpy())

    @cached_property
    def metric_columns(self) -> tuple[Codes, Codes, np.ndarray, np.ndarray]:
        m = self.ds.metrics
        end = m["end_year"].astype("float64")
        return (Codes(m["country_iso3"]), Codes(m["programme_id"]),
                m["start_year"].astype("float64").fillna(end).to_numpy(), end.to_numpy())

    # Programmes

    @cached_property
    def programme_rows(self) -> np.ndarray:
        """For each row of the programmes table, the code of its id among the engagements' programmes."""
        at = self.programme.values.get_indexer(self.ds.programmes["programme_id"])
        return np.where(at < 0, len(self.programme.values), at)

    @cached_property
    def engaged_programmes(self) -> pd.DataFrame:
        progs = self.ds.programmes
        return progs[progs["has_engagement"]]

    def programmes_of(self, rows: np.ndarray | None) -> pd.DataFrame:
        """The programmes that the engagements at `rows` belong to (a fresh frame each call)."""
        if rows is None:
            return self.engaged_programmes.copy(deep=False)
        used = np.zeros(self.programme.size, dtype=bool)
        used[self.programme.codes[rows]] = True
        used[-1] = False  # engagements with no programme
        return self.ds.programmes[used[self.programme_rows]]

    # Reported figures, by kind

    @cached_property
    def figures_by_metric(self) -> dict[str, pd.DataFrame]:
        reported = self.ds.organisation_figures
        return {str(code): rows for code, rows in reported.groupby("metric_code", sort=False)}

    @cached_property
    def reported(self) -> dict[tuple, object]:
        """`latest_reported` answers, by their arguments (filled by aggregate.py)."""
        return {}

    @cached_property
    def founded(self) -> int:
        ev = self.ds.events
        return int(ev.loc[ev["category_code"] == "founding", "start_year"].min())

    @cached_property
    def founding_source(self) -> str:
        """The source of the earliest founding milestone (what the years-active card rests on)."""
        ev = self.ds.events
        return str(ev.loc[ev["category_code"] == "founding"].sort_values("start_year")["source_id"].iloc[0])

    # Tables over every engagement, that a view narrows by position

    @cached_property
    def _timelines(self) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
        return {}

    def timeline(self, group_by: str, build) -> tuple[pd.DataFrame, np.ndarray]:
        """The timeline of every engagement (by `build`) and the engagement row of each of its rows."""
        if group_by not in self._timelines:
            eng = self.ds.engagements
            frame = build(eng.assign(_row=np.arange(len(eng))))
            self._timelines[group_by] = (frame.drop(columns="_row"), frame["_row"].to_numpy())
        return self._timelines[group_by]


def selection(view, ds: Dataset) -> Selection | None:
    """The rows a view holds, when `apply_filters` made it from `ds`; None for a view built otherwise."""
    sel = getattr(view, "selection", None)
    return sel if sel is not None and sel.source is index_of(ds) else None


def narrowed(frame: pd.DataFrame, rows_of_frame: np.ndarray, rows: np.ndarray | None, n: int) -> pd.DataFrame:
    """The rows of a table built over every engagement that belong to the engagements at `rows`."""
    if rows is None:
        return frame.copy(deep=False)
    keep = np.zeros(n, dtype=bool)
    keep[rows] = True
    return frame[keep[rows_of_frame]].reset_index(drop=True)


def per_country(pre: Precomputed, rows: np.ndarray | None) -> pd.DataFrame:
    """The counts of `engagements_per_country` for the engagements at `rows`, from codes.

    Same rules: the count is of pieces of work (the records counted, see load._with_regions); kind
    and status come from work, or from the place rows of a country with no work (a venue or an
    office only); the status is the one of the latest status date, ties going to the more active one.
    """
    def pick(a: np.ndarray) -> np.ndarray:
        return a if rows is None else a[rows]

    c, k, s = pick(pre.country.codes), pick(pre.kind.codes), pick(pre.status.codes)
    as_of, venue = pick(pre.status_as_of.codes), pick(pre.is_venue)
    year_from, year_to = (pick(y) for y in pre.years)
    n_c, n_k = pre.country.size, pre.kind.size
    records = np.bincount(c, minlength=n_c)
    count = np.bincount(c, weights=pick(pre.is_counted), minlength=n_c)
    venues = np.bincount(c, weights=venue, minlength=n_c)
    present = np.flatnonzero(records[:-1])  # a missing country is no row (as in groupby)
    venue_only = venues == records
    first = np.full(n_c, np.inf)
    np.fmin.at(first, c, year_from)
    last = np.full(n_c, -np.inf)
    np.fmax.at(last, c, year_to)
    kinds_seen = np.bincount(c * n_k + k, minlength=n_c * n_k).reshape(n_c, n_k)[:, :-1] > 0

    basis = ~venue | venue_only[c]
    kind_n = np.bincount(c[basis] * n_k + k[basis], minlength=n_c * n_k).reshape(n_c, n_k)
    kind_n[:, -1] = 0  # a missing kind is never the main one (groupby drops it)
    # The first of equal counts wins: the kind first in text order. No count at all: no kind.
    main_kind = np.where(kind_n.max(axis=1) > 0, kind_n.argmax(axis=1), n_k - 1)
    dated = np.where(as_of < len(pre.status_as_of.values), as_of, -1)  # a missing date is never the latest
    latest_date = np.full(n_c, -1)
    np.maximum.at(latest_date, c[basis], dated[basis])
    latest = basis & (dated == latest_date[c]) & (dated >= 0)
    rank = np.array([STATUS_RANK.get(v, len(STATUS_RANK)) for v in pre.status.values] + [len(STATUS_RANK)])
    order = rank[s].astype(np.int64) * (len(c) + 1) + np.arange(len(c))  # the best rank, then the first row
    none = np.iinfo(np.int64).max
    best = np.full(n_c, none)
    np.minimum.at(best, c[latest], order[latest])
    status = np.full(n_c, pre.status.size - 1)
    has = best < none
    status[has] = s[best[has] % (len(c) + 1)]

    def text(codes: Codes, at: np.ndarray) -> pd.Series:
        """Codes back to text; the missing slot becomes a missing value."""
        return pd.Series(np.append(codes.values.to_numpy(dtype=object), None)[at], dtype="str")

    def years(a: np.ndarray) -> pd.Series:
        return pd.Series(np.where(np.isfinite(a[present]), a[present], np.nan)).astype("Int64")

    kind_names = pre.kind.values.to_numpy(dtype=object)
    return pd.DataFrame({
        "country_iso3": text(pre.country, present),
        "engagement_count": count[present].astype("int64"),
        "main_kind_code": text(pre.kind, main_kind[present]),
        "status_code": text(pre.status, status[present]),
        "is_venue_only": venue_only[present],
        "kinds": pd.Series(["; ".join(kind_names[kinds_seen[i]]) for i in present], dtype="str"),
        "first_year": years(first),
        "last_year": years(last),
    })


def work_in_view(pre: Precomputed, rows: np.ndarray | None) -> tuple[int, int, int]:
    """For the engagements at `rows`: the countries with work, the countries that are only venues or offices,
    and the pieces of work counted."""
    c = pre.country.codes if rows is None else pre.country.codes[rows]
    counted = pre.is_counted if rows is None else pre.is_counted[rows]
    venue = pre.is_venue if rows is None else pre.is_venue[rows]
    work = np.zeros(pre.country.size, dtype=bool)
    work[c[~venue]] = True
    held = np.zeros(pre.country.size, dtype=bool)
    held[c[venue]] = True
    return int(work.sum()), int((held & ~work).sum()), int(counted.sum())
