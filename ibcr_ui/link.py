"""The link is the one home of every view: query parameters -> ViewState -> query parameters.

Pure (no Streamlit), so the rules are unit-tested directly. A view is the filters every page
shares, the reader's language, and the choices that belong to one page (the map's colouring,
the timeline's grouping and milestone categories, the chosen kind of figure, the profile shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from ibcr_data import Choices, Filters, Ignored, parse_query
from ibcr_data.filters import LINK_KEYS, link_values
from ibcr_present import i18n

from .registry import page

MAP_MODES = ("kind", "status", "count")
TIMELINE_GROUPS = ("programme", "country")


@dataclass(frozen=True)
class Options:
    """View choices that belong to one page. The defaults never appear in a link."""

    map_mode: str = "kind"
    timeline_group: str = "programme"
    categories: frozenset[str] = frozenset()
    metric: str | None = None  # None: the first kind of figure in view
    profile: str | None = None  # the country whose profile is shown
    since: str | None = None  # "What changed": the version compared with the current one (None: the previous)


@dataclass(frozen=True)
class ViewState:
    filters: Filters = field(default_factory=Filters)
    options: Options = field(default_factory=Options)
    lang: str = i18n.DEFAULT_LANGUAGE

    def with_filters(self, **changes) -> ViewState:
        return replace(self, filters=replace(self.filters, **changes))

    def with_options(self, **changes) -> ViewState:
        return replace(self, options=replace(self.options, **changes))

    def with_lang(self, lang: str) -> ViewState:
        return replace(self, lang=lang)


# Link key of each page option, and the page it belongs to.
OPTION_PAGES = {"mode": "map", "group": "timeline", "category": "timeline", "metric": "programmes",
                "profile": "country", "since": "changes"}
KNOWN_KEYS = frozenset(LINK_KEYS) | frozenset(OPTION_PAGES) | {"lang"}


def parse(params: Mapping[str, str | list[str]], ch: Choices, default_lang: str = i18n.DEFAULT_LANGUAGE,
          versions: Mapping[str, str] | None = None) -> tuple[ViewState, list[Ignored]]:
    """Read a link: keep what exists in the data, list what was ignored (unknown keys are left alone).

    `versions` maps what a link may name (a version id, "3", or a version's name, lower-cased) to its id.
    """
    filters, ignored = parse_query(params, ch)

    def one(key: str, allowed, transform=str) -> str | None:
        values = link_values(params, key, ignored)
        chosen = None
        for v in values:
            if transform(v) in allowed and chosen is None:
                chosen = transform(v)
            else:
                ignored.append(Ignored(key, v))
        return chosen

    categories = set()
    for v in link_values(params, "category", ignored):
        if v.lower() in ch.categories:
            categories.add(v.lower())
        else:
            ignored.append(Ignored("category", v))
    options = Options(
        map_mode=one("mode", MAP_MODES, str.lower) or "kind",
        timeline_group=one("group", TIMELINE_GROUPS, str.lower) or "programme",
        categories=frozenset(categories),
        metric=one("metric", ch.metrics, str.lower),
        profile=one("profile", ch.countries, str.upper),
        since=_version(params, versions or {}, ignored),
    )
    raw_lang = params.get("lang")
    raw_lang = raw_lang[-1] if isinstance(raw_lang, (list, tuple)) and raw_lang else raw_lang
    lang = i18n.normalise_language(raw_lang) or default_lang
    return ViewState(filters, options, lang), ignored


def _version(params: Mapping[str, str | list[str]], versions: Mapping[str, str], ignored: list[Ignored]) -> str | None:
    raw = params.get("since")
    raw = raw[-1] if isinstance(raw, (list, tuple)) and raw else raw
    if not raw:
        return None
    found = versions.get(str(raw).strip().lower())
    if found is None:
        ignored.append(Ignored("since", str(raw)[:40]))
    return found


def for_page(state: ViewState, page: str) -> ViewState:
    """The view as one page reads it.

    NOTE: links shared before `profile` existed open a profile as `/country?country=BFA`; on the
    profile page a single country in the filter becomes the profile, so those links still work.
    """
    if page == "country" and not state.options.profile and len(state.filters.countries) == 1:
        return state.with_options(profile=next(iter(state.filters.countries))).with_filters(countries=frozenset())
    return state


def to_params(state: ViewState, page: str) -> dict[str, str]:
    """The link of a view on one page (sorted values, defaults left out, so a view has one link)."""
    params = state.filters.to_query()
    params["lang"] = state.lang
    o = state.options
    if page == "map" and o.map_mode != "kind":
        params["mode"] = o.map_mode
    if page == "timeline":
        if o.timeline_group != "programme":
            params["group"] = o.timeline_group
        if o.categories:
            params["category"] = ",".join(sorted(o.categories))
    if page == "programmes" and o.metric:
        params["metric"] = o.metric
    if page == "country" and o.profile:
        params["profile"] = o.profile
    if page == "changes" and o.since:
        params["since"] = o.since
    return params


def nav_params(state: ViewState, target: str, profile: str | None = None) -> dict[str, str]:
    """A navigation link: the filters and the language travel with the reader to `target`."""
    options = Options(profile=profile) if target == "country" and profile else Options()
    return to_params(ViewState(state.filters, options, state.lang), target)


def profile_href(state: ViewState, iso3: str, embedded: bool = False) -> str:
    """A link to a country's profile from a picture (the map, the timeline), keeping the reader's view.

    Relative, since the app may be served under a path; an embedded page's links keep it embedded.
    """
    params = nav_params(state, "country", iso3) | ({"embed": "true"} if embedded else {})
    return page("country").url_path.lstrip("/") + "?" + urlencode(params, doseq=True)


def extra_params(params: Mapping[str, str | list[str]]) -> dict[str, list[str]]:
    """Link keys this dashboard does not use (kept as they are, e.g. a campaign tag)."""
    out = {}
    for k, v in params.items():
        if k not in KNOWN_KEYS:
            out[k] = list(v) if isinstance(v, (list, tuple)) else [v]
    return out
