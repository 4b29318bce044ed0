"""The words, tables and charts of one pack, as plain data for the Typst template (no Streamlit).

Everything is worded with the dashboard's own catalogues and formatters (ibcr_present.i18n, .text),
so a pack says what the dashboard says. Charts are returned as Plotly figures with their alt
text; render.py draws them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibcr_data
from ibcr_data import Dataset, HeadlineNumber
from ibcr_present import cards, i18n, text
from ibcr_present import results as result_words
from ibcr_present.words import Words
from ibcr_updates import Changes

from . import charts
from .charts import Chart, _s
from .results import results_section
from .scope import Scope

NNBSP = "\u202f"


@dataclass
class Content:
    doc: dict
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class VersionInfo:
    """The data a pack was made from: a store version (id, date, names) or a plain folder."""

    label: str  # "v3" or "" for a plain folder
    created: str = ""  # ISO date
    names: tuple[str, ...] = ()


def french(s: str) -> str:
    """French typography: a narrow no-break space before : ; ! ? (and none doubled)."""
    for mark in (":", ";", "!", "?"):
        s = s.replace(f" {mark}", f"{NNBSP}{mark}").replace(f"\u00a0{mark}", f"{NNBSP}{mark}")
    return s.replace("https" + NNBSP + ":", "https:").replace("http" + NNBSP + ":", "http:")


def _typeset(value, lang: str):
    if lang != "fr":
        return value
    if isinstance(value, str):
        return french(value)
    if isinstance(value, list):
        return [_typeset(v, lang) for v in value]
    if isinstance(value, dict):
        return {k: (v if k in ("url", "svg") else _typeset(v, lang)) for k, v in value.items()}
    return value


def title(ctx: Words, scope: Scope) -> str:
    if scope.kind == "organisation":
        return ctx.t("pack.title.organisation")
    if scope.kind == "country":
        return ctx.t("pack.title.country", country=ctx.country_name(scope.key))
    if scope.kind == "programme":
        return ctx.t("pack.title.programme", programme=ctx.programme_name(scope.key))
    return ctx.t("pack.title.funder", funder=i18n.org_name(ctx.lang, scope.key))


def scope_line(ctx: Words, scope: Scope) -> str:
    if scope.kind == "country":
        region = ctx.ds.countries.set_index("country_iso3").at[scope.key, "ibcr_region_code"]
        return ctx.t("pack.scope.country", country=ctx.country_name(scope.key), region=ctx.region_name(region))
    if scope.kind == "programme":
        return ctx.t("pack.scope.programme", programme=ctx.programme_name(scope.key))
    if scope.kind == "funder":
        return ctx.t("pack.scope.funder", funder=i18n.org_name(ctx.lang, scope.key))
    return ctx.t("pack.scope.organisation")


def version_text(ctx: Words, v: VersionInfo) -> str:
    if not v.label:
        return ctx.t("pack.version.plain", date=i18n.iso_date(ctx.lang, ctx.ds.last_updated))
    label = v.label + (f" ({', '.join(v.names)})" if v.names else "")
    out = ctx.t("pack.version.value", version=label, date=i18n.iso_date(ctx.lang, v.created[:10]))
    return out + " · " + ctx.t("pack.version.updated", date=i18n.iso_date(ctx.lang, ctx.ds.last_updated))


def build_content(ds: Dataset, scope: Scope, lang: str, version: VersionInfo, since: VersionInfo | None = None,
                  changes: Changes | None = None, today: dt.date | None = None) -> Content:
    ctx = Words.of(ds, lang)
    today = today or dt.date.today()
    made = i18n.iso_date(lang, today.isoformat())
    heading = title(ctx, scope)
    out = Content({})
    headline = {f.key: f for f in ibcr_data.headline_figures(ds, scope.view, ctx.as_of_year)}
    doc = {
        "lang": lang,
        "classification": (ctx.t("board.classification") + " · " + made) if ds.audience == "board" else "",
        "title": heading,
        "kind": ctx.t(f"pack.kind.{scope.kind}"),
        "author": ctx.t("pack.author"),
        "keywords": [k.strip() for k in ctx.t("pack.keywords").split(";")] + [heading],
        "page": ctx.t("pack.page", page="{page}", pages="{pages}"),
        "contents": ctx.t("pack.contents"),
        "cover": {
            "rows": [[ctx.t("pack.cover.scope"), scope_line(ctx, scope)],
                     [ctx.t("pack.cover.language"), ctx.t(f"language.{lang}")],
                     [ctx.t("pack.cover.version"), version_text(ctx, version)]]
                    + ([[ctx.t("pack.cover.since"), version_text(ctx, since)]] if since else []),
            "made": ctx.t("pack.cover.made", date=made),
            "what": ctx.t("pack.cover.what", date=made),
            "version_short": version.label or ds.last_updated,
        },
        "figures": _figures(ctx, scope, headline),
        "results": results_section(ctx, scope),
        "map": charts.map_section(ctx, scope, out.charts),
        "timeline": charts.timeline_section(ctx, scope, out.charts),
        "metrics": charts.metrics_section(ctx, scope, out.charts),
        "engagements": _engagements(ctx, scope),
        "changes": _changes(ctx, scope, since, changes, version) if since else None,
        "conflicts": _conflicts(ctx, scope, headline),
        "sources": _sources(ctx, scope, headline),
        "credits": {"title": ctx.t("pack.section.credits"),
                    "lines": [ctx.t("map.disclaimer"), ctx.t("map.credit"), ctx.t("method.reference_data"),
                              ctx.t("pack.credits.fonts")]},
    }
    out.doc = _typeset(doc, lang)
    for c in out.charts:
        c.alt = _typeset(c.alt, lang)
    return out


# Headline figures


def _figures(ctx: Words, scope: Scope, figs: dict[str, HeadlineNumber]) -> dict:
    """The headline cards as the dashboard words them (ibcr_present.cards), in plain text for the page."""
    counted, reported = cards.headline_cards(ctx, figs, cards.plain(ctx))
    return {
        "title": ctx.t("pack.section.figures"), "intro": ctx.t("pack.figures.intro"),
        "counted_title": ctx.t("pack.figures.counted"), "reported_title": ctx.t("pack.figures.reported"),
        "counted": [[c.title, c.value, *c.captions] for c in counted],
        "reported": [{"label": c.title, "value": c.value, "gap": figs[c.key].value is None, "lines": list(c.captions),
                      "others": list(c.conflicts), "others_title": c.conflict_label} for c in reported],
        "org_wide": ctx.t("pack.figures.org_wide") if scope.kind != "organisation" else "",
    }


# Tables


def _engagements(ctx: Words, scope: Scope) -> dict:
    eng = scope.view.engagements.sort_values(["country_iso3", "start_year", "engagement_id"], na_position="last")
    cols = ["col.country", "col.kind", "col.dates", "col.status", "col.partners", "col.funders", "col.source"]
    rows = []
    for _, r in eng.iterrows():
        what = ctx.label("kind", r["kind_code"])
        if isinstance(r["programme_id"], str):
            what += " — " + ctx.programme_name(r["programme_id"])
        rows.append([ctx.country_name(r["country_iso3"]) + f" ({r['engagement_id']})", what,
                     text.dates_text(ctx, r), text.status_text(ctx, r), ctx.orgs(r["partners"]),
                     ctx.orgs(r["funders"]), ctx.source_title(r["source_id"]) + " · "
                     + ctx.label("confidence", r["confidence_code"])])
    return {"title": ctx.t("pack.section.engagements"), "count": ctx.tn("summary.engagements_n", len(eng)),
            "columns": [ctx.t(c) for c in cols], "rows": rows, "empty": ctx.t("pack.engagements.none")}


def _scope_ids(ds: Dataset, scope: Scope) -> dict[str, set[str]]:
    """The ids of the records in the pack's scope, by record table."""
    return {table: set(getattr(scope.view, table)[id_col]) for table, id_col in ds.record_tables.items()}


def _changes(ctx: Words, scope: Scope, since: VersionInfo, changes: Changes | None, version: VersionInfo) -> dict:
    label = since.label + (f" ({', '.join(since.names)})" if since.names else "")
    section = {"title": ctx.t("pack.section.changes", version=label), "groups": [],
               "intro": "", "empty": ctx.t("pack.changes.none", version=label)}
    if changes is None:
        return section
    whole = scope.kind == "organisation"
    ids = _scope_ids(ctx.ds, scope)
    countries = set(scope.view.engagements["country_iso3"])

    def keep_eng(c) -> bool:
        return whole or c.engagement_id in ids["engagements"]

    def eng_line(c) -> str:
        head = f"{c.engagement_id} ({ctx.country_name(c.country_iso3)}, {ctx.label('kind', c.kind_code)})"
        if c.added:
            return f"{head} — {ctx.t('pack.changes.new_record')}"
        old = ctx.label("status", c.old) if c.old in ctx.names.codes["status"] else (c.old or "—")
        new = ctx.label("status", c.new) if c.new in ctx.names.codes["status"] else (c.new or "—")
        return f"{head}: {old} → {new}"

    groups = []
    engaged = [ctx.country_name(c) for c in changes.countries_engaged if whole or c in countries]
    gone = [ctx.country_name(c) for c in changes.countries_no_longer if whole or c in countries]
    if engaged:
        groups.append([ctx.t("pack.changes.countries_engaged"), [", ".join(engaged)]])
    if gone:
        groups.append([ctx.t("pack.changes.countries_no_longer"), [", ".join(gone)]])
    for key, items in (("started", changes.started), ("ended", changes.ended), ("status", changes.status_changed)):
        lines = [eng_line(c) for c in items if keep_eng(c)]
        if lines:
            groups.append([ctx.t(f"pack.changes.{key}"), lines])
    none = ctx.t("pack.changes.none_value")
    heads = []
    for h in changes.headlines:
        def side(f: HeadlineNumber | None) -> str:
            if f is None or (f.value is None and not f.is_withheld):
                return none
            return (text.figure_text(ctx, f) + " ("
                    + ("; ".join(ctx.source_title(s) for s in f.source_ids) or ctx.t("card.from_records")) + ")")
        heads.append(f"{ctx.t(f'card.{h.key}')}: {side(h.old_figure)} → {side(h.new_figure)}")
    if heads and whole:
        groups.append([ctx.t("pack.changes.headlines"), heads])
    progress = [result_words.change_line(ctx, c.old, c.new, cards.plain(ctx)) for c in changes.results
                if whole or ids["metrics"] & set(c.result.metric_ids)]
    if progress:
        groups.append([ctx.t("pack.changes.results"), progress])
    corrected = [f"{c.table} {c.key}: {', '.join(f.field for f in c.fields)}" for c in changes.corrected
                 if whole or c.key in ids.get(c.table, set())]
    if corrected:
        groups.append([ctx.t("pack.changes.corrected"), corrected])
    section["groups"] = groups
    section["intro"] = ctx.t("pack.changes.intro", old=label, new=version.label or ctx.ds.last_updated)
    return section


def _conflicts(ctx: Words, scope: Scope, figs: dict[str, HeadlineNumber]) -> dict:
    v = scope.view
    used = set()
    for frame in (v.engagements, v.programmes, v.events, v.metrics):
        if "conflict_id" in frame:
            used |= set(frame["conflict_id"].dropna())
    if scope.kind == "organisation":
        used |= {f.conflict_id for f in figs.values() if f.conflict_id}
    c = ctx.ds.conflicts[ctx.ds.conflicts["conflict_id"].isin(used)].sort_values("conflict_id")
    rows = [[r[f"topic_{ctx.lang}"], r[f"resolution_{ctx.lang}"]] for _, r in c.iterrows()]
    return {"title": ctx.t("pack.section.conflicts"), "intro": ctx.t("pack.conflicts.intro"), "rows": rows,
            "empty": ctx.t("pack.conflicts.none")}


def _sources(ctx: Words, scope: Scope, figs: dict[str, HeadlineNumber]) -> dict:
    ds, v = ctx.ds, scope.view
    used = dict.fromkeys(ibcr_data.sources_used(ds, {"engagements": v.engagements, "programmes": v.programmes,
                                                     "events": v.events, "metrics": v.metrics}))
    for f in figs.values():  # the headline cards' sources (the years-active card: the founding milestone's)
        used.update(dict.fromkeys(f.source_ids))
        for alt in f.alternatives:
            used.update(dict.fromkeys(alt.source_ids))
    src = ds.sources[ds.sources["source_id"].isin(used)].copy()
    src = src.assign(_t=src["title"].str.casefold()).sort_values("_t")
    rows = []
    for _, s in src.iterrows():
        url = s["url"] if isinstance(s["url"], str) and s["url"].startswith(("http://", "https://")) else ""
        where = url or (ctx.t("pack.sources.no_address", file=s["file_name"]) if isinstance(s["file_name"], str)
                        else ctx.t("pack.sources.none_address"))
        rows.append({"title": s["title"], "publisher": ctx.orgs(s["publisher"]), "published": _s(
            i18n.iso_date(ctx.lang, s["published"]) if isinstance(s["published"], str) else ""),
            "url": url, "where": where})
    return {"title": ctx.t("pack.section.sources"), "intro": ctx.t("pack.sources.intro"),
            "count": ctx.tn("pack.sources_n", len(rows)), "rows": rows}
