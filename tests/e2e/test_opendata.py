"""Open data in a real browser: an embedded map page (?embed=true) shows its content alone with the link's filters;
the map and the timeline download as SVG and PNG pictures with their words inside; the Sources page gives the files."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from PIL import Image

import ibcr_data
from ibcr_opendata.images import PNG_SCALE, WIDTH
from ibcr_opendata.release import load_release
from ibcr_present import i18n
from tests.support import page_context

from .conftest import open_app, screenshot, wait_for_app

EMBED = "/map?region=west_africa&kind=training&embed=true"
DOWNLOAD_MS = 120_000  # the first picture starts the renderer's browser


def test_an_embedded_map_page_shows_no_sidebar_and_the_links_filters(new_page, ds):
    page = new_page()
    page.goto(EMBED, wait_until="domcontentloaded")
    wait_for_app(page, sidebar=False)
    screenshot(page, "embed-map")
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    assert page.locator('[data-testid="stSidebarCollapsedControl"]').count() == 0  # nothing to open either
    filters = ibcr_data.Filters(regions=frozenset({"west_africa"}), kinds=frozenset({"training"}))
    ctx = page_context(ds, filters=filters)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert ctx.describe() in main  # the view the link asked for, in words
    shown = set(ibcr_data.engagements_per_country(ctx.ds, ctx.view)["name_en"])
    elsewhere = set(ibcr_data.engagements_per_country(ctx.ds, ibcr_data.apply_filters(ctx.ds, ibcr_data.Filters()))
                    ["name_en"]) - set(ctx.ds.countries.loc[ctx.ds.countries["ibcr_region_code"] == "west_africa",
                                                            "name_en"])
    table = page.locator("table.ibcr-table").first.inner_text()
    assert shown and all(name in table for name in shown)
    assert elsewhere and not [name for name in elsewhere if name in table]
    label = re.search(r"\[(.+?)\]", i18n.translate("en", "embed.footer", version="", url="")).group(1)
    full = page.get_by_role("link", name=label)  # the full page, with the same view
    assert "embed" not in (full.get_attribute("href") or "") and "region=west_africa" in full.get_attribute("href")


def _download(page, label: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=DOWNLOAD_MS) as info:
        page.get_by_role("button", name=label).first.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _svg_text(svg: bytes) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", svg.decode("utf-8"))).split())


@pytest.mark.parametrize(("path", "title_key", "stem_key"), [("/map?region=west_africa", "map.title", "files.map_png"),
                                                             ("/timeline?region=west_africa", "timeline.title",
                                                              "files.timeline_png")])
def test_a_chart_downloads_as_svg_and_png_with_its_words_inside(page, ds, path, title_key, stem_key):
    open_app(page, path)
    release = load_release()
    name, svg = _download(page, i18n.translate("en", "image.download_svg"))
    assert name == f"{i18n.translate('en', stem_key)}-{release.label}.svg"
    words = _svg_text(svg)
    today = i18n.iso_date("en", dt.date.today().isoformat())
    for part in (i18n.translate("en", title_key), "West Africa", "CC BY 4.0", today):
        assert part in words, part
    assert svg.lstrip().startswith(b"<svg") and b"<path" in svg  # the chart itself is drawn, as vectors
    name, png = _download(page, i18n.translate("en", "image.download_png"))
    assert name.endswith(f"-{release.label}.png") and png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.width == WIDTH * PNG_SCALE
    heading = image.crop((0, 0, image.width, 60 * PNG_SCALE))  # the title band: dark text on white
    assert sum(heading.histogram()[:100]) > 500


def test_the_sources_page_gives_the_zip_and_the_sqlite_file_named_with_the_version(page, ds):
    open_app(page, "/sources")
    release = load_release()
    name, data = _download(page, i18n.translate("en", "opendata.download_zip"))
    assert name == release.file_name("zip")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
    assert f"{release.name}/datapackage.json" in names and f"{release.name}/README.md" in names
    name, data = _download(page, i18n.translate("en", "opendata.download_sqlite"))
    assert name == release.file_name("sqlite") and data.startswith(b"SQLite format 3\x00")
    with sqlite3.connect(":memory:") as conn:
        conn.deserialize(data)
        assert conn.execute("SELECT count(*) FROM engagements").fetchone()[0] == len(release.ds.engagements)
