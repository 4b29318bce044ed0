"""A validated dataset kept on disk (kept.py), so a server started again on the same data skips the checks.

Checking every file is most of loading (0.7 of 0.9 s on the bundled data, and most of a server's
cold start). `load(folder, version)` returns the dataset a previous server loaded from the same
bytes with the same code, else loads and validates it (load_dataset) and keeps it. The key covers
the files' bytes (not their dates), the folder and version, this package's source code and the
versions of Python, pandas and pyarrow: a new rule or an upgrade is a new key. Only a dataset that
passed every check is kept; problems are always found afresh.

In the server (`IBCR_VALIDATE_APART=1`, set by ibcr_ui.serve), a dataset not kept yet is validated in a short-lived
child process, which keeps it; the server then reads it. Validation's modules (pydantic's grammar
of the descriptor, the rules) and its passing allocations stay in the child: measured, the server
holds 9 MB less after a first start on new data or a new version. A child that finds problems
exits 1, and the problems are found again in the server, to be shown (broken data are rare).

NOTE: kept as a pickle, which runs what it reads: see kept.py for why that folder is trusted.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .audience import view_for
from .filters import Filters, apply_filters
from .kept import cache_dir, has, kept
from .load import DEFAULT_DATA_DIR, load_dataset
from .model import Dataset

APART = os.environ.get("IBCR_VALIDATE_APART") == "1"  # validate new data in a child (the launcher sets it)
CHILD_TIMEOUT_S = 600


@functools.cache
def _code_digest() -> bytes:
    h = hashlib.sha256(f"{sys.version}|{pd.__version__}|{pa.__version__}".encode())
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.digest()


def key(data_dir: Path, version: str | None = None) -> str:
    """What the dataset of this folder is made from, as a hex digest."""
    data_dir = Path(data_dir).resolve()
    h = hashlib.sha256(_code_digest())
    h.update(f"{data_dir}|{version}".encode())
    for p in sorted(data_dir.rglob("*")):
        if p.is_file():
            h.update(b"\0" + str(p.relative_to(data_dir)).encode() + b"\0")
            with p.open("rb") as fh:
                h.update(hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()[:32]


def _parse(raw: bytes) -> Dataset:
    ds = pickle.loads(raw)
    if not isinstance(ds, Dataset):
        raise TypeError(f"not a dataset: {type(ds).__name__}")
    return ds


def load(data_dir: Path | str = DEFAULT_DATA_DIR, version: str | None = None) -> Dataset:
    """The dataset of a folder: as kept by a previous load, else loaded and validated (then kept).

    Raises ValidationError as load_dataset does (nothing is kept then).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return load_dataset(data_dir, version)  # its own clear problem
    digest = key(data_dir, version)
    if APART and cache_dir() is not None and not has("dataset", digest):
        _validate_apart(data_dir, version)
    return kept("dataset", digest, lambda: _derived(load_dataset(data_dir, version)),
                lambda ds: pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL), _parse)


def _derived(ds: Dataset) -> Dataset:
    """The dataset with what every server first works out from it, kept with it: the public view and the
    unfiltered view of each (audience.view_for and precomputed keep them in `ds.derived`)."""
    for d in (ds, view_for(ds, "public")):
        apply_filters(d, Filters())
    return ds


def _validate_apart(data_dir: Path, version: str | None) -> None:
    """Load, validate and keep the dataset in a child process (nothing is kept when it finds problems)."""
    command = [sys.executable, "-m", __name__, str(data_dir.resolve()), *([version] if version else [])]
    subprocess.run(command, cwd=DEFAULT_DATA_DIR.parent, capture_output=True, timeout=CHILD_TIMEOUT_S, check=False)


if __name__ == "__main__":  # the child of _validate_apart: FOLDER [VERSION] -> kept, or exit 1 on problems
    from .problems import ValidationError

    APART = False  # this is the child
    try:
        load(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
    except ValidationError:
        sys.exit(1)
