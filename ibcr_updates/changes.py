"""What changed between two versions, said the way a board reads it.

Countries newly engaged (and no longer), engagements started, ended or with a new status, the
headline figures that moved (each value with its sources), progress against targets, and the
other records corrected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ibcr_data import Dataset, Filters, HeadlineNumber, Result, all_results, apply_filters, headline_figures

from .compare import Comparison, FieldChange, compare


@dataclass(frozen=True)
class EngagementChange:
    """An engagement started, ended or with a new status; `added` when the record is new."""

    engagement_id: str
    country_iso3: str
    kind_code: str
    old: str = ""  # the old value (status code or year), "" when unknown or new
    new: str = ""
    added: bool = False


@dataclass(frozen=True)
class HeadlineChange:
    key: str
    old: float | None
    new: float | None
    old_source_ids: tuple[str, ...] = ()
    new_source_ids: tuple[str, ...] = ()
    old_figure: HeadlineNumber | None = None
    new_figure: HeadlineNumber | None = None


@dataclass(frozen=True)
class ResultChange:
    """A target whose progress (or whose promise) changed; `old` or `new` is None for a target added or removed."""

    old: Result | None
    new: Result | None

    @property
    def result(self) -> Result:
        return self.new if self.new is not None else self.old


@dataclass(frozen=True)
class Correction:
    table: str
    key: str
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Changes:
    countries_engaged: tuple[str, ...] = ()  # ISO3, newly engaged (programme work, not venues)
    countries_no_longer: tuple[str, ...] = ()
    started: tuple[EngagementChange, ...] = ()
    ended: tuple[EngagementChange, ...] = ()
    status_changed: tuple[EngagementChange, ...] = ()
    headlines: tuple[HeadlineChange, ...] = ()
    results: tuple[ResultChange, ...] = ()
    corrected: tuple[Correction, ...] = ()
    comparison: Comparison = field(default_factory=Comparison, repr=False)

    @property
    def is_empty(self) -> bool:
        return self.comparison.is_empty

    def text(self, names: dict[str, str] | None = None) -> str:
        """Plain English lines for the board; `names` maps ISO3 codes to country names."""
        names = names or {}
        out = []

        def country(code: str) -> str:
            return names.get(code, code)

        if self.countries_engaged:
            out.append("Countries newly engaged: " + ", ".join(map(country, self.countries_engaged)))
        if self.countries_no_longer:
            out.append("Countries no longer engaged: " + ", ".join(map(country, self.countries_no_longer)))
        for title, items in (("Engagements started", self.started), ("Engagements ended", self.ended)):
            if items:
                out.append(f"{title}:")
                out += [f"  {c.engagement_id} ({country(c.country_iso3)}, {c.kind_code})"
                        + (" — new record" if c.added else f": {c.old or '(empty)'} → {c.new}") for c in items]
        if self.status_changed:
            out.append("Status changed:")
            out += [f"  {c.engagement_id} ({country(c.country_iso3)}): {c.old} → {c.new}" for c in self.status_changed]
        if self.headlines:
            out.append("Headline figures:")
            out += [f"  {h.key}: {_num(h.old)} ({', '.join(h.old_source_ids) or 'computed'}) → {_num(h.new)} "
                    f"({', '.join(h.new_source_ids) or 'computed'})" for h in self.headlines]
        if self.results:
            out.append("Progress against targets:")
            out += [f"  {_result_name(c.result)}: {_progress_text(c.old)} → {_progress_text(c.new)}" for c in self.results]
        if self.corrected:
            out.append("Records corrected:")
            out += [f"  {c.table} {c.key}: {', '.join(f.field for f in c.fields)}" for c in self.corrected]
        return "\n".join(out) or "Nothing changed."


def what_changed(old: Dataset, new: Dataset, as_of_year: int | None = None,
                 comparison: Comparison | None = None) -> Changes:
    """What changed from `old` to `new`; pass `comparison` if you already have compare(old, new)."""
    cmp = comparison if comparison is not None else compare(old, new)
    year = as_of_year or date.today().year
    before_countries = _engaged(old)
    after_countries = _engaged(new)
    eng = cmp.tables.get("engagements")
    new_eng = new.engagements.set_index("engagement_id", drop=False)
    started, ended, status = [], [], []
    explained: dict[str, set[str]] = {}
    if eng is not None:
        for key in eng.added:
            r = new_eng.loc[key]
            started.append(EngagementChange(key, r["country_iso3"], r["kind_code"], "", _year(r["start_year"]), True))
        for rc in eng.changed:
            r = new_eng.loc[rc.key]
            ids = (rc.key, r["country_iso3"], r["kind_code"])
            reported = set()
            f = rc.field("start_year")
            if f is not None and f.old == "" and f.new != "":
                started.append(EngagementChange(*ids, f.old, f.new))
                reported |= {"start_year", "start_date"}
            s = rc.field("status_code")
            e = rc.field("end_year")
            if s is not None:
                status.append(EngagementChange(*ids, s.old, s.new))
                reported |= {"status_code", "status_as_of"}
                if s.new == "completed":
                    ended.append(EngagementChange(*ids, s.old, s.new))
            if e is not None and e.old == "" and e.new != "":
                if s is None or s.new != "completed":
                    ended.append(EngagementChange(*ids, e.old, e.new))
                reported |= {"end_year", "end_date"}
            explained[rc.key] = reported
    corrected = []
    for name, t in cmp.tables.items():
        for rc in t.changed:
            skip = explained.get(rc.key, set()) if name == "engagements" else set()
            rest = tuple(f for f in rc.fields if f.field not in skip)
            if rest:
                corrected.append(Correction(name, rc.key, rest))
    return Changes(
        countries_engaged=tuple(sorted(after_countries - before_countries)),
        countries_no_longer=tuple(sorted(before_countries - after_countries)),
        started=tuple(started), ended=tuple(ended), status_changed=tuple(status),
        headlines=_headlines(old, new, year), results=_results(old, new), corrected=tuple(corrected), comparison=cmp,
    )


def _engaged(ds: Dataset) -> set[str]:
    eng = ds.engagements
    return set(eng.loc[~eng["is_venue"], "country_iso3"].dropna())


def _headlines(old: Dataset, new: Dataset, year: int) -> tuple[HeadlineChange, ...]:
    before = {f.key: f for f in headline_figures(old, apply_filters(old, Filters()), year)}
    after = {f.key: f for f in headline_figures(new, apply_filters(new, Filters()), year)}
    out = []
    for key in dict.fromkeys([*after, *before]):
        a, b = before.get(key), after.get(key)
        if _claim(a) != _claim(b):
            out.append(HeadlineChange(key, a.value if a else None, b.value if b else None,
                                      a.source_ids if a else (), b.source_ids if b else (), a, b))
    return tuple(out)


def _results(old: Dataset, new: Dataset) -> tuple[ResultChange, ...]:
    """Targets whose progress or promise changed (the time gone by alone is no change)."""
    before = {r.measures: r for r in all_results(old)}
    after = {r.measures: r for r in all_results(new)}
    return tuple(ResultChange(before.get(k), after.get(k)) for k in dict.fromkeys([*after, *before])
                 if _progress(before.get(k)) != _progress(after.get(k)))


def _progress(r: Result | None) -> tuple | None:
    if r is None:
        return None
    return (tuple(_claim(t) for t in r.targets), _claim(r.latest), tuple(s.status for s in r.shares))


def _result_name(r: Result) -> str:
    return " ".join(filter(None, [r.programme_id, r.metric_code, r.country_iso3]))


def _progress_text(r: Result | None) -> str:
    if r is None:
        return "no target"
    if r.latest is None:
        return "no progress reported"
    share = r.shares[0]
    return f"{share.pct:,.0f}% of {_num(share.target.value)} ({r.latest.end_year}, {share.status})"


def _claim(f: HeadlineNumber | None) -> tuple | None:
    return None if f is None else (f.value, f.value_max, f.qualifier, f.scope, f.start_year, f.end_year, f.source_ids)


def _year(v) -> str:
    try:
        return str(int(v))
    except (TypeError, ValueError):
        return ""


def _num(v: float | None) -> str:
    if v is None:
        return "none"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"
