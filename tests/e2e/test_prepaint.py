"""A server started again paints a first visit's Overview from what the last one drew (ibcr_ui/prepaint.py),
then the page's own run replaces each element with its equal: one of everything, the sidebar, no error."""

from __future__ import annotations

from .conftest import Offline, serve, wait_for_app

MAIN = '[data-testid="stMain"]'


def overview(browser, url: str) -> dict:
    offline = Offline(browser, url)
    page = offline.new_page()
    page.goto("/")
    page.wait_for_selector(".ibcr-card-value", timeout=20_000)
    wait_for_app(page)
    seen = {"cards": page.locator(".ibcr-cards").count(), "maps": page.locator("svg.ibcr-map").count(),
            "titles": page.locator(f"{MAIN} h1").count(), "sidebar": page.locator('[data-testid="stSidebar"] '
                                                                                 '[data-testid="stMultiSelect"]').count(),
            "text": page.locator(MAIN).inner_text()}
    assert offline.close() == [] and offline.external == []
    return seen


def test_a_server_started_again_paints_the_first_visit_then_draws_the_same_page(browser, tmp_path):
    env = {"IBCR_CACHE_DIR": str(tmp_path / "kept")}
    with serve(tmp_path / "first", env=env) as first:
        drawn = overview(browser, first.url)
    assert len(list((tmp_path / "kept").glob("prepaint-overview-en-*"))) == 1
    with serve(tmp_path / "again", env=env) as again:
        painted = overview(browser, again.url)
    assert painted == drawn, (painted, drawn)
    assert drawn["titles"] == 1 and drawn["cards"] >= 1 and drawn["maps"] >= 1 and drawn["sidebar"] >= 3
    log = "".join(p.read_text() for p in (tmp_path / "again").glob("*.log"))
    assert "could not paint" not in log and "Traceback" not in log
