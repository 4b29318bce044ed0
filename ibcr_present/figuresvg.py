"""Reported figures over time as an SVG chart drawn on the server: one kind of figure, ONE scope (no Streamlit).

Why not Plotly here: as for the Timeline (ganttsvg), a Plotly chart makes the browser fetch and start
Plotly (4.6 MB) and draw after the page has arrived; this is plain vector markup.

What the chart says, as figures.metric_figure does (its Plotly twin draws the picture downloads):
- years across, with gaps where there is no figure; the figures' axis starts from zero, with a few
  rounded gridlines labelled in the reader's number format;
- achieved figures given exactly are solid circles, estimates open circles, targets open squares in
  another colour; two figures of the same year (they may disagree) stand side by side, never added up;
- a thin line joins the achieved figures of consecutive years, and breaks where a year has none;
- each point is focusable (Tab) and has its tooltip; the legend is in words under the chart.
Everything is escaped here; the markup is one line (see svgparts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from .svgparts import Key, escape, legend, outline, tooltip
from .theme import GRID, GRID_LINE, IBCR_ACCENT, MUTED, TARGET_COLOUR, TEXT

# NOTE: across, positions are percentages of the picture's width (no viewBox): the chart takes the
# page's width while its words keep their size in pixels, so a phone (390 px) reads it. Down, pixels.
PLOT = (1.0, 99.0)  # the plot's left and right edges, % of the width
TOP = 20.0  # above the top gridline: its label, and room for a point at the top
PLOT_HEIGHT = 190.0  # from the top gridline to zero
BOTTOM = 40.0  # the years, and the axis's title
PAD = 0.6  # room before the first year and after the last, in years
RADIUS = 5.5  # a point's radius (half a target's side), px
SIDE = 13.0  # px between the centres of two figures of the same year
TARGET_EDGE = outline(TARGET_COLOUR, 0.75)  # a target's square: 3:1 against white (WCAG 1.4.11)
KINDS = ("exact", "estimate", "target")


def _plain_number(value: float, digits: int) -> str:
    return f"{value:,.{digits}f}"


@dataclass(frozen=True)
class FigureLabels:
    title: str  # the chart's accessible name (what it shows, in a sentence)
    exact: str = "exact"  # legend: achieved figures given exactly
    estimate: str = "estimate"  # legend: approximate figures and estimates
    target: str = "target"  # legend: targets
    year: str = ""  # the years' axis
    number: Callable[[float, int], str] = _plain_number  # a number in the reader's language, with its decimals


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    kind: str  # "exact", "estimate" or "target"
    tooltip: str  # plain text, lines apart; its first line is the point's accessible name
    side: float = 0.0  # its place among the figures of its year (-0.5, 0.5 for two): side by side


def points_of(series: pd.DataFrame, tips: Sequence[str]) -> tuple[list[Point], pd.Series]:
    """The points of one series (ibcr_data.metric_series), in its order, and the line through the achieved figures.

    The line has a value per year that has an achieved figure: the first by confidence when there are more.
    """
    if series["scope_code"].nunique() > 1:
        raise ValueError("a chart shows one scope only: annual and cumulative figures are never mixed")
    s = series.assign(_tip=list(tips)).dropna(subset=["value", "end_year"])
    counts = s.groupby("end_year")["metric_id"].transform("count")
    side = s.groupby("end_year").cumcount() - (counts - 1) / 2
    points = [Point(int(r["end_year"]), float(r["value"]),
                    "target" if r["is_target"] else "exact" if r["confidence_code"] == "exact" else "estimate",
                    r["_tip"], float(o)) for (_, r), o in zip(s.iterrows(), side)]
    achieved = s[~s["is_target"].astype(bool)].sort_values(["end_year", "confidence_code"])
    line = achieved.drop_duplicates("end_year").set_index("end_year")["value"].astype("float64")
    line.index = line.index.astype(int)
    return points, line


def metric_svg(series: pd.DataFrame, tips: Sequence[str], labels: FigureLabels,
               year_range: tuple[int, int] | None = None) -> str:
    """The chart of one kind of figure and one scope as HTML markup ("" when no figure has a value).

    `tips` are the points' tooltips, in the order of the series' rows (text.metric_tooltips).
    """
    points, line = points_of(series, tips)
    if not points:
        return ""
    years = [p.year for p in points]
    lo, hi = (int(year_range[0]), int(year_range[1])) if year_range else (min(years), max(years))
    return chart_svg(points, line, labels, lo, hi)


def ticks(top: float, bottom: float = 0.0, most: int = 5) -> tuple[list[float], int]:
    """Rounded gridlines from `bottom` (zero, or below it for negative figures) to at least `top`, and the
    decimals their labels need: steps of 1, 2, 2.5 or 5 times a power of ten, at most `most` lines above zero."""
    span = max(top - bottom, 0.0) or max(abs(top), 1.0)
    raw = span / (most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))
    first = math.floor(bottom / step + 1e-9) * step
    count = max(1, math.ceil((top - first) / step - 1e-9))
    values = [round(first + i * step, 10) for i in range(count + 1)]
    digits = 0
    while digits < 10 and abs(step * 10 ** digits - round(step * 10 ** digits)) > 1e-6:
        digits += 1
    return values, digits


def chart_svg(points: Sequence[Point], line: pd.Series, labels: FigureLabels, lo: int, hi: int) -> str:
    """The chart for points from `lo` to `hi` (years), the achieved figures' line, the legend in words."""
    pad = PAD if hi > lo else 1.0
    left, right = lo - pad, hi + pad
    values, digits = ticks(max(p.value for p in points), min(0.0, min(p.value for p in points)))
    bottom, top = values[0], values[-1]

    def x(year: float) -> float:
        return PLOT[0] + (year - left) / (right - left) * (PLOT[1] - PLOT[0])

    def y(value: float) -> float:
        return TOP + PLOT_HEIGHT * (1 - (value - bottom) / (top - bottom))

    height = TOP + PLOT_HEIGHT + BOTTOM
    grid = "".join(
        f'<line x1="0" x2="100%" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{"#B8C3CF" if v == 0 else GRID}" '
        f'stroke-width="1"/>' for v in values)
    # The gridlines' labels sit above them at the left, on a white halo: clear on a phone's width.
    numbers = "".join(
        f'<text x="{PLOT[0]:.2f}%" y="{y(v) - 4:.1f}" font-size="11" fill="{MUTED}" paint-order="stroke" '
        f'stroke="#FFFFFF" stroke-width="3">{escape(labels.number(v, digits))}</text>' for v in values)
    step = 1 if hi - lo < 12 else 2
    base = TOP + PLOT_HEIGHT
    years = []
    for year in range(lo, hi + 1):
        if (year - lo) % step:
            continue
        minor = ' class="ibcr-tick-minor"' if hi - lo > 6 and (year - lo) % (2 * step) else ""
        years.append(f'<g{minor}><line x1="{x(year):.2f}%" x2="{x(year):.2f}%" y1="{base:.0f}" y2="{base + 4:.0f}" '
                     f'stroke="#B8C3CF"/><text x="{x(year):.2f}%" y="{base + 17:.0f}" text-anchor="middle">'
                     f'{year}</text></g>')
    title = (f'<text x="50%" y="{height - 5:.0f}" text-anchor="middle" font-size="11" fill="{MUTED}">'
             f'{escape(labels.year)}</text>') if labels.year else ""
    axes = f'<g class="ibcr-axis" aria-hidden="true">{grid}{"".join(years)}{title}</g>'
    joins = "".join(
        f'<line x1="{x(a):.2f}%" x2="{x(a + 1):.2f}%" y1="{y(line[a]):.1f}" y2="{y(line[a + 1]):.1f}" '
        f'stroke="{GRID_LINE}" stroke-width="2"/>' for a in line.index if a + 1 in line.index)
    joins = f'<g class="ibcr-line" aria-hidden="true">{joins}</g>' if joins else ""
    marks = "".join(_point(p, x(p.year), y(p.value)) for p in points)
    used = [k for k in KINDS if any(p.kind == k for p in points)]
    return (f'<figure class="ibcr-metric-figure"><div class="ibcr-metric-scroll">'
            f'<svg class="ibcr-metric-chart" width="100%" height="{height:.0f}" role="group" '
            f'aria-label="{escape(labels.title)}" xmlns="http://www.w3.org/2000/svg" font-size="12" fill="{TEXT}">'
            f'{axes}<g aria-hidden="true">{numbers}</g>{joins}{marks}</svg></div>'
            f'{legend(_key(k, getattr(labels, k)) for k in used)}</figure>')


def _point(p: Point, x: float, y: float) -> str:
    """One figure: a focusable shape with its tooltip, at its year (beside the other figures of that year)."""
    dx = p.side * SIDE
    if p.kind == "target":
        shape = (f'<rect x="{dx - RADIUS:g}" y="{-RADIUS:g}" width="{2 * RADIUS:g}" height="{2 * RADIUS:g}" '
                 f'fill="#FFFFFF" stroke="{TARGET_EDGE}" stroke-width="2"/>')
    else:
        fill = IBCR_ACCENT if p.kind == "exact" else "#FFFFFF"
        shape = f'<circle cx="{dx:g}" cy="0" r="{RADIUS:g}" fill="{fill}" stroke="{IBCR_ACCENT}" stroke-width="2"/>'
    # A nested SVG places the shape at a percentage across; the shape is drawn in pixels around it.
    return (f'<g class="ibcr-point ibcr-{p.kind}" tabindex="0" role="img" '
            f'aria-label="{escape(p.tooltip.splitlines()[0] if p.tooltip else str(p.year))}">{tooltip(p.tooltip)}'
            f'<svg x="{x:.2f}%" y="{y:.1f}" width="1" height="1" overflow="visible">{shape}</svg></g>')


def _key(kind: str, label: str) -> Key:
    """A legend entry drawn as its shape (CSS backgrounds: a dot, a ring, an open square)."""
    if kind == "exact":
        return Key(label, f"radial-gradient(circle closest-side, {IBCR_ACCENT} 85%, transparent 100%)",
                   "ibcr-swatch-point")
    if kind == "estimate":
        return Key(label, f"radial-gradient(circle closest-side, #FFFFFF 55%, {IBCR_ACCENT} 62% 85%, "
                          f"transparent 100%)", "ibcr-swatch-point")
    return Key(label, f"linear-gradient(#FFFFFF, #FFFFFF) center / 60% 60% no-repeat, {TARGET_EDGE}",
               "ibcr-swatch-point")
