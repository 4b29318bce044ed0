"""The Programmes page's charts of figures drawn on the server (ibcr_present.figuresvg): a point per figure with its
tooltip, estimates and targets told apart, same-year figures side by side, an axis from zero, gaps, one scope each."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

import ibcr_data
from ibcr_present import figuresvg, i18n, text
from ibcr_present.figuresvg import FigureLabels
from tests.apptest import metric_charts, run
from tests.support import page_context

POINT = re.compile(r'<g class="ibcr-point ibcr-(exact|estimate|target)" tabindex="0" role="img" aria-label="([^"]*)">'
                   r'<title>(.*?)</title><svg x="([\d.]+)%" y="([\d.]+)" width="1" height="1" overflow="visible">(.*?)</svg></g>')
LABELS = FigureLabels("Chart of the figures", "Reported figure", "Approximate or estimate", "Target (planned)", "Year")


def series(values, years, scope="cumulative", targets=None, confidence=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({
        "metric_id": [f"m{i}" for i in range(n)], "value": values, "end_year": years,
        "scope_code": [scope] * n if isinstance(scope, str) else scope,
        "is_target": targets or [False] * n, "confidence_code": confidence or ["exact"] * n,
    })


def points(svg: str) -> list[tuple]:
    return POINT.findall(svg)


def plain(tip: str) -> str:
    return unescape(tip.replace("&#10;", "\n"))


def grid_labels(svg: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'paint-order="stroke" stroke="#FFFFFF" stroke-width="3">([^<]*)</text>', svg)]


@pytest.fixture(scope="module")
def public(ds):
    return page_context(ds, page="programmes")


def test_a_point_per_figure_with_the_hover_text_as_its_tooltip(public):
    s = ibcr_data.metric_series(public.view.metrics, "professionals_trained", "cumulative")
    s = s[s["value"].notna()]
    tips = text.metric_tooltips(public, s)
    svg = figuresvg.metric_svg(s, tips, LABELS)
    found = points(svg)
    assert len(found) == s["value"].notna().sum() > 2
    assert "\n" not in svg  # one line: Markdown leaves the block alone
    hover = text.metric_hover(public, s)  # the Plotly chart's hover text, as plain lines
    as_lines = [unescape(re.sub(r"</?b>", "", h).replace("<br>", "\n")) for h in hover]
    assert sorted(plain(t) for _, _, t, *_ in found) == sorted(as_lines) == sorted(tips)
    assert sorted(unescape(name) for _, name, *_ in found) == sorted(t.splitlines()[0] for t in tips)


def test_estimates_and_targets_have_their_own_marks_and_words():
    s = series([4_000_000.0, 2_900_000.0, 3_000_000.0, 250.0], [2019, 2021, 2022, 2028],
               targets=[False, False, False, True], confidence=["exact", "approximate", "inferred", "exact"])
    svg = figuresvg.metric_svg(s, ["a", "b", "c", "d"], LABELS)
    shapes = {tip: (kind, shape) for kind, _, tip, _, _, shape in points(svg)}
    assert [shapes[t][0] for t in "abcd"] == ["exact", "estimate", "estimate", "target"]
    assert shapes["a"][1].startswith("<circle") and 'fill="#0057A8"' in shapes["a"][1]  # solid
    assert shapes["b"][1].startswith("<circle") and 'fill="#FFFFFF"' in shapes["b"][1]  # open
    assert shapes["d"][1].startswith("<rect") and 'fill="#FFFFFF"' in shapes["d"][1]  # an open square
    target_edge = re.search(r'stroke="(#[0-9A-F]{6})"', shapes["d"][1]).group(1)
    assert target_edge != "#0057A8"  # another colour
    legend = re.findall(r"</span>([^<]*)</li>", svg)
    assert legend == ["Reported figure", "Approximate or estimate", "Target (planned)"]
    only_exact = figuresvg.metric_svg(series([1.0, 2.0], [2020, 2021]), ["a", "b"], LABELS)
    assert re.findall(r"</span>([^<]*)</li>", only_exact) == ["Reported figure"]  # the words of what is drawn


def test_two_figures_of_one_year_stand_side_by_side():
    s = series([4_000_000.0, 2_900_000.0, 3_500_000.0], [2021, 2021, 2022], confidence=["approximate"] * 3)
    found = {tip: (x, shape) for _, _, tip, x, _, shape in points(figuresvg.metric_svg(s, ["a", "b", "c"], LABELS))}
    assert found["a"][0] == found["b"][0] != found["c"][0]  # at their year...
    cx = {t: float(re.search(r'cx="([-\d.]+)"', found[t][1]).group(1)) for t in "abc"}
    assert cx["a"] < 0 < cx["b"] and cx["b"] - cx["a"] >= 2 * figuresvg.RADIUS  # ...apart, neither hiding the other
    assert cx["c"] == 0


def test_the_axis_starts_at_zero_with_a_few_rounded_gridlines_in_the_readers_numbers():
    s = series([61_200.0, 64_300.0], [2020, 2023])
    fr = FigureLabels("Graphique", number=lambda v, d: i18n.number("fr", v, d))
    svg = figuresvg.metric_svg(s, ["a", "b"], fr)
    values, digits = figuresvg.ticks(64_300.0)
    assert values[0] == 0 and values[-1] >= 64_300 and 3 <= len(values) <= 6 and digits == 0
    assert grid_labels(svg) == [i18n.number("fr", v) for v in values]
    assert grid_labels(svg)[-1] in ("80\u202f000", "80\xa0000", "80 000")  # French groups
    zero = float(re.search(r'y1="([\d.]+)" y2="[\d.]+" stroke="#B8C3CF"', svg).group(1))
    assert zero == figuresvg.TOP + figuresvg.PLOT_HEIGHT  # zero at the bottom of the plot
    ys = [float(y) for *_, y, _ in points(svg)]
    assert all(figuresvg.TOP <= y < zero for y in ys)
    assert figuresvg.ticks(0.8) == ([0, 0.2, 0.4, 0.6, 0.8], 1)
    assert figuresvg.ticks(25)[0] == [0, 10, 20, 30]


def test_a_year_without_an_achieved_figure_breaks_the_line():
    s = series([10.0, 12.0, 15.0, 20.0, 30.0], [2018, 2019, 2021, 2022, 2024], targets=[False] * 4 + [True])
    svg = figuresvg.metric_svg(s, list("abcde"), LABELS)
    line = re.search(r'<g class="ibcr-line" aria-hidden="true">(.*?)</g>', svg).group(1)
    joins = re.findall(r'<line x1="([\d.]+)%" x2="([\d.]+)%"', line)
    xs = {tip: float(x) for _, _, tip, x, _, _ in points(svg)}
    # 2018-2019 and 2021-2022 are joined; nothing crosses 2020, and the target (2024) is not on the line.
    assert [(float(a), float(b)) for a, b in joins] == [(xs["a"], xs["b"]), (xs["c"], xs["d"])]
    years = re.findall(r'text-anchor="middle">(\d{4})</text>', svg)
    assert years[0] == "2018" and years[-1] == "2024" and "2020" in years  # the gap year is on the axis


def test_a_chart_shows_one_scope():
    mixed = series([3097.0, 64300.0], [2021, 2021], scope=["annual", "cumulative"])
    with pytest.raises(ValueError):
        figuresvg.metric_svg(mixed, ["a", "b"], LABELS)
    assert figuresvg.metric_svg(series([float("nan")], [2020]), ["a"], LABELS) == ""


def test_the_programmes_page_draws_a_chart_per_scope_and_no_plotly(ds):
    at = run("programmes", metric="professionals_trained")
    assert not at.exception and not at.get("plotly_chart")  # the browser never loads Plotly for this page
    charts = metric_charts(at)
    shown = page_context(ds, page="programmes").view.metrics
    metrics = shown[(shown["metric_code"] == "professionals_trained") & shown["value"].notna()]
    scopes = {ds.code_labels("scope_code", "en")[s]: n for s, n in metrics.groupby("scope_code").size().items()}
    assert len(charts) == len(scopes) >= 2  # annual, cumulative, per programme: never on one chart
    for name, svg in charts.items():
        scope = next(label for label in scopes if f"({label})" in name)
        assert len(points(svg)) == scopes[scope]
    assert {b.label for b in at.get("download_button")} >= {i18n.translate("en", "image.download_svg"),
                                                            i18n.translate("en", "image.download_png")}


def test_hostile_words_are_escaped():
    hostile = '<script>alert(1)</script> "quoted" [click](javascript:alert(1)) & <img src=x onerror=alert(1)>'
    s = series([5.0, 7.0], [2020, 2021])
    labels = FigureLabels(hostile, hostile, hostile, hostile, hostile, number=lambda v, d: hostile)
    svg = figuresvg.metric_svg(s, [hostile + "\nsecond line", hostile], labels)
    assert "<script" not in svg and "<img" not in svg and "](" not in svg and "\n" not in svg
    assert '"quoted"' not in svg  # no attribute is closed early
    assert all(plain(t).startswith(hostile) for _, _, t, *_ in points(svg))
    assert all(unescape(name) == hostile for _, name, *_ in points(svg))
    assert unescape(re.search(r'<svg class="ibcr-metric-chart"[^>]* aria-label="([^"]*)"', svg).group(1)) == hostile
