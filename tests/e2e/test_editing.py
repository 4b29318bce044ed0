"""The editor's whole journey in a real browser, on a store of versions of its own.

Sign in, download the editing workbook, edit it with openpyxl, upload it, see the problem, fix it,
see the comparison, accept it, find the new record on the map and in "What changed", restore.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from ibcr_updates.accounts import Editors
from ibcr_updates.store import Store
from tests.support import DATA

from .conftest import Offline, open_app, screenshot, serve, wait_for_app

PASSWORD = "a long enough password"
NEW_ID = "ury-research-2025"


@pytest.fixture(scope="module")
def editing_app(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("store")
    seed = root / "seed"
    shutil.copytree(DATA, seed)
    store_root = root / "store"
    store_root.mkdir()
    Store.open(store_root, create=True, seed=seed)
    Editors(store_root / "editors.json").add("ana", PASSWORD)
    with serve(root, env={"IBCR_DATA_DIR": str(store_root)}) as srv:
        yield srv, Store.open(store_root)


@pytest.fixture
def editor_page(browser, editing_app):
    srv, _ = editing_app
    offline = Offline(browser, srv.url)
    yield offline.new_page()
    assert not offline.external, offline.external
    offline.close()


def _sign_in(page) -> None:
    open_app(page, "/editor")
    assert page.locator('[data-testid="stFileUploader"]').count() == 0  # nothing to upload before signing in
    page.get_by_label("Name", exact=True).fill("ana")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as ana").wait_for(timeout=20_000)
    wait_for_app(page)


def _upload(page, path) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.wait_for_timeout(500)
    wait_for_app(page)


def _add_engagement(path, kind: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["engagements"]
    header = [c.value for c in ws[1]]
    filled = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
    target = next((r for r in filled if ws.cell(r, 1).value == NEW_ID), max(filled) + 1)  # the new row, or its place
    source = max(r for r in filled if ws.cell(r, 1).value != NEW_ID)
    row = {h: ws.cell(source, i + 1).value for i, h in enumerate(header)}  # a copy of a real record, then changed
    row |= {"engagement_id": NEW_ID, "country_iso3": "URY", "kind_code": kind, "programme_id": None,
            "start_year": 2025, "start_date": None, "end_year": None, "end_date": None, "date_precision_code": "year",
            "status_code": "ongoing", "status_as_of": "2026-11", "place_name": None, "subdivision_code": None,
            "conflict_id": None}
    for i, h in enumerate(header):
        ws.cell(target, i + 1).value = row[h]
    wb.save(path)


def test_the_editors_journey(editor_page, editing_app, tmp_path):
    page = editor_page
    _, store = editing_app
    _sign_in(page)

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the editing workbook").click()
    workbook = tmp_path / "edit.xlsx"
    download.value.save_as(workbook)
    assert openpyxl.load_workbook(workbook).sheetnames[0] in ("Read me", "À lire")

    _add_engagement(workbook, kind="trainning")  # a typo: refused, nothing changes
    _upload(page, workbook)
    grid = page.locator('[data-testid="stDataFrame"]').first
    page.wait_for_function("g => g.textContent.includes('trainning')", arg=grid.element_handle(), timeout=20_000)
    problems = grid.text_content()
    assert "engagements" in problems and "kind_code" in problems and "trainning" in problems
    assert page.get_by_text("nothing was changed").count()
    assert store.current().id == "v1"

    _add_engagement(workbook, kind="research")  # fixed: the same row, written again
    fixed = tmp_path / "edit-fixed.xlsx"  # a new file: choosing the same file again fires no change event
    shutil.copy(workbook, fixed)
    _upload(page, fixed)
    page.get_by_text("The upload is valid").wait_for(timeout=20_000)
    assert page.get_by_text("engagements: 1 record").count()
    page.get_by_label("Note (what changed and why)").fill("Uruguay: research in 2025")
    page.get_by_label("Note (what changed and why)").press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Accept as the new version").click()
    page.get_by_text("v2 is now the current version").wait_for(timeout=30_000)
    screenshot(page, "editor-accepted")
    assert store.current().id == "v2" and store.current().who == "ana"

    open_app(page, "/map?region=south_america")  # the new country on the map's table (a short one)
    table = page.locator("table.ibcr-table").first
    page.wait_for_function("g => g.textContent.includes('Uruguay')", arg=table.element_handle(), timeout=20_000)
    open_app(page, "/country?profile=URY")  # and the new record on its profile
    page.get_by_text("1 recorded engagement").wait_for(timeout=20_000)
    open_app(page, "/changes?since=v1")
    assert page.get_by_text("Uruguay").count() and page.get_by_text(NEW_ID).count()
    screenshot(page, "what-changed")

    _sign_in(page)  # a new page load is a new session: sign in again
    page.get_by_role("tab", name="Versions").click()
    form = page.locator('[data-testid="stForm"]').filter(has_text="Restore a version")
    form.get_by_label("Note (what changed and why)").fill("Back to the data as shipped")
    form.get_by_text("Make this version's data current again").click()
    form.get_by_role("button", name="Restore").click()
    page.get_by_text("The data of v1 are current again").wait_for(timeout=30_000)
    assert store.current().id == "v3" and store.current().restored_from == "v1"
    open_app(page, "/country?profile=URY")
    page.get_by_text("no recorded engagement").wait_for(timeout=20_000)


def test_a_far_cell_workbook_gets_a_message_and_the_server_keeps_serving(editor_page, editing_app, browser, tmp_path):
    """One cell at XFD1048576 made the reader allocate hundreds of GiB and abort the server (issue 24)."""
    import io
    import os

    from ibcr_updates.workbook import template

    srv, store = editing_app
    page = editor_page
    _sign_in(page)
    wb = openpyxl.load_workbook(io.BytesIO(template(store.load("current"))))
    wb["engagements"]["XFD1048576"] = "a careless edit"
    far = tmp_path / "far.xlsx"
    wb.save(far)
    before = store.current().id
    _upload(page, far)
    grid = page.locator('[data-testid="stDataFrame"]').first
    page.wait_for_function("g => g.textContent.includes('XFD1048576')", arg=grid.element_handle(), timeout=30_000)
    assert "far outside the table" in grid.text_content()
    os.kill(srv.pid, 0)  # the server process is alive
    overview = Offline(browser, srv.url).new_page()
    open_app(overview, "/")  # and serves every visitor
    assert overview.locator(".ibcr-card-value").count() > 0
    overview.context.close()
    assert store.current().id == before  # the refused upload changed nothing
