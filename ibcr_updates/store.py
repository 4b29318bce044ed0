"""Every version of the data, kept: immutable snapshot folders plus an append-only log.

Layout under a store root::

    versions/v1/        a full loadable data folder (datapackage.yaml, CSVs, codes/, geo/)
    versions/v2/        unchanged files are hard links to the previous version's
    history.json        the log: every version and every name given to one, oldest first
    .lock               serialises writers (fcntl.flock)

A version is built in versions/.tmp-<random>/, synced, renamed to versions/vN, and only then
the new log is written to a temp file and `os.replace`d over history.json. That replace is the
commit point: a crash anywhere before it leaves the previous version whole and current, and the
leftovers (a .tmp folder, or a vN folder the log does not list) are removed at the next write.

NOTE: snapshots, not git (or dulwich): there is no git binary on the server, a deployment may
have no .git folder, 260 KB a version is nothing, and "load version N" is just a folder path.
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import getpass
import json
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ibcr_data import DEFAULT_DATA_DIR, Dataset, ValidationError, load_dataset, snapshot, validate
from ibcr_data.schema import DESCRIPTOR

from . import backups
from .backups import LOG, VERSIONS
from .compare import compare
from .files import NotWritten, fsync_dir, fsync_file, same_files
from .log import Conflict, Version, check_plain
from .source import _is_plain_folder, _read_log, store_root

LOCK = ".lock"
SHIPPED_NOTE = "The data as shipped"
_VERSION_RE = re.compile(r"^v?(\d+)$")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Store:
    """A store of every version of the data. Safe to share between threads and processes."""

    LOADED_VERSIONS = 2  # versions kept loaded (see load)

    def __init__(self, root: Path):
        self.root = Path(root)
        self._cache: dict[str, Dataset] = {}
        self._cache_lock = threading.Lock()
        self._log_key: tuple | None = None
        self._log: list[dict] = []

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # Opening

    @classmethod
    def open(cls, root: Path | None = None, create: bool = False, seed: Path | None = None) -> Store:
        """Open the store at `root` (None: the default location); with `create`, seed it as v1 if new."""
        if root is None:
            root = store_root()
            if root is None:
                raise ValueError(f"IBCR_DATA_DIR ({os.environ['IBCR_DATA_DIR']}) is a plain data folder, not a "
                                 "store: it is loaded directly and has no versions. Point IBCR_DATA_DIR at an "
                                 "empty folder to keep versions there.")
        root = Path(root)
        store = cls(root)
        if (root / LOG).is_file():
            return store
        if not create:
            raise FileNotFoundError(f"there is no store at {root}: create it with Store.open(root, create=True), "
                                    "`python -m ibcr_data editor add NAME` or a first import")
        if _is_plain_folder(root):
            raise ValueError(f"{root} is a plain data folder (it has {DESCRIPTOR}), not a store: "
                             "choose an empty folder for the store")
        if (root / VERSIONS).exists():
            raise ValueError(f"{root} has a versions/ folder but no {LOG}: it is not a store that can be opened; "
                             "restore it from a backup into an empty folder")
        store._create(Path(seed) if seed else DEFAULT_DATA_DIR)
        return store

    def _create(self, seed: Path) -> None:
        ds = load_dataset(seed)  # the seed must validate
        with self._locked():
            if (self.root / LOG).is_file():
                return  # another process created it meanwhile
            (self.root / VERSIONS).mkdir(exist_ok=True)
            self._clean()
            counts = ds.counts()
            entry = {"type": "version", "number": 1, "id": "v1", "created": _now(), "who": "IBCR",
                     "note": SHIPPED_NOTE, "kind": "shipped", "counts": counts,
                     "changes": {t: {"added": n, "removed": 0, "changed": 0} for t, n in counts.items()},
                     "restored_from": None}
            self._snapshot(seed, 1, previous=None)
            self._commit([entry])

    # Reading

    def _entries(self) -> list[dict]:
        st = (self.root / LOG).stat()
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key != self._log_key:
            self._log, self._log_key = _read_log(self.root), key
        return self._log

    def versions(self) -> list[Version]:
        """Every version, newest first."""
        entries = self._entries()
        names: dict[str, list[str]] = {}
        for e in entries:
            if e["type"] == "name":
                names.setdefault(e["version"], []).append(e["name"])
        out = [Version(id=e["id"], number=e["number"], created=e["created"], who=e["who"], note=e["note"],
                       kind=e["kind"], counts=dict(e["counts"]), changes={k: dict(v) for k, v in e["changes"].items()},
                       names=tuple(names.get(e["id"], ())), restored_from=e.get("restored_from"))
               for e in entries if e["type"] == "version"]
        return sorted(out, key=lambda v: v.number, reverse=True)

    def current(self) -> Version:
        return self.versions()[0]

    def get(self, ref: str) -> Version:
        """A version by id ("v3", "3"), by a name given to it, or "current"."""
        ref = str(ref).strip()
        versions = self.versions()
        if ref in ("current", "latest"):
            return versions[0]
        m = _VERSION_RE.match(ref)
        for v in versions:
            if (m and v.number == int(m.group(1))) or ref in v.names:
                return v
        known = ", ".join(v.id for v in reversed(versions))
        named = ", ".join(f"'{n}'" for v in versions for n in v.names)
        raise KeyError(f"no version '{ref}': use an id ({known})" + (f" or a name ({named})" if named else ""))

    def path(self, ref: str) -> Path:
        """The loadable data folder of a version."""
        return self.root / VERSIONS / self.get(ref).id

    def load(self, ref: str) -> Dataset:
        """The dataset of a version (it knows its version id), the last LOADED_VERSIONS kept (a server
        keeping all would only grow)."""
        v = self.get(ref)
        with self._cache_lock:
            loaded = self._cache.pop(v.id, None)  # put back last: the most recently used
            self._cache[v.id] = loaded if loaded is not None else snapshot.load(self.root / VERSIONS / v.id, v.id)
            while len(self._cache) > self.LOADED_VERSIONS:
                self._cache.pop(next(iter(self._cache)))
            return self._cache[v.id]

    # Writing

    def accept(self, folder: Path, *, base: str, who: str, note: str,
               before_commit: Callable[[], None] | None = None) -> Version:
        """Make a validated candidate folder the new current version.

        Raises Conflict if the current version is no longer `base` (the version the candidate was
        compared against), ValidationError if it does not validate, ValueError without a note or
        when it is identical to the current version. `before_commit` runs once the snapshot is in
        place and before the log names it (a test stops a writer there).
        """
        return self._add(Path(folder), base=base, who=who, note=note, kind="import", before_commit=before_commit)

    def restore(self, ref: str, *, who: str, note: str, base: str | None = None) -> Version:
        """A new version whose files are those of `ref` (nothing is deleted)."""
        v = self.get(ref)
        return self._add(self.root / VERSIONS / v.id, base=base, who=who, note=note, kind="restore",
                         restored_from=v.id)

    def name(self, ref: str, name: str, who: str) -> Version:
        """Give a version a name ("Board meeting 2026-11"); names are unique and never look like ids."""
        name = " ".join(str(name).split())
        if not name:
            raise ValueError("the name is empty")
        check_plain("the name", name)
        check_plain("the name of who does it", who)
        if _VERSION_RE.match(name) or name in ("current", "latest"):
            raise ValueError(f"'{name}' looks like a version id: choose a name with words, e.g. 'Board meeting 2026-11'")
        with self._locked():
            self._clean()
            v = self.get(ref)
            for other in self.versions():
                if name in other.names:
                    raise ValueError(f"the name '{name}' is already given to {other.id}")
            entries = [*self._entries(), {"type": "name", "version": v.id, "name": name, "who": who,
                                          "created": _now()}]
            self._commit(entries)
        return self.get(v.id)

    def _add(self, folder: Path, *, base: str | None, who: str, note: str, kind: str,
             restored_from: str | None = None, before_commit: Callable[[], None] | None = None) -> Version:
        note = (note or "").strip()
        if not note:
            raise ValueError("a note is required: say what changed and why")
        who = (who or "").strip() or os_user()
        check_plain("the note", note)
        check_plain("the name of who does it", who)
        problems, raw, _ = validate(folder)  # the same rules as load_dataset, without typing the tables
        if problems:
            raise ValidationError(problems)
        counts = {name: len(raw[name].frame) for name in Dataset.TABLES if name in raw}
        with self._locked():
            current = self.current()
            if base is not None and self.get(base).id != current.id:
                raise Conflict(current, base)
            previous = self.root / VERSIONS / current.id
            if same_files(folder, previous):
                raise ValueError(f"nothing changed: the files are those of the current version {current.id}")
            self._clean()
            comparison = compare(previous, folder)
            number = current.number + 1
            self._snapshot(folder, number, previous=previous)
            entry = {"type": "version", "number": number, "id": f"v{number}", "created": _now(), "who": who,
                     "note": note, "kind": kind, "counts": counts, "changes": comparison.counts,
                     "restored_from": restored_from}
            if before_commit is not None:
                before_commit()
            self._commit([*self._entries(), entry])
        return self.get(f"v{number}")

    @contextlib.contextmanager
    def _locked(self):
        """The writers' lock; an OSError inside (a full disk, a read-only store) becomes NotWritten."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = (self.root / LOCK).open("a")
        except OSError as exc:
            raise NotWritten(f"the data store {self.root}", exc) from exc
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            except OSError as exc:
                raise NotWritten(f"the data store {self.root}", exc) from exc
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _clean(self) -> None:
        """Remove what a crashed writer left: .tmp folders and version folders the log does not list."""
        versions = self.root / VERSIONS
        logged = set()
        if (self.root / LOG).is_file():
            logged = {e["id"] for e in self._entries() if e["type"] == "version"}
        for p in versions.iterdir() if versions.is_dir() else ():
            if p.name.startswith(".tmp-") or (_VERSION_RE.match(p.name) and p.name not in logged):
                shutil.rmtree(p)
        for p in self.root.glob(f".{LOG}.tmp-*"):  # a log write that failed or was killed
            p.unlink(missing_ok=True)

    def _snapshot(self, folder: Path, number: int, previous: Path | None) -> Path:
        """Copy `folder` to versions/vN (hard-linking files equal to the previous version's), synced."""
        versions = self.root / VERSIONS
        tmp = versions / f".tmp-{secrets.token_hex(6)}"
        tmp.mkdir(parents=True)
        try:
            return self._fill(tmp, folder, number, previous)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)  # nothing reads a .tmp- folder; do not leave it
            raise

    def _fill(self, tmp: Path, folder: Path, number: int, previous: Path | None) -> Path:
        versions = tmp.parent
        for src in sorted(folder.rglob("*")):
            if not src.is_file() or any(part.startswith(".") for part in src.relative_to(folder).parts):
                continue
            rel = src.relative_to(folder)
            dst = tmp / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            old = previous / rel if previous else None
            if old is not None and old.is_file() and filecmp.cmp(src, old, shallow=False):
                try:
                    os.link(old, dst)
                    continue
                except OSError:
                    pass  # another file system, or links not allowed: copy
            shutil.copyfile(src, dst)
            fsync_file(dst)
            dst.chmod(0o444)  # versions are never edited in place
        for d in sorted({p.parent for p in tmp.rglob("*")} | {tmp}, reverse=True):
            fsync_dir(d)
        final = versions / f"v{number}"
        os.rename(tmp, final)
        fsync_dir(versions)
        return final

    def _commit(self, entries: list[dict]) -> None:
        """Write the log to a temp file and replace history.json with it: the commit point."""
        tmp = self.root / f".{LOG}.tmp-{secrets.token_hex(6)}"
        try:
            with tmp.open("w", encoding="utf-8") as fh:
                json.dump({"format": 1, "entries": entries}, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.root / LOG)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(self.root)
        self._log_key = None

    # Backups

    def backup(self) -> bytes:
        """The whole store (every version and the log) as one .zip. Editor accounts are not included."""
        return backups.write(self.root, [v.id for v in reversed(self.versions())])

    @classmethod
    def from_backup(cls, archive: Path | bytes, root: Path) -> Store:
        """Restore a store from `backup()` into an empty (or new) folder `root`; the backup is checked whole
        first (backups.unpack), and a restore that fails half-way leaves `root` as it found it."""
        root = Path(root)
        existed = root.exists()
        staging, entries, ids = backups.unpack(archive, root)
        store = cls(root)
        previous = None
        # NOTE: versions are not validated again: a rule added since a version was made must not
        # make its backup unrestorable. Their paths and descriptors were checked by unpack.
        try:
            for vid in ids:  # oldest first: link each file to the previous version's when equal
                previous = store._snapshot(staging / vid, int(vid[1:]), previous)
            shutil.rmtree(staging)
            store._commit(entries)
        except OSError as exc:
            backups.clear(root, keep_root=existed)
            raise NotWritten(f"the store in {root}", exc) from exc
        return store

    def size(self) -> int:
        """Bytes on disk, counting each hard-linked file once."""
        seen, total = set(), 0
        for p in self.root.rglob("*"):
            if p.is_file():
                st = p.stat()
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_size
        return total


__all__ = ["Conflict", "NotWritten", "Store", "Version", "os_user"]
