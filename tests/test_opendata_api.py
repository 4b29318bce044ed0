"""The API: Datasette started on loopback by `python -m ibcr_opendata api`, under /api/ as behind deploy/nginx.conf,
serves every public record as JSON and CSV, none of the board's, refuses to write, and follows a new version."""

from __future__ import annotations

import json
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from devtools.appserver import AppServer, free_port
from ibcr_data.audience import view_for
from ibcr_opendata.api import DATABASE
from ibcr_updates import Store
from tests.support import CANARIES, DATA, ROOT, SENSITIVE_DATES, write_safeguarding_fixture

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback never goes through a proxy
START_S = 90


def get(url: str) -> tuple[int, str]:
    try:
        with OPENER.open(url, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def wait_for(predicate, timeout_s: float, what: str, app: AppServer):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not app.alive():
            pytest.fail(f"the API exited with code {app.popen.returncode}\n{app.log_tail()}", pytrace=False)
        try:
            found = predicate()
        except (OSError, ValueError):
            found = None
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"{what} within {timeout_s:g} s\n{app.log_tail()}", pytrace=False)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A store whose current version holds the safeguarding fixture, served by the API under /api/."""
    root = tmp_path_factory.mktemp("api")
    data = root / "data"
    shutil.copytree(DATA, data)
    write_safeguarding_fixture(data)
    store = Store.open(root / "store", create=True, seed=DATA)
    store.accept(data, base="v1", who="ana", note="monitoring data added")
    port = free_port()
    command = [sys.executable, "-m", "ibcr_opendata", "api", "--port", str(port), "--base-url", "/api/", "--check", "1"]
    with AppServer.start(command, cwd=ROOT, log=root / "api.log", port=port, env={"IBCR_DATA_DIR": str(store.root)},
                         streamlit=False, name="api") as app:
        base = f"{app.base}/api/{DATABASE}"
        wait_for(lambda: get(base + ".json")[0] == 200, START_S, "the API did not answer", app)
        yield app, base, store


def rows(url: str) -> list[dict]:
    status, body = get(url)
    assert status == 200, body[:500]
    return json.loads(body)


def test_a_table_is_read_as_json_with_every_public_record_and_no_board_one(served):
    _, base, store = served
    public = view_for(store.load("current"), "public")
    engagements = rows(f"{base}/engagements.json?_shape=array&_size=max")
    assert {r["engagement_id"] for r in engagements} == set(public.engagements["engagement_id"])
    assert "bfa-canary-monitoring" in set(store.load("current").engagements["engagement_id"])  # the board's is there
    for table in ("programmes", "events", "metrics", "sources", "record_sources"):
        status, body = get(f"{base}/{table}.json?_shape=array&_size=max")
        assert status == 200 and not [c for c in (*CANARIES, *SENSITIVE_DATES) if c in body], table


def test_csv_and_sql_queries_and_its_licence(served):
    _, base, store = served
    public = view_for(store.load("current"), "public")
    status, csv_text = get(f"{base}/programmes.csv?_size=max")
    assert status == 200 and csv_text.splitlines()[0].startswith("programme_id,")
    assert len(csv_text.strip().splitlines()) - 1 == len(public.programmes)
    sql = urllib.parse.quote("select count(*) as n from metrics where is_withheld = 1")
    assert rows(f"{base}.json?sql={sql}&_shape=array") == [{"n": int(public.metrics["is_withheld"].sum())}]
    status, meta = get(f"{base.rsplit('/', 1)[0]}/-/metadata.json")
    assert status == 200 and json.loads(meta)["license"] == "CC-BY-4.0"


def test_the_api_is_read_only(served):
    _, base, _ = served
    sql = urllib.parse.quote("delete from engagements")
    status, body = get(f"{base}.json?sql={sql}")
    assert status >= 400 or '"ok": false' in body
    assert rows(f"{base}.json?sql=select+count(*)+as+n+from+engagements&_shape=array")[0]["n"] > 0


def test_the_api_follows_a_new_version(served):
    app, base, store = served
    before = rows(f"{base}/metrics.json?_shape=array&_size=max")
    store.restore("v1", who="ana", note="back to the data as shipped")  # a new version: v3, with v1's records
    expected = len(view_for(store.load("current"), "public").metrics)
    assert expected != len(before)
    count = f"{base}.json?sql=select+count(*)+as+n+from+metrics&_shape=array"
    wait_for(lambda: rows(count)[0]["n"] == expected, 60, "the API did not serve the new version", app)
