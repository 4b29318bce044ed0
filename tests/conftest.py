"""Shared fixtures: the real dataset, and throw-away copies of it to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ibcr_data
from tests.support import DATA


@pytest.fixture(scope="session")
def ds() -> ibcr_data.Dataset:
    return ibcr_data.load_dataset(DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ that a test may corrupt."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
