"""What a server keeps for the next one (ibcr_data.kept): the validated dataset and the projected outlines."""

from __future__ import annotations

import logging
import os
import pickle

import pandas as pd
import pytest

import ibcr_data
from ibcr_data import kept, snapshot
from ibcr_data.audience import view_for
from ibcr_present import mapsvg
from tests.support import set_cell


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("IBCR_CACHE_DIR", str(tmp_path / "kept"))
    return tmp_path / "kept"


def _no_validation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the data were loaded and validated again")

    monkeypatch.setattr(snapshot, "load_dataset", refuse)


def test_a_server_started_again_reads_the_dataset_the_last_one_validated(folder, data_copy, monkeypatch):
    first = snapshot.load(data_copy)
    assert [p.name.split("-")[0] for p in folder.iterdir()] == ["dataset"]
    _no_validation(monkeypatch)
    again = snapshot.load(data_copy)
    for table in ibcr_data.Dataset.TABLES:
        pd.testing.assert_frame_equal(getattr(again, table), getattr(first, table))
    assert again.data_dir == first.data_dir and again.version is None
    assert again.policy.min_public_count == first.policy.min_public_count and again.descriptor == first.descriptor
    public = again.derived["public_view"]  # kept with it: the next server does not derive it again
    assert public.audience == "public" and len(public.engagements) == len(view_for(first, "public").engagements)


def test_the_same_bytes_with_a_new_date_are_the_same_dataset(folder, data_copy, monkeypatch):
    snapshot.load(data_copy)
    path = data_copy / "engagements.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    _no_validation(monkeypatch)
    assert len(snapshot.load(data_copy).engagements) > 0


def test_a_changed_file_is_validated_again_and_a_broken_one_is_never_kept(folder, data_copy):
    snapshot.load(data_copy)
    set_cell(data_copy, "engagements.csv", 0, "country_iso3", "Narnia")
    with pytest.raises(ibcr_data.ValidationError) as raised:
        snapshot.load(data_copy)
    assert any("Narnia" in str(p) for p in raised.value.problems)
    assert len(list(folder.iterdir())) == 1  # only the first, valid version


def test_another_version_of_the_same_files_is_another_dataset(folder, data_copy):
    assert snapshot.load(data_copy, "v1").version == "v1"
    assert snapshot.load(data_copy, "v2").version == "v2"


def test_a_damaged_kept_file_is_replaced_by_the_data_loaded_again(folder, data_copy, caplog):
    snapshot.load(data_copy)
    (path,) = folder.iterdir()
    path.write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING):
        ds = snapshot.load(data_copy)
    assert len(ds.engagements) > 0 and "could not be read back" in caplog.text
    assert isinstance(pickle.loads(path.read_bytes()), ibcr_data.Dataset)


def test_keeping_can_be_turned_off_and_a_folder_that_cannot_be_written_costs_only_the_saving(tmp_path, data_copy,
                                                                                          monkeypatch, caplog):
    monkeypatch.setenv("IBCR_CACHE_DIR", "off")
    assert kept.cache_dir() is None and len(snapshot.load(data_copy).engagements) > 0
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("IBCR_CACHE_DIR", str(blocked / "kept"))  # under a file: cannot be created
    with caplog.at_level(logging.WARNING):
        assert len(snapshot.load(data_copy).engagements) > 0
    assert "could not keep" in caplog.text


def test_only_the_most_recently_used_are_kept(folder):
    folder.mkdir()
    for i in range(kept.KEEP + 3):
        (folder / f"thing-n{i}").write_bytes(b"x")
        os.utime(folder / f"thing-n{i}", ns=(i * 10**9, i * 10**9))  # used in this order, long ago
    assert kept.read("thing", "n0") == b"x"  # used again: the most recent now
    kept.keep("thing", "last", b"y")
    names = {p.name for p in folder.iterdir()}
    assert len(names) == kept.KEEP and {"thing-n0", "thing-last"} <= names and "thing-n1" not in names


def test_the_world_outlines_are_projected_once_for_every_later_server(folder, monkeypatch):
    points = (("BFA", -1.5, 12.3), ("SEN", -14.5, 14.5))
    first = mapsvg.geometry(points)
    mapsvg.geometry.cache_clear()  # a new process

    def no_child(*args, **kwargs):
        raise AssertionError("projected again")

    monkeypatch.setattr(mapsvg.subprocess, "run", no_child)
    assert mapsvg.geometry(points) == first
    mapsvg.geometry.cache_clear()


def test_the_server_validates_new_data_in_a_child_process_and_reads_what_it_kept(folder, data_copy, monkeypatch):
    monkeypatch.setattr(snapshot, "APART", True)
    children = []
    real_run = snapshot.subprocess.run
    monkeypatch.setattr(snapshot.subprocess, "run", lambda *a, **k: children.append(a[0]) or real_run(*a, **k))
    _no_validation(monkeypatch)  # not in this process
    assert len(snapshot.load(data_copy).engagements) > 0 and len(children) == 1
    assert len(snapshot.load(data_copy).engagements) > 0 and len(children) == 1  # kept: no second child


def test_problems_found_by_the_child_are_found_again_to_be_shown(folder, data_copy, monkeypatch):
    monkeypatch.setattr(snapshot, "APART", True)
    set_cell(data_copy, "engagements.csv", 0, "country_iso3", "Narnia")
    with pytest.raises(ibcr_data.ValidationError) as raised:
        snapshot.load(data_copy)
    assert any("Narnia" in str(p) for p in raised.value.problems) and not folder.exists()


def test_the_kept_values_of_a_kind_stay_within_their_bytes_and_the_newest_is_kept_whatever_its_size(folder, monkeypatch):
    monkeypatch.setattr(kept, "KEEP_BYTES", 10)
    kept.keep("thing", "small", b"12345")
    os.utime(folder / "thing-small", ns=(10**9, 10**9))
    kept.keep("thing", "big", b"x" * 50)
    assert [p.name for p in folder.iterdir()] == ["thing-big"]
