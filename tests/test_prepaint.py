"""A first visit's Overview painted at once from what an earlier run drew (ibcr_ui/prepaint.py), then run for real."""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections import Counter

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils import script_run_context
from streamlit.testing.v1 import AppTest

from ibcr_present.i18n import translate
from ibcr_ui import prepaint, shell
from ibcr_ui.registry import ROOT
from ibcr_ui.session import SESSION_KEY
from tests.apptest import cards, run, svg_map
from tests.support import board_session, write_board_account


@pytest.fixture
def folder(tmp_path, monkeypatch, data_copy):
    monkeypatch.setenv("IBCR_CACHE_DIR", str(tmp_path / "kept"))
    monkeypatch.setenv("IBCR_DATA_DIR", str(data_copy))
    return tmp_path / "kept"


def kept_pages(folder, lang="en") -> list:
    return sorted(folder.glob(f"prepaint-overview-{lang}-*")) if folder.exists() else []


def kept_messages(folder, lang="en") -> list[ForwardMsg]:
    (path,) = kept_pages(folder, lang)
    header, body = path.read_text().split("\n", 1)
    assert json.loads(header)["inputs"]["folder"]
    return [ForwardMsg.FromString(base64.b64decode(m)) for m in json.loads(body)]


def painted_only(monkeypatch, **params) -> AppTest:
    """A first visit whose page run stops right after painting: what the reader sees before the page runs."""
    def stopped(page_key):
        raise RuntimeError("the page has not run yet")

    monkeypatch.setattr(shell, "setup", stopped)
    return run("overview", **params)


def test_a_first_visit_keeps_the_main_area_of_its_overview(folder):
    at = run("overview")
    shown = cards(at)
    assert shown["Countries engaged"] == "36"
    messages = kept_messages(folder)
    deltas = [m for m in messages if m.WhichOneof("type") == "delta"]
    assert messages[0].WhichOneof("type") == "page_config_changed"
    assert {m.metadata.delta_path[0] for m in deltas} == {0, 1, 2}  # the main area, the sidebar, the page's styles
    kinds = {m.delta.new_element.WhichOneof("type") for m in deltas if m.delta.WhichOneof("type") == "new_element"}
    assert kinds <= prepaint.SHOWN and "html" in kinds  # no widget: those only answer once the page draws them
    assert any('class="ibcr-card-value">36<' in m.delta.new_element.html.body for m in deltas)


def test_the_next_first_visit_is_painted_before_the_page_runs(folder, monkeypatch):
    shown = cards(run("overview"))
    at = painted_only(monkeypatch)
    assert at.exception and cards(at) == shown  # the cards, as the last run drew them
    assert len(svg_map(at)["countries"]) >= 30  # and the map
    assert any(e.proto.body.lstrip().startswith("<style") for e in at.get("html"))  # styled as they will be
    assert [m.value for m in at.sidebar.markdown][:1] == ["### " + translate("en", "app.name")]  # the sidebar's room
    assert not at.sidebar.multiselect  # its controls come with the page's run


def test_the_first_screen_is_painted_before_the_pages_imports_and_the_map_after_them(folder, monkeypatch):
    shown = cards(run("overview"))

    def importing(*args):
        raise RuntimeError("the page is still importing pandas")

    monkeypatch.setattr(prepaint, "paint_rest", importing)
    at = run("overview")
    assert at.exception and cards(at) == shown  # the cards at once
    assert not [m for m in at.markdown if m.value.startswith('<figure class="ibcr-map-figure">')]  # the map second
    assert [m.value for m in at.sidebar.markdown][:1] == ["### " + translate("en", "app.name")]  # the sidebar's room


def test_the_pages_own_run_sends_only_what_the_painted_page_lacks(folder, monkeypatch):
    first = run("overview")
    sent: list[ForwardMsg] = []
    enqueue = script_run_context.ScriptRunContext.enqueue

    def spy(ctx, msg):
        sent.append(msg)
        enqueue(ctx, msg)

    monkeypatch.setattr(script_run_context.ScriptRunContext, "enqueue", spy)
    at = run("overview")
    assert not at.exception and cards(at) == cards(first) and svg_map(at) == svg_map(first)
    assert [w.label for w in at.sidebar.multiselect] == [w.label for w in first.sidebar.multiselect]
    paths = Counter(tuple(m.metadata.delta_path) for m in sent if m.WhichOneof("type") == "delta")
    again = {m.delta.new_element.WhichOneof("type") for m in sent if m.WhichOneof("type") == "delta"
             and paths[tuple(m.metadata.delta_path)] > 1 and m.delta.new_element.WhichOneof("type") != "empty"}
    assert max(paths.values()) == 2 and again and not again & prepaint.SHOWN  # only the controls, in their slots
    sent.clear()
    at.run()  # the same session again: the page as Streamlit draws it, every element sent
    assert cards(at) == cards(first) and len(sent) >= len(paths)


def test_nothing_is_painted_once_a_data_file_changed(folder, data_copy, monkeypatch):
    run("overview")
    path = data_copy / "engagements.csv"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # a new version, say
    assert cards(painted_only(monkeypatch)) == {}


@pytest.mark.parametrize("params", [{"region": "west_africa"}, {"lang": "xx"}, {"lang": "fr", "status": "ongoing"}])
def test_a_link_with_a_view_of_its_own_is_neither_kept_nor_painted(folder, monkeypatch, params):
    run("overview", **params)
    assert not folder.exists() or not list(folder.glob("prepaint-*"))
    run("overview")
    assert cards(painted_only(monkeypatch, **params)) == {}


def test_each_language_is_kept_and_painted_on_its_own(folder, monkeypatch):
    french = cards(run("overview", lang="fr"))
    assert len(kept_pages(folder, "fr")) == 1 and kept_pages(folder, "en") == []
    assert cards(painted_only(monkeypatch, lang="fr")) == french
    assert cards(painted_only(monkeypatch)) == {}  # English was never drawn


def test_a_signed_in_session_is_neither_kept_nor_painted(folder, tmp_path, monkeypatch):
    monkeypatch.setenv("IBCR_EDITORS_FILE", str(write_board_account(tmp_path / "editors.json")))

    def board() -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.session_state[SESSION_KEY] = board_session()
        return at.run()

    assert "not for circulation" in board().warning[0].value and not list(folder.glob("prepaint-*"))
    run("overview")  # a visitor's first visit is kept
    monkeypatch.setattr(shell, "setup", lambda page_key: (_ for _ in ()).throw(RuntimeError("not run")))
    assert cards(board()) == {}  # never shown the public Overview, even for a moment


def test_a_damaged_kept_page_paints_nothing_and_the_page_runs_as_always(folder):
    shown = cards(run("overview"))
    (path,) = kept_pages(folder)
    path.write_text("{not json")
    at = run("overview")
    assert not at.exception and cards(at) == shown
    assert len(kept_messages(folder)) > 10  # kept again by that run


def test_each_data_source_keeps_its_own_page(folder, data_copy, tmp_path, monkeypatch):
    shown = cards(run("overview"))
    other = tmp_path / "other"
    shutil.copytree(data_copy, other)
    monkeypatch.setenv("IBCR_DATA_DIR", str(other))
    run("overview")
    assert len(kept_pages(folder)) == 2  # the other folder's first visit did not replace the first's
    monkeypatch.setenv("IBCR_DATA_DIR", str(data_copy))
    assert cards(painted_only(monkeypatch)) == shown
