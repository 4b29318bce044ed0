"""Rows per second when an upload's rows are written and read back (issue 24: the writing was quadratic).

    python benchmarks/upload_rows.py [ROWS ...]      default: 10000 40000 80000

For each size: `write_csv` alone (the CSV of the engagements sheet), then `read_upload` of a whole
editing workbook whose engagements sheet has that many rows (the container checks, the sheet scan,
the reader in its child process, the CSV files, the validation). Prints one line per size.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ibcr_data import load_dataset  # noqa: E402
from ibcr_data.csvread import read_raw  # noqa: E402
from ibcr_updates.files import write_csv  # noqa: E402
from ibcr_updates.upload import read_upload  # noqa: E402
from ibcr_updates.workbook import template  # noqa: E402


def engagement_rows(ds, n: int) -> list[list[str]]:
    """`n` records copied from the real ones in turn: the first copy keeps the real ids (the links to them
    hold), the others get ids of their own; long texts are cut to 12 characters, so that 80,000 rows
    fit in a workbook under the 10 MB upload cap."""
    res = ds.descriptor.resource("engagements")
    frame = read_raw(ds.data_dir, res)[0].frame  # the CSV's text, as the editing workbook holds it
    header = list(res.field_names)
    base = [[frame.at[i, h] for h in header] for i in frame.index]
    key = header.index("engagement_id")
    rows = []
    for i in range(n):
        row = [v if len(v) <= 12 else v[:12] for v in base[i % len(base)]]
        if i >= len(base):
            row[key] = f"bench-{i:07d}"
        rows.append(row)
    return [header, *rows]


def workbook_with(ds, rows: list[list[str]]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template(ds)))
    ws = wb["engagements"]
    ws.delete_rows(2, ws.max_row)
    for r in rows[1:]:
        ws.append([v or None for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main(sizes: list[int]) -> None:
    ds = load_dataset()
    for n in sizes:
        rows = engagement_rows(ds, n)
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            write_csv(Path(tmp) / "engagements.csv", rows)
            write_s = time.perf_counter() - t
        data = workbook_with(ds, rows)
        t = time.perf_counter()
        with read_upload("records.xlsx", data, ds) as intake:
            read_s = time.perf_counter() - t
            outcome = "valid" if intake.ok else f"{len(intake.problems)} problems"
        print(f"{n:>7} rows  write_csv {write_s:7.2f} s ({n / write_s:>9,.0f} rows/s)   "
              f"read_upload {read_s:7.2f} s ({n / read_s:>7,.0f} rows/s, {len(data) / 2**20:.1f} MB, {outcome})",
              flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 40_000, 80_000])
