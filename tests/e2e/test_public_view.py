"""The public view in a real browser: pages served on the safeguarding fixture show no canary, and a visitor
cannot reach the board view by a link."""

from __future__ import annotations

import shutil

import pytest

from tests.support import CANARIES, DATA, SENSITIVE_DATES, write_safeguarding_fixture

from .conftest import open_app, serve

PATHS = ["/", "/country?profile=BFA", "/country?profile=AFG", "/programmes", "/data", "/sources",
         "/map?mode=status", "/country?profile=BFA&audience=board&role=editor"]


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("public-view") / "data"
    shutil.copytree(DATA, data)
    write_safeguarding_fixture(data)
    with serve(tmp_path_factory.mktemp("public-view-logs"), env={"IBCR_DATA_DIR": str(data)}) as srv:
        yield srv


@pytest.mark.parametrize("path", PATHS)
def test_a_public_page_in_the_browser_holds_no_canary(guarded_server, browser, path):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, base_url=guarded_server.url)
    try:
        page = context.new_page()
        open_app(page, path)
        html = page.content()
        assert len(page.locator('[data-testid="stMain"]').inner_text()) > 300  # the page did draw its records
        assert [c for c in (*CANARIES, *SENSITIVE_DATES) if c in html] == []
        assert "not for circulation" not in html
    finally:
        context.close()
