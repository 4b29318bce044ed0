"""The store as one file: write every version and the log into a .zip; check one whole, then unpack it.

A backup is checked whole before anything is written, and refused with a message when it is not a
store backup: a path outside versions/vN/, a member that would unpack to far more than it holds (or
everything to more than MAX_BACKUP_BYTES, or more than the disk has free), a log that is not the
store's (ids that are not vN, numbers out of order, unknown kinds, names of unknown versions), or a
version whose descriptor points at a file outside its own folder. A restore that fails half-way (a
full disk) removes what it wrote.
"""

from __future__ import annotations

import io
import secrets
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from .files import NotWritten
from .log import LOG, VERSION_ID, check_log

VERSIONS = "versions"
DESCRIPTOR = "datapackage.yaml"
MAX_BACKUP_BYTES = 2 * 2**30  # unpacked; a version is about 300 KB
MAX_RATIO = 100  # unpacked / packed, per member over 1 MB (CSV files pack about 5 times)
MAX_TEXT_BYTES = 64 * 2**20  # the log, a descriptor
CHUNK = 2**20


def write(root: Path, ids: list[str]) -> bytes:
    """The log and the files of the versions `ids` (oldest first) under `root`, as a .zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.write(root / LOG, LOG)
        for vid in ids:
            folder = root / VERSIONS / vid
            for p in sorted(folder.rglob("*")):
                if p.is_file():
                    zf.write(p, f"{VERSIONS}/{vid}/{p.relative_to(folder).as_posix()}")
    return buf.getvalue()


def unpack(archive: Path | bytes, root: Path) -> tuple[Path, list[dict], list[str]]:
    """Check a backup whole, then unpack its versions into a staging folder under `root` (empty or new).

    Returns the staging folder (one subfolder per version), the log's entries and the version ids.
    Raises ValueError, with nothing written, for anything that is not a store backup.
    """
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValueError(f"{root} is not empty: restore a backup into an empty or new folder")
    data = archive if isinstance(archive, bytes) else Path(archive).read_bytes()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValueError("the backup is not a .zip file made by `backup`") from exc
    with zf:
        try:
            infos, total = _members(zf)
            entries = check_log(_read(zf, zf.getinfo(LOG)))
            ids = [e["id"] for e in entries if e["type"] == "version"]
            _check_versions(zf, ids)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ValueError(f"the backup is damaged ({exc}): make a new one with `backup`") from exc
        _check_space(root, total)
        existed = root.exists()
        staging = root / VERSIONS / f".tmp-restore-{secrets.token_hex(4)}"
        try:
            staging.mkdir(parents=True)
            for i in infos:
                parts = i.filename.split("/")
                if i.filename != LOG and not i.is_dir() and parts[1] in ids:
                    _extract(zf, i, staging / "/".join(parts[1:]))
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            clear(root, existed)
            if isinstance(exc, OSError):
                raise NotWritten(f"the store in {root}", exc) from exc
            raise ValueError(f"the backup is damaged ({exc}): nothing was restored") from exc
    return staging, entries, ids


def clear(root: Path, keep_root: bool) -> None:
    """Remove what a failed restore wrote under `root` (it was empty, or did not exist, before)."""
    if not keep_root:
        shutil.rmtree(root, ignore_errors=True)
        return
    for p in root.iterdir() if root.is_dir() else ():
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _members(zf: zipfile.ZipFile) -> tuple[list[zipfile.ZipInfo], int]:
    """Every member's path and size checked; the members and their total unpacked size."""
    infos = zf.infolist()
    if LOG not in {i.filename for i in infos}:
        raise ValueError(f"the backup has no {LOG}: it is not a store backup")
    for i in infos:
        parts = i.filename.split("/")
        ok = i.filename == LOG or (
            len(parts) >= 3 and parts[0] == VERSIONS and VERSION_ID.match(parts[1])
            and all(p not in ("", ".", "..") for p in parts[2:]) and "\\" not in i.filename)
        if not ok and not i.is_dir():
            raise ValueError(f"the backup holds an unexpected path '{i.filename}': not a store backup")
        if i.file_size > 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ValueError(f"'{i.filename}' in the backup would unpack to {i.file_size / 2**20:,.0f} MB from "
                             f"{i.compress_size / 2**20:,.2f} MB, more than {MAX_RATIO} times: not a store backup")
        if i.flag_bits & 0x1:
            raise ValueError("the backup is password-protected: not a store backup")
    total = sum(i.file_size for i in infos)
    if total > MAX_BACKUP_BYTES:
        raise ValueError(f"the backup would unpack to {total / 2**20:,.0f} MB, more than "
                         f"{MAX_BACKUP_BYTES // 2**20:,} MB: not a store backup")
    return infos, total


def _check_versions(zf: zipfile.ZipFile, ids: list[str]) -> None:
    """Each version has its files, and its descriptor names only files inside its own folder."""
    import yaml  # noqa: PLC0415  (a restore only: every server imports this module)

    names = set(zf.namelist())
    for vid in ids:
        prefix = f"{VERSIONS}/{vid}/"
        if f"{prefix}{DESCRIPTOR}" not in names:
            raise ValueError(f"the backup lacks the files of {vid} (its {DESCRIPTOR})")
        try:
            descriptor = yaml.safe_load(_read(zf, zf.getinfo(f"{prefix}{DESCRIPTOR}")).decode("utf-8-sig"))
            paths = [r["path"] for r in descriptor["resources"]]
        except (yaml.YAMLError, UnicodeDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"the descriptor of {vid} in the backup cannot be read ({type(exc).__name__})") from exc
        for path in paths:
            if not isinstance(path, str) or not safe_path(path):
                raise ValueError(f"the descriptor of {vid} in the backup points at {path!r}, outside the version's "
                                 "folder: not a store backup")
            if f"{prefix}{path}" not in names:
                raise ValueError(f"the backup lacks {path} of {vid}, which its descriptor lists")


def safe_path(path: str) -> bool:
    """A relative POSIX path that stays inside its folder: no absolute path, no '..', no drive or backslash."""
    p = PurePosixPath(path)
    return bool(path) and not p.is_absolute() and ".." not in p.parts and "\\" not in path and ":" not in path


def _check_space(root: Path, total: int) -> None:
    existing = next(p for p in (root, *root.parents) if p.exists())
    free = shutil.disk_usage(existing).free
    if free < total + 16 * 2**20:
        raise ValueError(f"the backup unpacks to {total / 2**20:,.0f} MB and {existing} has only "
                         f"{free / 2**20:,.0f} MB free: free some space, or restore elsewhere")


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A small member whole, never more than it declares nor than MAX_TEXT_BYTES."""
    if info.file_size > MAX_TEXT_BYTES:
        raise ValueError(f"'{info.filename}' in the backup is too large ({info.file_size / 2**20:,.0f} MB)")
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise zipfile.BadZipFile(f"{info.filename} is larger than it declares")
    return data


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zf.open(info) as src, dst.open("wb") as out:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename} is larger than it declares")
            out.write(chunk)
