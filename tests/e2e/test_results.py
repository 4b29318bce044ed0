"""Results against targets in a real browser: an editor adds an achievement through the editing workbook,
and the share changes on the Results page and in What changed (on a store of versions of its own)."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from ibcr_updates.accounts import Editors
from ibcr_updates.store import Store
from tests.support import DATA

from .conftest import PHONE, Offline, open_app, screenshot, serve, wait_for_app
from .test_editing import PASSWORD, _sign_in, _upload

TARGET = "m-sen-target-people-reached"  # Xalé Sama Yité: 550,000 people reached, by 2025
NEW_ID = "m-sen-people-reached-2024"


@pytest.fixture(scope="module")
def results_app(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("results-store")
    seed = root / "seed"
    shutil.copytree(DATA, seed)
    store_root = root / "store"
    store_root.mkdir()
    Store.open(store_root, create=True, seed=seed)
    Editors(store_root / "editors.json").add("ana", PASSWORD)
    with serve(root, env={"IBCR_DATA_DIR": str(store_root)}) as srv:
        yield srv, Store.open(store_root)


@pytest.fixture
def offline(browser, results_app):
    srv, _ = results_app
    off = Offline(browser, srv.url)
    yield off
    assert not off.external, off.external
    off.close()


def _add_achievement(path) -> None:
    """A new row on the metrics sheet: 66,000 people reached by 2024, reported against the 550,000 target."""
    wb = openpyxl.load_workbook(path)
    ws = wb["metrics"]
    header = [c.value for c in ws[1]]
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
    source = next(r for r in rows if ws.cell(r, 1).value == TARGET)
    row = {h: ws.cell(source, i + 1).value for i, h in enumerate(header)}
    row |= {"metric_id": NEW_ID, "value": 66000, "is_target": "false", "start_year": 2020, "end_year": 2024,
            "period_label_en": "2020-2024", "period_label_fr": "2020-2024", "period_label_es": "2020-2024",
            "note_en": "People the project reached by 2024 (test figure).",
            "note_fr": "Personnes touchées par le projet en 2024 (chiffre de test).",
            "note_es": "Personas alcanzadas por el proyecto en 2024 (cifra de prueba).",
            "evidence": "Test figure entered through the editing workbook.", "target_metric_id": TARGET}
    for i, h in enumerate(header):
        ws.cell(max(rows) + 1, i + 1).value = row[h]
    wb.save(path)


def _xale(page):
    return page.locator(f'li.ibcr-result[data-result="{TARGET}"]')


def test_a_new_achievement_entered_in_the_workbook_changes_the_share(offline, results_app, tmp_path):
    _, store = results_app
    page = offline.new_page()
    open_app(page, "/results")
    row = _xale(page)
    assert "No progress reported yet" in row.inner_text()
    assert "0%" not in row.locator("p").filter(has_text="Achieved").inner_text()

    _sign_in(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the editing workbook").click()
    workbook = tmp_path / "edit.xlsx"
    download.value.save_as(workbook)
    _add_achievement(workbook)
    _upload(page, workbook)
    page.get_by_text("The upload is valid").wait_for(timeout=20_000)
    assert page.get_by_text("metrics: 1 record").count()
    page.get_by_label("Note (what changed and why)").fill("Xalé Sama Yité: people reached by 2024")
    page.get_by_label("Note (what changed and why)").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Accept as the new version").click()
    page.get_by_text("v2 is now the current version").wait_for(timeout=30_000)
    assert store.current().id == "v2"

    open_app(page, "/results?programme=xale-sama-yite")
    row = _xale(page)
    text = row.inner_text()
    assert "66,000 of 550,000 by 2024: 12%" in text
    assert "Ended short" in text  # the project closed in 2025 short of its 550,000
    assert row.locator(".ibcr-bar-share").count() == 1  # the share is drawn, beside its words
    screenshot(page, "results-after-upload")

    open_app(page, "/changes?since=v1")
    page.get_by_text("Progress against targets (1)").wait_for(timeout=20_000)
    assert page.get_by_text(
        "Xalé Sama Yité · People reached: no progress reported → 12% of its target of 550,000 (by 2024)").count()
    screenshot(page, "results-what-changed")

    phone = offline.new_page(viewport=PHONE, is_mobile=True)
    open_app(phone, "/results?programme=xale-sama-yite&lang=fr")
    assert "66 000 sur 550 000 en 2024 : 12" in _xale(phone).inner_text().replace("\u202f", " ").replace("\u00a0", " ")
    screenshot(phone, "results-phone-fr")
