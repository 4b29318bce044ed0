"""Cached loaders, keyed on the data source: one load per data version, shared by sessions.

Each page run resolves its `DataSource` once (`source()`: the folder, its store and version, and
the fingerprint of its files) and passes it down. Each cached function takes only plain values
(the source among them) and computes from them alone, so a cache key always says everything a
result depends on. NOTE: cached objects are shared between sessions; treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import streamlit as st

import ibcr_data
from ibcr_data import Choices, Dataset, snapshot
from ibcr_data.audience import view_for
from ibcr_present.words import Lookups, build_lookups
from ibcr_updates import Changes, DataSource, Editors, Store, resolve_source, what_changed

from .context import DataKey

T = TypeVar("T")


def source() -> DataSource:
    """The data to show in this run: the store's current version, or a plain folder (read once per run)."""
    return resolve_source()


@st.cache_resource(show_spinner=False, max_entries=2)
def load(src: DataSource) -> Dataset | ibcr_data.ValidationError:
    """The dataset of this source as loaded (every record: the board's view), or the problems that stopped it.

    A version of the store is the Store's own copy, the one What changed compares: loaded once, not twice.
    """
    try:
        if src.store_root is not None and src.version is not None:
            return _store(str(src.store_root)).load(src.version)
        return snapshot.load(src.folder, src.version)  # a server started again skips the checks
    except ibcr_data.ValidationError as exc:
        return exc


def dataset(key: DataKey) -> Dataset:
    """The dataset the key's audience may see (the public view is derived once, in ibcr_data.audience)."""
    loaded = load(key.source)
    if isinstance(loaded, ibcr_data.ValidationError):
        raise loaded
    return view_for(loaded, key.audience)


@st.cache_resource(show_spinner=False, max_entries=4)
def choices(key: DataKey) -> Choices:
    return ibcr_data.choices(dataset(key))


@st.cache_resource(show_spinner=False, max_entries=12)
def lookups(key: DataKey, lang: str) -> Lookups:
    return build_lookups(dataset(key), lang)


@st.cache_resource(show_spinner=False, max_entries=256)
def memo(key: tuple, _build: Callable[[], T]) -> T:
    """What `_build` returns, built once per `key` and shared: a page section's HTML or figure.

    `key` must hold every plain value the section is built from (the data's fingerprint, the
    language, the ids of the records shown, in order); `_build` is not part of the key (Streamlit
    does not hash arguments whose name starts with "_"). NOTE: shared between sessions: read-only.
    """
    return _build()


@st.cache_resource(show_spinner=False, max_entries=12)
def programme_labels(key: DataKey, lang: str) -> dict[str, str]:
    """How the Programme filter names each programme: its acronym, or its name in the language."""
    p = dataset(key).programmes
    return {pid: acronym if isinstance(acronym, str) else name
            for pid, acronym, name in zip(p["programme_id"], p["acronym"], p[f"name_{lang}"])}


@st.cache_resource(show_spinner=False, max_entries=2)
def _store(root: str) -> Store:
    return Store.open(Path(root))  # one instance per store: it caches the versions it loaded


def store(src: DataSource) -> Store | None:
    """The store of every version of the data, or None when the data have no history yet."""
    return _store(str(src.store_root)) if src.store_root is not None else None


@st.cache_resource(show_spinner=False, max_entries=2)
def _editors(path: str) -> Editors:
    return Editors.open(Path(path))  # one instance per file: it reads the file again only when it changed


def editing_enabled() -> bool:
    """True when at least one editor account exists (the editing page is listed only then)."""
    accounts = Editors.open()
    return accounts.path is not None and _editors(str(accounts.path)).enabled()


def withheld(src: DataSource) -> dict[str, int]:
    """What the public view of these data withholds, rule by rule (never which records)."""
    loaded = load(src)
    return {} if isinstance(loaded, ibcr_data.ValidationError) else dict(view_for(loaded, "public").withheld)


def version_refs(s: Store | None) -> dict[str, str]:
    """What a link may name (an id, a number, a name, lower-cased) -> the version's id."""
    refs: dict[str, str] = {}
    for v in s.versions() if s else ():
        refs[v.id] = refs[str(v.number)] = v.id
        for name in v.names:
            refs[name.lower()] = v.id
    return refs


@st.cache_resource(show_spinner=False, max_entries=16)
def changes(root: str, old_id: str, new_id: str, audience: str) -> Changes:
    """What changed between two versions, in one audience's view (versions never change: cached for good)."""
    s = _store(root)
    return what_changed(view_for(s.load(old_id), audience), view_for(s.load(new_id), audience))
