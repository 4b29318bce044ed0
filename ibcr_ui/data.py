"""Cached loaders, keyed on the data's fingerprint: one load per data version, shared by sessions.

Each cached function takes only plain values and computes from them alone (the dataset is
fetched from the load cache inside), so a cache key always says everything a result depends on.
NOTE: cached objects are shared between sessions; treat them as read-only.
"""

from __future__ import annotations

import streamlit as st

import ibcr_data
from ibcr_data import Choices, Dataset

from .context import Lookups, build_lookups


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
