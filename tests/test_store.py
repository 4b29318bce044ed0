"""The store of versions, the record comparison, the board's changes and the CLI round trip."""

from __future__ import annotations

import filecmp
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

import ibcr_data
from ibcr_updates import source as source_module
from ibcr_updates.__main__ import main
from ibcr_updates.changes import what_changed
from ibcr_updates.compare import compare
from ibcr_updates.store import Conflict, Store
from tests.support import DATA, ROOT, read_rows, write_rows


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A store seeded once from a copy of data/ (tests copy it, never write into it)."""
    data = tmp_path_factory.mktemp("seed") / "data"
    shutil.copytree(DATA, data)
    root = tmp_path_factory.mktemp("pristine") / "store"
    Store.open(root, create=True, seed=data)
    return root


@pytest.fixture
def store(pristine, tmp_path) -> Store:
    root = tmp_path / "store"
    shutil.copytree(pristine, root)
    return Store.open(root)


def candidate(store: Store, tmp_path: Path, name: str = "candidate") -> Path:
    folder = tmp_path / name
    shutil.copytree(store.path("current"), folder, copy_function=shutil.copyfile)
    return folder


def edit_engagements(folder: Path) -> dict[str, str]:
    """One record added, one removed, one field changed (partners); returns their ids."""
    _, links = read_rows(folder / "record_sources.csv")
    _, pairs = read_rows(folder / "distinct_records.csv")
    linked = {r[1] for r in links} | {r[1] for r in pairs} | {r[2] for r in pairs}
    header, rows = read_rows(folder / "engagements.csv")
    col = {h: i for i, h in enumerate(header)}
    changed = rows[0]
    changed[col["partners"]] = "Ministry of Justice"
    removed = next(r for r in reversed(rows) if r[col["engagement_id"]] not in linked)
    rows.remove(removed)
    new = list(rows[1])
    new[col["engagement_id"]] = "zzz-added-2026"
    new[col["country_iso3"]] = "ISL"
    new[col["programme_id"]] = ""
    rows.append(new)
    write_rows(folder / "engagements.csv", header, rows)
    return {"changed": changed[col["engagement_id"]], "removed": removed[col["engagement_id"]],
            "added": "zzz-added-2026"}


def test_compare_names_each_added_removed_and_changed_record(store, tmp_path):
    folder = candidate(store, tmp_path)
    ids = edit_engagements(folder)
    cmp = compare(store.load("v1"), ibcr_data.load_dataset(folder))
    eng = cmp.tables["engagements"]
    assert eng.added == (ids["added"],) and eng.removed == (ids["removed"],)
    assert [c.key for c in eng.changed] == [ids["changed"]]
    f = eng.changed[0].fields
    assert [(x.field, x.new) for x in f] == [("partners", "Ministry of Justice")]
    assert cmp.counts["engagements"] == {"added": 1, "removed": 1, "changed": 1}
    assert cmp.counts["sources"] == {"added": 0, "removed": 0, "changed": 0}
    assert "countries" not in cmp.tables and "kind" not in cmp.tables  # reference and code tables unchanged
    text = cmp.text()
    assert f"+ {ids['added']}" in text and f"− {ids['removed']}" in text and "partners: " in text
    assert compare(store.load("v1"), store.load("v1")).is_empty


def test_what_changed_for_the_board(store, tmp_path):
    old = store.load("v1")
    folder = candidate(store, tmp_path)
    header, rows = read_rows(folder / "engagements.csv")
    col = {h: i for i, h in enumerate(header)}
    ongoing = next(r for r in rows if r[col["status_code"]] == "ongoing" and r[col["end_year"]] == "")
    ongoing[col["status_code"]] = "completed"
    new = list(ongoing)
    new[col["engagement_id"]] = "isl-training-2026"
    new[col["country_iso3"]] = "ISL"
    new[col["programme_id"]] = ""
    rows.append(new)
    write_rows(folder / "engagements.csv", header, rows)
    header, rows = read_rows(folder / "programmes.csv")
    rows[0][header.index("description_en")] += " Corrected."
    write_rows(folder / "programmes.csv", header, rows)
    changes = what_changed(old, ibcr_data.load_dataset(folder), as_of_year=2026)
    assert changes.countries_engaged == ("ISL",) and changes.countries_no_longer == ()
    assert [(c.engagement_id, c.added) for c in changes.started] == [("isl-training-2026", True)]
    assert [(c.engagement_id, c.old, c.new) for c in changes.ended] == [(ongoing[0], "ongoing", "completed")]
    assert [(c.old, c.new) for c in changes.status_changed] == [("ongoing", "completed")]
    keys = {h.key: h for h in changes.headlines}
    assert keys["engagements"].new == keys["engagements"].old + 1
    assert keys["countries_engaged"].new == keys["countries_engaged"].old + 1
    assert [(c.table, c.key, [f.field for f in c.fields]) for c in changes.corrected] == [
        ("programmes", rows[0][0], ["description_en"])]
    assert "Countries newly engaged: Iceland" in changes.text({"ISL": "Iceland"})


def test_headline_figure_change_names_the_sources(store, tmp_path):
    old = store.load("v1")
    fig = next(f for f in ibcr_data.headline_figures(old, ibcr_data.apply_filters(old, ibcr_data.Filters()), 2026)
               if f.metric_id)
    folder = candidate(store, tmp_path)
    header, rows = read_rows(folder / "metrics.csv")
    row = next(r for r in rows if r[header.index("metric_id")] == fig.metric_id)
    row[header.index("value")] = str(int(fig.value) + 1)
    write_rows(folder / "metrics.csv", header, rows)
    h = next(h for h in what_changed(old, ibcr_data.load_dataset(folder), 2026).headlines if h.key == fig.key)
    assert (h.old, h.new) == (fig.value, fig.value + 1)
    assert h.old_source_ids == h.new_source_ids == fig.source_ids


def test_the_source_is_the_current_version_and_the_dataset_knows_it(store, tmp_path, monkeypatch):
    monkeypatch.setenv("IBCR_DATA_DIR", str(store.root))
    src = source_module.resolve_source()
    assert (src.folder, src.store_root, src.version) == (store.root / "versions" / "v1", store.root, "v1")
    folder = candidate(store, tmp_path)
    edit_engagements(folder)
    store.accept(folder, base="v1", who="ana", note="one of each")
    src = source_module.resolve_source()
    assert (src.folder, src.version) == (store.root / "versions" / "v2", "v2")
    assert src.fingerprint == ibcr_data.fingerprint(src.folder)
    loaded = ibcr_data.load_dataset(src.folder, src.version)
    assert loaded.version == store.load("v2").version == "v2"
    assert len(loaded.engagements) == len(store.load("v2").engagements)
    plain = tmp_path / "plain"
    shutil.copytree(DATA, plain)
    monkeypatch.setenv("IBCR_DATA_DIR", str(plain))
    src = source_module.resolve_source()
    assert (src.folder, src.store_root, src.version) == (plain, None, None)  # loaded directly, no versions
    assert source_module.store_root() is None
    with pytest.raises(ValueError, match="plain data folder"):
        Store.open()
    monkeypatch.delenv("IBCR_DATA_DIR")
    monkeypatch.setattr(source_module, "STORE_DIR", tmp_path / "no-store")
    assert source_module.resolve_source().folder == ibcr_data.DEFAULT_DATA_DIR
    assert ibcr_data.load_dataset().version is None
    monkeypatch.setattr(source_module, "STORE_DIR", store.root)
    assert source_module.resolve_source().folder == store.root / "versions" / "v2"


def test_accept_links_unchanged_files_and_refuses_bad_candidates(store, tmp_path):
    folder = candidate(store, tmp_path)
    with pytest.raises(ValueError, match="nothing changed"):
        store.accept(folder, base="v1", who="ana", note="same")
    edit_engagements(folder)
    with pytest.raises(ValueError, match="note is required"):
        store.accept(folder, base="v1", who="ana", note="  ")
    broken = candidate(store, tmp_path, "broken")
    header, rows = read_rows(broken / "engagements.csv")
    rows[0][header.index("kind_code")] = "nonsense"
    write_rows(broken / "engagements.csv", header, rows)
    with pytest.raises(ibcr_data.ValidationError):
        store.accept(broken, base="v1", who="ana", note="broken")
    v2 = store.accept(folder, base="v1", who="ana", note="one of each")
    assert (v2.id, v2.kind, v2.who, v2.changes["engagements"]) == (
        "v2", "import", "ana", {"added": 1, "removed": 0 + 1, "changed": 1})
    a, b = store.path("v1"), store.path("v2")
    assert (a / "sources.csv").stat().st_ino == (b / "sources.csv").stat().st_ino  # hard-linked
    assert (a / "engagements.csv").stat().st_ino != (b / "engagements.csv").stat().st_ino
    assert [v.id for v in store.versions()] == ["v2", "v1"]
    with pytest.raises(KeyError, match="no version 'v9'"):
        store.get("v9")


def test_two_editors_the_second_gets_a_conflict(store, tmp_path):
    first, second = candidate(store, tmp_path, "first"), candidate(store, tmp_path, "second")
    edit_engagements(first)
    header, rows = read_rows(second / "sources.csv")
    rows[0][header.index("notes")] = "Checked again."
    write_rows(second / "sources.csv", header, rows)
    base = store.current().id
    store.accept(first, base=base, who="ana", note="first")
    with pytest.raises(Conflict) as exc:
        store.accept(second, base=base, who="ben", note="second")
    assert exc.value.current.id == "v2" and "v2 is now current" in str(exc.value)
    assert store.current().id == "v2"


def test_names_and_restore_make_a_new_version(store, tmp_path):
    folder = candidate(store, tmp_path)
    edit_engagements(folder)
    store.accept(folder, base="v1", who="ana", note="one of each")
    v = store.name("v1", "Board meeting 2026-11", who="ana")
    assert v.names == ("Board meeting 2026-11",) and store.get("Board meeting 2026-11").id == "v1"
    with pytest.raises(ValueError, match="already given"):
        store.name("v2", "Board meeting 2026-11", who="ana")
    with pytest.raises(ValueError, match="looks like a version id"):
        store.name("v2", "v7", who="ana")
    v3 = store.restore("Board meeting 2026-11", who="ana", note="back to the board's data", base="v2")
    assert (v3.id, v3.kind, v3.restored_from) == ("v3", "restore", "v1")
    assert not filecmp.dircmp(store.path("v1"), store.path("v3")).diff_files
    assert store.get("v1").names == ("Board meeting 2026-11",)  # the version itself is unchanged


def test_backup_then_from_backup_gives_the_same_store(store, tmp_path):
    folder = candidate(store, tmp_path)
    edit_engagements(folder)
    store.accept(folder, base="v1", who="ana", note="one of each")
    store.name("v2", "After the fix", who="ana")
    archive = store.backup()
    restored = Store.from_backup(archive, tmp_path / "restored")
    assert restored.versions() == store.versions()
    for v in ("v1", "v2"):
        cmp = filecmp.dircmp(store.path(v), restored.path(v))
        assert not cmp.diff_files and not cmp.left_only and not cmp.right_only
    assert (restored.path("v1") / "sources.csv").stat().st_ino == (restored.path("v2") / "sources.csv").stat().st_ino
    with pytest.raises(ValueError, match="not empty"):
        Store.from_backup(archive, store.root)
    import io
    import zipfile
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("history.json", "{}")
        zf.writestr("versions/v1/../../evil.txt", "x")
    with pytest.raises(ValueError, match="unexpected path"):
        Store.from_backup(evil.getvalue(), tmp_path / "evil")


def test_a_kill_9_before_the_log_is_replaced_leaves_the_previous_version(store, tmp_path):
    folder = candidate(store, tmp_path)
    edit_engagements(folder)
    code = ("import sys, time; from pathlib import Path; from ibcr_updates.store import Store; "
            "Store.open(Path(sys.argv[1])).accept(Path(sys.argv[2]), base='v1', who='ana', note='crash', "
            "before_commit=lambda: time.sleep(60))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(store.root), str(folder)], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (store.root / "versions" / "v2").exists():  # the snapshot is in place, the log not yet
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    store = Store.open(store.root)
    assert [v.id for v in store.versions()] == ["v1"]
    assert store.load("v1").counts() == ibcr_data.load_dataset(DATA).counts()
    v2 = store.accept(folder, base="v1", who="ana", note="again")  # cleans the orphan, takes its number
    assert v2.id == "v2" and v2.note == "again"
    assert not [p for p in (store.root / "versions").iterdir() if p.name.startswith(".tmp")]


def test_cli_round_trip(pristine, tmp_path, capsys):
    root = tmp_path / "store"
    shutil.copytree(pristine, root)
    s = ["--store", str(root)]
    book = tmp_path / "records.xlsx"
    assert main([*s, "template", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["engagements"]
    header = [c.value for c in ws[1]]
    target = ws.cell(2, header.index("partners") + 1)
    record = ws.cell(2, header.index("engagement_id") + 1).value
    target.value = "Ministry of Justice"
    wb.save(book)
    capsys.readouterr()
    assert main([*s, "import", str(book), "--note", "partners of one record", "--who", "ana"]) == 0
    out = capsys.readouterr().out
    assert f"~ {record}" in out and "partners:" in out and "--yes" in out
    assert [v.id for v in Store.open(root).versions()] == ["v1"]  # nothing changed without --yes
    assert main([*s, "import", str(book), "--note", "partners of one record", "--who", "ana", "--yes"]) == 0
    assert "Accepted as v2" in capsys.readouterr().out
    assert main([*s, "history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("v2  ") and "  ana  import  +0 −0 ~1  \"partners of one record\"" in lines[0]
    assert lines[1].startswith("v1  ")
    assert main([*s, "diff", "v1", "v2"]) == 0
    assert f"~ {record}" in capsys.readouterr().out
    assert main([*s, "name", "v2", "Board meeting 2026-11"]) == 0
    assert main([*s, "restore", "v1", "--note", "undo", "--yes", "--who", "ana"]) == 0
    capsys.readouterr()
    assert main([*s, "history"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("v3  ") and "[Board meeting 2026-11]" in out
    store = Store.open(root)
    assert not filecmp.dircmp(store.path("v1"), store.path("v3")).diff_files
    backup = tmp_path / "backup.zip"
    assert main([*s, "backup", str(backup)]) == 0
    assert main(["restore-backup", str(backup), str(tmp_path / "again")]) == 0
    assert [v.id for v in Store.open(tmp_path / "again").versions()] == ["v3", "v2", "v1"]
    assert main([*s, "diff", "v1", "v9"]) == 1
    assert "no version 'v9'" in capsys.readouterr().err


def test_a_store_keeps_only_the_last_two_versions_it_loaded(store, tmp_path):
    folder = candidate(store, tmp_path)
    edit_engagements(folder)
    store.accept(folder, base="v1", who="ana", note="one of each")
    store.restore("v1", who="ana", note="back", base="v2")
    first = store.load("v1")
    assert store.load("v1") is first  # loaded once
    store.load("v2")
    store.load("v3")  # v1 is the least recently used of three: it goes
    assert store.load("v3") is store.load("v3") and store.load("v1") is not first
    assert store.load("v1").engagements.equals(first.engagements)  # loaded again, the same data
