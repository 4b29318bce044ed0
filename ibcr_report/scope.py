"""What one pack covers: the records of the organisation, a country, a programme or a funder, as a View."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

import ibcr_data
from ibcr_data import Dataset, Filters, View
from ibcr_present import i18n

KINDS = ("organisation", "country", "programme", "funder")


class PackError(ValueError):
    """A pack that cannot be made as asked (unknown kind, country, programme, funder or version)."""


@dataclass(frozen=True)
class Scope:
    kind: str
    key: str | None  # ISO3, programme id, or the funder's English name as the records write it
    view: View
    funder_names: tuple[str, ...] = ()  # the funder as the records write it (one or more spellings)


def _parts(text) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()] if isinstance(text, str) else []


def known_funders(ds: Dataset) -> list[str]:
    """Every funder named in engagements and programmes, as the records write it."""
    return list(ibcr_data.funders(ds))


def _funder_keys(name: str) -> set[str]:
    """A funder's name as written, and its official English and French names, casefolded."""
    return {n.casefold() for n in (name, i18n.org_name("en", name), i18n.org_name("fr", name))}


def resolve(ds: Dataset, kind: str, key: str | None) -> Scope:
    """The records one pack covers; PackError with a hint when the kind or key is unknown."""
    if kind not in KINDS:
        raise PackError(f"unknown kind of pack {kind!r}: use one of {', '.join(KINDS)}")
    if kind == "organisation":
        return Scope(kind, None, ibcr_data.apply_filters(ds, Filters()))
    if not key or not str(key).strip():
        raise PackError(f"a {kind} pack needs a {_what(kind)}")
    key = str(key).strip()
    if kind == "country":
        iso3 = key.upper()
        if iso3 not in set(ds.countries["country_iso3"]):
            close = difflib.get_close_matches(iso3, sorted(set(ds.engagements["country_iso3"])), n=3)
            raise PackError(f"unknown country code {key!r}: use an ISO 3166 alpha-3 code such as BFA"
                            + (f" (did you mean {', '.join(close)}?)" if close else ""))
        if iso3 not in set(ds.engagements["country_iso3"]):
            raise PackError(f"no engagement is recorded in {iso3}: there is nothing to put in its pack")
        return Scope(kind, iso3, ibcr_data.apply_filters(ds, Filters(countries=frozenset({iso3}))))
    if kind == "programme":
        ids = list(ds.programmes["programme_id"])
        if key not in ids:
            lowered = {i.casefold(): i for i in ids}
            acronyms = {str(a).casefold(): i for a, i in zip(ds.programmes["acronym"], ids) if isinstance(a, str)}
            found = lowered.get(key.casefold()) or acronyms.get(key.casefold())
            if found is None:
                close = difflib.get_close_matches(key, ids, n=3)
                raise PackError(f"unknown programme {key!r}: use a programme id from programmes.csv"
                                + (f" (did you mean {', '.join(close)}?)" if close else f" ({', '.join(ids)})"))
            key = found
        view = ibcr_data.apply_filters(ds, Filters(programmes=frozenset({key})))
        progs = ds.programmes[ds.programmes["programme_id"] == key]
        return Scope(kind, key, View(view.filters, view.engagements, view.events, view.metrics, progs))
    return _funder(ds, key)


def _what(kind: str) -> str:
    return {"country": "country code (ISO3, e.g. BFA)", "programme": "programme id (e.g. prodef)",
            "funder": "funder name (e.g. 'Global Affairs Canada')"}[kind]


def _funder(ds: Dataset, key: str) -> Scope:
    wanted = key.casefold()
    spellings = tuple(n for n in known_funders(ds) if wanted in _funder_keys(n))
    if not spellings:
        close = difflib.get_close_matches(key, known_funders(ds), n=3, cutoff=0.5)
        raise PackError(f"no work is recorded for the funder {key!r}"
                        + (f": did you mean {'; '.join(repr(c) for c in close)}?" if close else
                           f": the funders named in the records are {'; '.join(known_funders(ds))}"))
    names = set(spellings)

    def funded(col: pd.Series) -> pd.Series:
        return col.map(lambda v: bool(names & set(_parts(v)))).astype("bool")

    progs = ds.programmes[funded(ds.programmes["funders"])]
    prog_ids = set(progs["programme_id"])
    eng = ds.engagements
    eng = eng[funded(eng["funders"]) | eng["programme_id"].isin(prog_ids)]
    prog_ids |= set(eng["programme_id"].dropna())
    progs = ds.programmes[ds.programmes["programme_id"].isin(prog_ids)]
    events = ds.events[ds.events["programme_id"].isin(prog_ids)]
    metrics = ds.metrics[ds.metrics["programme_id"].isin(prog_ids)]
    return Scope("funder", spellings[0], View(Filters(), eng, events, metrics, progs), spellings)
