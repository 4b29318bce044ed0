"""The benchmark's larger dataset (benchmarks/generate.py) stays valid as the data's rules grow, so that the
1,000x figures of `make bench` are measured at all (a small factor here: the same rules)."""

from __future__ import annotations

import importlib.util

import ibcr_data
from ibcr_data.audience import view_for
from tests.support import ROOT


def _generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_data_load_and_hold_both_views(tmp_path):
    counts = _generator().generate(tmp_path / "gen", factor=3)
    ds = ibcr_data.load_dataset(tmp_path / "gen")  # raises on any validation problem
    assert len(ds.engagements) == counts["engagements"] and len(ds.programmes) == counts["programmes"]
    public = view_for(ds, "public")
    assert 0 < len(ds.engagements) - len(public.engagements) < len(ds.engagements) * 0.2  # a few board records
