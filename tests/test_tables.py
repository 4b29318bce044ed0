"""Tables to read (ibcr_ui/tables.py): plain HTML tables on the Data, Sources and What changed pages, with every
row in view or a line saying which rows are shown, a search and a sort on the Data page, and no data grid."""

from __future__ import annotations

import html
import re

import pandas as pd

import ibcr_data
from ibcr_ui import tables
from tests.apptest import run


def table(at, key: str) -> tuple[list[str], list[list[str]], str]:
    """The plain table `key` of the page: its header, its rows (cells as text) and its link targets."""
    (body,) = [e.proto.body for e in at.get("html") if f'data-ibcr-table="{key}"' in e.proto.body]

    def plain(fragment: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", fragment))

    head = [plain(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", body)]
    rows = [[plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in re.findall(r"<tr>(.*?)</tr>", body)[1:]]
    return head, rows, body


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


# Search, sort, pages: plain functions


def test_search_finds_any_cell_whatever_its_case_and_sort_puts_empty_cells_last():
    df = pd.DataFrame({"name": ["Benin", "burkina Faso", "Chad", None], "count": [3, None, 12, 1]})
    assert list(tables.search(df, "  BURK ")["name"]) == ["burkina Faso"]
    assert list(tables.search(df, "12")["name"]) == ["Chad"]
    assert tables.search(df, "") is df
    assert list(tables.sort(df, "count", descending=True)["name"].fillna("-")) == ["Chad", "Benin", "-", "burkina Faso"]
    assert list(tables.sort(df, "name")["name"].fillna("-")) == ["Benin", "burkina Faso", "Chad", "-"]
    assert tables.pages(250) == 3 and tables.pages(0) == 1
    assert len(tables.page_of(pd.DataFrame({"a": range(250)}), 2)) == 50


# The pages


def test_data_page_shows_every_engagement_in_view_as_a_plain_table_and_no_grid():
    at = run("data")
    assert not at.exception and not at.dataframe
    head, rows, _ = table(at, "data_engagements")
    ds = ibcr_data.load_dataset()
    assert "Kind of work" in head and len(rows) == len(ds.engagements) <= tables.PAGE_ROWS
    ids = {r[head.index("Engagement")] for r in rows}
    assert ids == set(ds.engagements["engagement_id"])
    assert "Rows 1–" not in captions(at)  # every row in view: no line about a part


def test_data_page_searches_and_sorts_the_open_table():
    at = run("data")
    at.text_input(key="data_engagements_search").set_value("burkina").run()
    head, rows, _ = table(at, "data_engagements")
    assert rows and all("burkina" in " ".join(r).lower() or "BFA" in r for r in rows)
    assert f"Rows containing “burkina”: {len(rows)}." in captions(at)
    at.text_input(key="data_engagements_search").set_value("").run()
    sort = at.selectbox(key="data_engagements_sort")
    start = head.index("Start year")
    sort.set_value((start, True)).run()
    head, rows, _ = table(at, "data_engagements")
    years = [int(r[start]) for r in rows if r[start]]
    assert years == sorted(years, reverse=True) and len(years) > 10
    assert sort.format_func((start, True)) == "Start year, descending"


def test_a_long_table_shows_a_page_and_says_which_rows(monkeypatch):
    monkeypatch.setattr(tables, "PAGE_ROWS", 40)
    at = run("data")
    total = len(ibcr_data.load_dataset().engagements)
    _, rows, _ = table(at, "data_engagements")
    assert len(rows) == 40
    assert f"Rows 1–40 of {total}. The downloads below hold every row." in captions(at)
    at.selectbox(key="data_engagements_page").set_value(2).run()
    _, rows, _ = table(at, "data_engagements")
    assert len(rows) == total - 80 and f"Rows 81–{total} of {total}." in captions(at)


def test_sources_page_lists_every_source_with_its_link_and_no_grid():
    at = run("sources")
    assert not at.exception and not at.dataframe
    head, rows, body = table(at, "sources")
    usage = ibcr_data.source_usage(ibcr_data.load_dataset())
    assert len(rows) == len(usage) and head[0] == "Source"
    url = next(u for u in usage["url"] if isinstance(u, str) and u.startswith("https://"))
    assert f'href="{html.escape(url)}" target="_blank" rel="noopener noreferrer"' in body
