"""Leak tests: every output made in the public view holds no canary of the safeguarding fixture, and the same
output in the board view holds them (so the test can fail). Pages (AppTest), exports, packs, What changed."""

from __future__ import annotations

import base64
import io
import json
import shutil
import time
import zipfile

import openpyxl
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.testing.v1 import AppTest

import ibcr_data
from ibcr_data.audience import view_for
from ibcr_ui import downloads
from ibcr_ui.registry import PAGES, ROOT, page
from ibcr_ui.session import SESSION_KEY
from ibcr_updates import Store
from tests.support import (
    CANARIES,
    DATA,
    SENSITIVE_DATES,
    board_session,
    guarded_pages,
    page_context,
    read_rows,
    write_rows,
)

pypdf = pytest.importorskip("pypdf")

VISITS = [(p.key, {}) for p in PAGES] + [("country", {"profile": "BFA"}), ("country", {"profile": "AFG"}),
                                         ("programmes", {"metric": "children_consulted"}),
                                         ("data", {"tab": "full"})]
BOARD_ONLY_IN_PAGES = ("CANARY-BOARD-ENGAGEMENT", "CANARY-BOARD-PROGRAMME", "CANARY-BOARD-SOURCE", "CANARY-PARTNER",
                       "CANARY-PLACE")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    with guarded_pages(tmp_path_factory.mktemp("leaks")) as data:
        yield data


def _dump(node) -> list[str]:
    """Every element's message, options and HTML included (what the browser would receive)."""
    out = [str(node.proto)] if getattr(node, "proto", None) is not None else []
    for child in getattr(node, "children", {}).values():
        out += _dump(child)
    return out


def visit(page_key: str, params: dict, board: bool) -> str:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page_key != "overview":
        at.switch_page(page(page_key).script)
    for k, v in params.items():
        at.query_params[k] = v
    if board:  # what the sign-in form leaves in the session: nothing a visitor can set
        at.session_state[SESSION_KEY] = board_session()
    at.run()
    assert not at.exception, at.exception
    return "\n".join(_dump(at._tree))


def leaks(text: str) -> list[str]:
    return [c for c in (*CANARIES, *SENSITIVE_DATES) if c in text]


@pytest.mark.parametrize(("page_key", "params"), VISITS, ids=[f"{k}{'-' + '-'.join(p.values()) if p else ''}"
                                                                 for k, p in VISITS])
def test_no_public_page_shows_a_canary(guarded, page_key, params):
    assert leaks(visit(page_key, params, board=False)) == []


def test_the_board_view_shows_what_the_public_view_withholds(guarded):
    seen = "\n".join(visit(k, p, board=True) for k, p in VISITS)
    assert [c for c in BOARD_ONLY_IN_PAGES if c not in seen] == []
    assert seen.count("Board view — not for circulation") >= len(VISITS)


def test_a_session_whose_account_is_gone_sees_the_public_view(guarded, tmp_path, monkeypatch):
    monkeypatch.setenv("IBCR_EDITORS_FILE", str(tmp_path / "none.json"))  # the account was removed
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page(page("country").script)
    at.query_params["profile"] = "BFA"
    at.session_state[SESSION_KEY] = {"name": "ana", "until": time.time() + 600, "key": "a-key-that-was"}
    at.run()
    assert leaks("\n".join(_dump(at._tree))) == []


def test_a_link_never_grants_the_board_view(guarded):
    params = {"audience": "board", "role": "editor", "view": "board", "profile": "BFA"}
    text = visit("country", params, board=False)
    assert leaks(text) == [] and "not for circulation" not in text


@pytest.mark.parametrize("mode", ["kind", "status", "count"])
def test_a_public_map_holds_no_country_of_board_only_work(guarded, tmp_path, monkeypatch, mode):
    """Iceland's only work is kept for the board: its outline is land, never a link, on the public map."""
    data = tmp_path / "data"
    shutil.copytree(guarded, data)
    header, rows = read_rows(data / "engagements.csv")
    canary = dict.fromkeys(header, "") | {
        "engagement_id": "isl-canary-board", "country_iso3": "ISL", "kind_code": "research", "start_year": "2025",
        "date_precision_code": "year", "status_code": "ongoing", "status_as_of": "2026-11",
        "description_en": "CANARY-BOARD-ENGAGEMENT Iceland", "description_fr": "CANARY-BOARD-ENGAGEMENT Islande",
        "description_es": "CANARY-BOARD-ENGAGEMENT Islandia", "source_id": "canary-board-report",
        "evidence": "Internal.", "confidence_code": "exact", "audience_code": "board"}
    write_rows(data / "engagements.csv", header, [*rows, [canary[h] for h in header]])
    monkeypatch.setenv("IBCR_DATA_DIR", str(data))
    public, board = (visit("map", {"mode": mode}, board=b) for b in (False, True))
    assert "profile=BFA" in public and "profile=ISL" not in public and leaks(public) == []
    assert "profile=ISL" in board  # the same map in the board view shows it: the test can fail


def _export_text(ctx) -> str:
    tables = downloads.full_tables(ctx)
    parts = [downloads.export.csv_bytes(df).decode("utf-8-sig") for df in tables.values()]
    book = openpyxl.load_workbook(io.BytesIO(downloads.export.workbook_bytes(tables)), read_only=True)
    parts += [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    zipped = downloads.export.zip_of_csvs(downloads.filtered_tables(ctx))
    with zipfile.ZipFile(io.BytesIO(zipped)) as zf:
        parts += [zf.read(n).decode("utf-8-sig") for n in zf.namelist()]
    return "\n".join(parts)


def test_exports_hold_no_canary_in_the_public_view(guarded):
    ds = ibcr_data.load_dataset(guarded)
    assert leaks(_export_text(page_context(ds, "en", audience="public"))) == []
    board = _export_text(page_context(ds, "en", audience="board"))
    assert "CANARY-BOARD-ENGAGEMENT" in board and "CANARY-PARTNER" in board
    public = page_context(ds, "en", audience="public")
    metrics = downloads.full_tables(public)["metrics"].set_index("metric_id")
    assert metrics.at["m-canary-bfa-small", "value"] == "withheld (safeguarding)"  # never blank, never 0


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_each_kind_of_pack_holds_no_canary_in_the_public_view(guarded):
    import ibcr_report

    ds = ibcr_data.load_dataset(guarded)
    public = view_for(ds, "public")
    for kind, key in (("organisation", None), ("country", "AFG"), ("programme", "pride"),
                      ("funder", "Global Affairs Canada")):
        text = _pdf_text(ibcr_report.build(public, kind, key))
        assert leaks(text) == [], (kind, leaks(text))
        assert "not for circulation" not in text
    board = _pdf_text(ibcr_report.build(ds, "country", "BFA"))
    assert "CANARY-BOARD-METRIC" in board and "CANARY-BOARD-SOURCE" in board and "Board — not for circulation" in board


def test_what_changed_holds_no_canary_in_the_public_view(guarded, tmp_path, monkeypatch):
    store = Store.open(tmp_path / "store", create=True, seed=DATA)
    store.accept(guarded, base="v1", who="ana", note="monitoring data added")
    monkeypatch.setenv("IBCR_DATA_DIR", str(store.root))
    public = visit("changes", {"since": "v1"}, board=False)
    board = visit("changes", {"since": "v1"}, board=True)
    assert leaks(public) == []
    assert "bfa-canary-monitoring" in board or "CANARY" in board  # the board sees the new board-only record
    import ibcr_report

    pack = _pdf_text(ibcr_report.build(view_for(store.load("current"), "public"), "country", "BFA", since="v1",
                                       store=store))
    assert leaks(pack) == [] and "Changes since v1" in pack


def test_open_data_files_and_chart_pictures_hold_no_canary(guarded):
    from ibcr_opendata import files
    from ibcr_opendata.release import release
    from ibcr_ui import images, views

    ds = ibcr_data.load_dataset(guarded)
    rel = release(ds)  # handed every record: open data are made from the public view all the same
    for kind in files.KINDS:
        data = files.make(rel, kind)
        if kind == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                text = "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist())
        else:
            text = data.decode("utf-8", "replace")
        assert leaks(text) == [], kind
    ctx = page_context(ds, "en", audience="public")
    fig = views.map_figure(ctx.key, ctx.filters, "kind", "en", views.MAP_PAGE_HEIGHT)
    assert leaks(images.picture_bytes(ctx, fig, "Map", "svg").decode("utf-8")) == []
    with pytest.raises(PermissionError):
        images.picture_bytes(page_context(ds, "en", audience="board"), fig, "Map", "svg")


def test_what_a_first_visit_keeps_for_the_next_holds_no_canary(guarded, tmp_path, monkeypatch):
    monkeypatch.setenv("IBCR_CACHE_DIR", str(tmp_path))
    visit("overview", {}, board=True)
    assert not list(tmp_path.glob("prepaint-*"))  # a board session keeps nothing for others
    visit("overview", {}, board=False)
    (kept,) = tmp_path.glob("prepaint-overview-en-*")
    messages = json.loads(kept.read_text().split("\n", 1)[1])
    text = "\n".join(str(ForwardMsg.FromString(base64.b64decode(m))) for m in messages)
    assert "ibcr-card-value" in text and leaks(text) == []
