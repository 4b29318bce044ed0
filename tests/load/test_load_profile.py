"""The realistic profile: every visitor page is weighted, and every link a visitor makes is one the
dashboard accepts whole (no ignored value), so the load measures real views, not error notices."""

from __future__ import annotations

import random
from urllib.parse import parse_qs

import measures
import pytest
import visitors
from wsclient import Page

import ibcr_data.filters
from ibcr_ui import link
from ibcr_ui.registry import PAGES


def fake_pages() -> list[Page]:
    return [Page(f"hash-{p.key}", p.url_path.strip("/") or "dashboard", p.url_path == "/") for p in PAGES]


def visitor(seed: int) -> visitors.Visitor:
    return visitors.Visitor(0, 1, measures.Results(), random.Random(seed), fake_pages(), visitors.catalogue(),
                            (1.0, 1.0), lambda: True)


def test_every_page_but_the_editors_is_weighted_overview_and_map_most():
    assert set(visitors.PAGE_WEIGHTS) == {p.key for p in PAGES if not p.for_editors}
    top = sorted(visitors.PAGE_WEIGHTS, key=visitors.PAGE_WEIGHTS.get, reverse=True)[:2]
    assert set(top) == {"overview", "map"}
    assert set(visitors.pages_by_key(fake_pages())) == {p.key for p in PAGES}


def test_profiles_visit_varied_countries():
    cat = visitors.catalogue()
    assert len(cat.countries) >= 10 and cat.year_min < cat.year_max
    v = visitor(1)
    seen = {v._page_options("country").get("profile") for _ in range(200)} - {None}
    assert len(seen) >= 10


@pytest.mark.parametrize("seed", range(5))
def test_every_link_a_visitor_makes_is_accepted_whole(ds, seed):
    ch = ibcr_data.filters.choices(ds)
    v = visitor(seed)
    for _ in range(300):
        key = v.rng.choice(list(visitors.PAGE_WEIGHTS))
        v.options = v._page_options(key)
        v._one_change(key)
        query = v._query()
        _, ignored = link.parse(parse_qs(query), ch)
        assert not ignored, f"{key}?{query}: ignored {ignored}"


def test_the_same_seed_gives_the_same_clicks():
    def clicks(seed: int) -> list[str]:
        v = visitor(seed)
        out = []
        for key in ("map", "country", "timeline", "data") * 10:
            v._one_change(key)
            out.append(v._query())
        return out

    assert clicks(7) == clicks(7) != clicks(8)


def test_percentiles_are_nearest_rank():
    values = [float(i) for i in range(1, 101)]
    s = measures.stats(values)
    assert (s["p50_s"], s["p95_s"], s["p99_s"], s["max_s"]) == (50.0, 95.0, 99.0, 100.0)
    assert measures.percentile([], 95) is None
