"""The Timeline's server-drawn Gantt (ibcr_present.ganttsvg): a bar per record, dates as precisely as known and no
more, ongoing work open to today, links that keep the view, the legend in words, escaping."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from html import unescape

import pytest

import ibcr_data
from ibcr_data.audience import view_for
from ibcr_present import ganttsvg, text
from ibcr_present.ganttsvg import Bar, GanttLabels, Mark, Span
from tests.apptest import run
from tests.support import DATA, SENSITIVE_DATES, page_context, write_safeguarding_fixture

TODAY = dt.date(2026, 12, 4)
NOW = ganttsvg.decimal_year(TODAY.isoformat())
STATUSES = {"ongoing": "Ongoing", "planned": "Planned", "completed": "Completed", "unknown": "Status unknown"}
LABELS = GanttLabels("Timeline of the records", STATUSES, "Dates known only roughly", "Ongoing, open to today",
                     "Milestones", "Today (December 4, 2026)")
BAR = re.compile(r'<a class="ibcr-bar" href="([^"]*)" target="_self" aria-label="([^"]*)"><title>(.*?)</title>(.*?)</a>')


def gantt(ctx, group_by: str = "country", today: dt.date = TODAY) -> tuple[str, object]:
    rows = ibcr_data.timeline_rows(ctx.ds, ctx.view, group_by)
    rows = rows.assign(group=rows[f"group_{ctx.lang}"])
    events = ctx.view.events[ctx.view.events["is_key_milestone"]]
    hrefs = [f"country?profile={c}" for c in rows["country_iso3"]]
    svg = ganttsvg.timeline_gantt(rows, events, text.engagement_tooltips(ctx, rows), text.milestone_tooltips(ctx, events),
                                  hrefs, LABELS, today)
    return svg, rows


def x_of(shape: str) -> tuple[float, float]:
    """The left edge and width (% of the picture) of a bar's solid part."""
    m = re.search(r'class="ibcr-bar-shape" x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"', shape)
    return float(m.group(1)), float(m.group(2))


def today_x(svg: str) -> float:
    return float(re.search(r'<line class="ibcr-today" x1="([\d.]+)%"', svg).group(1))


@pytest.fixture(scope="module")
def public(ds):
    return page_context(ds, page="timeline")


def test_every_record_in_view_is_one_bar_naming_what_where_and_when(public):
    svg, rows = gantt(public)
    bars = BAR.findall(svg)
    assert len(bars) == len(rows) > 50
    assert "\n" not in svg  # one line: Markdown leaves the block alone
    assert sorted(h for h, *_ in bars) == sorted(f"country?profile={c}" for c in rows["country_iso3"])
    tips = text.engagement_tooltips(public, rows)
    assert sorted(unescape(name) for _, name, _, _ in bars) == sorted(t.splitlines()[0] for t in tips)
    for tip, r in zip(tips, rows.to_dict("records")):  # the accessible name: where, what, when
        assert tip.startswith(r["name_en"]) and public.label("kind", r["kind_code"]) in tip.splitlines()[0]
        assert text.dates_text(public, r) in tip.splitlines()[0]
    lines = [unescape(t).split("\n") for _, _, t, _ in bars]
    assert all(any(line.startswith("Source: ") for line in t) for t in lines)  # every bar names its source
    assert all(any(line.startswith("Date precision: ") for line in t) for t in lines)  # and how well its dates are known


def test_rough_dates_are_hatched_and_only_they(public):
    svg, rows = gantt(public)
    rough = rows["date_precision_code"].isin(ganttsvg.ROUGH)
    assert 0 < rough.sum() < len(rows)
    assert svg.count('fill="url(#ibcr-gantt-hatch-') == rough.sum()
    for status in rows.loc[rough, "status_code"].unique():
        assert f'<pattern id="ibcr-gantt-hatch-{status}"' in svg


def test_dates_known_to_the_month_are_drawn_to_the_month_and_years_cover_whole_years():
    month = {"date_precision_code": "month", "start_date": "2008-09", "end_date": "2012-05", "year_from": 2008,
             "year_to": 2012, "status_code": "completed", "end_year": 2012, "status_as_of": "2012"}
    span = ganttsvg.span_of(month, NOW)
    assert span.start == pytest.approx(2008 + 244 / 366) and span.end == pytest.approx(2012 + 152 / 366)
    years = month | {"date_precision_code": "year", "start_date": None, "end_date": None}
    assert ganttsvg.span_of(years, NOW) == Span(2008.0, 2013.0, False, None)
    rough = years | {"date_precision_code": "circa"}
    assert ganttsvg.span_of(rough, NOW).rough


def test_ongoing_work_is_solid_to_its_status_date_then_open_to_today():
    row = {"date_precision_code": "year", "start_date": None, "end_date": None, "year_from": 2019, "year_to": 2021,
           "status_code": "ongoing", "end_year": None, "status_as_of": "2021-06"}
    span = ganttsvg.span_of(row, NOW)
    assert span.start == 2019.0 and span.end == pytest.approx(2021.5, abs=0.01) and span.open_to == NOW
    ended = row | {"status_code": "completed"}
    assert ganttsvg.span_of(ended, NOW).open_to is None
    svg = ganttsvg.gantt_svg([Bar("Burkina Faso", span, "ongoing", "Burkina Faso · Training", "country?profile=BFA"),
                              Bar("Canada", Span(2000.0, 2005.0), "completed", "Canada · Research", "country?profile=CAN")],
                             [], LABELS, NOW)
    shape = BAR.search(svg).group(4)
    x0, width = x_of(shape)
    open_x, open_w = (float(v) for v in re.search(r'class="ibcr-bar-open" x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"',
                                                   shape).groups())
    assert open_x == pytest.approx(x0 + width, abs=0.02)
    assert open_x + open_w == pytest.approx(today_x(svg), abs=0.02)  # the open end reaches today's line
    assert svg.count('class="ibcr-bar-open"') == 1  # the completed bar is closed


def test_the_real_ongoing_records_reach_today(public):
    svg, rows = gantt(public)
    open_ended = ((rows["status_code"] == "ongoing") & rows["end_year"].isna()).sum()
    assert open_ended > 5
    ends = [float(a) + float(b) for a, b in re.findall(r'class="ibcr-bar-open" x="([\d.]+)%" y="[\d.]+" width="([\d.]+)%"', svg)]
    assert len(ends) == open_ended and all(e == pytest.approx(today_x(svg), abs=0.02) for e in ends)


def test_overlapping_bars_of_one_row_take_separate_lanes():
    bars = [Bar("Manara", Span(2008.0, 2013.0), "completed", f"Country {i}", f"country?profile={c}")
            for i, c in enumerate(["DZA", "EGY", "IRQ"])] + [Bar("Manara", Span(2020.0, 2021.0), "completed", "Later", "x")]
    svg = ganttsvg.gantt_svg(bars, [], LABELS, NOW)
    ys = [float(y) for y in re.findall(r'class="ibcr-bar-shape" x="[\d.]+%" y="([\d.]+)"', svg)]
    assert len(set(ys[:3])) == 3  # three bars at once: three lanes
    assert ys[3] == ys[0]  # a later bar reuses the first lane


def test_the_legend_names_each_status_drawn_and_each_mark_in_words(public):
    svg, rows = gantt(public)
    legend = [unescape(t) for t in re.findall(r"</span>([^<]+)</li>", svg)]
    drawn = [STATUSES[s] for s in STATUSES if s in set(rows["status_code"])]
    assert legend[: len(drawn)] == drawn
    assert legend[len(drawn):] == [LABELS.rough, LABELS.open_end, LABELS.milestones, LABELS.today]
    only_completed = ganttsvg.gantt_svg([Bar("A", Span(2000.0, 2001.0), "completed", "A", "x")], [], LABELS, NOW)
    assert [unescape(t) for t in re.findall(r"</span>([^<]+)</li>", only_completed)] == ["Completed", LABELS.today]


def test_milestones_are_focusable_marks_hollow_when_rough(public):
    svg, _ = gantt(public)
    events = public.view.events[public.view.events["is_key_milestone"]]
    assert svg.count('<g class="ibcr-milestone" tabindex="0" role="img"') == len(events) > 5
    marks = ganttsvg.gantt_svg([], [Mark(2001.5, "2001 · Founded"), Mark(2010.5, "about 2010 · Study", rough=True)],
                               LABELS, NOW)
    fills = re.findall(r'<path d="M0 -6[^"]*" fill="([^"]+)"', marks)
    assert fills == ["#0057A8", "#FFFFFF"]


def test_words_from_the_records_are_escaped():
    hostile = '<script>alert(1)</script>" onmouseover="x [click](javascript:alert(1))'
    svg = ganttsvg.gantt_svg([Bar(hostile, Span(2000.0, 2001.0), "completed", hostile + "\nline two",
                                  'country?profile=BFA"><script>', note=hostile)], [Mark(2000.5, hostile)], LABELS, NOW)
    assert "<script" not in svg and '" onmouseover="' not in svg and "](javascript" not in svg
    assert "&#10;line two" in svg


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    data = tmp_path_factory.mktemp("gantt") / "data"
    shutil.copytree(DATA, data)
    return ibcr_data.load_dataset(write_safeguarding_fixture(data))


def test_a_withheld_date_is_drawn_to_the_year_publicly_and_to_the_day_for_the_board(guarded):
    """The fixture dates an engagement in Afghanistan (a country whose exact dates are withheld) to 17 March 2020."""
    spans = {}
    for audience in ("public", "board"):
        ctx = page_context(view_for(guarded, audience), audience=audience)
        svg, rows = gantt(ctx)
        row = rows[rows["engagement_id"] == "afg-activity-2020-21"].iloc[0]
        spans[audience] = ganttsvg.span_of(row.to_dict(), NOW)
        found = [c for c in SENSITIVE_DATES if c in svg]
        assert (found == []) if audience == "public" else found, (audience, found)
        assert ("CANARY-BOARD-ENGAGEMENT" in svg) == (audience == "board")
    assert spans["public"].start == 2020.0  # the start of the year: not drawn to the day
    assert spans["board"].start == pytest.approx(ganttsvg.decimal_year("2020-03-17"))


def test_the_timeline_page_draws_the_svg_with_links_that_keep_the_view():
    at = run("timeline", region="west_africa", lang="fr", group="country")
    assert not at.exception and not at.get("plotly_chart")
    svg = next(m.value for m in at.markdown if 'class="ibcr-gantt"' in m.value)
    hrefs = [unescape(h) for h, *_ in BAR.findall(svg)]
    assert hrefs and all(h.startswith("country?") for h in hrefs)
    for h in hrefs:
        params = dict(p.split("=", 1) for p in h.split("?", 1)[1].split("&"))
        assert params["region"] == "west_africa" and params["lang"] == "fr" and re.fullmatch(r"[A-Z]{3}", params["profile"])
        assert "group" not in params  # the timeline's own choices stay on the timeline
    assert "Aujourd'hui" in unescape(svg)


def test_a_filter_narrows_the_bars():
    whole = run("timeline")
    west = run("timeline", region="west_africa")
    count = lambda at: len(BAR.findall(next(m.value for m in at.markdown if 'class="ibcr-gantt"' in m.value)))  # noqa: E731
    assert 0 < count(west) < count(whole)


def test_decimal_years():
    assert ganttsvg.decimal_year("2020") == 2020.0 and ganttsvg.decimal_year("2020", end=True) == 2021.0
    assert ganttsvg.decimal_year("2020-03-17") == pytest.approx(2020 + 76 / 366)
    assert ganttsvg.decimal_year("2021-12", end=True) == 2022.0
    assert ganttsvg.decimal_year("2021-12-31", end=True) == 2022.0


def test_a_country_profile_draws_its_own_records_as_the_gantt_without_links_to_itself(ds):
    at = run("country", profile="BFA")
    assert not at.exception and not at.get("plotly_chart")  # the profile loads no Plotly either
    svg = next(m.value for m in at.markdown if 'class="ibcr-gantt"' in m.value)
    assert not BAR.findall(svg) and "<a " not in svg  # a bar here would link to the page it is on
    focusable = re.findall(r'<g class="ibcr-bar" tabindex="0" role="img" aria-label="([^"]*)"><title>', svg)
    engagements = ibcr_data.country_profile(ds, "BFA").engagements
    assert len(focusable) == len(engagements) > 0  # each record still reached by Tab, its tooltip read
    assert 'class="ibcr-bar-note"' not in svg  # no bar repeats the name of the country the page is about
