"""A workbook's cells, read in a child process under limits of memory and time (cells_child.py).

`read_cells` answers the sheets (name, hidden, rows, merged ranges) and their formula cells, or the
problems that stop the reading: the reader ran out of the memory allowed, took too long, or died.
Whatever the workbook makes the reader do, the server's process only waits for the child.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import dataclass, field

from ibcr_data.problems import Problem

from . import cells_child

MEMORY_BYTES = 2 * 2**30  # the child's address space: Python, the readers, and the sheets at their largest
CPU_SECONDS = 60
WALL_SECONDS = 90  # the child is killed after this, waiting included
RESAVE = "open it in Excel, save it again as .xlsx and upload the new file"


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = MEMORY_BYTES
    cpu_seconds: int = CPU_SECONDS
    wall_seconds: float = WALL_SECONDS


@dataclass
class Sheet:
    name: str
    hidden: bool
    rows: list[list] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row0, col0, row1, col1), 0-based


@dataclass
class Cells:
    """What the reader found: every sheet in the workbook's order, and the formula cells of each."""

    sheets: list[Sheet]
    formulas: dict[str, tuple[int, list[tuple[int, int, str, str]]]]  # sheet -> (count, first cells)


def read_cells(name: str, data: bytes, skip: set[str], formula_cap: int,
               limits: Limits = Limits()) -> Cells | list[Problem]:
    """Read the workbook `data` in a child process; the rows of sheets named in `skip` are not read."""
    request = {"memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds, "skip": sorted(skip),
               "formula_cap": formula_cap}
    try:
        run = subprocess.run([sys.executable, "-I", cells_child.__file__, json.dumps(request)], input=data,
                             capture_output=True, timeout=limits.wall_seconds, check=False)
    except subprocess.TimeoutExpired:
        return [_too_slow(name, limits.wall_seconds)]
    if run.returncode in (-signal.SIGXCPU, -signal.SIGKILL):  # the CPU limit
        return [_too_slow(name, limits.cpu_seconds)]
    if run.returncode != 0:  # out of memory: MemoryError in Python, an abort in the Rust reader
        memory = run.returncode in (-signal.SIGABRT, cells_child.OUT_OF_MEMORY) or b"memory" in run.stderr
        return [Problem(name, None, None, None,
                        f"the workbook needs more than {limits.memory_bytes // 2**20:,} MB to read" if memory
                        else f"the workbook reader stopped (status {run.returncode})",
                        "delete the rows below the tables and the columns to the right of them (or copy the "
                        "tables into a freshly downloaded editing workbook), save it and upload it again",
                        code="workbook_too_much_memory" if memory else "workbook_reader_failed")]
    try:
        result = json.loads(run.stdout, object_hook=cells_child.decode)
    except ValueError:
        return [Problem(name, None, None, None, "the workbook reader gave no answer", RESAVE,
                        code="workbook_reader_failed")]
    if "error" in result or "formula_error" in result:
        kind = result.get("error") or result.get("formula_error")
        return [Problem(name, None, None, None, f"the workbook cannot be read ({kind})", RESAVE,
                        code="workbook_unreadable")]
    sheets = [Sheet(s["name"], s["hidden"], s["rows"], [tuple(m) for m in s["merged"]]) for s in result["sheets"]]
    formulas = {k: (v["count"], [tuple(c) for c in v["cells"]]) for k, v in result.get("formulas", {}).items()}
    return Cells(sheets, formulas)


def _too_slow(name: str, seconds: float) -> Problem:
    return Problem(name, None, None, None, f"the workbook takes more than {seconds:g} seconds to read",
                   "upload only the editing workbook: delete other sheets, pictures and the rows below the "
                   "tables, save it and upload it again", code="workbook_too_slow")
