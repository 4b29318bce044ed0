"""A temporary store of versions for the pages that need one (What changed, the editor page).

Built with the app's own command line, as an administrator would: `editor add` (which creates the
store, seeded with the app's data/ as v1), `template`, an edit of the workbook, and `import --yes`
(v2). Everything lives in a temporary folder that is removed afterwards.

NOTE: the store never touches the app's data/ or var/: `IBCR_DATA_DIR` and `IBCR_EDITORS_FILE`
point into the temporary folder, for the command line and for the servers started on it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import harness
from harness import BenchError

EDITOR = "bench"
NEW_ENGAGEMENT = "ury-research-2025"


@dataclass(frozen=True)
class TempStore:
    root: Path
    env: dict[str, str]  # for a server on this store
    editor: str
    password: str
    versions: int


def supported() -> bool:
    """Whether the app under test keeps versions (older commits have no store)."""
    return _cli_package() is not None


def _cli_package() -> str | None:
    """The package whose command line changes the data: ibcr_updates, or ibcr_data in older commits."""
    if (harness.APP / "ibcr_updates" / "__main__.py").is_file():
        return "ibcr_updates"
    if (harness.APP / "ibcr_data" / "versions.py").is_file() and (harness.APP / "ibcr_data" / "editors.py").is_file():
        return "ibcr_data"
    return None


@contextlib.contextmanager
def temp_store() -> Iterator[TempStore]:
    """A store with two versions (v2 adds an engagement in a new country and corrects one record) and an editor."""
    with tempfile.TemporaryDirectory(prefix="ibcr-bench-store-") as tmp:
        root = Path(tmp) / "store"
        env = {"IBCR_DATA_DIR": str(root), "IBCR_EDITORS_FILE": str(root / "editors.json")}
        password = secrets.token_urlsafe(18)  # editors.MIN_PASSWORD is 12
        # `editor add` reads the password from standard input when it is not a terminal.
        _cli(env, "editor", "add", EDITOR, stdin=password + "\n")
        book = Path(tmp) / "edit.xlsx"
        _cli(env, "template", str(book))
        _edit(book)
        _cli(env, "import", str(book), "--note", "Benchmark: Uruguay research, partners corrected", "--yes",
             "--who", EDITOR)
        versions = len(_cli(env, "history").splitlines())
        if versions < 2:
            raise BenchError(f"the temporary store has {versions} version(s); What changed needs two")
        yield TempStore(root, env, EDITOR, password, versions)


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    cmd = [sys.executable, "-m", _cli_package() or "ibcr_updates", "--store", env["IBCR_DATA_DIR"], *args]
    done = subprocess.run(cmd, cwd=harness.APP, env={**os.environ, **env}, input=stdin or "", capture_output=True,
                          text=True, timeout=300, check=False)
    if done.returncode:
        raise BenchError(f"`{' '.join(cmd[1:4])} {' '.join(args)}` failed:\n{done.stdout[-1000:]}{done.stderr[-1500:]}")
    return done.stdout


def _edit(book: Path) -> None:
    """One engagement added in a country with none (Uruguay), and the partners of another corrected."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb["engagements"]
    header = [c.value for c in ws[1]]
    filled = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
    row = {h: ws.cell(filled[-1], i + 1).value for i, h in enumerate(header)}  # a copy of a real record, changed
    row |= {"engagement_id": NEW_ENGAGEMENT, "country_iso3": "URY", "kind_code": "research", "programme_id": None,
            "start_year": 2025, "start_date": None, "end_year": None, "end_date": None, "date_precision_code": "year",
            "status_code": "ongoing", "status_as_of": "2026-11", "place_name": None, "subdivision_code": None,
            "conflict_id": None}
    for i, h in enumerate(header):
        ws.cell(filled[-1] + 1, i + 1).value = row.get(h)
    ws.cell(filled[0], header.index("partners") + 1).value = "Ministry of Justice"
    wb.save(book)
