"""The shell every page calls first: page config, data, language, sidebar filters, navigation.

NOTE: with a pages/ folder, Streamlit may run a page script without the entry script (a deep
link on a fresh server, or AppTest reruns), so every page calls `setup()` itself.

Every page script starts with `ctx = setup(key)` and ends with `done(ctx)`, or `stop(ctx)` where
it stops early: the sidebar is drawn after the page's content (see `done`).

The link (st.query_params) is the one home of the view (see ibcr_ui.link). Each run reads it;
the widgets are refilled from it only when it changed from outside (a first visit, a shared
link, a navigation link); a widget's on_change writes the new view straight into the link.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from urllib.parse import urlencode

import streamlit as st

import ibcr_data
from ibcr_data import DIMENSIONS, Choices, Dimension
from ibcr_present import i18n
from ibcr_updates import store_root
from ibcr_updates.backups import LOG

from . import components, data, link, prepaint, session
from .context import Context, DataKey
from .link import ViewState
from .registry import PAGES, page

Getter = Callable[[ViewState], object]
Setter = Callable[[ViewState, object], ViewState]


def bindings(ch: Choices) -> dict[str, tuple[Getter, Setter]]:
    """Widget key -> (what the widget shows for a view, the view once the widget changed)."""
    full = (ch.year_min, ch.year_max)

    def years(s: ViewState, v) -> ViewState:
        v = (int(v[0]), int(v[1]))
        return s.with_filters(years=None if v == full else v)

    def codes(field: str) -> tuple[Getter, Setter]:
        return (lambda s: sorted(getattr(s.filters, field)),
                lambda s, v: s.with_filters(**{field: frozenset(v or ())}))

    return {
        "lang_choice": (lambda s: s.lang, lambda s, v: s.with_lang(v or s.lang)),
        "f_years": (lambda s: s.filters.years_or(ch), years),
        **{filter_key(d): codes(d.field) for d in DIMENSIONS if d.in_sidebar},
        "map_mode": (lambda s: s.options.map_mode, lambda s, v: s.with_options(map_mode=v or "kind")),
        "timeline_group": (lambda s: s.options.timeline_group,
                           lambda s, v: s.with_options(timeline_group=v or "programme")),
        "timeline_categories": (lambda s: sorted(s.options.categories),
                                lambda s, v: s.with_options(categories=frozenset(v or ()))),
        "metric_code": (lambda s: s.options.metric, lambda s, v: s.with_options(metric=v)),
        "country_pick": (lambda s: s.options.profile, lambda s, v: s.with_options(profile=v)),
        "changes_since": (lambda s: s.options.since, lambda s, v: s.with_options(since=v)),
    }


def filter_key(d: Dimension) -> str:
    """The widget key of a filter's sidebar control: "f_region"."""
    return f"f_{d.link_key}"


def _params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _write_link(state: ViewState, page_key: str) -> None:
    """Put the view in the address bar (only when it differs), keeping keys this app does not use."""
    wanted = {k: ",".join(v) for k, v in link.extra_params(_params()).items()} | link.to_params(state, page_key)
    if {k: ",".join(v) for k, v in _params().items()} != wanted:
        st.query_params.from_dict(wanted)


def _show(state: ViewState, ch: Choices, only_missing: bool = False) -> None:
    """Set every bound widget to what the view says (before the widgets are drawn)."""
    for key, (get, _) in bindings(ch).items():
        if not only_missing or key not in st.session_state:
            st.session_state[key] = get(state)
    st.session_state["_view_state"] = state


def _changed(key: str, ch: Choices, page_key: str) -> None:
    """on_change of a bound widget: the new view goes straight into the link."""
    get, put = bindings(ch)[key]
    state = put(st.session_state["_view_state"], st.session_state[key])
    st.session_state[key] = get(state)  # e.g. a deselected grouping shows its default again
    st.session_state["_view_state"] = state
    _write_link(state, page_key)


def _reset(ch: Choices, page_key: str) -> None:
    old = st.session_state["_view_state"]
    state = ViewState(ibcr_data.Filters(), old.options, old.lang)
    _show(state, ch)
    _write_link(state, page_key)


def bound(ctx: Context, key: str) -> dict:
    """Keyword arguments that bind a widget to the link: its key and its on_change."""
    return {"key": key, "on_change": _changed, "args": (key, ctx.choices, ctx.page)}


def setup(page_key: str) -> Context:
    """Set the page up (page config, language, data, the view from the link) and return its context.

    The page ends with `done(ctx)` (or `stop(ctx)`), which draws the sidebar.
    """
    last = st.session_state.get("_view_state")
    browser = i18n.normalise_language(getattr(st.context, "locale", None))
    default_lang = last.lang if last else (browser or i18n.DEFAULT_LANGUAGE)
    lang = i18n.normalise_language(st.query_params.get("lang")) or default_lang
    t = partial(i18n.translate, lang)
    st.set_page_config(page_title=t(page(page_key).title_key) + " · " + t("app.short_name"), page_icon="🧒",
                       layout="wide", initial_sidebar_state="auto")  # "auto": closed on a phone, open on a desktop
    components.inject_css(lang)
    key = DataKey(data.source(), session.audience())
    loaded = data.load(key.source)
    if isinstance(loaded, ibcr_data.ValidationError):
        components.problems_table(loaded.problems, lang)
        st.stop()
    ds = data.dataset(key)
    ch = data.choices(key)
    state, ignored = link.parse(_params(), ch, default_lang, data.version_refs(data.store(key.source)))
    state = link.for_page(state, page_key)
    _show(state, ch, only_missing=(last == state))
    _write_link(state, page_key)
    ctx = Context(ds=ds, lang=state.lang, names=data.lookups(key, state.lang), choices=ch, state=state,
                  view=ibcr_data.apply_filters(ds, state.filters), ignored=tuple(ignored), page=page_key, key=key)
    if key.audience == "board":
        components.board_banner(ctx)
    if ignored:
        components.ignored_notice(ctx)
    return ctx


def done(ctx: Context) -> None:
    """End of the page: draw the sidebar (language, filters, navigation).

    NOTE: the sidebar is drawn last on purpose. Every element is one message, rendered as it
    arrives, and the first widget of each kind makes the browser fetch that kind's code (slider,
    multiselect, segmented control, page links: some thirty files on a first visit). Drawn first,
    they held back the figures the reader came for. The view comes from the link, not from the
    widgets, so nothing above depends on them having been drawn.

    Embedded in another site (`?embed=true`), the page is its content alone: no sidebar, the link's
    view, and a line saying where the numbers come from with a link to the full page.
    """
    if session.embedded():
        _embed_footer(ctx)
        return
    _draw_sidebar(ctx)
    _keep_first_visit(ctx)  # after the sidebar: a painted first visit keeps the sidebar's room (prepaint.py)
    if not prepaint.page_drawn.is_set():
        # The process's first page: leave what it loaded (pandas, the data, the caches) out of every later
        # full collection (see serve.settle_garbage_collector): 0.1 s sooner "done" on a cold start when
        # Streamlit collects after each run (runner.postScriptGC, off in .streamlit/config.toml).
        gc.freeze()
        prepaint.page_drawn.set()


def _keep_first_visit(ctx: Context) -> None:
    """When this run drew a public first visit, keep it for the next (prepaint.py; only the Overview asks)."""
    src = ctx.key.source
    first = ctx.key.audience == "public" and not ctx.ignored and link.to_params(ctx.state, ctx.page) == {"lang": ctx.lang}
    prepaint.keep(src.folder, (src.store_root or store_root() or src.folder) / LOG, first)


def _embed_footer(ctx: Context) -> None:
    path = page(ctx.page).url_path.lstrip("/") or "./"
    full = path + "?" + urlencode(link.to_params(ctx.state, ctx.page))
    version = ctx.ds.version or ctx.ds.last_updated
    st.caption(ctx.t("embed.footer", version=version, url=full))


def stop(ctx: Context) -> None:
    """Stop the page early (nothing more to show), with its sidebar drawn."""
    done(ctx)
    st.stop()


MAX_PROGRAMME_OPTIONS = 300  # beyond this the Programme filter lists those in view (see programme_options)


def programme_options(ctx: Context) -> tuple[list[str], int]:
    """The programmes the Programme filter lists, and how many exist.

    NOTE: every option travels to the browser on every run. With a few dozen programmes that is
    nothing; with tens of thousands (the 1,000x benchmark data) it was a 432 KB message on every
    page. Beyond MAX_PROGRAMME_OPTIONS the list holds the chosen programmes, then those with work
    in the current view (whatever programmes are chosen), up to the limit; a link can still name
    any programme.
    """
    every = list(ctx.choices.programmes)
    if len(every) <= MAX_PROGRAMME_OPTIONS:
        return every, len(every)
    chosen = sorted(ctx.filters.programmes)
    others = ibcr_data.apply_filters(ctx.ds, replace(ctx.filters, programmes=frozenset()))  # the view, any programme
    in_view = others.engagements["programme_id"].dropna().value_counts().index
    rest = [p for p in in_view if p not in ctx.filters.programmes]
    return (chosen + rest)[:max(MAX_PROGRAMME_OPTIONS, len(chosen))], len(every)


def _draw_sidebar(ctx: Context) -> None:
    ch = ctx.choices
    programmes, total = programme_options(ctx)
    labels = data.programme_labels(ctx.key, ctx.lang)
    with st.sidebar:
        st.markdown("### " + ctx.t("app.name"))
        st.segmented_control(ctx.t("shell.language"), options=list(i18n.LANGUAGES), **bound(ctx, "lang_choice"),
                             format_func=lambda c: ctx.t(f"language.{c}"), label_visibility="collapsed")
        st.caption(ctx.t("filters.title"))
        st.slider(ctx.t("filters.years"), min_value=ch.year_min, max_value=ch.year_max, **bound(ctx, "f_years"))
        for d in DIMENSIONS:
            if not d.in_sidebar:
                continue
            if d.field == "programmes":  # a long list: those in view, named by acronym (programme_options)
                options, name = programmes, (lambda c: labels.get(c, c))
            else:
                options, name = getattr(ch, d.field), partial(ctx.value_name, d)
            st.multiselect(ctx.t(f"filters.{d.link_key}"), options=list(options), format_func=name,
                           placeholder=ctx.t("filters.all"), **bound(ctx, filter_key(d)))
        if len(programmes) < total:
            st.caption(ctx.t("filters.programmes_in_view", shown=ctx.number(len(programmes)), total=ctx.number(total)))
        st.button(ctx.t("filters.reset"), on_click=_reset, args=(ch, ctx.page), width="stretch")
        st.caption(ctx.t("shell.pages"))
        here = ctx.options.profile if ctx.page == "country" else None
        editing_on = data.editing_enabled()
        for p in PAGES:
            if p.for_editors and not editing_on:
                continue
            st.page_link(p.script, label=ctx.t(p.title_key), query_params=link.nav_params(ctx.state, p.key, here))
