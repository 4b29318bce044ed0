"""The reader's view of the data, derived in one place: the board sees every record, the public a safe subset.

Every output (page, hover, export, pack, What changed, download, embed, cache) is made from the
dataset `view_for(ds, audience)` returns. The public view, by the safeguarding policy (policy*.csv):

- drops every record, source and link marked `board` (audience_code);
- withholds a count of people at risk below `min_public_count` (metric codes in policy_metrics.csv),
  and a second figure of the same group when a total shown with the others would give it back
  (complementary suppression); a withheld figure keeps its row, its value says "withheld";
- in a country of policy_countries.csv, drops partners' names, places below the country, exact dates
  (years stay) and the evidence text that could name them.

What it withholds is counted by rule in `Dataset.withheld` (published on the Sources page, never
which records). A view is derived once per dataset and kept with it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .load import programme_countries
from .model import AUDIENCES, Dataset, Policy

RECORD_TABLES = ("engagements", "programmes", "events", "metrics")
PARTNER_FIELDS = ("partners",)
PLACE_FIELDS = ("subdivision_code", "place_name")
DATE_FIELDS = ("start_date", "end_date")
# What the Sources page counts, rule by rule.
WITHHELD_RULES = ("board_records", "board_sources", "small_counts", "complementary", "sensitive_details")


def view_for(ds: Dataset, audience: str) -> Dataset:
    """The dataset `audience` may see: `ds` itself for the board, the public view (derived once) for the public."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}: use one of {', '.join(AUDIENCES)}")
    if audience == ds.audience:
        return ds
    if audience == "board":
        raise ValueError("the public view cannot give the board view: derive views from the data as loaded")
    view = ds.derived.get("public_view")
    if view is None:
        view = ds.derived.setdefault("public_view", _public(ds))
    return view


def _public(ds: Dataset) -> Dataset:
    withheld = dict.fromkeys(WITHHELD_RULES, 0)
    tables = {}
    for name in RECORD_TABLES:
        frame = ds.table(name)
        board = frame["audience_code"] == "board"
        tables[name] = frame[~board]
        withheld["board_records"] += int(board.sum())
    board_sources = ds.sources["audience_code"] == "board"
    withheld["board_sources"] = int(board_sources.sum())
    sources = ds.sources[~board_sources]
    links = _links(ds, tables, set(sources["source_id"]))
    metrics, small, second = _small_counts(tables["metrics"], ds.policy, ds.codes.get("metric"))
    withheld["small_counts"], withheld["complementary"] = small, second
    engagements, events, links, n = _sensitive(tables["engagements"], tables["events"], links, ds.policy)
    withheld["sensitive_details"] = n
    programmes = programme_countries(tables["programmes"].drop(columns=["country_iso3_list", "has_engagement"]),
                                 engagements)

    def fresh(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.reset_index(drop=True)

    kept = {"engagements": engagements, "events": events, "programmes": programmes, "metrics": metrics}
    # A disagreement or a checked pair is told only of records in view: its words could name a board record.
    used = set().union(*(frame["conflict_id"].dropna() for frame in kept.values()))
    conflicts = ds.conflicts[ds.conflicts["conflict_id"].isin(used)]
    others = dict(ds.others)
    if "distinct_records" in others:
        pairs = others["distinct_records"]
        ids = {t: set(kept[t][ds.record_tables[t]]) for t in pairs["record_table"].unique() if t in kept}
        shown = np.array([t in ids and a in ids[t] and b in ids[t]
                          for t, a, b in zip(pairs["record_table"], pairs["record_id"], pairs["other_id"])], dtype=bool)
        others["distinct_records"] = fresh(pairs.loc[shown])
    return replace(ds, engagements=fresh(engagements), programmes=fresh(programmes), events=fresh(events),
                   metrics=fresh(metrics), sources=fresh(sources), record_sources=fresh(links),
                   conflicts=fresh(conflicts), others=others, audience="public", withheld=withheld)


def _links(ds: Dataset, tables: dict[str, pd.DataFrame], sources: set[str]) -> pd.DataFrame:
    """The further sources of the records still in view, from sources still in view."""
    links = ds.record_sources
    keep = links["source_id"].isin(sources)
    for table, id_col in ds.record_tables.items():
        of_table = links["record_table"] == table
        keep &= ~of_table | links["record_id"].isin(set(tables[table][id_col]))
    return links[keep]


def _small_counts(metrics: pd.DataFrame, policy: Policy, codes: pd.DataFrame | None) -> tuple[pd.DataFrame, int, int]:
    """Withhold counts of people at risk below the threshold, then a second figure where a total gives one back.

    A group is the figures of one kind, programme, scope, period and target flag: the one with no
    country is the total of those by country. Where one figure of a group is withheld and the total
    is shown, a second figure is withheld with it (the smallest one shown, else the total), so no
    subtraction recovers the first. Nothing here is ever summed.
    """
    at_risk = metrics["metric_code"].isin(policy.at_risk_metrics)
    small = at_risk & ((metrics["value"] < policy.min_public_count)
                       | (metrics["value_max"] < policy.min_public_count)).fillna(False)
    withheld = small.copy()
    keys = ["metric_code", "programme_id", "scope_code", "start_year", "end_year", "is_target"]
    for _, group in metrics[at_risk].groupby(keys, dropna=False, sort=False):
        if not withheld[group.index].any():
            continue
        totals = group.index[group["country_iso3"].isna()]
        parts = group.index[group["country_iso3"].notna()]
        hidden_parts = withheld[parts].sum()
        shown_totals = [i for i in totals if not withheld[i]]
        if shown_totals and hidden_parts == 1:
            shown = [i for i in parts if not withheld[i]]
            extra = min(shown, key=lambda i: metrics.at[i, "value"]) if shown else shown_totals[0]
            withheld[extra] = True
    out = metrics.copy()
    out.loc[withheld, ["value", "value_max"]] = np.nan
    out["is_withheld"] = withheld
    labels = codes.set_index("metric_code") if codes is not None else None
    for col in [c for c in out.columns if c.startswith("note_") and len(c) == 7]:
        lang = col.removeprefix("note_")
        if labels is not None and f"label_{lang}" in labels:  # a note could restate the number: the label says what
            out.loc[withheld, col] = out.loc[withheld, "metric_code"].map(labels[f"label_{lang}"])
    out.loc[withheld, "evidence"] = pd.NA
    return out, int(small.sum()), int((withheld & ~small).sum())


def _sensitive(engagements: pd.DataFrame, events: pd.DataFrame, links: pd.DataFrame,
               policy: Policy) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """In the sensitive countries: no partners, no place below the country, years only; no evidence text."""
    flags = policy.sensitive
    if flags is None or flags.empty:
        return engagements, events, links, 0
    flags = flags.set_index("country_iso3")
    touched = 0
    out = []
    for frame in (engagements, events):
        frame = frame.copy()
        country = frame["country_iso3"]
        hide = {what: country.isin(set(flags.index[flags[what].astype(bool)]))
                for what in ("hide_partners", "hide_places", "hide_exact_dates")}
        for field_names, mask in ((PARTNER_FIELDS, hide["hide_partners"]), (PLACE_FIELDS, hide["hide_places"]),
                                  (DATE_FIELDS, hide["hide_exact_dates"])):
            for col in field_names:
                if col in frame:
                    frame.loc[mask, col] = pd.NA
        dates = hide["hide_exact_dates"]
        frame.loc[dates & frame["date_precision_code"].isin(["day", "month"]), "date_precision_code"] = "year"
        if "status_as_of" in frame:
            frame.loc[dates, "status_as_of"] = frame.loc[dates, "status_as_of"].str[:4]
        any_hidden = hide["hide_partners"] | hide["hide_places"] | dates
        frame.loc[any_hidden, "evidence"] = pd.NA
        touched += int(any_hidden.sum())
        out.append(frame)
    engagements, events = out
    hidden_ids = {("engagements", i) for i in engagements.loc[engagements["evidence"].isna(), "engagement_id"]} | \
                 {("events", i) for i in events.loc[events["evidence"].isna(), "event_id"]}
    links = links.copy()
    in_hidden = [(t, r) in hidden_ids for t, r in zip(links["record_table"], links["record_id"])]
    links.loc[in_hidden, "evidence"] = pd.NA
    return engagements, events, links, touched
