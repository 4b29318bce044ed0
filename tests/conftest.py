"""Shared fixtures: the real dataset, and throw-away copies of it to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ibcr_data
from tests.support import DATA


@pytest.fixture(scope="session", autouse=True)
def _kept_values_in_a_temporary_folder(tmp_path_factory):
    """What servers keep for the next one (ibcr_data.kept) goes to a folder of this run, never to var/cache/."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IBCR_CACHE_DIR", str(tmp_path_factory.mktemp("kept")))
        yield


@pytest.fixture(scope="session")
def ds() -> ibcr_data.Dataset:
    return ibcr_data.load_dataset(DATA)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ that a test may corrupt."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target
