"""Results against targets in words: what was promised, what was achieved by when, the share, the time, the status.

Worded once for every place that shows them (the Results page, the Overview, programme cards, the
country profile, What changed, the packs): `Style` (cards.py) says how a source and a text from the
data are written, Markdown with links on a page, plain text in a pack. The bars are drawn as HTML
on the server, each beside the same words as text (the words are what a screen reader reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ibcr_data import HeadlineNumber, Result, Share, status_counts
from ibcr_data.results import MIXED

from . import blocks, i18n, text
from .cards import Style
from .words import Words

STATUS_MARK = {"reached": "✓", "ahead": "▲", "behind": "▼", "ended_short": "■", "no_progress": "○", MIXED: "⚠"}


@dataclass(frozen=True)
class Bar:
    """One bar: what it measures, how full (0..100, more is drawn full), and its words."""

    label: str
    pct: float | None
    pct_max: float | None
    text: str
    kind: str  # "share" or "time"


@dataclass(frozen=True)
class TargetLine:
    """One target of a result: the promise, how far it has got, and what that means."""

    promise: str  # "about 100 by 2020"
    note: str  # what exactly was promised (the target's note)
    source: str  # its source and confidence
    progress: str  # "more than 70 of about 100 by 2020: at least 70%", or "No progress reported yet"
    achieved_source: str  # the source and confidence of the figure reached ("" when none)
    status: str
    status_text: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class ResultRow:
    """A result in words: one row of the Results page, one line of a pack's table."""

    key: str
    title: str  # "PRODEF · Volunteers deployed"
    place: str  # the country, or that the target covers the whole programme
    status: str
    status_text: str
    promised: str  # every target, "; " between two that disagree, each with its source when there are two
    promise_short: str  # every target, without sources
    achieved: str  # the figure reached with its date, or that nothing was reported
    share: str  # the share(s) reached
    time: str  # the time elapsed
    lines: tuple[TargetLine, ...]
    baseline: str
    conflict: str
    records: tuple[tuple[str, ...], ...]  # role, figure, period, what it counts, source, confidence, evidence
    sources: tuple[str, ...]


def ordered(results) -> list[Result]:
    """Current promises first (the latest end year), then by programme and what is counted."""
    return sorted(results, key=lambda r: (-(r.targets[0].end_year or 0), r.programme_id or "", r.metric_code))


def pct_text(w: Words, pct: float) -> str:
    """A percentage written for the language ("70%", "70 %"); under 1 %, with a decimal."""
    digits = 1 if 0 < pct < 1 else 0
    return w.t("results.pct", n=i18n.number(w.lang, round(pct, digits), digits))


def share_text(w: Words, share: Share) -> str:
    """The share reached, bounded as the figures are: "at least 70%", "about 377%", "40%–45%"."""
    if share.status == "withheld":
        return w.t("value.withheld")
    if share.pct is None:
        return w.t("results.none")
    return w.t(f"results.bound.{share.bound}", pct=pct_text(w, share.pct),
               pct_max=pct_text(w, share.pct_max if share.pct_max is not None else share.pct))


def qualified(w: Words, fig: HeadlineNumber) -> str:
    """A figure as its source qualifies it, inside a sentence: "more than 70", "about 100"."""
    if fig.is_withheld:
        return w.t("value.withheld")
    return w.t(f"results.qualified.{fig.qualifier}", n=w.number(fig.value),
               max=w.number(fig.value_max if fig.value_max is not None else fig.value))


def promise_text(w: Words, target: HeadlineNumber) -> str:
    if target.end_year is None:
        return w.t("results.promise_open", target=qualified(w, target))
    return w.t("results.promise", target=qualified(w, target), end=target.end_year)


def achieved_text(w: Words, fig: HeadlineNumber | None) -> str:
    if fig is None:
        return w.t("results.none")
    return w.t("results.achieved_by", achieved=qualified(w, fig), year=fig.end_year)


def progress_text(w: Words, share: Share, achieved: HeadlineNumber | None) -> str:
    if share.status == "withheld":
        return w.t("value.withheld")
    if achieved is None or share.pct is None:
        return w.t("results.none")
    return w.t("results.progress", achieved=qualified(w, achieved), target=qualified(w, share.target),
               year=achieved.end_year, share=share_text(w, share))


def time_text(w: Words, share: Share) -> str:
    """ "78% of its years (2020–2028) gone by 2026", "All its years (2015–2020) have gone by", or that they are
    not known."""
    t = share.target
    if share.time_elapsed is None:
        return w.t("results.time_unknown")
    if share.time_elapsed >= 1:
        return w.t("results.time_over", span=i18n.year_span(w.lang, t.start_year, t.end_year))
    return w.t("results.time", pct=pct_text(w, 100 * share.time_elapsed), year=share.judged_year,
               span=i18n.year_span(w.lang, t.start_year, t.end_year))


def status_label(w: Words, status: str) -> str:
    return w.t(f"results.status.{status}")


def title(w: Words, result: Result) -> str:
    """ "PRODEF · Volunteers deployed": the programme by its short name, then what is counted."""
    what = w.label("metric", result.metric_code)
    return f"{programme_label(w, result.programme_id)} · {what}" if result.programme_id else what


def programme_label(w: Words, programme_id: str | None) -> str:
    """A programme's acronym or short name ("Batela Mwana"), else its full name in the language."""
    if not programme_id:
        return ""
    short = w.ds.derived.get("programme_acronyms")
    if short is None:
        p = w.ds.programmes
        short = w.ds.derived.setdefault("programme_acronyms", {
            pid: a for pid, a in zip(p["programme_id"], p["acronym"]) if isinstance(a, str)})
    return short.get(programme_id) or w.programme_name(programme_id)


def place(w: Words, result: Result) -> str:
    return w.country_name(result.country_iso3) if result.country_iso3 else w.t("results.programme_wide")


def row(w: Words, result: Result, style: Style) -> ResultRow:
    """A result in words, with the records and sources behind both numbers."""
    lines = tuple(_line(w, result, s, style) for s in result.shares)
    several = len(lines) > 1
    promised = "; ".join(ln.promise + (f" ({style.source(s.target.source_ids[0])})" if several else "")
                         for ln, s in zip(lines, result.shares))
    share = "; ".join(share_text(w, s) for s in result.shares) if result.latest else w.t("results.none")
    lead = result.shares[0]
    baseline = ""
    if result.baseline is not None:
        b = result.baseline
        baseline = w.t("results.baseline", value=qualified(w, b), period=style.data(b.period(w.lang)),
                       source=style.source(b.source_ids[0]))
    conflict = ""
    if result.conflict_id:
        conflict = w.t("results.conflict", topic=style.data(text.conflict_topic(w, result.conflict_id)))
    figs = [("target", t) for t in result.targets] + ([("baseline", result.baseline)] if result.baseline else []) \
        + [("achieved", a) for a in reversed(result.achievements)]
    records = tuple((w.t(f"results.role.{role}"), text.reported_value_text(w, f.value, f.qualifier, f.value_max),
                     style.data(f.period(w.lang)), style.data(f.note(w.lang)), style.source(f.source_ids[0]),
                     w.label("confidence", f.confidence), style.data(_evidence(w, f.metric_id)))
                    for role, f in figs)
    # The other figures of the same disagreement, never hidden: a claim that is neither target nor progress.
    others = _conflict_rows(w, result.conflict_id)
    others = others[~others["metric_id"].isin(result.metric_ids)]
    records += tuple((w.t("results.role.other"), text.metric_row_text(w, r), style.data(r[f"period_label_{w.lang}"]),
                      style.data(r[f"note_{w.lang}"]), style.source(r["source_id"]),
                      w.label("confidence", r["confidence_code"]),
                      style.data(r["evidence"] if isinstance(r["evidence"], str) else ""))
                     for _, r in others.iterrows())
    return ResultRow(
        key=result.key, title=style.data(title(w, result)), place=style.data(place(w, result)),
        status=result.status, status_text=status_label(w, result.status), promised=promised,
        promise_short=" / ".join(ln.promise for ln in lines),
        achieved=achieved_text(w, result.latest), share=share, time=time_text(w, lead), lines=lines,
        baseline=baseline, conflict=conflict, records=records,
        sources=tuple(dict.fromkeys([*(s for _, f in figs for s in f.source_ids), *others["source_id"]])))


def _line(w: Words, result: Result, share: Share, style: Style) -> TargetLine:
    t = share.target
    source = f"{style.source(t.source_ids[0])} · {text.confidence_mark(w, t.confidence)}"
    bars = (Bar(w.t("results.bar.reached"), share.pct, share.pct_max, share_text(w, share), "share"),
            Bar(w.t("results.bar.time"), None if share.time_elapsed is None else 100 * share.time_elapsed, None,
                time_text(w, share), "time"))
    got = result.latest
    got_source = "" if got is None else f"{style.source(got.source_ids[0])} · {text.confidence_mark(w, got.confidence)}"
    return TargetLine(promise_text(w, t), style.data(t.note(w.lang)), source,
                      progress_text(w, share, got), got_source, share.status, status_label(w, share.status), bars)


def _conflict_rows(w: Words, conflict_id: str | None):
    """The figures (metrics rows) of one disagreement, from a grouping made once per dataset."""
    groups = w.ds.derived.get("metric_conflicts")
    if groups is None:
        m = w.ds.metrics
        groups = w.ds.derived.setdefault("metric_conflicts", dict(tuple(m.groupby("conflict_id", sort=False))))
    return groups.get(conflict_id, w.ds.metrics.iloc[:0])


def _evidence(w: Words, metric_id: str | None) -> str:
    """What the source says of a figure (its evidence), looked up in one dictionary built once per dataset."""
    found = w.ds.derived.get("metric_evidence")
    if found is None:
        m = w.ds.metrics
        found = w.ds.derived.setdefault("metric_evidence", {
            mid: e for mid, e in zip(m["metric_id"], m["evidence"]) if isinstance(e, str)})
    return found.get(metric_id, "")


def summary(w: Words, results: tuple[Result, ...], in_pack: bool = False) -> str:
    """ "7 targets in view: 1 reached, 1 ended short, 5 with no progress reported yet" (in a pack: "in this pack")."""
    if not results:
        return w.t("results.empty")
    counts = status_counts(results)
    parts = ", ".join(w.tn(f"results.count.{s}", n) for s, n in counts.items())
    if in_pack:
        return w.tn("pack.results.summary", len(results), statuses=parts)
    return w.tn("results.summary", len(results), statuses=parts)


def short_line(w: Words, result: Result, style: Style) -> str:
    """One line for a programme card or a profile: what, promised, achieved, status."""
    what = style.data(w.label("metric", result.metric_code))
    promise = " / ".join(promise_text(w, s.target) for s in result.shares)
    if result.latest is None:
        return w.t("results.short_line_none", what=what, promise=promise, status=status_label(w, result.status))
    achieved = w.t("results.short_achieved", achieved=achieved_text(w, result.latest),
                   share=share_text(w, result.shares[0]))
    return w.t("results.short_line", what=what, promise=promise, achieved=achieved,
               status=status_label(w, result.status))


def change_side(w: Words, result: Result | None) -> str:
    """One side of a change: "12% of its target of 550,000 (by 2024)", or no progress, or no target."""
    if result is None:
        return w.t("results.change_no_target")
    if result.latest is None:
        return w.t("results.change_none")
    share = result.shares[0]
    return w.t("results.change_side", share=share_text(w, share), target=qualified(w, share.target),
               year=result.latest.end_year)


def change_line(w: Words, old: Result | None, new: Result | None, style: Style) -> str:
    """ "Xalé Sama Yité · People reached: no progress reported → 12% of its target of 550,000 (by 2024)", then the
    source of the new figure."""
    line = w.t("results.change_line", what=style.data(title(w, new or old)), old=change_side(w, old),
               new=change_side(w, new))
    if new is not None and new.latest is not None:
        line += " — " + w.pair("col.source", style.source(new.latest.source_ids[0]))
    return line


# HTML (the page's one element per list)


def bar_html(bar: Bar) -> str:
    """A bar with its words beside it; the drawing is hidden from screen readers (the words say it)."""
    fill = '<span class="ibcr-bar-none"></span>' if bar.pct is None else (
        f'<span class="ibcr-bar-fill ibcr-bar-{bar.kind}" style="width:{min(100.0, bar.pct):.1f}%"></span>'
        + (f'<span class="ibcr-bar-more" style="left:{min(100.0, bar.pct):.1f}%;'
           f'width:{max(0.0, min(100.0, bar.pct_max) - min(100.0, bar.pct)):.1f}%"></span>'
           if bar.pct_max is not None else ""))
    over = " ibcr-bar-over" if bar.pct is not None and bar.pct > 100 else ""
    return (f'<div class="ibcr-bar-row"><span class="ibcr-bar-label">{escape(bar.label)}</span>'
            f'<span class="ibcr-bar{over}" aria-hidden="true">{fill}</span>'
            f'<span class="ibcr-bar-text">{escape(bar.text)}</span></div>')


def status_html(status: str, label: str) -> str:
    return (f'<span class="ibcr-status ibcr-status-{escape(status)}">'
            f'<span aria-hidden="true">{STATUS_MARK.get(status, "")}</span> {escape(label)}</span>')


@dataclass(frozen=True)
class Labels:
    """The fixed words of the results list."""

    list_name: str
    promised: str
    achieved: str
    records: str  # the summary of the folded records ("The records and sources behind both numbers")
    columns: tuple[str, ...]  # of the records table
    how: str  # "How we count: …" (Markdown)


def results_html(rows: list[ResultRow], labels: Labels) -> str:
    """The results as one list: each with its status, every target's promise and progress with their sources
    and bars, then the records behind both numbers and how they are counted, folded."""
    items = []
    for r in rows:
        targets = []
        for ln in r.lines:
            status = status_html(ln.status, ln.status_text) if r.status == MIXED else ""
            got = (f' — <span class="ibcr-result-source">{blocks.inline(ln.achieved_source)}</span>'
                   if ln.achieved_source else "")
            bars = "".join(bar_html(b) for b in ln.bars if b.pct is not None or b.kind == "time")
            targets.append(
                f'<div class="ibcr-result-target"><p><strong>{escape(labels.promised)}</strong> '
                f'{blocks.inline(ln.promise)} — {blocks.inline(ln.note)} '
                f'<span class="ibcr-result-source">{blocks.inline(ln.source)}</span></p>'
                f'<p><strong>{escape(labels.achieved)}</strong> {blocks.inline(ln.progress)} {status}{got}</p>'
                f'<div class="ibcr-bars">{bars}</div></div>')
        extra = "".join(f'<p class="ibcr-result-note">{blocks.inline(x)}</p>' for x in (r.baseline, r.conflict) if x)
        table = blocks.rich_table_html(list(labels.columns), [list(rec) for rec in r.records])
        records = (f'<details class="ibcr-details"><summary>{escape(labels.records)}</summary>{table}'
                   f'<p class="ibcr-result-note">{blocks.inline(labels.how)}</p></details>')
        items.append(f'<li class="ibcr-result" data-result="{escape(r.key)}" data-status="{escape(r.status)}">'
                     f'<h3>{blocks.inline(r.title)} <span class="ibcr-result-place">· {blocks.inline(r.place)}</span>'
                     f"</h3>{status_html(r.status, r.status_text)}{''.join(targets)}{extra}{records}</li>")
    return f'<ul class="ibcr-results" aria-label="{escape(labels.list_name)}">{"".join(items)}</ul>'


def compact_html(rows: list[ResultRow], labels: Labels) -> str:
    """A short list for the Overview: per result what, the promise, how far (a bar and its words), the status."""
    items = []
    for r in rows:
        share, time = r.lines[0].bars
        drawn = bar_html(share if share.pct is not None else time)
        items.append(f'<li class="ibcr-result-compact" data-result="{escape(r.key)}" data-status="{escape(r.status)}">'
                     f'<span class="ibcr-rc-title"><strong>{blocks.inline(r.title)}</strong> '
                     f'<span class="ibcr-result-place">· {blocks.inline(r.place)}</span><br>'
                     f'{status_html(r.status, r.status_text)}</span>'
                     f'<span class="ibcr-rc-promise">{escape(labels.promised)} {blocks.inline(r.promise_short)}</span>'
                     f'<span class="ibcr-rc-share">{drawn}</span></li>')
    return f'<ul class="ibcr-results-compact" aria-label="{escape(labels.list_name)}">{"".join(items)}</ul>'


def table_rows(w: Words, rows: list[ResultRow]) -> tuple[list[str], list[list[str]]]:
    """The results as a plain table: one row per result (Markdown cells)."""
    columns = [w.t("results.col.target"), w.t("results.col.place"), w.t("results.col.promised"),
               w.t("results.col.achieved"), w.t("results.col.share"), w.t("results.col.time"), w.t("col.status")]
    return columns, [[r.title, r.place, r.promised, r.achieved, r.share, r.time, r.status_text] for r in rows]


def labels(w: Words) -> Labels:
    return Labels(w.t("results.list_name"), w.t("results.label.promised"), w.t("results.label.achieved"),
                  w.t("results.records"),
                  (w.t("results.col.role"), w.t("col.figure"), w.t("col.period"), w.t("col.what"), w.t("col.source"),
                   w.t("col.confidence"), w.t("col.evidence")), w.t("results.how"))
