"""Read a workbook's cells in a child process, under limits: what it costs cannot take the server down.

Run as a script by ibcr_updates.cells (`python -I cells_child.py LIMITS`, the workbook on stdin, the
cells as JSON on stdout). It imports nothing of the project: the child starts quickly and holds only
the readers. Before reading it caps its own address space and CPU time (`resource.setrlimit`), so a
workbook that makes the reader allocate without bound (python-calamine lays a sheet out as a dense
rectangle from A1 to its farthest cell, and aborts the process when an allocation fails) ends this
process only; the parent turns each way it ends into a message.

NOTE: the readers are python-calamine (the cells) and openpyxl (only when a sheet holds a formula:
calamine gives no formulas). No library runs a reader under limits in another process, hence this
file; `multiprocessing` would fork the server (threads, sockets, caches) or start a full copy of it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import resource
import sys
import zipfile

FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a formula element in a sheet's XML
OUT_OF_MEMORY = 3  # exit status when Python itself runs out of the memory allowed

# Cell values that JSON has no type for travel as {"t": kind, "v": text}.
_TYPES = {"datetime": dt.datetime, "date": dt.date, "time": dt.time}


def encode(value):
    for kind, cls in _TYPES.items():
        if type(value) is cls:
            return {"t": kind, "v": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"t": "timedelta", "v": value.total_seconds()}
    raise TypeError(f"a cell value of type {type(value).__name__}")


def decode(obj: dict):
    kind = obj.get("t")
    if kind == "timedelta":
        return dt.timedelta(seconds=obj["v"])
    if kind in _TYPES:
        return _TYPES[kind].fromisoformat(obj["v"])
    return obj


def read(data: bytes, skip: set[str], formula_cap: int) -> dict:
    """Every sheet (name, hidden, rows unless its name is in `skip`, merged ranges) and its formula cells."""
    import python_calamine

    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta = wb.sheets_metadata
    except Exception as exc:  # noqa: BLE001 (calamine raises several kinds for a damaged file)
        return {"error": type(exc).__name__}
    sheets = []
    for index, m in enumerate(meta):
        sheet = {"name": m.name, "hidden": str(m.visible).rsplit(".", 1)[-1].lower() != "visible",
                 "rows": [], "merged": []}
        if m.name not in skip:
            try:
                ws = wb.get_sheet_by_index(index)
                rows = ws.to_python(skip_empty_area=False)
                sheet["merged"] = [[r0, c0, r1, c1] for (r0, c0), (r1, c1) in ws.merged_cell_ranges or ()]
            except Exception:  # noqa: BLE001 (a chart sheet or a damaged one has no cells)
                rows = []
            while rows and all(v in ("", None) for v in rows[-1]):
                rows.pop()
            sheet["rows"] = rows
        sheets.append(sheet)
    return {"sheets": sheets, **formulas(data, [s["name"] for s in sheets if s["name"] not in skip], formula_cap)}


def formulas(data: bytes, names: list[str], cap: int) -> dict:
    """Formula cells per sheet: the first `cap` as [row, column index, coordinate, text], and how many."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # sizes and paths were checked by the parent
        parts = [i for i in zf.infolist() if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        if not any(FORMULA_TAG.search(zf.read(i)) for i in parts):
            return {}
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001
        return {"formula_error": type(exc).__name__}
    found: dict[str, dict] = {}
    try:
        for name in names:
            if name not in wb.sheetnames:
                continue
            cells, n = [], 0
            for row in wb[name].iter_rows():
                for c in row:
                    if getattr(c, "data_type", None) == "f":
                        n += 1
                        if n <= cap:
                            cells.append([c.row, c.column - 1, c.coordinate, str(c.value)[:80]])
            if n:
                found[name] = {"count": n, "cells": cells}
    except Exception as exc:  # noqa: BLE001
        return {"formula_error": type(exc).__name__}
    finally:
        wb.close()
    return {"formulas": found}


def limit(memory_bytes: int, cpu_seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file behind


def main() -> int:
    request = json.loads(sys.argv[1])
    limit(request["memory_bytes"], request["cpu_seconds"])
    data = sys.stdin.buffer.read()
    try:
        result = read(data, set(request["skip"]), request["formula_cap"])
        sys.stdout.buffer.write(json.dumps(result, default=encode).encode("ascii"))
    except MemoryError:
        return OUT_OF_MEMORY
    return 0


if __name__ == "__main__":
    sys.exit(main())
