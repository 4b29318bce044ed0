"""The editing side in AppTest: off without an account, a sign-in that refuses and throttles, and no
upload control for anyone not signed in; "What changed" reads the store and keeps its choice in the link."""

from __future__ import annotations

import shutil
import time

import pytest

from ibcr_ui.registry import PAGES
from ibcr_updates.accounts import Editors
from ibcr_updates.store import Store
from tests.apptest import link, nav_links, run, texts
from tests.support import read_rows, write_rows

PASSWORD = "a long enough password"


@pytest.fixture
def store(tmp_path, monkeypatch, data_copy):
    root = tmp_path / "store"
    root.mkdir()
    monkeypatch.setenv("IBCR_DATA_DIR", str(root))
    monkeypatch.delenv("IBCR_EDITORS_FILE", raising=False)
    return Store.open(root, create=True, seed=data_copy)


@pytest.fixture
def editor(store):
    Editors.open().add("ana", PASSWORD)
    return "ana"


def uploaders(at) -> int:
    return len(at.get("file_uploader"))


def sign_in(at, name: str, password: str):
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def test_without_an_editor_account_editing_is_off_and_not_listed(store):
    at = run("editor")
    assert not at.exception
    assert any("Editing is off" in i.value for i in at.info)
    assert not at.text_input and uploaders(at) == 0
    assert "Update the data" not in nav_links(at)


def test_no_page_shows_an_upload_control_to_a_visitor(editor):
    for p in PAGES:
        at = run(p.key)
        assert not at.exception, p.key
        assert uploaders(at) == 0, f"{p.key} shows an upload control to a visitor"
    assert "Update the data" in nav_links(run("overview"))


def test_a_wrong_password_is_refused_then_slowed_and_the_right_one_signs_in(editor, monkeypatch):
    # A clock that moves only when the test says so: the one-second wait must not pass while a
    # busy machine runs the page.
    now = [time.time()]
    monkeypatch.setattr(Editors.__init__, "__defaults__", (None, lambda: now[0]))
    at = run("editor")
    for _ in range(3):
        at = sign_in(at, "ana", "not the password")
        assert uploaders(at) == 0
    assert any("Wait" in e.value and "second" in e.value for e in at.error), [e.value for e in at.error]
    at = sign_in(at, "ana", PASSWORD)  # even the right password waits its turn
    assert uploaders(at) == 0
    now[0] += 1.2  # the third failure asks for one second
    at = sign_in(run("editor"), "ana", PASSWORD)
    assert not at.exception
    assert any("Signed in as ana" in c.value for c in at.caption)
    assert uploaders(at) == 1


def test_an_unknown_name_is_refused_like_a_wrong_password(editor):
    at = sign_in(run("editor"), "nobody", PASSWORD)
    assert [e.value for e in at.error] == ["Sign-in refused: check the name and the password."]
    assert uploaders(at) == 0


def test_what_changed_shows_an_accepted_edit_and_keeps_since_in_the_link(store, data_copy):
    path = store.path("v1") / "engagements.csv"
    edited = data_copy / "edited"
    shutil.copytree(store.path("v1"), edited)
    header, rows = read_rows(edited / "engagements.csv")
    ghana = next(r for r in rows if r[header.index("country_iso3")] == "GHA")
    added = dict(zip(header, ghana)) | {"engagement_id": "gha-second-research", "kind_code": "research",
                                        "start_year": "2025", "end_year": "", "start_date": "", "end_date": ""}
    write_rows(edited / "engagements.csv", header, [*rows, [added[h] for h in header]])
    store.accept(edited, base="v1", who="ana", note="a second Ghana record")
    assert path.exists()
    at = run("changes")
    assert not at.exception
    shown = texts(at)
    assert "1 engagement started" in shown and "Ghana · Applied research — new record" in shown
    before = int(store.load("v1").engagements["is_counted"].sum())
    assert f"Engagements: {before} → {before + 1}" in shown  # the headline card that moved, old → new
    assert link(at)["lang"] == "en"
    at = run("changes", since="v1")
    assert link(at).get("since") == "v1" and not at.info
    at = run("changes", since="v9")
    assert any("since=v9" in i.value for i in at.info)  # an unknown version is named in the notice


def test_what_changed_lists_the_corrected_records_in_a_plain_table(store, data_copy):
    from tests.test_tables import table

    edited = data_copy / "edited"
    shutil.copytree(store.path("v1"), edited)
    header, rows = read_rows(edited / "engagements.csv")
    fixed = [r[header.index("engagement_id")] for r in rows[:3]]
    for r in rows[:3]:
        r[header.index("partners")] = "A corrected partner"
    write_rows(edited / "engagements.csv", header, rows)
    store.accept(edited, base="v1", who="ana", note="partners corrected")
    at = run("changes")
    assert not at.exception and not at.dataframe
    head, shown, _ = table(at, "corrected")
    assert len(head) == 3 and {r[1] for r in shown} == set(fixed)
    assert all(r[2] == "partners" for r in shown)


def test_the_current_version_is_loaded_once_for_the_pages_and_what_changed(store, data_copy):
    from ibcr_ui import data

    shutil.copytree(store.path("v1"), data_copy / "v2")
    header, rows = read_rows(data_copy / "v2" / "engagements.csv")
    rows[0][header.index("partners")] = "A corrected partner"
    write_rows(data_copy / "v2" / "engagements.csv", header, rows)
    store.accept(data_copy / "v2", base="v1", who="ana", note="one correction")
    src = data.source()
    assert src.version == "v2"
    assert data.load(src) is data.store(src).load("v2")  # one Dataset (and one public view) for both
