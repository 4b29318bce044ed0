"""Helpers the tests share (fixtures live in conftest.py): the data's paths, CSV rows, a page's context."""

from __future__ import annotations

import csv
from pathlib import Path

import ibcr_data
from ibcr_data import Dataset, Filters
from ibcr_present.words import build_lookups
from ibcr_ui import link
from ibcr_ui.context import Context
from ibcr_updates import DataSource

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def set_cell(data_dir: Path, file: str, row: int, column: str, value: str) -> int:
    """Change one cell (row 0 = first record); return the file line of that record."""
    path = data_dir / file
    header, rows = read_rows(path)
    rows[row][header.index(column)] = value
    write_rows(path, header, rows)
    return row + 2


def page_context(ds: Dataset, lang: str = "en", filters: Filters | None = None, page: str = "map") -> Context:
    """The context of a page run on `ds` for one view, as shell.setup builds it."""
    filters = filters or Filters()
    state = link.ViewState(filters, link.Options(), lang)
    return Context(ds=ds, lang=lang, names=build_lookups(ds, lang), choices=ibcr_data.choices(ds), state=state,
                   view=ibcr_data.apply_filters(ds, filters), page=page,
                   source=DataSource(ds.data_dir, version=ds.version, fingerprint="test"))
