"""The dataset as a value: every table typed, its descriptor, its folder and the version it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .schema import Descriptor

AUDIENCES = ("public", "board")  # who may see a record (codes/audience.csv); a record with none is public


@dataclass(frozen=True)
class Policy:
    """The safeguarding policy (policy*.csv), set by IBCR's safeguarding lead: what the public view withholds."""

    min_public_count: int = 5  # a smaller count of people at risk is withheld publicly
    statements: dict[str, str] = field(default_factory=dict)  # language -> the published statement
    at_risk_metrics: frozenset[str] = frozenset()  # metric codes that count children or other people at risk
    sensitive: pd.DataFrame | None = None  # country_iso3, hide_partners, hide_places, hide_exact_dates

    def statement(self, lang: str) -> str:
        return self.statements.get(lang) or self.statements.get("en", "")


@dataclass(frozen=True, eq=False)  # compared by identity: two loads of one folder are two datasets
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
    others: dict[str, pd.DataFrame] = field(default_factory=dict)  # every other table (distinct pairs, the policy)
    version: str | None = None  # the store's version id ("v3") when loaded from a store; None for a plain folder
    policy: Policy = field(default_factory=Policy)
    # Whose view this is: "board" holds every record (as loaded); "public" is derived by audience.view_for.
    audience: str = "board"
    withheld: dict[str, int] = field(default_factory=dict)  # public view: records or figures withheld, by rule
    # What the modules above work out once from these tables (precomputed.index_of keeps its index here).
    derived: dict[str, object] = field(default_factory=dict, init=False, repr=False)

    TABLES = ("engagements", "programmes", "events", "metrics", "sources", "conflicts",
              "countries", "regions", "record_sources")

    @cached_property
    def organisation_figures(self) -> pd.DataFrame:
        """Reported IBCR-wide figures (no country, not a target, with a value or withheld): what cards pick from."""
        m = self.metrics
        return m[m["country_iso3"].isna() & ~m["is_target"] & (m["value"].notna() | m["is_withheld"])]

    def table(self, name: str) -> pd.DataFrame:
        """A table by resource name: a record or reference table, or a code table ("kind")."""
        if name in self.codes:
            return self.codes[name]
        if name in self.others:
            return self.others[name]
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

    @property
    def as_of_year(self) -> int:
        """The year the data are as of (their last update), not today's year."""
        year = self.last_updated[:4]
        return int(year) if year.isdigit() else dt.date.today().year

    @property
    def record_tables(self) -> dict[str, str]:
        """The tables of records that name their sources, each with its id column (from the descriptor)."""
        return self.descriptor.record_tables

    def counts(self) -> dict[str, int]:
        return {name: len(self.table(name)) for name in self.TABLES}
