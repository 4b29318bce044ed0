"""Pure text from records: dates, statuses, reported values, hovers and the human line (no Streamlit).

Two kinds of output: Markdown for the page (data escaped with `md`) and HTML for Plotly hovers
(data escaped with `html.escape`). Every hover names its source and confidence.
"""

from __future__ import annotations

import re
from html import escape

import pandas as pd

from ibcr_data import Figure

from . import i18n
from .context import Context

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
CONFIDENCE_SYMBOL = {"exact": "●", "approximate": "◐", "inferred": "○"}
HOVER_SOURCES = 3  # sources named in a map hover; the rest are counted


def md(text) -> str:
    """Escape text from the data so Markdown shows it literally."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def short(text, limit: int = 140) -> str:
    text = "" if not isinstance(text, str) else text
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def confidence_mark(ctx: Context, code: str) -> str:
    return f"{CONFIDENCE_SYMBOL.get(code, '?')} {ctx.label('confidence', code)}"


def dates_text(ctx: Context, row: pd.Series) -> str:
    """The dates of a record as precisely as they are known, and no more."""
    precision = row["date_precision_code"]
    start, end = i18n.as_year(row["start_year"]), i18n.as_year(row["end_year"])
    if precision == "unknown" or (start is None and end is None):
        return ctx.t("value.no_date")
    if precision in ("day", "month") and isinstance(row.get("start_date"), str):
        a = i18n.iso_date(ctx.lang, row["start_date"])
        b = i18n.iso_date(ctx.lang, row["end_date"]) if isinstance(row.get("end_date"), str) else (str(end) if end else "")
        return f"{a} – {b}" if b and b != a else a
    span = i18n.year_span(ctx.lang, start, end)
    if precision in ("range", "circa", "by_year"):
        return ctx.t(f"precision_prefix.{precision}", span=span if precision != "by_year" else str(end))
    return span


def status_text(ctx: Context, row: pd.Series) -> str:
    return ctx.t("status.as_of", status=ctx.label("status", row["status_code"]),
                 date=i18n.iso_date(ctx.lang, row["status_as_of"]))


def reported_value_text(ctx: Context, value, qualifier: str, value_max=None) -> str:
    """A reported figure as the source qualifies it ("more than 64,300", "2,000–3,000")."""
    if value is None or pd.isna(value):
        return ctx.t("value.not_reported")
    if qualifier == "range" and value_max is not None and not pd.isna(value_max):
        return f"{i18n.number(ctx.lang, value)}–{i18n.number(ctx.lang, value_max)}"
    return ctx.t(f"qualifier_long.{qualifier}", n=i18n.number(ctx.lang, value))


def metric_row_text(ctx: Context, row: pd.Series) -> str:
    return reported_value_text(ctx, row["value"], row["qualifier_code"], row["value_max"])


def headline_value_text(ctx: Context, fig: Figure) -> str:
    """The big number of a headline card: compact, with the source's qualifier."""
    if fig.value is None:
        return "—"
    if fig.qualifier == "range" and fig.value_max is not None:
        return f"{i18n.number(ctx.lang, fig.value)}–{i18n.number(ctx.lang, fig.value_max)}"
    return ctx.t(f"qualifier_short.{fig.qualifier}", n=i18n.compact(ctx.lang, fig.value))


def source_hover(ctx: Context, source_id: str, confidence: str, further: int = 0) -> str:
    """'Source: <title> · ● Exact (+1 more)', HTML-escaped for a hover."""
    more = " " + ctx.tn("card.more_sources", further) if further else ""
    return escape(f"{ctx.t('card.source')} {short(ctx.source_title(source_id), 70)} · "
                  f"{confidence_mark(ctx, confidence)}{more}")


def engagement_hover(ctx: Context, rows: pd.DataFrame) -> pd.Series:
    """HTML-safe hover text for timeline bars: what, when, status, programme, source."""
    out = []
    for _, r in rows.iterrows():
        prog = r.get(f"programme_name_{ctx.lang}")
        out.append("<br>".join(filter(None, [
            f"<b>{escape(str(r.get(f'name_{ctx.lang}') or r['country_iso3']))}</b> · {escape(ctx.label('kind', r['kind_code']))}",
            escape(dates_text(ctx, r)) + " · " + escape(status_text(ctx, r)),
            escape(str(prog)) if isinstance(prog, str) else "",
            escape(short(r[f"description_{ctx.lang}"])),
            source_hover(ctx, r["source_id"], r["confidence_code"],
                         len(ctx.further_sources("engagements", r["engagement_id"]))),
        ])))
    return pd.Series(out, index=rows.index, dtype="str")


def milestone_hover(ctx: Context, events: pd.DataFrame) -> pd.Series:
    return pd.Series([
        f"<b>{escape(str(y))}</b> · {escape(str(title))}<br>{escape(short(desc))}<br>"
        f"{source_hover(ctx, src, conf, len(ctx.further_sources('events', eid)))}"
        for y, title, desc, src, conf, eid in zip(events["start_year"], events[f"title_{ctx.lang}"],
                                                  events[f"description_{ctx.lang}"], events["source_id"],
                                                  events["confidence_code"], events["event_id"])
    ], index=events.index, dtype="str")


def metric_hover(ctx: Context, series: pd.DataFrame) -> pd.Series:
    """HTML-safe hover text for reported figures: the value as qualified, its period, what it counts, source."""
    return pd.Series([
        f"<b>{escape(metric_row_text(ctx, r))}</b> · {escape(r[f'period_label_{ctx.lang}'])}<br>"
        f"{escape(r[f'note_{ctx.lang}'])}<br>"
        + source_hover(ctx, r["source_id"], r["confidence_code"], len(ctx.further_sources("metrics", r["metric_id"])))
        for _, r in series.iterrows()], index=series.index, dtype="str")


def _map_parts(ctx: Context, engagements: pd.DataFrame, limit: int):
    """Per country: its first engagements as short plain lines, how many more, and the sources they rest on.

    Lines are written for the first `limit` engagements of each country only: at 1,000 times the
    data, writing one for every engagement was most of the first Overview.
    """
    ordered = engagements.sort_values("start_year", kind="stable")
    linked = ctx.names.linked
    for iso3, g in ordered.groupby("country_iso3", sort=False):
        first = g.head(limit)
        lines = [f"{ctx.label('kind', k)} · {i18n.year_span(ctx.lang, a, b)} · "
                 f"{ctx.label('status', s)} {CONFIDENCE_SYMBOL.get(c, '')}".rstrip()
                 for k, a, b, s, c in zip(first["kind_code"], first["start_year"], first["end_year"],
                                          first["status_code"], first["confidence_code"])]
        sources = list(dict.fromkeys([*g["source_id"].unique(),
                                      *(s for e in g["engagement_id"] for s, _ in linked.get(("engagements", e), ()))]))
        titles = "; ".join(short(ctx.source_title(s), 50) for s in sources[:HOVER_SOURCES])
        more = len(sources) - HOVER_SOURCES
        yield iso3, lines, len(g) - len(first), ctx.pair("map.sources", titles) + (f" (+{more})" if more > 0 else "")


def map_hover(ctx: Context, engagements: pd.DataFrame, limit: int = 8) -> dict[str, str]:
    """Per country, its engagements as short HTML-safe lines, then the sources they rest on."""
    return {iso3: ("<br>".join(escape(x) for x in lines) + (f"<br>+{extra}…" if extra > 0 else "")
                   + "<br><i>" + escape(sources) + "</i>")
            for iso3, lines, extra, sources in _map_parts(ctx, engagements, limit)}


def map_tooltips(ctx: Context, engagements: pd.DataFrame, limit: int = 8) -> dict[str, str]:
    """Per country, plain text for a tooltip: its name and count first (also its accessible name)."""
    counts = engagements["country_iso3"].value_counts()
    return {iso3: "\n".join([f"{ctx.country_name(iso3)} — {ctx.tn('summary.engagements_n', int(counts[iso3]))}",
                             *lines, *([f"+{extra}…"] if extra > 0 else []), sources])
            for iso3, lines, extra, sources in _map_parts(ctx, engagements, limit)}


def conflict_text(ctx: Context, conflict_id: str) -> str:
    c = ctx.ds.conflicts.set_index("conflict_id")
    if conflict_id not in c.index:
        return ctx.t("card.sources_disagree")
    return ctx.t("conflict.line", topic=c.at[conflict_id, f"topic_{ctx.lang}"],
                 resolution=c.at[conflict_id, f"resolution_{ctx.lang}"])


def describe(ctx: Context) -> str:
    """One human line saying what is shown: counts, then each active filter."""
    eng = ctx.view.engagements
    parts = [ctx.t("summary.counts_line", engagements=ctx.tn("summary.engagements_n", len(eng)),
                   countries=ctx.tn("summary.countries_n", eng["country_iso3"].nunique()))]
    f = ctx.filters
    for values, name in ((f.regions, ctx.region_name), (f.kinds, lambda k: ctx.label("kind", k)),
                         (f.statuses, lambda s: ctx.label("status", s)), (f.programmes, ctx.programme_name),
                         (f.countries, ctx.country_name)):
        if values:
            parts.append(", ".join(name(v) for v in sorted(values)))
    start, end = f.years_or(ctx.choices)
    parts.append(f"{start}–{end}")
    return " · ".join(parts)


def summary_sentence(ctx: Context) -> str:
    eng = ctx.view.engagements
    if eng.empty:
        return ctx.t("summary.none")
    work = eng[~eng["is_venue"]]
    top = work["kind_code"].value_counts() if not work.empty else eng["kind_code"].value_counts()
    start, end = ctx.filters.years_or(ctx.choices)
    return ctx.t(
        "summary.sentence_line", start=start, end=end, engagements=ctx.tn("summary.engagements_n", len(eng)),
        countries=ctx.tn("summary.countries_n", eng["country_iso3"].nunique()),
        kind=ctx.label("kind", top.index[0]).lower(), kind_n=i18n.number(ctx.lang, int(top.iloc[0])),
        programmes=ctx.tn("summary.programmes_n", len(ctx.view.programmes)),
        ongoing=ctx.tn("summary.ongoing_n", int((eng["status_code"] == "ongoing").sum())),
    )


def milestone_when(ctx: Context, ev: pd.Series) -> str:
    """The date of a milestone as precisely as it is known."""
    if ev["date_precision_code"] in ("range", "circa", "by_year"):
        return ctx.t(f"precision_prefix.{ev['date_precision_code']}",
                     span=i18n.year_span(ctx.lang, ev["start_year"], ev["end_year"]))
    if isinstance(ev["start_date"], str):
        return i18n.iso_date(ctx.lang, ev["start_date"])
    return str(ev["start_year"])


def source_link(ctx: Context, source_id: str) -> str:
    """Markdown for one source: its title, linked when it has a public address."""
    if source_id not in ctx.names.sources:
        return md(source_id)
    title, url = ctx.names.sources[source_id]
    title = md(title)
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f"[{title}]({url.replace(')', '%29').replace(' ', '%20')})"
    return f"*{title}*"


def source_line(ctx: Context, source_id: str, confidence: str, table: str | None = None,
                record_id: str | None = None) -> str:
    """Markdown 'Source: <link> · ● Exact', then 'Also: <link> ◐ …' for the record's further sources."""
    line = f"{ctx.t('card.source')} {source_link(ctx, source_id)} · {confidence_mark(ctx, confidence)}"
    further = ctx.further_sources(table, record_id) if table and record_id else ()
    if further:
        line += "  \n" + ctx.pair("card.also", "; ".join(f"{source_link(ctx, s)} {CONFIDENCE_SYMBOL.get(c, '')}"
                                                        for s, c in further))
    return line


def headline_caption(ctx: Context, fig: Figure) -> tuple[list[str], list[str]]:
    """How a reported figure was counted and where it comes from; then what disagrees with it."""
    lines = [ctx.t(f"qualifier_long.{fig.qualifier}", n=i18n.number(ctx.lang, fig.value)) + " · "
             + ctx.t(f"scope_card.{fig.scope}", period=md(fig.period(ctx.lang)))]
    note = fig.note(ctx.lang)
    if note:
        lines.append(md(note))
    marks = [ctx.t("card.estimate")] if fig.is_estimate else []
    marks.append(ctx.t("card.confidence", level=ctx.label("confidence", fig.confidence)))
    lines.append(" · ".join(marks))
    lines.append(ctx.t("card.source") + " " + ", ".join(source_link(ctx, s) for s in fig.source_ids))
    conflicts = []
    for alt in fig.alternatives:
        alt_text = ctx.t(f"qualifier_long.{alt.qualifier}", n=i18n.number(ctx.lang, alt.value))
        if alt.is_target:
            alt_text += " " + ctx.t("card.target_suffix")
        conflicts.append(ctx.t("card.conflict", value=alt_text, period=md(alt.period(ctx.lang)),
                               source=", ".join(source_link(ctx, s) for s in alt.source_ids)))
    return lines, conflicts
