"""Which data to show, and which version: resolved once from the environment and the store's log.

`resolve_source()` is the one answer (the launcher, a page run's setup, a command line ask it);
everything below is handed the `DataSource` it returns.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ibcr_data import DEFAULT_DATA_DIR, fingerprint
from ibcr_data.schema import DESCRIPTOR

from .backups import LOG, VERSIONS

STORE_DIR = DEFAULT_DATA_DIR.parent / "var" / "ibcr-data"  # the store of a checkout, when it exists


@dataclass(frozen=True)
class DataSource:
    """Which data to show: the folder to load, the store it is a version of (if any), and that version.

    Resolved once (`resolve_source`: by the launcher, a page run's setup, a command line) and
    passed down; nothing below looks at the environment or at paths to find the data again. Its
    plain values are a complete cache key for what is made from these data.
    """

    folder: Path
    store_root: Path | None = None  # the store holding the versions; None when the folder is read directly
    version: str | None = None  # the version id of `folder` in that store ("v3")
    fingerprint: str = ""  # changes whenever a file of the folder changes: what caches key on

    @property
    def has_store(self) -> bool:
        return self.store_root is not None


def store_root() -> Path | None:
    """Where the store lives (or will, once created); None when IBCR_DATA_DIR points at a plain data folder."""
    env = os.environ.get("IBCR_DATA_DIR")
    if env:
        root = Path(env)
        return None if _is_plain_folder(root) else root
    return STORE_DIR


def resolve_source() -> DataSource:
    """The data to show now: the store's current version, or a plain data folder.

    `IBCR_DATA_DIR` if set (a store, or a plain folder loaded directly); else the store in
    var/ibcr-data/ when it exists; else the bundled data/. A store folder that is still empty
    shows the bundled data until its first version is written.
    """
    env = os.environ.get("IBCR_DATA_DIR")
    root = Path(env) if env else STORE_DIR
    if (root / LOG).is_file():
        numbers = [e["number"] for e in _read_log(root) if e["type"] == "version"]
        if numbers:
            folder = root / VERSIONS / f"v{max(numbers)}"
            return DataSource(folder, root, f"v{max(numbers)}", fingerprint(folder))
    if env and not (root.is_dir() and not any(root.iterdir())):
        return DataSource(root, fingerprint=fingerprint(root))  # a plain data folder
    return DataSource(DEFAULT_DATA_DIR, fingerprint=fingerprint(DEFAULT_DATA_DIR))


def _is_plain_folder(root: Path) -> bool:
    return (root / DESCRIPTOR).is_file() and not (root / LOG).is_file()


def _read_log(root: Path) -> list[dict]:
    with (root / LOG).open(encoding="utf-8") as fh:
        raw = json.load(fh)
    return raw["entries"]
