"""Cached loaders, keyed on the data's fingerprint: one load per data version, shared by sessions.

Each cached function takes only plain values and computes from them alone (the dataset is
fetched from the load cache inside), so a cache key always says everything a result depends on.
NOTE: cached objects are shared between sessions; treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

import ibcr_data
import ibcr_data.changes
from ibcr_data import Choices, Dataset, versions

from .context import Lookups, build_lookups
from .context import as_of_year as _as_of_year

T = TypeVar("T")


@st.cache_resource(show_spinner=False, max_entries=2)
def load(fingerprint: str) -> Dataset | ibcr_data.ValidationError:
    """The dataset whose files have this fingerprint, or the problems that stopped it loading."""
    try:
        return ibcr_data.load_dataset()
    except ibcr_data.ValidationError as exc:
        return exc


def dataset(fingerprint: str) -> Dataset:
    loaded = load(fingerprint)
    if isinstance(loaded, ibcr_data.ValidationError):
        raise loaded
    return loaded


@st.cache_resource(show_spinner=False, max_entries=2)
def choices(fingerprint: str) -> Choices:
    return ibcr_data.choices(dataset(fingerprint))


@st.cache_resource(show_spinner=False, max_entries=8)
def lookups(fingerprint: str, lang: str) -> Lookups:
    return build_lookups(dataset(fingerprint), lang)


@st.cache_resource(show_spinner=False, max_entries=256)
def memo(key: tuple, _build: Callable[[], T]) -> T:
    """What `_build` returns, built once per `key` and shared: a page section's HTML or figure.

    `key` must hold every plain value the section is built from (the data's fingerprint, the
    language, the ids of the records shown, in order); `_build` is not part of the key (Streamlit
    does not hash arguments whose name starts with "_"). NOTE: shared between sessions: read-only.
    """
    return _build()


def as_of_year(fingerprint: str) -> int:
    return _as_of_year(dataset(fingerprint))


@st.cache_resource(show_spinner=False, max_entries=8)
def programme_labels(fingerprint: str, lang: str) -> dict[str, str]:
    """How the Programme filter names each programme: its acronym, or its name in the language."""
    p = dataset(fingerprint).programmes
    return {pid: acronym if isinstance(acronym, str) else name
            for pid, acronym, name in zip(p["programme_id"], p["acronym"], p[f"name_{lang}"])}


@st.cache_resource(show_spinner=False, max_entries=2)
def _store(root: str) -> versions.Store:
    return versions.Store.open(Path(root))  # one instance per store: it caches the versions it loaded


def store() -> versions.Store | None:
    """The store of every version of the data, or None when the data have no history yet."""
    root = versions.store_root()
    if root is None or not (root / versions.LOG).is_file():
        return None
    return _store(str(root))


def version_refs(s: versions.Store | None) -> dict[str, str]:
    """What a link may name (an id, a number, a name, lower-cased) -> the version's id."""
    refs: dict[str, str] = {}
    for v in s.versions() if s else ():
        refs[v.id] = refs[str(v.number)] = v.id
        for name in v.names:
            refs[name.lower()] = v.id
    return refs


@st.cache_resource(show_spinner=False, max_entries=16)
def changes(root: str, old_id: str, new_id: str) -> ibcr_data.changes.Changes:
    """What changed between two versions (versions never change, so this is cached for good)."""
    s = _store(root)
    return ibcr_data.changes.what_changed(s.load(old_id), s.load(new_id))
