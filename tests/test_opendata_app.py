"""Open data in the dashboard (AppTest): the Sources page's downloads, chart pictures in public sessions only, and an
embedded page that is always the public view, signed in or not. The pictures' words are checked without drawing."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

import ibcr_data
from ibcr_opendata.images import framed
from ibcr_present import i18n
from ibcr_ui import images, session
from ibcr_ui.registry import ROOT, page
from ibcr_ui.session import SESSION_KEY
from tests.support import CANARIES, DATA, board_session, guarded_pages, page_context

PICTURE_LABELS = {i18n.translate("en", "image.download_svg"), i18n.translate("en", "image.download_png")}


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    with guarded_pages(tmp_path_factory.mktemp("opendata-app")) as data:
        yield data


def visit(page_key: str, board: bool = False, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if page_key != "overview":
        at.switch_page(page(page_key).script)
    for k, v in params.items():
        at.query_params[k] = v
    if board:
        at.session_state[SESSION_KEY] = board_session()
    at.run()
    assert not at.exception, at.exception
    return at


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


def dump(at: AppTest) -> str:
    def walk(node) -> list[str]:
        out = [str(node.proto)] if getattr(node, "proto", None) is not None else []
        for child in getattr(node, "children", {}).values():
            out += walk(child)
        return out

    return "\n".join(walk(at._tree))


def test_the_sources_page_offers_the_three_files():
    at = visit("sources")
    wanted = [i18n.translate("en", f"opendata.download_{kind}") for kind in ("zip", "sqlite", "iati")]
    assert [label for label in labels(at) if label in wanted] == wanted
    assert i18n.translate("en", "opendata.cite_title") in dump(at)
    snippet = [c.value for c in at.code if "<iframe" in c.value]
    assert snippet and "embed=true" in snippet[0] and "/map?" in snippet[0]


@pytest.mark.parametrize("page_key", ["map", "timeline", "overview", "programmes"])
def test_charts_offer_svg_and_png_in_a_public_session_only(guarded, page_key):
    assert set(labels(visit(page_key))) >= PICTURE_LABELS
    assert not PICTURE_LABELS & set(labels(visit(page_key, board=True)))


def test_a_picture_is_never_made_from_the_board_view(guarded):
    ds = ibcr_data.load_dataset(guarded)
    with pytest.raises(PermissionError):
        images.picture_bytes(page_context(ds, audience="board"), go.Figure(), "Map", "svg")


def test_a_picture_carries_its_title_the_view_in_words_the_source_and_the_date(guarded):
    ds = ibcr_data.load_dataset(guarded)
    ctx = page_context(ds, filters=ibcr_data.Filters(regions=frozenset({"west_africa"})))
    cap = images.caption(ctx, "Where IBCR works", today=dt.date(2026, 12, 4))
    assert cap.view == ctx.describe() and "West Africa" in cap.view
    made, reviewed = i18n.iso_date("en", "2026-12-04"), i18n.iso_date("en", ds.last_updated)
    assert reviewed in cap.source and "CC BY 4.0" in cap.source and made in cap.made
    fig = framed(go.Figure(go.Bar(x=[1], y=[2]), layout={"height": 400}), cap)
    heading = fig.layout.title.text + fig.layout.title.subtitle.text
    assert all(part in heading for part in ("Where IBCR works", "West Africa", "CC BY 4.0", made, reviewed))
    assert fig.layout.height > 400 and fig.layout.margin.t > 0  # the chart keeps its own height below the words


def test_an_embedded_page_is_the_public_view_even_in_a_signed_in_session(guarded, monkeypatch):
    signed_in = dump(visit("country", board=True, profile="BFA"))
    assert "CANARY-BOARD-ENGAGEMENT" in signed_in  # the same session, not embedded, sees the board's records
    monkeypatch.setattr(session, "embedded", lambda: True)
    at = visit("country", board=True, profile="BFA")
    text = dump(at)
    assert [c for c in CANARIES if c in text] == [] and "not for circulation" not in text
    assert not at.sidebar.get("page_link") and not at.sidebar.multiselect  # the content alone
    footer = [c.value for c in at.caption if "](country?" in c.value]  # a link to the full page, its view kept
    assert footer and "profile=BFA" in footer[0] and "embed" not in footer[0]


def test_the_sources_page_offers_each_earlier_version(guarded, tmp_path, monkeypatch):
    from ibcr_updates import Store

    store = Store.open(tmp_path / "store", create=True, seed=DATA)
    store.accept(guarded, base="v1", who="ana", note="monitoring data added")
    monkeypatch.setenv("IBCR_DATA_DIR", str(store.root))
    at = visit("sources")
    (choice,) = [s for s in at.selectbox if s.key == "opendata_version"]
    assert [o.split()[0] for o in choice.options] == ["v2", "v1"]  # the current version first, then each older
    assert any("version v2" in m.value for m in at.markdown)  # the citation names the version shown
    choice.select_index(1).run()
    assert not at.exception
    assert any("version v1" in m.value for m in at.markdown)
