"""A release: one version of the data in its public view, with the name and dates every open-data file carries.

Everything this package publishes is made from a `Release`, and a release holds only what
`ibcr_data.audience.view_for(ds, "public")` gives: whoever asks, and whatever the dataset handed in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import pandas as pd

from ibcr_data import Dataset, load_dataset
from ibcr_data.audience import DATE_FIELDS, PARTNER_FIELDS, PLACE_FIELDS, view_for
from ibcr_data.schema import Field
from ibcr_present import i18n
from ibcr_updates import DataSource, Store, Version, resolve_source

STEM = "ibcr-activity"  # every file: ibcr-activity-v3.zip, ibcr-activity-v3.sqlite, ibcr-activity-v3-iati.xml
SUFFIXES = {"zip": ".zip", "sqlite": ".sqlite", "iati": "-iati.xml"}
# Tables the public view keeps but open data leaves out: which countries are sensitive, and why, is not
# published (the Sources page counts what each rule withholds, never where).
UNPUBLISHED = frozenset({"policy_countries"})
# What the public view may leave empty (ibcr_data.audience): details in a sensitive country, a withheld
# figure. Published as optional columns, whatever the data require of them.
WITHHOLDABLE = frozenset({"evidence", "value", "value_max", *PARTNER_FIELDS, *PLACE_FIELDS, *DATE_FIELDS})
LICENCE = "CC-BY-4.0"


@dataclass(frozen=True)
class Release:
    """One version of the data as the public may see it, and how its files are named and dated."""

    ds: Dataset  # the public view, always (see `release`)
    label: str  # "v3" for a version of the store; the date the data were last reviewed for a plain folder
    created: str  # when this version was made (ISO date): a store version's date, else the data's review date
    made: str  # when the files are made (ISO date)
    version: str | None = None  # the store's version id ("v3"); None for a plain data folder

    @property
    def data_date(self) -> str:
        """The date the curated data were last reviewed (the descriptor's last_updated)."""
        return self.ds.last_updated

    @property
    def name(self) -> str:
        return f"{STEM}-{self.label}"

    def file_name(self, kind: str) -> str:
        """The file name of one kind of file ("zip", "sqlite", "iati"), with the version in it."""
        return self.name + SUFFIXES[kind]

    def tables(self) -> list[str]:
        """The resources published, in the descriptor's order (every one but UNPUBLISHED)."""
        return [r.name for r in self.ds.descriptor.resources if r.name not in UNPUBLISHED]


def release(ds: Dataset, version: Version | None = None, today: dt.date | None = None) -> Release:
    """The release of a loaded dataset: its public view, named by its store version (or its review date)."""
    public = view_for(ds, "public")
    label = version.id if version is not None else (ds.version or _safe(ds.last_updated) or "data")
    created = version.created[:10] if version is not None else ds.last_updated
    return Release(public, label, created, (today or dt.date.today()).isoformat(),
                   version.id if version is not None else ds.version)


IBCR = "International Bureau for Children's Rights (IBCR)"  # as the sources name it (publisher)


def organisation(lang: str = "en") -> str:
    """IBCR's name in a language, from the catalogue of organisations' names ("Bureau international …")."""
    return i18n.org_name(lang, IBCR)


def _safe(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z.-]+", "-", str(text)).strip("-")


def versions(src: DataSource | None = None) -> list[Version]:
    """Every version of the data, newest first (none when the data are a plain folder)."""
    src = src or resolve_source()
    return Store.open(src.store_root).versions() if src.store_root is not None else []


def load_release(ref: str | None = None, src: DataSource | None = None) -> Release:
    """The release of a version ("v2", a name, "current"), or of the data shown now when `ref` is None.

    A ref needs a store; a plain data folder has one release. Raises KeyError for an unknown version.
    """
    src = src or resolve_source()
    if src.store_root is None:
        if ref not in (None, "current", "latest"):
            raise KeyError(f"no version '{ref}': the data in {src.folder} have no versions (no store)")
        return release(load_dataset(src.folder))
    store = Store.open(src.store_root)
    version = store.get(ref or src.version or "current")
    return release(store.load(version.id), version)



def published_fields(rel: Release, name: str) -> tuple[Field, ...]:
    """The columns a table is published with: those declared (optional where the public view may empty them),
    and for the figures whether each is withheld.

    `is_withheld` (declared under `derived`) goes out with the figures so that an empty value reads
    "withheld by the safeguarding policy", never "unknown" or 0.
    """
    res = rel.ds.descriptor.resource(name)
    extra = tuple(f for f in res.derived if f.name == "is_withheld")
    return tuple(replace(f, required=False) if f.name in WITHHOLDABLE else f for f in res.fields) + extra


def published_frame(rel: Release, name: str) -> pd.DataFrame:
    """A table of the release with its published columns, in their order."""
    return rel.ds.table(name)[[f.name for f in published_fields(rel, name)]].reset_index(drop=True)
