"""Shared fixtures: the real dataset, and throw-away copies of it to break on purpose."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

import ibcr_data

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def ds() -> ibcr_data.Dataset:
    return ibcr_data.load_dataset(DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ that a test may corrupt."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


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
