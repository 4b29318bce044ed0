"""Pure aggregations the pages need: headline figures, per-country counts, timelines, profiles.

NOTE: reported figures are never added together. A figure is annual, cumulative, for one
programme, or a snapshot; each function here picks or lists figures, and refuses to mix scopes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from .filters import View
from .model import Dataset
from .precomputed import STATUS_RANK, index_of, narrowed, per_country, selection, work_in_view

CONFIDENCE_RANK = {"exact": 0, "approximate": 1, "inferred": 2}
ESTIMATE_METRICS = frozenset({"children_reached"})


@dataclass(frozen=True)
class HeadlineNumber:
    """One number for a headline card, with how it was counted and where it comes from."""

    key: str
    value: float | None
    qualifier: str = "exactly"
    scope: str = "computed"
    start_year: int | None = None
    end_year: int | None = None
    source_ids: tuple[str, ...] = ()
    confidence: str = "exact"
    is_estimate: bool = False
    value_max: float | None = None
    metric_id: str | None = None
    is_target: bool = False
    conflict_id: str | None = None
    alternatives: tuple[HeadlineNumber, ...] = field(default=())
    periods: Mapping[str, str] = field(default_factory=dict)  # language -> the period as the source gives it
    notes: Mapping[str, str] = field(default_factory=dict)  # language -> what exactly is counted
    venue_count: int = 0  # countries engaged: the countries in view that only hosted a venue (not counted)
    is_tie: bool = False  # two figures of the same date and confidence disagree: value..value_max is their range
    is_withheld: bool = False  # the safeguarding policy withholds the value from this view (never show it as 0)

    def period(self, lang: str) -> str:
        """The period in `lang`, else in English."""
        return self.periods.get(lang) or self.periods.get("en", "")

    def note(self, lang: str) -> str:
        """What exactly is counted, in `lang`, else in English."""
        return self.notes.get(lang) or self.notes.get("en", "")


def languages(df: pd.DataFrame, stem: str) -> list[str]:
    """The languages a table is written in, from its columns: name_en, name_fr, name_es -> en, fr, es."""
    return [c.removeprefix(f"{stem}_") for c in df.columns if c.startswith(f"{stem}_") and len(c) == len(stem) + 3]


def _figure_from_row(key: str, row: pd.Series) -> HeadlineNumber:
    def opt_int(v):
        return None if pd.isna(v) else int(v)

    return HeadlineNumber(
        key=key, value=None if pd.isna(row["value"]) else float(row["value"]),
        value_max=None if pd.isna(row["value_max"]) else float(row["value_max"]),
        qualifier=row["qualifier_code"], scope=row["scope_code"],
        start_year=opt_int(row["start_year"]), end_year=opt_int(row["end_year"]),
        source_ids=(row["source_id"],), confidence=row["confidence_code"],
        is_estimate=row["metric_code"] in ESTIMATE_METRICS or row["confidence_code"] != "exact",
        metric_id=row["metric_id"],
        conflict_id=None if pd.isna(row["conflict_id"]) else row["conflict_id"],
        is_target=bool(row["is_target"]), is_withheld=bool(row.get("is_withheld", False)),
        periods={k.removeprefix("period_label_"): v for k, v in row.items() if k.startswith("period_label_")},
        notes={k.removeprefix("note_"): v for k, v in row.items() if k.startswith("note_") and len(k) == 7},
    )


def latest_reported(ds: Dataset, metric_code: str, scopes: tuple[str, ...] = ("cumulative",),
                    up_to_year: int | None = None, programme_id: str | None = None) -> HeadlineNumber | None:
    """The most recent organisation-wide figure of one kind, with any figure that disagrees.

    NOTE: worked out once per dataset and arguments (the answer depends on nothing else); the
    HeadlineNumber is frozen, and is shared by every caller.
    """
    key = (metric_code, tuple(scopes), up_to_year, programme_id)
    memo = index_of(ds).reported
    if key not in memo:
        memo[key] = _latest_reported(ds, *key)
    return memo[key]


def _latest_reported(ds: Dataset, metric_code: str, scopes: tuple[str, ...], up_to_year: int | None,
                     programme_id: str | None) -> HeadlineNumber | None:
    """The figure a card leads with, with every figure that disagrees with it.

    The rule (worded for readers as "method.lead" on the Sources page): a figure whose period the
    source states comes before one whose period is inferred (an undated source), and with years
    chosen a figure of inferred date is left out; then the latest period, and of two periods that
    end together the longer one (a total since the start); then the surer figure. Figures still
    equal that disagree are a tie, shown as the range between them (`_tie`).
    """
    m = ds.metrics
    rows = index_of(ds).figures_by_metric.get(metric_code, ds.organisation_figures.iloc[:0])
    rows = rows[rows["scope_code"].isin(scopes)]
    if programme_id is not None:
        rows = rows[rows["programme_id"] == programme_id]
    if up_to_year is not None:
        # A figure whose date is only inferred cannot be placed in a window of years.
        rows = rows[(rows["end_year"] <= up_to_year) & (rows["period_confidence_code"] != "inferred")]
    if rows.empty:
        return None
    keys = pd.DataFrame({"_inferred": rows["period_confidence_code"] == "inferred", "end_year": rows["end_year"],
                         "_start": rows["start_year"].astype("float64").fillna(float("-inf")),
                         "_conf": rows["confidence_code"].map(CONFIDENCE_RANK)})
    keys = keys.sort_values(["_inferred", "end_year", "_start", "_conf"], ascending=[True, False, True, True],
                            kind="stable")
    tied = keys[(keys == keys.iloc[0]).all(axis=1)].index
    best = rows.loc[tied].drop_duplicates(["value", "value_max", "qualifier_code"])
    fig = _figure_from_row(metric_code, best.iloc[0]) if len(best) == 1 else _tie(metric_code, best)
    if fig.conflict_id:
        shown = set(best["metric_id"]) if len(best) > 1 else {fig.metric_id}
        peers = m[(m["conflict_id"] == fig.conflict_id) & ~m["metric_id"].isin(shown)]
        # One line per distinct claim: the same figure repeated by two sources is one claim.
        peers = peers.drop_duplicates(["value", "qualifier_code", "is_target"])
        fig = replace(fig, alternatives=fig.alternatives + tuple(_figure_from_row(metric_code, r) for _, r in peers.iterrows()))
    return fig


def _tie(metric_code: str, rows: pd.DataFrame) -> HeadlineNumber:
    """Figures of the same date and confidence that disagree: the range between them, each a claim of its own."""
    claims = tuple(_figure_from_row(metric_code, r) for _, r in rows.iterrows())
    low, high = min(c.value for c in claims), max(c.value_max or c.value for c in claims)
    first = claims[0]
    return replace(first, value=low, value_max=high, qualifier="range", metric_id=None, notes={},
                   source_ids=tuple(dict.fromkeys(s for c in claims for s in c.source_ids)),
                   confidence=max((c.confidence for c in claims), key=lambda c: CONFIDENCE_RANK.get(c, 9)),
                   is_estimate=any(c.is_estimate for c in claims), alternatives=claims, is_tie=True)


def headline_figures(ds: Dataset, view: View, this_year: int) -> list[HeadlineNumber]:
    """Cards for the Overview: counts from the records in view, then reported figures."""
    eng = view.engagements
    sel = selection(view, ds)
    if sel is not None:
        programme_countries, venue_count, pieces_of_work = work_in_view(index_of(ds), sel.engagements)
    else:
        work_countries = eng.loc[~eng["is_venue"], "country_iso3"].unique()
        programme_countries = len(work_countries)
        venue_countries = eng.loc[eng["is_venue"], "country_iso3"].unique()
        venue_count = len(set(venue_countries.tolist()) - set(work_countries.tolist()))
        pieces_of_work = int(eng["is_counted"].sum())
    founded = index_of(ds).founded
    up_to = view.filters.years[1] if view.filters.years else None
    figs = [
        HeadlineNumber("countries_engaged", float(programme_countries), venue_count=int(venue_count)),
        HeadlineNumber("programmes", float(len(view.programmes))),
        HeadlineNumber("engagements", float(pieces_of_work)),  # pieces of work: see load._with_regions
        HeadlineNumber("years_active", float(this_year - founded), start_year=founded, end_year=this_year,
                       source_ids=(index_of(ds).founding_source,)),
    ]
    for code, scopes in (("professionals_trained", ("cumulative",)),
                         ("volunteers_deployed", ("programme", "cumulative")),
                         ("children_reached", ("cumulative",)),
                         ("countries_reached", ("cumulative",))):
        fig = latest_reported(ds, code, scopes, up_to_year=up_to)
        figs.append(fig or HeadlineNumber(code, None, scope="none"))
    return figs


def engagements_per_country(ds: Dataset, view: View) -> pd.DataFrame:
    """One row per country in view: pieces of work, main kind of work, status, whether only a venue or office.

    The count is of pieces of work (load._with_regions: venues, offices and parts of a larger piece
    of work are not counted). The main kind and the status come from work when a country has any, so
    a country that hosted a hearing and ran a programme reads as a programme country. The status is
    the one with the latest status date (ties go to the more active status).
    """
    eng = view.engagements
    cols = ["country_iso3", "engagement_count", "main_kind_code", "status_code", "is_venue_only",
            "kinds", "first_year", "last_year"]
    if eng.empty:
        return pd.DataFrame(columns=cols)
    sel = selection(view, ds)
    out = per_country(index_of(ds), sel.engagements) if sel is not None else _per_country(eng)
    names = ds.countries[["country_iso3", *(f"name_{lang}" for lang in languages(ds.countries, "name")),
                          "ibcr_region_code"]]
    return out[cols].merge(names, on="country_iso3", how="left")


def _per_country(eng: pd.DataFrame) -> pd.DataFrame:
    """`engagements_per_country` on any frame of engagements, without the names (see per_country)."""
    # Collapse to one row per distinct (country, kind, status, date, venue): everything below works
    # on that small table, whatever the number of engagements.
    keys = ["country_iso3", "kind_code", "status_code", "status_as_of", "is_venue"]
    work = (eng[keys + ["year_from", "year_to", "is_counted"]].groupby(keys, sort=False, dropna=False, observed=True)
            .agg(n=("year_from", "size"), counted=("is_counted", "sum"),
                 **{"from": ("year_from", "min"), "to": ("year_to", "max")})
            .reset_index())
    g = work.groupby("country_iso3", sort=True)
    out = pd.DataFrame({
        "engagement_count": g["counted"].sum().astype("int64"),
        "is_venue_only": g["is_venue"].all(),
        "first_year": g["from"].min(),
        "last_year": g["to"].max(),
    })
    pairs = work[["country_iso3", "kind_code"]].drop_duplicates().sort_values(["country_iso3", "kind_code"])
    out["kinds"] = pairs.groupby("country_iso3")["kind_code"].agg("; ".join)
    # Rows that decide kind and status: programme work, or the venue rows of venue-only countries.
    basis = work[~work["is_venue"] | work.groupby("country_iso3")["is_venue"].transform("all")]
    kinds = basis.groupby(["country_iso3", "kind_code"])["n"].sum().reset_index()
    kinds = kinds.sort_values(["country_iso3", "n", "kind_code"], ascending=[True, False, True])
    out["main_kind_code"] = kinds.drop_duplicates("country_iso3").set_index("country_iso3")["kind_code"]
    latest = basis["status_as_of"] == basis.groupby("country_iso3")["status_as_of"].transform("max")
    status = basis[latest].assign(_r=basis["status_code"].map(STATUS_RANK)).sort_values(["country_iso3", "_r"])
    out["status_code"] = status.drop_duplicates("country_iso3").set_index("country_iso3")["status_code"]
    out = out.reset_index()
    for col in ("first_year", "last_year"):
        out[col] = out[col].astype("Int64")
    return out


def timeline_rows(ds: Dataset, view: View, group_by: str = "country") -> pd.DataFrame:
    """Bars for a Gantt chart: one per engagement, labelled by country or programme."""
    if group_by not in ("country", "programme"):
        raise ValueError("group_by must be 'country' or 'programme'")
    sel = selection(view, ds)
    if sel is None:
        return _timeline(ds, view.engagements, group_by)
    frame, rows_of_frame = index_of(ds).timeline(group_by, lambda eng: _timeline(ds, eng, group_by))
    return narrowed(frame, rows_of_frame, sel.engagements, len(ds.engagements))


def _timeline(ds: Dataset, eng: pd.DataFrame, group_by: str) -> pd.DataFrame:
    """`timeline_rows` for any frame of engagements; a `_row` column, if there, is carried through."""
    langs = languages(ds.countries, "name")
    cols = ["engagement_id", "country_iso3", "place_name", "kind_code", "programme_id", "start_year", "start_date",
            "end_year", "end_date", "date_precision_code", "status_code", "status_as_of",
            *(c for c in eng.columns if c.startswith("description_")),
            "source_id", "confidence_code", "year_from", "year_to", *(["_row"] if "_row" in eng else [])]
    out = eng.loc[eng["year_from"].notna(), cols]
    out = out.merge(ds.countries[["country_iso3", *(f"name_{lang}" for lang in langs)]], on="country_iso3", how="left")
    prog_langs = languages(ds.programmes, "name")
    progs = ds.programmes[["programme_id", *(f"name_{lang}" for lang in prog_langs), "acronym"]].rename(
        columns={f"name_{lang}": f"programme_name_{lang}" for lang in prog_langs})
    out = out.merge(progs, on="programme_id", how="left")
    if group_by == "country":
        for lang in langs:
            out[f"group_{lang}"] = out[f"name_{lang}"]
    else:
        out = out.dropna(subset=["programme_id"])
        for lang in prog_langs:
            out[f"group_{lang}"] = out["acronym"].fillna(out[f"programme_name_{lang}"])
    return out.sort_values("year_from", kind="stable").reset_index(drop=True)


def metric_series(metrics: pd.DataFrame, metric_code: str, scope: str) -> pd.DataFrame:
    """The figures of one kind and ONE scope, by period, ready to chart (never summed)."""
    rows = metrics[(metrics["metric_code"] == metric_code) & (metrics["scope_code"] == scope)]
    return rows.sort_values(["end_year", "metric_id"]).reset_index(drop=True)


@dataclass(frozen=True)
class CountryProfile:
    country_iso3: str
    name_en: str
    name_fr: str
    engagements: pd.DataFrame
    programmes: pd.DataFrame
    events: pd.DataFrame
    metrics: pd.DataFrame
    sources: pd.DataFrame
    partners: tuple[str, ...]
    funders: tuple[str, ...]

    @property
    def has_engagement(self) -> bool:
        return not self.engagements.empty


def funders(ds: Dataset) -> tuple[str, ...]:
    """Every funder the engagements and programmes name, as the records write it, A to Z."""
    return _split(pd.concat([ds.engagements["funders"], ds.programmes["funders"]]))


def _split(values: pd.Series) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values.dropna():
        for part in str(v).split(";"):
            if part.strip():
                seen.setdefault(part.strip(), None)
    return tuple(sorted(seen, key=str.casefold))


def country_profile(ds: Dataset, iso3: str) -> CountryProfile:
    """Everything recorded about one country, with every source it rests on."""
    row = ds.countries[ds.countries["country_iso3"] == iso3]
    if row.empty:
        raise KeyError(iso3)
    eng = ds.engagements[ds.engagements["country_iso3"] == iso3].sort_values(["start_year", "engagement_id"])
    progs = ds.programmes[ds.programmes["programme_id"].isin(set(eng["programme_id"].dropna()))]
    events = ds.events[ds.events["country_iso3"] == iso3].sort_values("start_year")
    metrics = ds.metrics[ds.metrics["country_iso3"] == iso3].sort_values("end_year")
    sources = ds.sources[ds.sources["source_id"].isin(sources_used(ds, {
        "engagements": eng, "programmes": progs, "events": events, "metrics": metrics}))]
    return CountryProfile(
        iso3, row["name_en"].iloc[0], row["name_fr"].iloc[0], eng, progs, events, metrics, sources,
        partners=_split(eng["partners"]), funders=_split(pd.concat([eng["funders"], progs["funders"]])),
    )


def sources_used(ds: Dataset, records: Mapping[str, pd.DataFrame]) -> list[str]:
    """The sources some records rest on: each record's own source, then the further (linked) ones, in order.

    `records` maps a record table ("engagements") to some of its rows.
    """
    used: dict[str, None] = {}
    links = ds.record_sources
    for table, frame in records.items():
        used.update(dict.fromkeys(frame["source_id"].dropna()))
        ids = set(frame[ds.record_tables[table]])
        used.update(dict.fromkeys(links.loc[(links["record_table"] == table) & links["record_id"].isin(ids), "source_id"]))
    return list(used)


def record_sources(ds: Dataset, table: str, record_id: str) -> pd.DataFrame:
    """Every source of one record: its main source first (the one its description follows), then the linked ones."""
    if table not in ds.record_tables:
        raise ValueError(f"table must be one of {', '.join(ds.record_tables)}")
    records = ds.table(table)
    row = records[records[ds.record_tables[table]] == record_id]
    if row.empty:
        raise KeyError(record_id)
    cols = ["source_id", "evidence", "confidence_code"]
    main = row[cols].iloc[:1].assign(is_main=True)
    links = ds.record_sources
    linked = links.loc[(links["record_table"] == table) & (links["record_id"] == record_id), cols].assign(is_main=False)
    return pd.concat([main, linked], ignore_index=True)


def source_usage(ds: Dataset) -> pd.DataFrame:
    """Each source with how many records of each table rest on it, as main or as a further (linked) source."""
    links = ds.record_sources
    counts = {}
    for name, id_col in ds.record_tables.items():
        main = ds.table(name)[[id_col, "source_id"]].rename(columns={id_col: "record_id"})
        linked = links.loc[links["record_table"] == name, ["record_id", "source_id"]]
        counts[name] = pd.concat([main, linked]).drop_duplicates()["source_id"].value_counts()
    out = ds.sources.copy()
    for name, vc in counts.items():
        out[f"{name}_count"] = out["source_id"].map(vc).fillna(0).astype("int64")
    out["record_count"] = out[[f"{n}_count" for n in counts]].sum(axis=1)
    return out.sort_values(["record_count", "source_id"], ascending=[False, True]).reset_index(drop=True)
