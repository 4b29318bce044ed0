"""What one page run works from: the data, the view, the language and names by id (no Streamlit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ibcr_data import Choices, Dataset, Filters, Ignored, View

from . import i18n
from .link import Options, ViewState


@dataclass(frozen=True)
class Lookups:
    """Names in one language and source titles, by id: built once per data version and language."""

    countries: dict[str, str]
    regions: dict[str, str]
    programmes: dict[str, str]
    sources: dict[str, tuple[str, str | None]]
    codes: dict[str, dict[str, str]]  # "kind" -> code -> label, from the code tables
    linked: dict[tuple[str, str], tuple[tuple[str, str], ...]]  # (table, id) -> further (source_id, confidence)


LABELLED = ("kind", "status", "confidence", "scope", "category", "metric", "source_type", "qualifier", "precision")


def build_lookups(ds: Dataset, lang: str) -> Lookups:
    def by(df, key: str, col: str) -> dict[str, str]:
        return dict(zip(df[key], df[col]))

    urls = [u if isinstance(u, str) else None for u in ds.sources["url"]]
    return Lookups(
        countries=by(ds.countries, "country_iso3", f"name_{lang}"),
        regions=by(ds.regions, "region_code", f"name_{lang}"),
        programmes=by(ds.programmes, "programme_id", f"name_{lang}"),
        sources=dict(zip(ds.sources["source_id"], zip(ds.sources["title"], urls))),
        codes={v: ds.code_labels(f"{v}_code", lang) for v in LABELLED},
        linked=_linked_sources(ds),
    )


def _linked_sources(ds: Dataset) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """The further sources of each record (record_sources.csv), grouped once per data version.

    One pass over the rows (a groupby makes a frame per record: 26,000 of them at 1,000x).
    """
    links = ds.record_sources
    grouped: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table, record_id, source_id, confidence in zip(links["record_table"], links["record_id"],
                                                       links["source_id"], links["confidence_code"]):
        grouped.setdefault((table, record_id), []).append((source_id, confidence))
    return {k: tuple(v) for k, v in grouped.items()}


@dataclass(frozen=True)
class Context:
    ds: Dataset
    choices: Choices
    state: ViewState
    view: View
    ignored: tuple[Ignored, ...]
    page: str
    fingerprint: str
    names: Lookups

    @property
    def lang(self) -> str:
        return self.state.lang

    @property
    def filters(self) -> Filters:
        return self.state.filters

    @property
    def options(self) -> Options:
        return self.state.options

    def t(self, key: str, **values) -> str:
        return i18n.translate(self.lang, key, **values)

    def tn(self, key: str, count: int, **values) -> str:
        """A message that counts something, in the language's plural form for `count`."""
        return i18n.translate_plural(self.lang, key, count, **values)

    def pair(self, key: str, value: str) -> str:
        """'Label: value' with the language's punctuation (French puts a space before the colon)."""
        return self.t("pair", label=self.t(key), value=value)

    def orgs(self, text) -> str:
        """Partner and funder names, with their official name in the reader's language where known."""
        if not isinstance(text, str):
            return ""
        return "; ".join(i18n.org_name(self.lang, p.strip()) for p in text.split(";") if p.strip())

    def label(self, vocabulary: str, code) -> str:
        """Display name of a code ("kind", "training"), from the code tables; unknown when missing."""
        if code is None or code != code:  # None or NaN
            return self.t("value.unknown")
        return self.names.codes[vocabulary].get(code, code)

    def number(self, value) -> str:
        return i18n.number(self.lang, value)

    def country_name(self, iso3: str) -> str:
        return self.names.countries.get(iso3, iso3)

    def region_name(self, code: str) -> str:
        return self.names.regions.get(code, code)

    def programme_name(self, pid: str) -> str:
        return self.names.programmes.get(pid, pid)

    def further_sources(self, table: str, record_id: str) -> tuple[tuple[str, str], ...]:
        """The sources that speak of a record besides its main one, each with its confidence."""
        return self.names.linked.get((table, record_id), ())

    def source_title(self, source_id: str) -> str:
        return self.names.sources.get(source_id, (source_id, None))[0]

    @property
    def as_of_year(self) -> int:
        return as_of_year(self.ds)


def as_of_year(ds: Dataset) -> int:
    """The year the data are as of (their last update), not today's year."""
    year = ds.last_updated[:4]
    return int(year) if year.isdigit() else dt.date.today().year
