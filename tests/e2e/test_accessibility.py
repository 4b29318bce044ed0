"""Accessibility in a real browser: axe-core on every page, both widths, every language; keyboard; phones.

axe-core is the copy bundled with axe-playwright-python, injected into the page (no CDN).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from ibcr_present.i18n import LANGUAGES
from ibcr_ui.registry import PAGES

from .conftest import PHONE, VIEWPORT, open_app, screenshot

AXE = Axe()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                     "best-practice"]},
               "resultTypes": ["violations"]}
BLOCKING = {"serious", "critical"}
WIDTHS = {"desktop": VIEWPORT, "phone": PHONE}
LINK = {p.key: p.url_path + ("?profile=BFA" if p.key == "country" else "") for p in PAGES}


def _path(key: str, lang: str) -> str:
    return LINK[key] + ("&" if "?" in LINK[key] else "?") + f"lang={lang}"


def _audit(page) -> list[str]:
    """axe-core on the page as drawn: once the dashboard's own styles are in (a race on a busy machine)."""
    page.wait_for_function("() => [...document.querySelectorAll('style')].some(s => s.textContent.includes("
                           "'focus-visible'))", timeout=15_000)
    return _blocking(AXE.run(page, options=AXE_OPTIONS))


def _blocking(results) -> list[str]:
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in BLOCKING:
            first = v["nodes"][0]
            detail = (first.get("any") or first.get("all") or [{}])[0].get("message", "")
            out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}; first: {detail[:160]} "
                       f"— {first.get('html', '')[:120]}")
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_serious_or_critical_axe_violation(new_page, width, lang):
    failures = {}
    page = new_page(viewport=WIDTHS[width], is_mobile=width == "phone")
    for p in PAGES:
        open_app(page, _path(p.key, lang))
        found = _audit(page)
        if found:
            failures[p.key] = found
        if width == "phone":
            screenshot(page, f"phone-{lang}-{p.key}")
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_says_its_language(page, lang):
    open_app(page, f"/?lang={lang}")
    page.wait_for_function(f"() => document.documentElement.lang === '{lang}'", timeout=10_000)


def test_on_a_phone_the_dashboard_comes_first_and_nothing_scrolls_sideways(new_page):
    page = new_page(viewport=PHONE, is_mobile=True)
    for p in PAGES:
        open_app(page, LINK[p.key])
        collapsed = page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed")
        assert collapsed == "true", f"the sidebar covers {p.key} on a phone"
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{p.key} scrolls sideways by {overflow} px on a phone"
        assert page.locator('[data-testid="stMain"] h1').first.is_visible()


def test_every_control_is_reached_with_the_keyboard_and_shows_its_focus(page):
    open_app(page, "/map")
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement; if (!e || e === document.body) return null;
            const s = getComputedStyle(e); return [e.tagName, e.getAttribute('aria-label') || e.innerText.slice(0, 40),
            s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none'] }""")
        if info:
            tag, name, visible = info
            seen.add((tag, name))
            assert visible, f"no visible focus on {tag} {name!r}"
    names = " ".join(n for _, n in seen)
    for expected in ("Map", "Timeline", "Reset filters"):
        assert expected in names, f"{expected!r} is not reached with Tab: {sorted(seen)[:20]}"


def test_escape_closes_a_list_opened_from_the_keyboard(page):
    open_app(page, "/map")
    search = page.locator('[data-testid="stSelectbox"]').filter(has_text="Find a country").locator("input")
    search.focus()
    page.keyboard.press("ArrowDown")
    listbox = page.locator('[role="listbox"]')
    listbox.first.wait_for(state="visible", timeout=10_000)
    page.keyboard.press("Escape")
    listbox.first.wait_for(state="hidden", timeout=10_000)
    assert "/map" in page.url  # nothing was chosen: still on the map
