"""What is said about one dataset in one language: messages, code labels, names by id, source titles.

`Words` is all the text functions (text.py), the figure builders' labels, the SVG map and the
packs need to speak; a page run's `Context` (ibcr_ui) is a Words plus the view it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ibcr_data import Dataset, Dimension

from . import i18n

LABELLED = ("kind", "status", "confidence", "scope", "category", "metric", "source_type", "qualifier", "precision",
            "audience")


@dataclass(frozen=True)
class Lookups:
    """Names in one language and source titles, by id: built once per data version and language."""

    countries: dict[str, str]
    regions: dict[str, str]
    programmes: dict[str, str]
    sources: dict[str, tuple[str, str | None]]
    codes: dict[str, dict[str, str]]  # "kind" -> code -> label, from the code tables
    linked: dict[tuple[str, str], tuple[tuple[str, str], ...]]  # (table, id) -> further (source_id, confidence)


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


@dataclass(frozen=True, kw_only=True)
class Words:
    """The dataset's words in one language. Build one with `Words.of(ds, lang)` (or with cached `names`)."""

    ds: Dataset
    lang: str
    names: Lookups

    @classmethod
    def of(cls, ds: Dataset, lang: str, names: Lookups | None = None) -> Words:
        return cls(ds=ds, lang=lang, names=names if names is not None else build_lookups(ds, lang))

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

    def value_name(self, dimension: Dimension, code: str) -> str:
        """How a filter value reads: a region, programme or country by name, a code by its label."""
        named = {"region": self.region_name, "programme": self.programme_name, "country": self.country_name}
        return named[dimension.labels](code) if dimension.labels in named else self.label(dimension.labels, code)

    def further_sources(self, table: str, record_id: str) -> tuple[tuple[str, str], ...]:
        """The sources that speak of a record besides its main one, each with its confidence."""
        return self.names.linked.get((table, record_id), ())

    def source_title(self, source_id: str) -> str:
        return self.names.sources.get(source_id, (source_id, None))[0]

    @property
    def as_of_year(self) -> int:
        return self.ds.as_of_year
