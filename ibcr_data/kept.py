"""What a server worked out once and keeps on disk for the next one: files named by what made them.

A server started again on the same data with the same code would repeat the same slow work to the
same result (validating every file, projecting the world's outlines). `kept(kind, digest, ...)`
returns the value kept under that digest, or builds it, keeps it and returns it. The digest must
cover everything the value is made from (the callers hash the input files' bytes, their own source
and the libraries' versions), so a kept value is never stale.

Kept in `$IBCR_CACHE_DIR`, else var/cache/ of the checkout (beside the store in var/);
`IBCR_CACHE_DIR=off` turns keeping off. The KEEP most recently used of each kind stay, within KEEP_BYTES.

NOTE: the folder is the server's own, written by this module alone (atomically: a reader sees a
whole file or none), and as trusted as the code beside it. A file that cannot be read back is
removed and the value built again; a folder that cannot be written only costs the saving.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / "var" / "cache"
KEEP = 8  # per kind: the store's recent versions, a test's folders; the least recently used go first
KEEP_BYTES = 2**30  # per kind: at most 1 GB (a 1,000x dataset is 400 MB), the newest kept whatever its size


def cache_dir() -> Path | None:
    """Where values are kept, or None when keeping is turned off (`IBCR_CACHE_DIR=off`)."""
    env = os.environ.get("IBCR_CACHE_DIR")
    if env is not None and env.strip().lower() in ("", "off", "0", "none"):
        return None
    return Path(env) if env else DEFAULT_CACHE_DIR


def kept(kind: str, digest: str, build: Callable[[], T], dump: Callable[[T], bytes],
         parse: Callable[[bytes], T]) -> T:
    """The value kept as `kind` under `digest`, else `build()` (then kept). Exceptions of build pass through."""
    if cache_dir() is None:
        return build()
    raw = read(kind, digest)
    if raw is not None:
        try:
            return parse(raw)
        except Exception:  # a foreign or damaged file: build the value again and replace it
            log.warning("%s-%s could not be read back; building it again", kind, digest, exc_info=True)
            forget(kind, digest)
    value = build()
    keep(kind, digest, dump(value))
    return value


def has(kind: str, name: str) -> bool:
    """True when a value is kept as `kind` under `name` (without reading it)."""
    folder = cache_dir()
    return folder is not None and (folder / f"{kind}-{name}").is_file()


def names(kind: str, prefix: str = "") -> list[str]:
    """The names kept as `kind` that start with `prefix`, the most recently used first."""
    folder = cache_dir()
    if folder is None:
        return []
    found = []
    for p in folder.glob(f"{kind}-{prefix}*"):
        with contextlib.suppress(FileNotFoundError):
            found.append((p.stat().st_mtime_ns, p.name.removeprefix(f"{kind}-")))
    return [name for _, name in sorted(found, reverse=True)]


def read(kind: str, name: str) -> bytes | None:
    """What is kept as `kind` under `name` (marked as recently used), or None."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"{kind}-{name}"
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    _touch(path)
    return raw


def keep(kind: str, name: str, raw: bytes) -> None:
    """Keep `raw` as `kind` under `name` (atomically), then drop the least recently used beyond KEEP."""
    folder = cache_dir()
    if folder is not None:
        _write(folder / f"{kind}-{name}", raw, kind)


def forget(kind: str, name: str) -> None:
    folder = cache_dir()
    if folder is not None:
        (folder / f"{kind}-{name}").unlink(missing_ok=True)


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.touch()  # recently used: kept longest


def _write(path: Path, raw: bytes, kind: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        _prune(path.parent, kind)
    except OSError:
        log.warning("could not keep %s in %s", path.name, path.parent, exc_info=True)


def _prune(folder: Path, kind: str) -> None:
    """Keep the KEEP most recently used values of a kind, and no more than KEEP_BYTES of them (the newest always)."""
    def used(p: Path) -> tuple[int, int]:
        try:
            st = p.stat()
        except FileNotFoundError:  # removed by another server meanwhile
            return 0, 0
        return st.st_mtime_ns, st.st_size

    total = 0
    for n, (path, (_, size)) in enumerate(sorted(((p, used(p)) for p in folder.glob(f"{kind}-*")),
                                                 key=lambda item: item[1][0], reverse=True)):
        total += size
        if n >= KEEP or (n and total > KEEP_BYTES):
            path.unlink(missing_ok=True)
