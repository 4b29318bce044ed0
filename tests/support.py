"""Helpers the tests share (fixtures live in conftest.py): the data's paths, CSV rows, a page's context."""

from __future__ import annotations

import contextlib
import csv
import shutil
from pathlib import Path

import pytest

import ibcr_data
from ibcr_data import Dataset, Filters
from ibcr_data.audience import view_for
from ibcr_present.words import build_lookups
from ibcr_ui import link
from ibcr_ui.context import Context, DataKey
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


def page_context(ds: Dataset, lang: str = "en", filters: Filters | None = None, page: str = "map",
                 audience: str = "public") -> Context:
    """The context of a page run on `ds` for one view and one audience, as shell.setup builds it."""
    filters = filters or Filters()
    ds = view_for(ds, audience)
    state = link.ViewState(filters, link.Options(), lang)
    return Context(ds=ds, lang=lang, names=build_lookups(ds, lang), choices=ibcr_data.choices(ds), state=state,
                   view=ibcr_data.apply_filters(ds, filters), page=page,
                   key=DataKey(DataSource(ds.data_dir, version=ds.version, fingerprint="test"), audience))


# A dataset for the safeguarding tests: board-only records, a small child count and a sensitive
# country, each carrying a canary string no public output may show.
BOARD_CANARIES = ("CANARY-BOARD-ENGAGEMENT", "CANARY-BOARD-PROGRAMME", "CANARY-BOARD-EVENT", "CANARY-BOARD-SOURCE",
                  "CANARY-BOARD-METRIC", "CANARY-BOARD-LINK")
SENSITIVE_CANARIES = ("CANARY-PARTNER", "CANARY-PLACE", "CANARY-EVIDENCE", "CANARY-SMALL-NOTE")
CANARIES = BOARD_CANARIES + SENSITIVE_CANARIES
SENSITIVE_DATES = ("2020-03-17", "March 17, 2020", "17 mars 2020", "17 de marzo de 2020")
SMALL_COUNT = 3  # children consulted in Burkina Faso, by a programme that also reports Senegal and a total


BOARD_MEMBER = "ana"


def write_board_account(path: Path) -> Path:
    """An accounts file with one board member (set IBCR_EDITORS_FILE to it), for `board_session`."""
    from ibcr_updates import Editors

    Editors.open(path).add(BOARD_MEMBER, "a board member's long password", role="board")
    return path


@contextlib.contextmanager
def guarded_pages(root: Path):
    """While open: the pages read a copy of the data with the safeguarding fixture (a plain folder), and a
    board member's account exists (see `board_session`). Yields the data folder."""
    data = root / "data"
    shutil.copytree(DATA, data)
    write_safeguarding_fixture(data)
    accounts = write_board_account(root / "editors.json")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IBCR_DATA_DIR", str(data))
        mp.setenv("IBCR_EDITORS_FILE", str(accounts))
        yield data


def board_session() -> dict:
    """What the sign-in form leaves in a board member's session (ibcr_ui.session): nothing a visitor can set."""
    import time

    from ibcr_updates import Editors

    return {"name": BOARD_MEMBER, "until": time.time() + 600, "key": Editors.open().key(BOARD_MEMBER)}


def _append(path: Path, rows: list[dict]) -> None:
    header, old = read_rows(path)
    write_rows(path, header, [*old, *([r.get(h, "") for h in header] for r in rows)])


def _edit(path: Path, key: str, value: str, **cells) -> None:
    header, rows = read_rows(path)
    for r in rows:
        if r[header.index(key)] == value:
            for k, v in cells.items():
                r[header.index(k)] = v
    write_rows(path, header, rows)


def write_safeguarding_fixture(data: Path) -> Path:
    """Turn a copy of data/ into the safeguarding fixture (it validates); return the folder."""
    three = {"en": "", "fr": "", "es": ""}

    def words(text: str, stem: str) -> dict:
        return {f"{stem}_{lang}": f"{text} ({lang})" for lang in three}

    _append(data / "sources.csv", [{"source_id": "canary-board-report", "title": "CANARY-BOARD-SOURCE monitoring report",
                                     "publisher": "IBCR", "source_type_code": "ibcr_web", "language_code": "en",
                                     "notes": "Internal monitoring: not confirmed publicly.", "audience_code": "board"}])
    _append(data / "programmes.csv", [{
        "programme_id": "canary-programme", **words("CANARY-BOARD-PROGRAMME", "name"), "kind_code": "research",
        "start_year": "2024", "date_precision_code": "year", "status_code": "ongoing", "status_as_of": "2026-11",
        **words("CANARY-BOARD-PROGRAMME work", "description"), "source_id": "canary-board-report",
        "evidence": "Internal.", "confidence_code": "exact", "audience_code": "board"}])
    _append(data / "engagements.csv", [{
        "engagement_id": "bfa-canary-monitoring", "country_iso3": "BFA", "kind_code": "research",
        "programme_id": "canary-programme", "start_year": "2024", "date_precision_code": "year",
        "status_code": "ongoing", "status_as_of": "2026-11", **words("CANARY-BOARD-ENGAGEMENT", "description"),
        "source_id": "canary-board-report", "evidence": "CANARY-BOARD-ENGAGEMENT evidence", "confidence_code": "exact",
        "audience_code": "board"}])
    _append(data / "events.csv", [{
        "event_id": "ev-2025-canary", "start_year": "2025", "date_precision_code": "year",
        **words("CANARY-BOARD-EVENT", "title"), **words("CANARY-BOARD-EVENT story", "description"),
        "category_code": "publication", "is_key_milestone": "false", "country_iso3": "BFA",
        "programme_id": "canary-programme", "source_id": "canary-board-report", "evidence": "Internal.",
        "confidence_code": "exact", "audience_code": "board"}])
    figure = {"metric_code": "children_consulted", "unit_code": "children", "qualifier_code": "exactly",
              "scope_code": "programme", "is_target": "false", "start_year": "2021", "end_year": "2022",
              "period_confidence_code": "exact", "programme_id": "pride", **words("2021-22", "period_label"),
              "source_id": "ibcr-ar-2021-22", "evidence": "Programme monitoring.", "confidence_code": "exact"}
    _append(data / "metrics.csv", [
        figure | {"metric_id": "m-canary-bfa-target", "value": "10", "country_iso3": "BFA", "is_target": "true",
                  **words("Children to consult in Burkina Faso (target)", "note")},
        figure | {"metric_id": "m-canary-bfa-small", "value": str(SMALL_COUNT), "country_iso3": "BFA",
                  "target_metric_id": "m-canary-bfa-target",
                  **words("CANARY-SMALL-NOTE children consulted in Burkina Faso", "note")},
        figure | {"metric_id": "m-canary-sen", "value": "40", "country_iso3": "SEN",
                  **words("Children consulted in Senegal", "note")},
        figure | {"metric_id": "m-canary-total", "value": str(40 + SMALL_COUNT),
                  **words("Children consulted in both countries", "note")},
        figure | {"metric_id": "m-canary-board", "value": "12", "country_iso3": "BFA", "programme_id": "canary-programme",
                  "metric_code": "people_consulted", "unit_code": "people", "source_id": "canary-board-report",
                  **words("CANARY-BOARD-METRIC", "note"), "audience_code": "board"},
    ])
    _append(data / "record_sources.csv", [{"record_table": "engagements", "record_id": "bfa-gac-capacity-2015",
                                            "source_id": "canary-board-report",
                                            "evidence": "CANARY-BOARD-LINK internal evaluation", "confidence_code": "exact"}])
    _edit(data / "engagements.csv", "engagement_id", "afg-activity-2020-21", partners="CANARY-PARTNER police academy",
          place_name="CANARY-PLACE", start_date="2020-03-17", date_precision_code="day",
          evidence="CANARY-EVIDENCE names the academy in CANARY-PLACE")
    _append(data / "policy_countries.csv", [{"country_iso3": "AFG", "hide_partners": "true", "hide_places": "true",
                                              "hide_exact_dates": "true", "reason_en": "Partners at risk since 2021."}])
    return data
