"""Tables to read in the browser (ibcr_ui/tables.py): drawn without the data grid's code, searched from the box
above them, and on a phone scrolled inside their own box while the page keeps the phone's width."""

from __future__ import annotations

import pytest

from .conftest import PHONE, open_app

TABLE = '[data-ibcr-table="{}"]'


@pytest.mark.parametrize(("path", "key"), [("/data", "data_engagements"), ("/sources", "sources")])
def test_a_table_to_read_is_plain_html_and_fits_a_phone(new_page, path, key):
    page = new_page(viewport=PHONE, is_mobile=True)
    loaded = []
    page.on("request", lambda r: loaded.append(r.url))
    open_app(page, path)
    box = page.locator(TABLE.format(key))
    assert box.locator("tbody tr").count() > 20
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert not [u for u in loaded if "glide" in u.lower() or "DataFrame" in u]  # the grid's code was not fetched
    sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth, document.documentElement.scrollWidth]")
    assert sizes[0] > sizes[1] and sizes[2] <= PHONE["width"], sizes  # the box scrolls, not the page


def test_the_data_table_is_searched_from_the_box_above_it(page):
    open_app(page, "/data")
    search = page.get_by_label("Search this table")
    search.fill("burkina")
    search.press("Enter")
    page.get_by_text("Rows containing “burkina”").wait_for(timeout=20_000)
    rows = page.locator(TABLE.format("data_engagements") + " tbody tr")
    assert 0 < rows.count() < 30
    assert all("burkina" in t.lower() or "BFA" in t for t in rows.all_inner_texts())
