"""The store as one file: write every version and the log into a .zip, and unpack one safely.

A backup is refused before anything is written when it is not a store backup: no log, a path
outside versions/vN/, files missing for a version, or more than MAX_BACKUP_BYTES unpacked.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import zipfile
from pathlib import Path

LOG = "history.json"
VERSIONS = "versions"
MAX_BACKUP_BYTES = 4 * 2**30
_VERSION_ID = re.compile(r"^v\d+$")


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
    """Check a backup and unpack its versions into a staging folder under `root` (empty or new).

    Returns the staging folder (one subfolder per version), the log's entries and the version ids.
    """
    if root.exists() and any(root.iterdir()):
        raise ValueError(f"{root} is not empty: restore a backup into an empty or new folder")
    data = archive if isinstance(archive, bytes) else Path(archive).read_bytes()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError("the backup is not a .zip file made by `backup`") from exc
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if LOG not in names:
            raise ValueError(f"the backup has no {LOG}: it is not a store backup")
        total = sum(i.file_size for i in infos)
        if total > MAX_BACKUP_BYTES:
            raise ValueError(f"the backup would unpack to {total / 2**20:.0f} MB, more than allowed")
        for i in infos:
            parts = i.filename.split("/")
            ok = i.filename == LOG or (
                len(parts) >= 3 and parts[0] == VERSIONS and _VERSION_ID.match(parts[1])
                and all(p not in ("", ".", "..") for p in parts[2:]) and "\\" not in i.filename)
            if not ok and not i.is_dir():
                raise ValueError(f"the backup holds an unexpected path '{i.filename}': not a store backup")
        entries = json.loads(zf.read(LOG).decode("utf-8"))["entries"]
        ids = [e["id"] for e in entries if e["type"] == "version"]
        missing = [vid for vid in ids if not any(n.startswith(f"{VERSIONS}/{vid}/") for n in names)]
        if not ids or missing:
            raise ValueError(f"the backup lacks the files of {', '.join(missing) or 'every version'}")
        root.mkdir(parents=True, exist_ok=True)
        staging = root / VERSIONS / f".tmp-restore-{secrets.token_hex(4)}"
        staging.mkdir(parents=True)
        for i in infos:
            if i.filename != LOG and not i.is_dir() and i.filename.split("/")[1] in ids:
                dst = staging / i.filename.split("/", 1)[1]
                dst.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(i) as src, dst.open("wb") as out:
                    shutil.copyfileobj(src, out)
    return staging, entries, ids
