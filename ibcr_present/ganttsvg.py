"""The Timeline as an SVG Gantt drawn on the server: a bar per engagement, milestones, a year axis (no Streamlit).

Why not Plotly here: as for the Overview's map (mapsvg), a Plotly chart makes the browser fetch and
start Plotly (4.6 MB) and draw after the page has arrived; this is plain vector markup.

What the picture says, and no more:
- a bar covers the dates as precisely as they are known: to the day or the month when the record
  gives them, else whole years (a bar from 2015 to 2020 runs from the start of 2015 to the end of
  2020). Dates known only roughly (a range, "about", "by year X") are hatched;
- work still ongoing with no recorded end is solid up to its latest status date, then fades out
  with an open end up to today: it is not known to have ended, nor to have gone on;
- bars that would overlap on one row are drawn on lanes of that row, so each one is seen and reached;
- each bar is a link (to the record's page) with a tooltip, reachable with the Tab key.
The records' words come in as plain text (escaped here); positions are in decimal years.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .svgparts import Key, escape, hatched, legend, link, outline, tooltip
from .theme import GRID, IBCR_ACCENT, MUTED, STATUS_COLOURS, TEXT

ROUGH = frozenset({"range", "circa", "by_year"})  # dates known only roughly: hatched
# NOTE: across, every position is a percentage of the picture's width, and the SVG has no viewBox: it
# takes the page's width while its text keeps its size in pixels, so a phone (390 px) shows the
# whole span with readable words. Down, positions are pixels.
PLOT = (1.5, 98.5)  # the plot's left and right edges, % of the width
AXIS = 24.0  # the height of each year axis (above and below the rows), px
LABEL = 17.0  # a row's label, above its bars
LANE = 16.0  # one lane of bars
BAR = 11.0  # a bar's height
PAD = 4.0  # below the lanes of a row
MIN_BAR = 0.35  # a bar of one day is still seen and reached (% of the width)
GAP = 0.3  # the least room between two bars on one lane (% of the width)
NOTE_CHAR = 0.62  # a note's character, as % of the width of a desktop picture (about 6 px of 1,000)
LABEL_CHARS = 56  # characters of a row label (a phone's width); its tooltip gives the full name
DIAMOND = 6.0  # a milestone's half width, px
DIAMOND_PCT = 1.2  # the same, as % of the width of a narrow picture: milestones closer are put on two lanes


@dataclass(frozen=True)
class Span:
    """Where a bar runs, in decimal years: solid from `start` to `end`, then open up to `open_to` (ongoing)."""

    start: float
    end: float
    rough: bool = False
    open_to: float | None = None


@dataclass(frozen=True)
class Bar:
    row: str  # the row's label (a country, a programme)
    span: Span
    status: str  # status code: the bar's colour
    tooltip: str  # plain text, lines apart; its first line is the bar's accessible name
    href: str  # the record's page, with the reader's view ("": no link, as on the record's own page)
    note: str = ""  # a few words written after the bar (the country, on a programme's row)


@dataclass(frozen=True)
class Mark:
    """A milestone: a diamond at its date (the middle of its year when only the year is known)."""

    at: float
    tooltip: str
    rough: bool = False


@dataclass(frozen=True)
class GanttLabels:
    title: str  # the picture's accessible name
    statuses: Mapping[str, str]
    rough: str  # legend: dates known only roughly
    open_end: str  # legend: ongoing, open to today
    milestones: str  # the milestones' row and legend
    today: str  # legend: today's line, with its date


def decimal_year(iso: str, end: bool = False) -> float:
    """A date (ISO 8601, "2020", "2008-09" or "2020-03-17") as a decimal year: its start, or with `end` its end."""
    parts = [int(p) for p in iso.split("-")[:3]]
    year, month, day = parts + [None] * (3 - len(parts))
    if month is None:
        return float(year + (1 if end else 0))
    first = dt.date(year, month, day or 1)
    if end:  # the day after the month, or after the day
        first = (first + dt.timedelta(days=1)) if day else dt.date(year + month // 12, month % 12 + 1, 1)
    days = (dt.date(first.year + 1, 1, 1) - dt.date(first.year, 1, 1)).days
    return first.year + (first - dt.date(first.year, 1, 1)).days / days


def span_of(row: Mapping, today: float) -> Span:
    """The span of one timeline row (ibcr_data.timeline_rows), as precisely as its dates are known.

    NOTE: the public view has already turned a date the safeguarding policy withholds into its year
    (precision "year", no start_date): such a bar is drawn over whole years, never to the day.
    """
    precision = row["date_precision_code"]
    start, end = float(row["year_from"]), float(row["year_to"]) + 1.0
    if precision in ("day", "month"):
        if isinstance(row.get("start_date"), str):
            start = decimal_year(row["start_date"])
        if isinstance(row.get("end_date"), str):
            end = decimal_year(row["end_date"], end=True)
    ongoing = row["status_code"] == "ongoing" and not _known(row.get("end_year"))
    open_to = None
    if ongoing:
        as_of = row.get("status_as_of")
        end = decimal_year(as_of, end=True) if isinstance(as_of, str) and as_of[:4].isdigit() else end
        end = max(min(end, today), start)
        open_to = today if today > end else None
    return Span(start, max(end, start), precision in ROUGH, open_to)


def _known(value) -> bool:
    return value is not None and value == value and str(value) not in ("<NA>", "")


def gantt_svg(bars: Sequence[Bar], marks: Sequence[Mark], labels: GanttLabels, today: float,
              colours: Mapping[str, str] = STATUS_COLOURS, ids: str = "ibcr-gantt") -> str:
    """The Gantt as HTML markup: a figure holding the SVG and its legend in words.

    Rows come in the order of their first bar, each with its label above its bars; milestones,
    when there are any, take the top row. `ids` prefixes the patterns' ids (unique in the page).
    """
    rows: dict[str, list[Bar]] = {}
    for bar in bars:
        rows.setdefault(bar.row, []).append(bar)
    ends = [b.span.open_to or b.span.end for b in bars] + [m.at for m in marks] + [today]
    lo = math.floor(min([b.span.start for b in bars] + [m.at for m in marks] + [today]))
    hi = math.ceil(max(ends))
    hi = hi + 1 if hi - max(ends) < 0.05 else hi  # room after today's line

    def x(year: float) -> float:
        return PLOT[0] + (year - lo) / max(hi - lo, 1) * (PLOT[1] - PLOT[0])

    y = AXIS
    body: list[str] = []
    if marks:
        markup, h = _milestone_row(marks, labels.milestones, x, y, 0)
        body.append(markup)
        y += h
    for i, (name, row_bars) in enumerate(rows.items(), start=1 if marks else 0):
        markup, h = _bar_row(name, row_bars, x, y, i, ids, colours)
        body.append(markup)
        y += h
    height = y + AXIS
    used = [s for s in colours if any(b.status == s for b in bars)]
    defs = "".join(_patterns(s, colours[s], ids) for s in used)
    now = (f'<line class="ibcr-today" x1="{x(today):.2f}%" x2="{x(today):.2f}%" y1="{AXIS - 4:.0f}" '
           f'y2="{height - AXIS + 4:.0f}" stroke="{TEXT}" stroke-width="1.2" stroke-dasharray="4 3"/>')
    keys = [Key(labels.statuses.get(s, s), colours[s]) for s in used]
    if any(b.span.rough for b in bars):
        keys.append(Key(labels.rough, hatched(MUTED)))
    if any(b.span.open_to for b in bars):
        keys.append(Key(labels.open_end, f"linear-gradient(90deg, {MUTED}, #FFFFFF)", "ibcr-swatch-open"))
    if marks:
        keys.append(Key(labels.milestones, IBCR_ACCENT, "ibcr-swatch-diamond"))
    keys.append(Key(labels.today, f"repeating-linear-gradient(180deg, {TEXT} 0 4px, #FFFFFF 4px 7px)",
                    "ibcr-swatch-line"))
    return (f'<figure class="ibcr-gantt-figure"><div class="ibcr-gantt-scroll">'
            f'<svg class="ibcr-gantt" width="100%" height="{height:.0f}" role="group" '
            f'aria-label="{escape(labels.title)}" xmlns="http://www.w3.org/2000/svg" font-size="12" '
            f'fill="{TEXT}"><defs>{defs}</defs>{_axis(lo, hi, x, height)}{"".join(body)}{now}</svg></div>'
            f'{legend(keys)}</figure>')


def _lanes(spans: Sequence[tuple[float, float]]) -> list[int]:
    """A lane for each span (sorted by start) so that spans on one lane keep GAP apart."""
    ends: list[float] = []
    out = []
    for start, end in spans:
        lane = next((i for i, e in enumerate(ends) if e + GAP <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        out.append(lane)
    return out


def _row(name: str, y: float, lanes: int, i: int, shapes: list[str]) -> tuple[str, float]:
    """A row: a pale band on every other row, its label above, its shapes; and its height."""
    height = LABEL + LANE * lanes + PAD
    band = f'<rect x="0" y="{y:.0f}" width="100%" height="{height:.0f}" fill="#F4F6F9"/>' if i % 2 else ""
    short = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rsplit(" ", 1)[0] + "…"
    label = (f'<text class="ibcr-row-label" x="{PLOT[0]:.2f}%" y="{y + 13:.0f}" font-weight="600">'
             f'{tooltip(name) if short != name else ""}{escape(short)}</text>')
    return f'<g class="ibcr-row">{band}{label}{"".join(shapes)}</g>', height


def _bar_row(name: str, bars: list[Bar], x, y: float, i: int, ids: str,
             colours: Mapping[str, str]) -> tuple[str, float]:
    """One row's label and bars (on as many lanes as they need, a note after each), and the row's height."""
    ordered = sorted(bars, key=lambda b: b.span.start)
    extents = [(x(b.span.start), max(x(b.span.open_to or b.span.end), x(b.span.start) + MIN_BAR)) for b in ordered]
    # A note goes after its bar, or before it when the bar ends near the right edge.
    after = [x1 + 0.4 + len(b.note) * NOTE_CHAR < PLOT[1] for b, (_, x1) in zip(ordered, extents)]
    room = [(x0 - (0 if a or not b.note else 0.4 + len(b.note) * NOTE_CHAR),
             x1 + (0.4 + len(b.note) * NOTE_CHAR if a and b.note else 0))
            for b, (x0, x1), a in zip(ordered, extents, after)]
    lanes = _lanes(room)
    shapes = []
    for bar, (x0, x1), lane, a in zip(ordered, extents, lanes, after):
        top = y + LABEL + lane * LANE + (LANE - BAR) / 2
        colour = colours.get(bar.status, MUTED)
        edge = outline(colour)
        solid_end = max(x(bar.span.end), x0 + MIN_BAR) if bar.span.open_to else x1
        fill = f"url(#{ids}-hatch-{bar.status})" if bar.span.rough else colour
        shape = (f'<rect class="ibcr-bar-shape" x="{x0:.2f}%" y="{top:.1f}" width="{solid_end - x0:.2f}%" '
                 f'height="{BAR:.0f}" rx="1.5" fill="{fill}" stroke="{edge}" stroke-width="1"/>')
        if bar.span.open_to:
            shape += (f'<rect class="ibcr-bar-open" x="{solid_end:.2f}%" y="{top:.1f}" width="{x1 - solid_end:.2f}%" '
                      f'height="{BAR:.0f}" fill="url(#{ids}-open-{bar.status})"/>'
                      + "".join(f'<line x1="{solid_end:.2f}%" x2="{x1:.2f}%" y1="{v:.1f}" y2="{v:.1f}" stroke="{edge}" '
                                f'stroke-dasharray="3 2"/>' for v in (top, top + BAR)))
        if bar.note:
            anchor = "start" if a else "end"
            shape += (f'<text class="ibcr-bar-note" x="{(x1 + 0.4) if a else (x0 - 0.4):.2f}%" y="{top + 9.5:.1f}" '
                      f'font-size="11" text-anchor="{anchor}">{escape(bar.note)}</text>')
        shapes.append(link(bar.href, bar.tooltip, shape, "ibcr-bar") if bar.href else
                      f'<g class="ibcr-bar" tabindex="0" role="img" aria-label="{escape(bar.tooltip.splitlines()[0])}">'
                      f'{tooltip(bar.tooltip)}{shape}</g>')
    return _row(name, y, max(lanes) + 1, i, shapes)


def _milestone_row(marks: Sequence[Mark], name: str, x, y: float, i: int) -> tuple[str, float]:
    """The milestones' row: a diamond each (hollow when the date is rough), focusable for its tooltip."""
    ordered = sorted(marks, key=lambda m: m.at)
    lanes = _lanes([(x(m.at) - DIAMOND_PCT, x(m.at) + DIAMOND_PCT) for m in ordered])
    shapes = []
    for mark, lane in zip(ordered, lanes):
        cy = y + LABEL + lane * LANE + LANE / 2
        fill = "#FFFFFF" if mark.rough else IBCR_ACCENT
        # A nested SVG places the diamond at a percentage across; its shape is drawn in pixels around it.
        shapes.append(f'<g class="ibcr-milestone" tabindex="0" role="img" '
                      f'aria-label="{escape(mark.tooltip.splitlines()[0])}">{tooltip(mark.tooltip)}'
                      f'<svg x="{x(mark.at):.2f}%" y="{cy:.1f}" width="1" height="1" overflow="visible">'
                      f'<path d="M0 {-DIAMOND:g}l{DIAMOND:g} {DIAMOND:g} {-DIAMOND:g} {DIAMOND:g} {-DIAMOND:g} {-DIAMOND:g}z" '
                      f'fill="{fill}" stroke="{IBCR_ACCENT}" stroke-width="1.5"/></svg></g>')
    return _row(name, y, max(lanes) + 1, i, shapes)


def _axis(lo: int, hi: int, x, height: float) -> str:
    """A line per year and a label every 5 years (every 2 or 1 on a short span), above and below the rows."""
    step = 1 if hi - lo <= 8 else 2 if hi - lo <= 16 else 5
    lines, texts = [], []
    for year in range(lo, hi + 1):
        labelled = year % step == 0
        lines.append(f'<line x1="{x(year):.2f}%" x2="{x(year):.2f}%" y1="{AXIS:.0f}" y2="{height - AXIS:.0f}" '
                     f'stroke="{"#C9D2DC" if labelled else GRID}" stroke-width="1"/>')
        if labelled and lo < year < hi:
            for ty in (AXIS - 8, height - AXIS + 16):
                texts.append(f'<text x="{x(year):.2f}%" y="{ty:.0f}" text-anchor="middle">{year}</text>')
    return f'<g class="ibcr-axis" aria-hidden="true">{"".join(lines)}{"".join(texts)}</g>'


def _patterns(status: str, colour: str, ids: str) -> str:
    """The hatch of a status's rough bars, and the fade of its open ends."""
    return (f'<pattern id="{ids}-hatch-{status}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#FFFFFF"/>'
            f'<rect width="3" height="6" fill="{colour}"/></pattern>'
            f'<linearGradient id="{ids}-open-{status}"><stop offset="0" stop-color="{colour}" stop-opacity="0.75"/>'
            f'<stop offset="1" stop-color="{colour}" stop-opacity="0.05"/></linearGradient>')


def timeline_gantt(rows: pd.DataFrame, milestones: pd.DataFrame, tips: Sequence[str], milestone_tips: Sequence[str],
                   hrefs: Sequence[str], labels: GanttLabels, today: dt.date, notes: Sequence[str] = ()) -> str:
    """The Timeline page's Gantt: a bar per row of ibcr_data.timeline_rows (on the row named by its `group`),
    a diamond per milestone; `tips`, `milestone_tips`, `hrefs` and `notes` are in the order of the rows."""
    now = decimal_year(today.isoformat())
    notes = list(notes) or [""] * len(rows)
    bars = [Bar(str(group), span_of(r, now), r["status_code"], tip, href, note)
            for r, group, tip, href, note in zip(rows.to_dict("records"), rows["group"], tips, hrefs, notes)]
    marks = [Mark(_milestone_at(ev), tip, ev["date_precision_code"] in ROUGH)
             for ev, tip in zip(milestones.to_dict("records"), milestone_tips)]
    return gantt_svg(bars, marks, labels, now)


def _milestone_at(ev: Mapping) -> float:
    """A milestone's date: the day or month when known, else the middle of its year (or of its years)."""
    if ev["date_precision_code"] in ("day", "month") and isinstance(ev.get("start_date"), str):
        start = decimal_year(ev["start_date"])
        return (start + decimal_year(ev["start_date"], end=True)) / 2
    first = float(ev["start_year"])
    last = float(ev["end_year"]) if _known(ev.get("end_year")) else first
    return (first + last + 1.0) / 2
