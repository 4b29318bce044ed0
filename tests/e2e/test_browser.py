"""The dashboard in a real Chromium: deep links, the map click, shareable filters, charts, downloads."""

from __future__ import annotations

import codecs
import csv
import io
import re
import time

import pytest
from pypdf import PdfReader

from ibcr_ui.registry import PAGES as REGISTRY

from .conftest import assert_no_exception, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.browser

PAGES = {p.key: p.url_path for p in REGISTRY}
FILTER_LABELS = ["Years", "Region", "Kind of work", "Status", "Programme"]
PAGE_LINKS = ["Overview", "Map", "Country profiles", "Timeline", "Programmes and figures", "Data explorer",
              "Sources and method"]
SIDEBAR = '[data-testid="stSidebar"]'
TITLES = {
    "overview": "IBCR's work for children's rights, worldwide", "map": "Where IBCR works",
    "country": "Country profiles", "timeline": "Timeline", "programmes": "Programmes and figures",
    "results": "Results against targets", "data": "Data explorer", "sources": "Sources and method",
    "changes": "What changed since a version", "editor": "Update the data", "account": "Sign in",
}
PAGE_LINK = f'{SIDEBAR} [data-testid="stPageLink-NavLink"]'


def multiselect(page, label: str):
    return page.locator(f'{SIDEBAR} [data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^{re.escape(label)}$")))


def selected_tags(page, label: str) -> list[str]:
    tags = multiselect(page, label).locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
    return [(t.get_attribute("aria-label") or t.inner_text()).strip() for t in tags.all()]


def metric_value(page, label: str) -> str:
    """The number on a headline card (the cards are one HTML element: ibcr_present.blocks)."""
    card = page.locator(".ibcr-card").filter(has=page.locator(".ibcr-card-label", has_text=label))
    return card.first.locator(".ibcr-card-value").inner_text().strip()


def main_title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_opens_from_a_fresh_deep_link(page, name):
    open_app(page, PAGES[name])
    sidebar = page.locator(SIDEBAR)
    for label in FILTER_LABELS:
        widget = sidebar.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
        try:  # a busy machine may still be drawing the sidebar: wait for each label, boundedly
            widget.first.wait_for(state="visible", timeout=15_000)
        except Exception:  # noqa: BLE001 - report what is there instead of a bare timeout
            labels = sidebar.locator('[data-testid="stWidgetLabel"]').all_inner_texts()
            pytest.fail(f"filter {label!r} missing from the sidebar of {name}: {labels}")
    assert sidebar.get_by_role("button", name="Reset filters").is_visible()
    links = [x.strip() for x in page.locator(PAGE_LINK).all_inner_texts()]
    for link in PAGE_LINKS:
        assert any(link in x for x in links), f"page link {link!r} missing on {name}: {links}"
    title = page.locator('[data-testid="stMain"] h1').first
    assert title.is_visible() and main_title(page) == TITLES[name], (name, main_title(page))
    assert_no_exception(page)
    screenshot(page, name)


def test_deep_link_restores_filters_on_the_map(page):
    open_app(page, "/map?region=west_africa&years=2012-2020")
    assert eventually(lambda: selected_tags(page, "Region"), ["West Africa"]) == ["West Africa"]
    main = page.locator('[data-testid="stMain"]')
    human = main.locator('[data-testid="stMarkdownContainer"] strong', has_text="engagements in").first
    assert "2012–2020" in human.inner_text()
    assert "West Africa" in human.inner_text()
    assert "region=west_africa" in page.url and "years=2012-2020" in page.url


def wait_for_svg_map(page, at_least: int = 30) -> None:
    """The server-drawn map (ibcr_present.mapsvg) with at least this many country links."""
    page.wait_for_function(f"() => document.querySelectorAll('svg.ibcr-map a.ibcr-country').length >= {at_least}",
                           timeout=20_000)


def test_map_draws_countries_and_a_click_opens_the_profile(page):
    open_app(page, "/map?kind=training")
    wait_for_svg_map(page, 10)
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0  # no Plotly on the Map page
    bfa = page.locator('svg.ibcr-map a.ibcr-country[href*="profile=BFA"]')
    bfa.scroll_into_view_if_needed()
    box = bfa.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.pathname.endsWith('/country') && location.search.includes('profile=BFA')",
                           timeout=20_000)
    wait_for_app(page)
    assert page.url.split("?")[0].endswith("/country")
    assert "profile=BFA" in page.url and "kind=training" in page.url  # the view travels with the reader
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')].some(h => h.innerText.includes('Burkina Faso'))",
        timeout=20_000)
    assert "Burkina Faso" in main_title(page)


def test_map_page_region_filter_frames_the_map_and_countries_take_the_keyboard(page):
    open_app(page, "/map")
    wait_for_svg_map(page)
    world = page.locator("svg.ibcr-map").get_attribute("viewBox")
    open_app(page, "/map?region=west_africa")
    page.wait_for_function("() => { const a = document.querySelectorAll('svg.ibcr-map a.ibcr-country');"
                           " return a.length > 5 && a.length < 30; }", timeout=20_000)
    framed = page.locator("svg.ibcr-map").get_attribute("viewBox")
    assert float(framed.split()[2]) < float(world.split()[2]) / 3, (world, framed)
    sen = page.locator('svg.ibcr-map a.ibcr-country[href*="profile=SEN"]')
    previous = page.locator("svg.ibcr-map a.ibcr-country").nth(0)
    previous.focus()
    for _ in range(30):  # Tab from country to country until Senegal
        if page.evaluate("() => (document.activeElement.getAttribute('href') || '').includes('profile=SEN')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.matches(':focus-visible')")
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"  # the focus ring shows
    assert (sen.locator("title").text_content() or "").startswith("Senegal — ")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('profile=SEN')", timeout=20_000)
    wait_for_app(page)
    assert main_title(page) == "Senegal" and "region=west_africa" in page.url


def test_filter_change_updates_the_link_and_a_new_context_restores_it(page, new_page):
    open_app(page, "/")
    everywhere = metric_value(page, "Countries engaged")
    multiselect(page, "Region").get_by_role("combobox").click()
    page.get_by_role("option", name="West Africa", exact=True).click()
    page.wait_for_function("() => location.search.includes('region=west_africa')", timeout=20_000)
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert "region=west_africa" in page.url
    assert selected_tags(page, "Region") == ["West Africa"]
    value = metric_value(page, "Countries engaged")
    assert value != everywhere, f"'Countries engaged' did not change with the Region filter ({value})"

    other = new_page()
    open_app(other, page.url)
    assert "region=west_africa" in other.url
    assert eventually(lambda: selected_tags(other, "Region"), ["West Africa"]) == ["West Africa"]
    assert metric_value(other, "Countries engaged") == value


def test_timeline_draws_bars_and_milestones(page):
    open_app(page, "/timeline")
    page.wait_for_function("() => document.querySelectorAll('svg.ibcr-gantt a.ibcr-bar').length > 10", timeout=20_000)
    bars = page.locator("svg.ibcr-gantt a.ibcr-bar").count()
    milestones = page.locator("svg.ibcr-gantt .ibcr-milestone").count()
    assert bars > 10, f"only {bars} bars"
    assert milestones > 5, f"only {milestones} milestone markers"
    box = page.locator("svg.ibcr-gantt a.ibcr-bar rect.ibcr-bar-shape").first.bounding_box()
    assert box and box["width"] > 2 and box["height"] >= 10  # drawn, not only in the markup
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
    assert not page.evaluate("() => performance.getEntriesByType('resource').some(r => /plotly/i.test(r.name))")


def test_a_timeline_bar_is_reached_with_the_keyboard_and_opens_its_profile_with_the_view(page):
    open_app(page, "/timeline?region=west_africa&group=country")
    bar = page.locator("svg.ibcr-gantt a.ibcr-bar").first
    bar.wait_for(state="attached", timeout=20_000)
    name = bar.get_attribute("aria-label")
    page.locator('[data-testid="stMain"] h1').first.click()  # start Tab from the page's title
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.classList?.contains('ibcr-bar')"):
            break
    focused = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return [e.getAttribute('aria-label'), s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0] }""")
    assert focused[0] == name, f"Tab did not reach the first bar: {focused}"
    assert focused[1], "no visible focus ring on the bar"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/country\?"), timeout=20_000)
    wait_for_app(page)
    assert "region=west_africa" in page.url and re.search(r"profile=[A-Z]{3}", page.url)
    assert "group=" not in page.url  # the timeline's own choice stays on the timeline
    assert main_title(page)


def test_the_timeline_fits_a_phone_with_its_whole_span(new_page):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    open_app(page, "/timeline")
    page.wait_for_function("() => document.querySelectorAll('svg.ibcr-gantt a.ibcr-bar').length > 10", timeout=20_000)
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    svg = page.locator("svg.ibcr-gantt").bounding_box()
    assert svg["width"] <= 390
    labels = page.locator("svg.ibcr-gantt .ibcr-axis text")
    assert labels.count() >= 8  # the year axis, above and below, across the whole span
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('svg.ibcr-gantt .ibcr-axis text')).fontSize)")
    assert size >= 11, f"year labels of {size} px on a phone"


def test_the_programmes_figures_are_drawn_without_plotly_and_their_points_reached_with_the_keyboard(new_page):
    for width in (1400, 390):
        page = new_page(viewport={"width": width, "height": 900})
        open_app(page, "/programmes?metric=professionals_trained")
        point = page.locator("svg.ibcr-metric-chart .ibcr-point").first
        point.wait_for(state="attached", timeout=20_000)
        box = page.locator("svg.ibcr-metric-chart .ibcr-point circle").first.bounding_box()
        assert box and box["width"] >= 10 and box["height"] >= 10  # drawn, not only in the markup
        assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
        assert not page.evaluate("() => performance.getEntriesByType('resource').some(r => /plotly/i.test(r.name))")
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    name = point.get_attribute("aria-label")
    point.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # back to it with the keyboard: the focus ring is drawn (:focus-visible)
    focused = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return [e.getAttribute('aria-label'), s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0] }""")
    assert focused == [name, True], f"the first point is not focusable with a visible ring: {focused}"


def _download_text(page, button) -> tuple[bytes, int]:
    label = button.inner_text()
    m = re.search(r"—\s*([\d,\s\u202f\u00a0]+)\s+rows", label)
    assert m, f"no row count in the button label {label!r}"
    n = int(re.sub(r"\D", "", m.group(1)))
    with page.expect_download(timeout=20_000) as info:
        button.click()
    path = info.value.path()
    return path.read_bytes(), n


def test_data_explorer_csv_download_matches_its_label(page):
    open_app(page, "/data?region=west_africa")
    buttons = page.locator('[data-testid="stDownloadButton"] button', has_text="Engagements as CSV")
    buttons.nth(1).wait_for(timeout=30_000)  # a busy machine may still be loading the button's code
    assert buttons.count() == 2, "expected a filtered and a full engagements CSV button"
    full_n = int(re.sub(r"\D", "", re.search(r"—\s*(.+?)\s+rows", buttons.nth(1).inner_text()).group(1)))
    raw, n = _download_text(page, buttons.first)
    assert raw.startswith(codecs.BOM_UTF8), "the CSV does not start with the UTF-8 byte-order mark"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) - 1 == n, f"label says {n} rows, the file has {len(rows) - 1}"
    assert 0 < n < full_n, f"filtered count {n} should be below the full count {full_n}"


def test_sources_page_lists_the_seed_documents(page):
    open_app(page, "/sources")
    text = page.locator('[data-testid="stMain"]').inner_text()
    for file_name in ("000_b73d55d62c3a3196.txt", "003_f6eb7f727e7df1c7.txt"):
        assert file_name in text, f"seed file {file_name} not listed on the Sources page"


def test_french_link_translates_navigation_cards_and_map_hover(page):
    open_app(page, "/?lang=fr")
    first_link = eventually(lambda: page.locator(PAGE_LINK).first.inner_text().strip(), "Vue d'ensemble")
    assert first_link == "Vue d'ensemble"
    assert "lang=fr" in page.url
    assert metric_value(page, "Pays d'intervention").isdigit()
    # The Overview's map: each country's tooltip and accessible name, in French.
    bfa = page.locator('svg.ibcr-map a.ibcr-country[href*="profile=BFA"]')
    assert bfa.get_attribute("aria-label").startswith("Burkina Faso — ")
    assert "interventions" in bfa.get_attribute("aria-label")
    tip = bfa.locator("title").text_content() or ""
    assert any(word in tip for word in ("En cours", "Terminé", "Planifié", "Statut inconnu")), tip
    # The Map page's map: the same tooltips, coloured by status with a legend in French.
    open_app(page, "/map?lang=fr&mode=status")
    wait_for_svg_map(page)
    tip = page.locator('svg.ibcr-map a.ibcr-country[href*="profile=BFA"] title').text_content() or ""
    assert tip.startswith("Burkina Faso — ") and "Sources" in tip, tip
    assert {"En cours", "Terminé"} <= set(legend(page)), legend(page)


def test_overview_map_links_every_country_to_its_profile_by_mouse_and_keyboard(page):
    open_app(page, "/?lang=fr&kind=training")
    links = page.locator("svg.ibcr-map a.ibcr-country")
    assert links.count() >= 10
    shown = {(a.get_attribute("href") or "").split("profile=")[-1] for a in links.all()}
    assert "BFA" in shown and "PER" not in shown  # the kind filter: no training is recorded in Peru
    bfa = page.locator('svg.ibcr-map a.ibcr-country[href*="profile=BFA"]')
    bfa.focus()  # a link: reachable with Tab, opened with Enter
    assert page.evaluate("() => document.activeElement.getAttribute('href')").endswith("profile=BFA")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.pathname.endsWith('/country') && location.search.includes('profile=BFA')",
                           timeout=20_000)
    wait_for_app(page)
    assert main_title(page) == "Burkina Faso"
    assert "lang=fr" in page.url and "kind=training" in page.url  # the view travels with the reader
    page.go_back()
    wait_for_app(page)
    sen = page.locator('svg.ibcr-map a.ibcr-country[href*="profile=SEN"]')
    sen.scroll_into_view_if_needed()  # the map sits below the cards and the progress against targets
    box = sen.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.search.includes('profile=SEN')", timeout=20_000)
    wait_for_app(page)
    assert main_title(page) == "Sénégal"


def test_first_visit_follows_the_browser_language(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1200}, base_url=app_url, locale="fr-CA")
    try:
        page = context.new_page()
        open_app(page, "/map")
        first_link = eventually(lambda: page.locator(PAGE_LINK).first.inner_text().strip(), "Vue d'ensemble")
        assert first_link == "Vue d'ensemble"
        assert "lang=fr" in page.url  # the language chosen is written into the link
    finally:
        context.close()


def choose(page, label: str) -> None:
    """Click a segmented-control or pill option in the main area by its visible label."""
    page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"] button', has_text=label).first.click()


def eventually(read, expected, timeout_s: float = 20):
    """What `read()` gives once it equals `expected` (a busy machine draws widgets late), or its last value."""
    deadline = time.monotonic() + timeout_s
    value = read()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.25)
        value = read()
    return value


def active_options(page) -> list[str]:
    """Labels of the segmented-control and pill options shown as selected in the main area."""
    buttons = page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"] button[data-selected="true"]')
    return [b.inner_text().strip() for b in buttons.all()]


def legend(page) -> list[str]:
    """The words of the map's legend (its heading aside)."""
    items = page.locator('[data-testid="stMain"] ul.ibcr-legend li:not(.ibcr-legend-title)').all()
    return [(t.text_content() or "").strip() for t in items]


def test_map_colour_mode_travels_in_the_link_to_a_new_context(page, new_page):
    open_app(page, "/map")
    wait_for_svg_map(page)
    assert "Training of security, justice and social workers" in legend(page)
    choose(page, "Status")
    page.wait_for_function("() => location.search.includes('mode=status')", timeout=20_000)
    wait_for_app(page)
    other = new_page()
    open_app(other, page.url)
    wait_for_svg_map(other)
    assert "mode=status" in other.url
    assert active_options(other) == ["Status"]
    shown = set(legend(other))
    assert {"Ongoing", "Completed"} <= shown, shown
    assert "Training of security, justice and social workers" not in shown
    screenshot(other, "map-status-from-link")


def test_timeline_grouping_and_category_travel_in_the_link_to_a_new_context(page, new_page):
    open_app(page, "/timeline")
    choose(page, "By country")
    page.wait_for_function("() => location.search.includes('group=country')", timeout=20_000)
    wait_for_app(page)
    choose(page, "Founding and organisation")
    page.wait_for_function("() => location.search.includes('category=founding')", timeout=20_000)
    wait_for_app(page)
    other = new_page()
    open_app(other, page.url)
    assert "group=country" in other.url and "category=founding" in other.url
    expected = ["By country", "Founding and organisation"]
    assert eventually(lambda: sorted(active_options(other)), expected) == expected
    ticks = other.locator("svg.ibcr-gantt text.ibcr-row-label")
    ticks.first.wait_for(timeout=20_000)
    labels = {(t.text_content() or "").strip() for t in ticks.all()}
    assert {"Burkina Faso", "Canada"} <= labels, labels
    main = other.locator('[data-testid="stMain"]').inner_text()
    assert "IBCR founded in Montreal" in main
    assert "International Tribunal for Children's Rights set up" not in main  # a Tribunal milestone, not founding
    screenshot(other, "timeline-by-country-from-link")


def test_the_overview_downloads_the_board_pack_as_a_pdf(page, tmp_path):
    open_app(page, "/")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Board pack (PDF): the whole organisation").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "ibcr-pack-organisation-en.pdf"
    reader = PdfReader(path)
    first = reader.pages[0].extract_text()
    assert "International Bureau for Children's Rights" in first or "IBCR" in first
    assert len(reader.pages) > 5 and reader.metadata.title


def test_a_country_profile_downloads_its_brief_in_french(page, tmp_path):
    open_app(page, "/country?profile=BFA&lang=fr")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Fiche pays (PDF) : Burkina Faso").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert path.name == "ibcr-pack-country-BFA-fr.pdf" and "Burkina Faso" in text and "Sources" in text


def test_the_programme_pack_choice_downloads_the_chosen_programmes_brief(page, tmp_path):
    open_app(page, "/programmes")
    cards = page.locator('[data-testid="stMain"] li.ibcr-record')
    assert cards.count() == 21  # every programme is a card of the one grid, with its source
    assert cards.filter(has_text="Source:").count() == 21
    choice = page.locator('[data-testid="stSelectbox"]').filter(has_text="Brief on the programme")
    choice.locator("input").click()
    page.keyboard.type("PRODEF")
    page.get_by_role("option", name=re.compile("PRODEF")).first.click()
    button = page.locator('[class*="st-key-pack_programme_prodef_"] button')
    button.wait_for(timeout=30_000)  # the button follows the choice
    with page.expect_download(timeout=120_000) as download:
        button.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = " ".join(p.extract_text() for p in PdfReader(path).pages)
    assert path.name == "ibcr-pack-programme-prodef-en.pdf" and "PRODEF" in text
