"""Pure text from records: dates, statuses, reported values, hovers and the human line (no Streamlit).

Two kinds of output: Markdown for the page (data escaped with `md`) and HTML for Plotly hovers
(data escaped with `html.escape`). Every hover names its source and confidence.
"""

from __future__ import annotations

import re
from html import escape

import pandas as pd

from ibcr_data import DIMENSIONS, Choices, HeadlineNumber, View

from . import i18n
from .words import Words

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


def confidence_mark(w: Words, code: str) -> str:
    return f"{CONFIDENCE_SYMBOL.get(code, '?')} {w.label('confidence', code)}"


def dates_text(w: Words, row: pd.Series) -> str:
    """The dates of a record as precisely as they are known, and no more."""
    precision = row["date_precision_code"]
    start, end = i18n.as_year(row["start_year"]), i18n.as_year(row["end_year"])
    if precision == "unknown" or (start is None and end is None):
        return w.t("value.no_date")
    if precision in ("day", "month") and isinstance(row.get("start_date"), str):
        a = i18n.iso_date(w.lang, row["start_date"])
        b = i18n.iso_date(w.lang, row["end_date"]) if isinstance(row.get("end_date"), str) else (str(end) if end else "")
        return f"{a} – {b}" if b and b != a else a
    span = i18n.year_span(w.lang, start, end)
    if precision in ("range", "circa", "by_year"):
        return w.t(f"precision_prefix.{precision}", span=span if precision != "by_year" else str(end))
    return span


def status_text(w: Words, row: pd.Series) -> str:
    return w.t("status.as_of", status=w.label("status", row["status_code"]),
                 date=i18n.iso_date(w.lang, row["status_as_of"]))


def reported_value_text(w: Words, value, qualifier: str, value_max=None) -> str:
    """A reported figure as the source qualifies it ("more than 64,300", "2,000–3,000")."""
    if value is None or pd.isna(value):
        return w.t("value.not_reported")
    if qualifier == "range" and value_max is not None and not pd.isna(value_max):
        return f"{i18n.number(w.lang, value)}–{i18n.number(w.lang, value_max)}"
    return w.t(f"qualifier_long.{qualifier}", n=i18n.number(w.lang, value))


def figure_text(w: Words, fig: HeadlineNumber) -> str:
    """A headline number in words, as the source qualifies it, or "withheld" when the policy withholds it."""
    if fig.is_withheld:
        return w.t("value.withheld")
    return reported_value_text(w, fig.value, fig.qualifier, fig.value_max)


def metric_row_text(w: Words, row: pd.Series) -> str:
    if row.get("is_withheld", False):
        return w.t("value.withheld")
    return reported_value_text(w, row["value"], row["qualifier_code"], row["value_max"])


def headline_value_text(w: Words, fig: HeadlineNumber) -> str:
    """The big number of a headline card: compact, with the source's qualifier."""
    if fig.is_withheld:
        return w.t("value.withheld")
    if fig.value is None:
        return "—"
    if fig.qualifier == "range" and fig.value_max is not None:
        low, high = i18n.compact(w.lang, fig.value), i18n.compact(w.lang, fig.value_max)
        low_n, _, low_unit = low.partition(" ")
        high_unit = high.partition(" ")[2]
        if low_unit and high_unit and low_unit.rstrip("s") == high_unit.rstrip("s"):  # "2.9–4 million"
            return f"{low_n}–{high}"
        return f"{low}–{high}"
    return w.t(f"qualifier_short.{fig.qualifier}", n=i18n.compact(w.lang, fig.value))


def source_text(w: Words, source_id: str, confidence: str, further: int = 0) -> str:
    """'Source: <title> · ● Exact (+1 more)', plain text."""
    more = " " + w.tn("card.more_sources", further) if further else ""
    return f"{w.t('card.source')} {short(w.source_title(source_id), 70)} · {confidence_mark(w, confidence)}{more}"


def source_hover(w: Words, source_id: str, confidence: str, further: int = 0) -> str:
    """The source line, HTML-escaped for a hover."""
    return escape(source_text(w, source_id, confidence, further))


def engagement_hover(w: Words, rows: pd.DataFrame) -> pd.Series:
    """HTML-safe hover text for timeline bars: what, when, status, programme, source."""
    out = []
    for _, r in rows.iterrows():
        prog = r.get(f"programme_name_{w.lang}")
        out.append("<br>".join(filter(None, [
            f"<b>{escape(str(r.get(f'name_{w.lang}') or r['country_iso3']))}</b> · {escape(w.label('kind', r['kind_code']))}",
            escape(dates_text(w, r)) + " · " + escape(status_text(w, r)),
            escape(str(prog)) if isinstance(prog, str) else "",
            escape(short(r[f"description_{w.lang}"])),
            source_hover(w, r["source_id"], r["confidence_code"],
                         len(w.further_sources("engagements", r["engagement_id"]))),
        ])))
    return pd.Series(out, index=rows.index, dtype="str")


def engagement_tooltips(w: Words, rows: pd.DataFrame) -> list[str]:
    """Plain text for the timeline's bars: what, where and when first (the bar's accessible name), then
    what was done, how precisely the dates are known, the status, the programme and the sources."""
    out = []
    for r in rows.to_dict("records"):
        where = str(r.get(f"name_{w.lang}") or r["country_iso3"])
        if isinstance(r.get("place_name"), str):
            where += f" ({r['place_name']})"
        prog = r.get(f"programme_name_{w.lang}")
        out.append("\n".join(filter(None, [
            f"{where} · {w.label('kind', r['kind_code'])} · {dates_text(w, r)}",
            short(r[f"description_{w.lang}"]),
            w.pair("field.date_precision_code", w.label("precision", r["date_precision_code"])) + " · "
            + status_text(w, r),
            w.pair("col.programme", prog) if isinstance(prog, str) else "",
            source_text(w, r["source_id"], r["confidence_code"],
                        len(w.further_sources("engagements", r["engagement_id"]))),
        ])))
    return out


def milestone_tooltips(w: Words, events: pd.DataFrame) -> list[str]:
    """Plain text for the timeline's milestones: when and what first, then where, the story and the sources."""
    out = []
    for ev in events.to_dict("records"):
        place = w.country_name(ev["country_iso3"]) if isinstance(ev["country_iso3"], str) else ""
        if isinstance(ev.get("place_name"), str):
            place = f"{ev['place_name']}, {place}" if place else ev["place_name"]
        out.append("\n".join(filter(None, [
            f"{milestone_when(w, ev)} · {ev[f'title_{w.lang}']}", place, short(ev[f"description_{w.lang}"]),
            source_text(w, ev["source_id"], ev["confidence_code"], len(w.further_sources("events", ev["event_id"]))),
        ])))
    return out


def milestone_hover(w: Words, events: pd.DataFrame) -> pd.Series:
    return pd.Series([
        f"<b>{escape(str(y))}</b> · {escape(str(title))}<br>{escape(short(desc))}<br>"
        f"{source_hover(w, src, conf, len(w.further_sources('events', eid)))}"
        for y, title, desc, src, conf, eid in zip(events["start_year"], events[f"title_{w.lang}"],
                                                  events[f"description_{w.lang}"], events["source_id"],
                                                  events["confidence_code"], events["event_id"])
    ], index=events.index, dtype="str")


def metric_hover(w: Words, series: pd.DataFrame) -> pd.Series:
    """HTML-safe hover text for reported figures: the value as qualified, its period, what it counts, source."""
    return pd.Series([
        f"<b>{escape(metric_row_text(w, r))}</b> · {escape(r[f'period_label_{w.lang}'])}<br>"
        f"{escape(r[f'note_{w.lang}'])}<br>"
        + source_hover(w, r["source_id"], r["confidence_code"], len(w.further_sources("metrics", r["metric_id"])))
        for _, r in series.iterrows()], index=series.index, dtype="str")


def metric_tooltips(w: Words, series: pd.DataFrame) -> list[str]:
    """Plain text for the figures' points: the hover text of metric_hover, line for line (its first line,
    the value as qualified and its period, is the point's accessible name)."""
    return [f"{metric_row_text(w, r)} · {r[f'period_label_{w.lang}']}\n{r[f'note_{w.lang}']}\n"
            + source_text(w, r["source_id"], r["confidence_code"], len(w.further_sources("metrics", r["metric_id"])))
            for _, r in series.iterrows()]


def _map_parts(w: Words, engagements: pd.DataFrame, limit: int):
    """Per country: its first engagements as short plain lines, how many more, and the sources they rest on.

    Lines are written for the first `limit` engagements of each country only: at 1,000 times the
    data, writing one for every engagement was most of the first Overview.
    """
    ordered = engagements.sort_values("start_year", kind="stable")
    linked = w.names.linked
    # Grouped as plain rows, in the order of each country's first engagement: pandas' groupby and a
    # head() per country cost 1.2 ms a country (60 ms of a first Overview, 44 countries).
    columns = ["country_iso3", "kind_code", "start_year", "end_year", "status_code", "confidence_code", "source_id",
               "engagement_id"]
    by_country: dict[str, list] = {}
    for r in ordered[columns].itertuples(index=False):
        by_country.setdefault(r.country_iso3, []).append(r)
    for iso3, rows in by_country.items():
        first = rows[:limit]
        lines = [f"{w.label('kind', r.kind_code)} · {i18n.year_span(w.lang, r.start_year, r.end_year)} · "
                 f"{w.label('status', r.status_code)} {CONFIDENCE_SYMBOL.get(r.confidence_code, '')}".rstrip()
                 for r in first]
        sources = list(dict.fromkeys([*(r.source_id for r in rows),
                                      *(s for r in rows for s, _ in linked.get(("engagements", r.engagement_id), ()))]))
        titles = "; ".join(short(w.source_title(s), 50) for s in sources[:HOVER_SOURCES])
        more = len(sources) - HOVER_SOURCES
        yield iso3, lines, len(rows) - len(first), w.pair("map.sources", titles) + (f" (+{more})" if more > 0 else "")


def map_hover(w: Words, engagements: pd.DataFrame, limit: int = 8) -> dict[str, str]:
    """Per country, its engagements as short HTML-safe lines, then the sources they rest on."""
    return {iso3: ("<br>".join(escape(x) for x in lines) + (f"<br>+{extra}…" if extra > 0 else "")
                   + "<br><i>" + escape(sources) + "</i>")
            for iso3, lines, extra, sources in _map_parts(w, engagements, limit)}


def map_tooltips(w: Words, engagements: pd.DataFrame, limit: int = 8) -> dict[str, str]:
    """Per country, plain text for a tooltip: its name and count first (also its accessible name).

    The count is of pieces of work; a country with none says it is a venue or an office only, or that its
    work in view is part of larger work, counted with it.
    """
    counts = engagements.loc[engagements["is_counted"], "country_iso3"].value_counts()
    with_work = set(engagements.loc[~engagements["is_venue"], "country_iso3"])

    def head(iso3: str) -> str:
        n = int(counts.get(iso3, 0))
        if n:
            return w.tn("summary.engagements_n", n)
        # Only parts of larger work (a course of a project the filters leave out): not a venue.
        return w.t("map.parts_only") if iso3 in with_work else w.t("map.venue_only")

    return {iso3: "\n".join([f"{w.country_name(iso3)} — {head(iso3)}",
                             *lines, *([f"+{extra}…"] if extra > 0 else []), sources])
            for iso3, lines, extra, sources in _map_parts(w, engagements, limit)}


def conflict_text(w: Words, conflict_id: str) -> str:
    c = w.ds.conflicts.set_index("conflict_id")
    if conflict_id not in c.index:
        return w.t("card.sources_disagree")
    return w.t("conflict.line", topic=c.at[conflict_id, f"topic_{w.lang}"],
                 resolution=c.at[conflict_id, f"resolution_{w.lang}"])


def work_counts(eng: pd.DataFrame) -> tuple[int, int, int]:
    """Pieces of work, countries with work, and places (venues, offices) in some engagements (see ibcr_data.load)."""
    work = eng[~eng["is_venue"]]
    return int(eng["is_counted"].sum()), int(work["country_iso3"].nunique()), int(eng["is_venue"].sum())


def conflict_topic(w: Words, conflict_id: str) -> str:
    """What the sources disagree about (conflicts.csv), in the reader's language."""
    c = w.ds.conflicts
    row = c[c["conflict_id"] == conflict_id]
    return str(row[f"topic_{w.lang}"].iloc[0]) if not row.empty else w.t("card.sources_disagree")


def describe(w: Words, view: View, choices: Choices) -> str:
    """One human line saying what is shown: counts, then each active filter."""
    pieces, countries, places = work_counts(view.engagements)
    parts = [w.t("summary.counts_line", engagements=w.tn("summary.engagements_n", pieces),
                 countries=w.tn("summary.countries_n", countries))]
    if places:
        parts.append(w.tn("summary.places_n", places))
    f = view.filters
    for d in DIMENSIONS:
        values = getattr(f, d.field)
        if values:
            parts.append(", ".join(w.value_name(d, v) for v in sorted(values)))
    start, end = f.years_or(choices)
    parts.append(f"{start}–{end}")
    return " · ".join(parts)


def summary_sentence(w: Words, view: View, choices: Choices) -> str:
    eng = view.engagements
    if eng.empty:
        return w.t("summary.none")
    work = eng[eng["is_counted"]]
    top = work["kind_code"].value_counts() if not work.empty else eng["kind_code"].value_counts()
    start, end = view.filters.years_or(choices)
    pieces, countries, _ = work_counts(eng)
    return w.t(
        "summary.sentence_line", start=start, end=end, engagements=w.tn("summary.engagements_n", pieces),
        countries=w.tn("summary.countries_n", countries),
        kind=w.label("kind", top.index[0]).lower(), kind_n=i18n.number(w.lang, int(top.iloc[0])),
        programmes=w.tn("summary.programmes_n", len(view.programmes)),
        ongoing=w.tn("summary.ongoing_n", int((work["status_code"] == "ongoing").sum())),
    )


def milestone_when(w: Words, ev: pd.Series) -> str:
    """The date of a milestone as precisely as it is known."""
    if ev["date_precision_code"] in ("range", "circa", "by_year"):
        return w.t(f"precision_prefix.{ev['date_precision_code']}",
                     span=i18n.year_span(w.lang, ev["start_year"], ev["end_year"]))
    if isinstance(ev["start_date"], str):
        return i18n.iso_date(w.lang, ev["start_date"])
    return str(ev["start_year"])


def source_link(w: Words, source_id: str) -> str:
    """Markdown for one source: its title, linked when it has a public address."""
    if source_id not in w.names.sources:
        return md(source_id)
    title, url = w.names.sources[source_id]
    title = md(title)
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f"[{title}]({url.replace(')', '%29').replace(' ', '%20')})"
    return f"*{title}*"


def source_line(w: Words, source_id: str, confidence: str, table: str | None = None,
                record_id: str | None = None) -> str:
    """Markdown 'Source: <link> · ● Exact', then 'Also: <link> ◐ …' for the record's further sources."""
    line = f"{w.t('card.source')} {source_link(w, source_id)} · {confidence_mark(w, confidence)}"
    further = w.further_sources(table, record_id) if table and record_id else ()
    if further:
        line += "  \n" + w.pair("card.also", "; ".join(f"{source_link(w, s)} {CONFIDENCE_SYMBOL.get(c, '')}"
                                                        for s, c in further))
    return line


def headline_caption(w: Words, fig: HeadlineNumber) -> tuple[list[str], list[str]]:
    """How a reported figure was counted and where it comes from; then what disagrees with it."""
    lines = [w.t(f"qualifier_long.{fig.qualifier}", n=i18n.number(w.lang, fig.value)) + " · "
             + w.t(f"scope_card.{fig.scope}", period=md(fig.period(w.lang)))]
    note = fig.note(w.lang)
    if note:
        lines.append(md(note))
    marks = [w.t("card.estimate")] if fig.is_estimate else []
    marks.append(w.t("card.confidence", level=w.label("confidence", fig.confidence)))
    lines.append(" · ".join(marks))
    lines.append(w.t("card.source") + " " + ", ".join(source_link(w, s) for s in fig.source_ids))
    conflicts = []
    for alt in fig.alternatives:
        alt_text = w.t(f"qualifier_long.{alt.qualifier}", n=i18n.number(w.lang, alt.value))
        if alt.is_target:
            alt_text += " " + w.t("card.target_suffix")
        conflicts.append(w.t("card.conflict", value=alt_text, period=md(alt.period(w.lang)),
                               source=", ".join(source_link(w, s) for s in alt.source_ids)))
    return lines, conflicts
