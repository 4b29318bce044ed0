"""What each simulated visitor does: the realistic profile (a click every few seconds, the pages
people use most) and the saturating one (every page in turn, no pause).

Every choice comes from the visitor's own seeded random generator, so a run can be repeated.
Filters and page choices travel in the link, as the dashboard's own links carry them
(ibcr_ui.link.to_params); the values are the filters' own choices (ibcr_data.filters.choices), so
the profile follows the data and every link is one the dashboard accepts whole.
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from measures import Results
from wsclient import Page, Session, SessionError

import ibcr_data
import ibcr_data.filters
from ibcr_ui.registry import PAGES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("en-CA", "fr-CA", "en-US", "fr-FR")
LANGS = ("en", "fr", "es")

# How often a visitor opens each page (registry keys). Overview and Map are where most visits go;
# the editor page is for the organisation's editors, not for visitors.
PAGE_WEIGHTS = {"overview": 26, "map": 24, "country": 16, "timeline": 10, "programmes": 8, "data": 7,
                "sources": 4, "changes": 5, "results": 5}
NAVIGATE_SHARE = 0.5  # of a visitor's clicks; the others change a filter or a choice on the page
LANDING_ON_OVERVIEW = 0.7  # the others arrive by a shared link to another page
MAP_MODES = ("kind", "status", "count")


@dataclass(frozen=True)
class Catalogue:
    """The values a reader can pick: the filters' choices, and the countries with engagements."""

    countries: tuple[str, ...]
    regions: tuple[str, ...]
    kinds: tuple[str, ...]
    statuses: tuple[str, ...]
    programmes: tuple[str, ...]
    year_min: int
    year_max: int


@functools.cache
def catalogue(data: Path = ROOT / "data") -> Catalogue:
    ds = ibcr_data.load_dataset(data)
    ch = ibcr_data.filters.choices(ds)
    return Catalogue(countries=tuple(sorted(set(ds.engagements["country_iso3"].dropna()))), regions=ch.regions,
                     kinds=ch.kinds, statuses=ch.statuses, programmes=ch.programmes,
                     year_min=ch.year_min, year_max=ch.year_max)


def pages_by_key(pages: list[Page]) -> dict[str, Page]:
    """The app's pages (from its navigation message) under their registry keys."""
    by_path = {("" if p.is_default else p.name): p for p in pages}
    return {r.key: by_path[r.url_path.strip("/")] for r in PAGES if r.url_path.strip("/") in by_path}


class Visitor:
    """One visitor: one Session at a time, reconnecting after a failure as a browser would."""

    def __init__(self, vid: int, port: int, results: Results, rng: random.Random, pages: list[Page],
                 cat: Catalogue, timeouts: tuple[float, float], alive: Callable[[], bool]) -> None:
        self.vid = vid
        self.results = results
        self.rng = rng
        self.cat = cat
        self.alive = alive
        self.session = Session(vid, port, results, rng.choice(LOCALES), *timeouts)
        self.session.pages = list(pages)
        self.by_key = pages_by_key(pages)
        self.key_of = {p.script_hash: k for k, p in self.by_key.items()}
        self.filters: dict[str, str] = {}
        self.options: dict[str, str] = {}  # the current page's own choices (profile, mode, group)
        self.lang = rng.choice(LANGS[:2])

    # -- the link ------------------------------------------------------------------------------
    def _query(self) -> str:
        return urlencode({**self.filters, **self.options, "lang": self.lang}, safe=",")

    async def _act(self, kind: str, page: Page | None) -> None:
        latency = await self.session.rerun(page, self._query())
        self.results.record(kind, self.key_of.get(page.script_hash, page.name) if page else "overview", latency)

    def _years(self) -> str:
        a = self.rng.randint(self.cat.year_min, self.cat.year_max)
        return f"{a}-{self.rng.randint(a, self.cat.year_max)}"

    def _shared_link_filters(self) -> dict[str, str]:
        """Filters a shared link may carry: a region, years, sometimes a kind."""
        f: dict[str, str] = {}
        if self.rng.random() < 0.6:
            f["region"] = self.rng.choice(self.cat.regions)
        if self.rng.random() < 0.5:
            f["years"] = self._years()
        if self.rng.random() < 0.3:
            f["kind"] = self.rng.choice(self.cat.kinds)
        return f

    def _page_options(self, key: str) -> dict[str, str]:
        """A page's own choice when arriving on it: a profile opens on a country (most often)."""
        if key == "country" and self.rng.random() < 0.8:
            return {"profile": self.rng.choice(self.cat.countries)}
        return {}

    def _one_change(self, key: str) -> None:
        """One click on the current page: a filter, the language, or a choice the page offers."""
        rng = self.rng
        if key == "country" and rng.random() < 0.5:
            self.options = {"profile": rng.choice(self.cat.countries)}
            return
        if key == "map" and rng.random() < 0.25:
            self.options = {"mode": rng.choice([m for m in MAP_MODES if m != self.options.get("mode", "kind")])}
            return
        if key == "timeline" and rng.random() < 0.25:
            self.options = {} if self.options.get("group") else {"group": "country"}
            return
        if rng.random() < 0.1:
            self.lang = rng.choice([lang for lang in LANGS if lang != self.lang])
            return
        field = rng.choices(("region", "years", "kind", "status", "programme"), weights=(4, 3, 2, 1, 1))[0]
        values = {"region": self.cat.regions, "kind": self.cat.kinds, "status": self.cat.statuses,
                  "programme": self.cat.programmes}.get(field)
        if field in self.filters and rng.random() < 0.35:
            del self.filters[field]  # clearing a filter is a click too
        elif field == "years":
            self.filters["years"] = self._years()
        elif field == "region" and field in self.filters and rng.random() < 0.5:
            extra = rng.choice(values)
            self.filters["region"] = ",".join(sorted({*self.filters["region"].split(","), extra}))
        else:
            self.filters[field] = rng.choice(values)

    # -- the realistic profile -------------------------------------------------------------------
    async def _arrive(self) -> str:
        """Open the app (the Overview, or a shared link to another page); return the page's key."""
        await self.session.connect()
        if self.rng.random() < LANDING_ON_OVERVIEW:
            key, self.filters = "overview", {}
        else:
            key = self.rng.choices(list(PAGE_WEIGHTS), weights=list(PAGE_WEIGHTS.values()))[0]
            self.filters = self._shared_link_filters()
        self.options = self._page_options(key)
        await self._act("open", None if key == "overview" else self.by_key[key])
        return key

    async def realistic(self, deadline: float, think: tuple[float, float], navigate: float = NAVIGATE_SHARE) -> None:
        key = await self._arrive()
        while True:
            pause = self.rng.uniform(*think)
            if time.monotonic() + pause >= deadline:
                return
            await asyncio.sleep(pause)
            if self.rng.random() < navigate:
                others = [k for k in PAGE_WEIGHTS if k != key and k in self.by_key]
                key = self.rng.choices(others, weights=[PAGE_WEIGHTS[k] for k in others])[0]
                self.options = self._page_options(key)
                await self._act("navigate", self.by_key[key])
            else:
                self._one_change(key)
                await self._act("filter", self.by_key[key])

    # -- the saturating profile (the first load test's: every page in turn, no pause) --------------
    def _random_filters(self) -> dict[str, str]:
        rng = self.rng
        while True:
            f: dict[str, str] = {}
            if rng.random() < 0.7:
                f["years"] = rng.choice([self._years(), "2012-2020"])
            if rng.random() < 0.7:
                f["region"] = ",".join(sorted(rng.sample(self.cat.regions, rng.choice((1, 1, 2)))))
            if rng.random() < 0.5:
                f["kind"] = rng.choice(self.cat.kinds)
            if rng.random() < 0.5:
                f["status"] = rng.choice(self.cat.statuses)
            if f != self.filters:
                return f

    async def saturate(self, deadline: float, changes: int) -> None:
        await self.session.connect()
        self.filters = self._random_filters()
        await self._act("open", None)
        pages = self.session.pages  # every page the app lists, in its order
        start = self.rng.randrange(len(pages))
        for i in range(10**9):
            page = pages[(start + i) % len(pages)]
            key = self.key_of.get(page.script_hash, "")
            self.options = self._page_options(key)
            if time.monotonic() >= deadline:
                return
            await self._act("navigate", page)
            for _ in range(changes):
                if time.monotonic() >= deadline:
                    return
                self.filters = self._random_filters()
                self.lang = self.rng.choice(LANGS)
                await self._act("filter", page)

    # -- either, until the deadline ----------------------------------------------------------------
    async def run(self, deadline: float, behaviour: Callable[[float], object], arrival_s: float = 0.0) -> None:
        """Arrive after `arrival_s`, then behave until the deadline; on a failure, count it and come back."""
        await asyncio.sleep(arrival_s)
        while time.monotonic() < deadline:
            try:
                await behaviour(deadline)
                break
            except SessionError as exc:
                kind = "server_exited" if not self.alive() else exc.kind
                self.results.error(kind, self.vid, *self.session.current, detail=exc.detail)
                self.results.sessions_lost.add(self.vid)
                await self.session.close()
                if not self.alive():
                    return
                await asyncio.sleep(1.0)  # like the browser's reconnect back-off
        await self.session.close()
