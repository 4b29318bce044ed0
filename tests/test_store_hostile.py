"""The store against crafted backups, a full disk, a read-only folder and escape sequences (issue 24).

Each builds its hostile input here. What held before is kept under test in test_store.py (versions never
written in place, a kill -9 leaves the previous version whole); these add: a backup is checked whole
before anything is written, a failed write leaves no temporary file and a clear message, and the
terminal only ever prints plain text.
"""

from __future__ import annotations

import errno
import io
import json
import pathlib
import shutil
import zipfile
from pathlib import Path

import pytest

import ibcr_data
from ibcr_updates import backups
from ibcr_updates import store as store_module
from ibcr_updates.__main__ import main
from ibcr_updates.files import NotWritten
from ibcr_updates.store import Store
from tests.support import DATA, read_rows, write_rows


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
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


@pytest.fixture(scope="module")
def archive(pristine) -> bytes:
    return Store.open(pristine).backup()


def candidate(store: Store, tmp_path: Path) -> Path:
    folder = tmp_path / "candidate"
    shutil.copytree(store.path("current"), folder, copy_function=shutil.copyfile)
    header, rows = read_rows(folder / "engagements.csv")
    rows[0][header.index("partners")] = "Ministry of Justice (corrected)"
    write_rows(folder / "engagements.csv", header, rows)
    return folder


def rewritten(archive: bytes, log=None, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
              compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of a backup with its log, some members replaced, or members added."""
    src = zipfile.ZipFile(io.BytesIO(archive))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as out:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "history.json" and log is not None:
                body = log if isinstance(log, bytes) else json.dumps(log).encode()
            body = (replace or {}).get(info.filename, body)
            out.writestr(info.filename, body)
        for name, body in (add or {}).items():
            out.writestr(name, body)
    return buf.getvalue()


def the_log(archive: bytes) -> dict:
    return json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("history.json"))


def restore_cli(data: bytes, tmp_path: Path, capsys) -> tuple[int, str, Path]:
    path = tmp_path / "crafted.zip"
    path.write_bytes(data)
    root = tmp_path / "restored"
    code = main(["restore-backup", str(path), str(root)])
    return code, capsys.readouterr().err, root


def nothing_written(root: Path) -> bool:
    return not root.exists() or not any(root.iterdir())


# 6. and 11. A crafted backup is refused before anything is written

def version_entry(log: dict) -> dict:
    return next(e for e in log["entries"] if e["type"] == "version")


@pytest.mark.parametrize("craft, message", [
    (lambda log: version_entry(log).update(id="1/../../escaped"), "is not v followed by its number"),
    (lambda log: version_entry(log).update(number=2), "is not v followed by its number"),
    (lambda log: version_entry(log).update(number="1"), "is not v followed by its number"),
    (lambda log: log["entries"].append(dict(version_entry(log))), "listed once each"),
    (lambda log: version_entry(log).update(kind="rm -rf"), "a kind among"),
    (lambda log: version_entry(log).update(restored_from="v9"), "unknown version 'v9'"),
    (lambda log: version_entry(log).update(counts={"engagements": "many"}), "whole numbers"),
    (lambda log: log["entries"].append({"type": "name", "version": "v7", "name": "x", "who": "a", "created": "t"}),
     "unknown version 'v7'"),
    (lambda log: log.update(entries={"v1": {}}), "no list of entries"),
    (lambda log: log["entries"].clear(), "lists no version"),
])
def test_a_crafted_log_is_refused_before_anything_is_written(archive, tmp_path, capsys, craft, message):
    log = the_log(archive)
    craft(log)
    code, err, root = restore_cli(rewritten(archive, log=log), tmp_path, capsys)
    assert code == 1 and message in err and "Traceback" not in err, err
    assert nothing_written(root)


def test_a_log_that_is_not_json_is_refused(archive, tmp_path, capsys):
    code, err, root = restore_cli(rewritten(archive, log=b"\xff{not json"), tmp_path, capsys)
    assert code == 1 and "not the store's log" in err and nothing_written(root)


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../etc/passwd", "codes/../../x.csv"])
def test_a_descriptor_pointing_outside_its_version_is_refused(archive, tmp_path, capsys, path):
    member = "versions/v1/datapackage.yaml"
    text = zipfile.ZipFile(io.BytesIO(archive)).read(member).replace(b"path: engagements.csv",
                                                                      f"path: {path}".encode(), 1)
    code, err, root = restore_cli(rewritten(archive, replace={member: text}), tmp_path, capsys)
    assert code == 1 and "outside the version's folder" in err and nothing_written(root)


def test_the_read_side_refuses_a_resource_path_outside_the_data_folder(data_copy):
    text = (data_copy / "datapackage.yaml").read_text(encoding="utf-8")
    (data_copy / "datapackage.yaml").write_text(text.replace("path: engagements.csv", "path: /etc/passwd", 1),
                                                encoding="utf-8")
    with pytest.raises(ibcr_data.ValidationError) as exc:
        ibcr_data.load_dataset(data_copy)
    assert "descriptor_unsafe_path" in [p.code for p in exc.value.problems]


def test_a_backup_that_unpacks_far_beyond_its_size_is_refused(archive, tmp_path, capsys):
    bomb = rewritten(archive, add={"versions/v1/notes.txt": b"\0" * (60 * 2**20)})
    assert len(bomb) < 2 * 2**20
    code, err, root = restore_cli(bomb, tmp_path, capsys)
    assert code == 1 and "more than 100 times" in err and nothing_written(root)


def test_a_member_lying_about_its_size_gets_a_message_and_leaves_nothing(archive, tmp_path, capsys):
    from tests.test_upload_hostile import lying_about_size

    code, err, root = restore_cli(lying_about_size(archive, "versions/v1/engagements.csv"), tmp_path, capsys)
    assert code == 1 and "damaged" in err and "Traceback" not in err and nothing_written(root)


def test_a_restore_that_fills_the_disk_removes_what_it_wrote(archive, tmp_path, monkeypatch):
    real = backups._extract
    calls = []

    def fills_up(zf, info, dst):
        calls.append(info.filename)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(zf, info, dst)

    monkeypatch.setattr(backups, "_extract", fills_up)
    root = tmp_path / "new"
    with pytest.raises(NotWritten, match="the disk is full"):
        Store.from_backup(archive, root)
    assert not root.exists()
    monkeypatch.setattr(backups, "_extract", real)
    monkeypatch.setattr(Store, "_commit", lambda self, entries: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotWritten):
        Store.from_backup(archive, tmp_path / "empty")
    assert (tmp_path / "empty").is_dir() and nothing_written(tmp_path / "empty")


def test_a_good_backup_still_restores(archive, tmp_path, capsys):
    code, err, root = restore_cli(archive, tmp_path, capsys)
    assert code == 0, err
    assert [v.id for v in Store.open(root).versions()] == ["v1"]


# 9. and 10. A full disk or a read-only store: a message, the previous version whole, no temporary file

def test_a_full_disk_during_an_accept_leaves_v1_whole_and_no_temporary_file(store, tmp_path, monkeypatch):
    folder = candidate(store, tmp_path)

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "fsync_file", full)
    with pytest.raises(NotWritten, match="the disk is full"):
        store.accept(folder, base="v1", who="ana", note="a correction")
    monkeypatch.undo()
    assert [v.id for v in store.versions()] == ["v1"]
    assert sorted(p.name for p in (store.root / "versions").iterdir()) == ["v1"]
    assert store.accept(folder, base="v1", who="ana", note="a correction").id == "v2"


def test_a_failed_log_write_leaves_no_temporary_log(store, tmp_path, monkeypatch):
    leftover = store.root / ".history.json.tmp-killed"  # what a kill -9 during a log write leaves
    leftover.write_text("{")
    monkeypatch.setattr(store_module.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(NotWritten):
        store.name("v1", "Board meeting", who="ana")
    monkeypatch.undo()
    assert not list(store.root.glob(".history.json.tmp-*"))
    assert store.current().names == ()


def test_a_read_only_store_gives_a_message(store, tmp_path, monkeypatch, capsys):
    real_open = pathlib.Path.open

    def read_only(self, mode="r", *args, **kwargs):
        if self.name == ".lock":
            raise PermissionError(errno.EROFS, "Read-only file system", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", read_only)
    with pytest.raises(NotWritten, match="read-only"):
        store.accept(candidate(store, tmp_path), base="v1", who="ana", note="a correction")
    assert main(["--store", str(store.root), "name", "v1", "Board meeting"]) == 1
    err = capsys.readouterr().err
    assert "could not be written: the file system is read-only" in err and "Traceback" not in err


# 12. Plain text on the terminal

def test_history_prints_plain_text_whatever_the_log_holds(store, capsys):
    entries = json.loads((store.root / "history.json").read_text())["entries"]
    entries[0]["note"] = "as shipped\x1b[2J\x1b]0;owned\x07\r"
    entries[0]["who"] = "ana\u202etxt.exe"
    entries.append({"type": "name", "version": "v1", "name": "\x1b[31mred", "who": "x", "created": "t"})
    (store.root / "history.json").write_text(json.dumps({"format": 1, "entries": entries}))
    assert main(["--store", str(store.root), "history"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out and "\\x1b[31mred" in out


def test_notes_and_names_with_control_characters_are_refused(store, tmp_path):
    with pytest.raises(ValueError, match="control character"):
        store.name("v1", "\x1b[31mred", who="ana")
    with pytest.raises(ValueError, match="control character"):
        store.accept(candidate(store, tmp_path), base="v1", who="ana", note="fix\x1b]0;x\x07")
    assert [v.id for v in store.versions()] == ["v1"] and store.current().names == ()
