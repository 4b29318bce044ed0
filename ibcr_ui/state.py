"""The shell every page calls first: data, language, navigation, filters and the link.

NOTE: with a pages/ folder, Streamlit may run a page script without the entry script (a deep
link on a fresh server, or AppTest reruns). So every page calls `setup()` itself, and the link
(st.query_params) is the one home of the filter state; widgets are refilled from it whenever it
changes from outside (first visit, a shared link, a navigation link).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

import streamlit as st

import ibcr_data
from ibcr_data import Choices, Dataset, Filters, Ignored, View

from . import components, i18n

PAGES = (
    ("overview", "dashboard.py"),
    ("map", "pages/1_map.py"),
    ("country", "pages/2_country.py"),
    ("timeline", "pages/3_timeline.py"),
    ("programmes", "pages/4_programmes.py"),
    ("data", "pages/5_data.py"),
    ("sources", "pages/6_sources.py"),
)
FILTER_KEYS = {"region": "f_region", "kind": "f_kind", "status": "f_status", "programme": "f_programme"}


@dataclass(frozen=True)
class Context:
    ds: Dataset
    lang: str
    choices: Choices
    filters: Filters
    view: View
    ignored: tuple[Ignored, ...]
    page: str
    fingerprint: str
    names: Lookups

    def t(self, key: str, **values) -> str:
        return i18n.translate(self.lang, key, **values)

    def pair(self, key: str, value: str) -> str:
        """'Label: value' with the language's punctuation (French puts a space before the colon)."""
        return self.t("pair", label=self.t(key), value=value)

    def orgs(self, text) -> str:
        """Partner and funder names, with their official name in the reader's language where known."""
        if not isinstance(text, str):
            return ""
        return "; ".join(i18n.org_name(self.lang, p.strip()) for p in text.split(";") if p.strip())

    def label(self, vocabulary: str, code) -> str:
        return i18n.label(self.lang, vocabulary, code)

    def country_name(self, iso3: str) -> str:
        return self.names.countries.get(iso3, iso3)

    def region_name(self, code: str) -> str:
        return self.names.regions.get(code, code)

    def programme_name(self, pid: str) -> str:
        return self.names.programmes.get(pid, pid)

    @property
    def this_year(self) -> int:
        return int(self.ds.last_updated[:4]) if self.ds.last_updated[:4].isdigit() else dt.date.today().year


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(fingerprint: str) -> Dataset | ibcr_data.ValidationError:
    try:
        return ibcr_data.load_dataset()
    except ibcr_data.ValidationError as exc:
        return exc


@dataclass(frozen=True)
class Lookups:
    """Names in one language and source titles, by id: built once per data version."""

    countries: dict[str, str]
    regions: dict[str, str]
    programmes: dict[str, str]
    sources: dict[str, tuple[str, str | None]]


@st.cache_resource(show_spinner=False, max_entries=4)
def _lookups(fingerprint: str, lang: str, _ds: Dataset) -> Lookups:
    def by(df, key: str, col: str) -> dict[str, str]:
        return dict(zip(df[key], df[col]))

    urls = [u if isinstance(u, str) else None for u in _ds.sources["url"]]
    return Lookups(
        countries=by(_ds.countries, "country_iso3", f"name_{lang}"),
        regions=by(_ds.regions, "region_code", f"name_{lang}"),
        programmes=by(_ds.programmes, "programme_id", f"name_{lang}"),
        sources=dict(zip(_ds.sources["source_id"], zip(_ds.sources["title"], urls))),
    )


@st.cache_resource(show_spinner=False, max_entries=2)
def _choices(fingerprint: str, _ds: Dataset) -> Choices:
    return ibcr_data.choices(_ds)


def load(fingerprint: str) -> Dataset | ibcr_data.ValidationError:
    return _load(fingerprint)


def current_language() -> str:
    """The language in the link, else the browser's, else English."""
    lang = i18n.normalise_language(st.query_params.get("lang"))
    if lang:
        return lang
    if "lang" in st.session_state:
        return st.session_state["lang"]
    return i18n.normalise_language(getattr(st.context, "locale", None)) or i18n.DEFAULT_LANGUAGE


def _link_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _sync_widgets_from_link(f: Filters, ch: Choices) -> None:
    """Refill the filter widgets when the link changed from outside this session's widgets."""
    if st.session_state.get("_synced") == f and all(k in st.session_state for k in [*FILTER_KEYS.values(), "f_years"]):
        return
    st.session_state["f_years"] = f.years or (ch.year_min, ch.year_max)
    st.session_state["f_region"] = sorted(f.regions)
    st.session_state["f_kind"] = sorted(f.kinds)
    st.session_state["f_status"] = sorted(f.statuses)
    st.session_state["f_programme"] = sorted(f.programmes)
    st.session_state["_synced"] = f


def _reset_filters() -> None:
    for key in [*FILTER_KEYS.values(), "f_years", "_synced"]:
        st.session_state.pop(key, None)
    lang = st.query_params.get("lang")
    st.query_params.clear()
    if lang:
        st.query_params["lang"] = lang


def _filters_from_widgets(ch: Choices, countries: frozenset[str]) -> Filters:
    y = tuple(st.session_state["f_years"])
    return Filters(
        years=None if y == (ch.year_min, ch.year_max) else (int(y[0]), int(y[1])),
        regions=frozenset(st.session_state["f_region"]), kinds=frozenset(st.session_state["f_kind"]),
        statuses=frozenset(st.session_state["f_status"]), programmes=frozenset(st.session_state["f_programme"]),
        countries=countries,
    )


def _write_link(f: Filters, lang: str) -> None:
    params = f.to_query()
    params["lang"] = lang
    extra = {k: st.query_params.get_all(k) for k in st.query_params if k not in (*ibcr_data.filters.LINK_KEYS, "lang")}
    current = {k: ",".join(v) for k, v in _link_params().items()}
    wanted = {**{k: ",".join(v) for k, v in extra.items()}, **params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def nav_params(ctx: Context, target: str, country: str | None = None) -> dict[str, str]:
    """Link parameters for a navigation link: the filters and language travel with the reader."""
    params = ctx.filters.with_(countries=frozenset()).to_query()
    params["lang"] = ctx.lang
    if target == "country" and country:
        params["country"] = country
    elif ctx.filters.countries and target != "country":
        params["country"] = ",".join(sorted(ctx.filters.countries))
    return params


def setup(page: str) -> Context:
    """Draw the shell (page config, language, navigation, filters) and return the view."""
    lang = current_language()
    st.session_state["lang"] = lang
    t = partial(i18n.translate, lang)
    st.set_page_config(page_title=f"{t('page.' + page)} · {t('app.short_name')}", page_icon="🧒",
                       layout="wide", initial_sidebar_state="expanded")
    components.inject_css()
    fingerprint = ibcr_data.fingerprint()
    loaded = load(fingerprint)
    if isinstance(loaded, ibcr_data.ValidationError):
        components.problems_table(loaded.problems, lang)
        st.stop()
    ds = loaded
    ch = _choices(fingerprint, ds)
    url_filters, ignored = ibcr_data.parse_query(_link_params(), ch)
    # On the country page, `country` names the profile; elsewhere it narrows the view.
    countries = url_filters.countries if page != "country" else frozenset()
    _sync_widgets_from_link(url_filters.with_(countries=countries), ch)

    with st.sidebar:
        st.markdown(f"### {t('app.name')}")
        st.session_state["lang_choice"] = lang
        st.segmented_control(t("shell.language"), options=list(i18n.LANGUAGES), key="lang_choice",
                             format_func=lambda c: t(f"language.{c}"),
                             on_change=_on_language, label_visibility="collapsed")
    _draw_filters(ch, ds, lang)
    f = _filters_from_widgets(ch, countries)
    st.session_state["_synced"] = f
    _write_link(f if page != "country" else f.with_(countries=url_filters.countries), lang)
    ctx = Context(ds, lang, ch, f, ibcr_data.apply_filters(ds, f), tuple(ignored), page, fingerprint,
                  _lookups(fingerprint, lang, ds))
    _draw_navigation(ctx)
    if ignored:
        components.ignored_notice(ctx)
    return ctx


def _on_language() -> None:
    choice = st.session_state.get("lang_choice")
    if choice:
        st.session_state["lang"] = choice
        st.query_params["lang"] = choice


def _draw_navigation(ctx: Context) -> None:
    with st.sidebar:
        st.caption(ctx.t("shell.pages"))
        country = st.query_params.get("country") if ctx.page == "country" else None
        for key, path in PAGES:
            st.page_link(path, label=ctx.t(f"page.{key}"), query_params=nav_params(ctx, key, country))


def _draw_filters(ch: Choices, ds: Dataset, lang: str) -> None:
    t = partial(i18n.translate, lang)
    regions = ds.regions.set_index("region_code")[f"name_{lang}"].to_dict()
    programmes = ds.programmes.set_index("programme_id")
    prog_label = {pid: (row["acronym"] if isinstance(row["acronym"], str) else row[f"name_{lang}"])
                  for pid, row in programmes.iterrows()}
    with st.sidebar:
        st.caption(t("filters.title"))
        st.slider(t("filters.years"), min_value=ch.year_min, max_value=ch.year_max, key="f_years")
        st.multiselect(t("filters.region"), options=list(ch.regions), key="f_region",
                       format_func=lambda c: regions.get(c, c), placeholder=t("filters.all"))
        st.multiselect(t("filters.kind"), options=list(ch.kinds), key="f_kind",
                       format_func=lambda c: i18n.label(lang, "kind", c), placeholder=t("filters.all"))
        st.multiselect(t("filters.status"), options=list(ch.statuses), key="f_status",
                       format_func=lambda c: i18n.label(lang, "status", c), placeholder=t("filters.all"))
        st.multiselect(t("filters.programme"), options=list(ch.programmes), key="f_programme",
                       format_func=lambda c: prog_label.get(c, c), placeholder=t("filters.all"))
        st.button(t("filters.reset"), on_click=_reset_filters, width="stretch")


def describe(ctx: Context) -> str:
    """One human line saying what is shown: counts, then each active filter."""
    eng = ctx.view.engagements
    parts = [ctx.t("summary.counts", n=i18n.number(ctx.lang, len(eng)),
                   countries=i18n.number(ctx.lang, eng["country_iso3"].nunique()))]
    f = ctx.filters
    if f.regions:
        parts.append(", ".join(ctx.region_name(r) for r in sorted(f.regions)))
    if f.kinds:
        parts.append(", ".join(ctx.label("kind", k) for k in sorted(f.kinds)))
    if f.statuses:
        parts.append(", ".join(ctx.label("status", s) for s in sorted(f.statuses)))
    if f.programmes:
        parts.append(", ".join(ctx.programme_name(p) for p in sorted(f.programmes)))
    if f.countries:
        parts.append(", ".join(ctx.country_name(c) for c in sorted(f.countries)))
    parts.append(f"{f.years[0]}–{f.years[1]}" if f.years else f"{ctx.choices.year_min}–{ctx.choices.year_max}")
    return " · ".join(parts)
