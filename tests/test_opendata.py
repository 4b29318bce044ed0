"""Open data: the ZIP is a valid Frictionless package, the SQLite file holds every public record and no board one,
the IATI file validates against the official 2.03 schema and codelists, each version can be written by name."""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import ibcr_data
from ibcr_data.audience import view_for
from ibcr_opendata import files, iati, package
from ibcr_opendata.release import UNPUBLISHED, load_release, release
from ibcr_opendata.sqlite import write_sqlite
from ibcr_updates import DataSource, Store
from tests.support import CANARIES, DATA, ROOT, SENSITIVE_DATES, write_safeguarding_fixture

BOARD_IDS = {"programmes": "canary-programme", "engagements": "bfa-canary-monitoring", "events": "ev-2025-canary",
             "metrics": "m-canary-board", "sources": "canary-board-report"}


@pytest.fixture(scope="module")
def guarded(tmp_path_factory) -> ibcr_data.Dataset:
    data = tmp_path_factory.mktemp("opendata") / "data"
    shutil.copytree(DATA, data)
    return ibcr_data.load_dataset(write_safeguarding_fixture(data))


@pytest.fixture(scope="module")
def unzipped(guarded, tmp_path_factory) -> Path:
    """The fixture's ZIP, unpacked: its one folder."""
    rel = release(guarded)  # handed the board's dataset: a release is public all the same
    out = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(io.BytesIO(package.package_zip(rel))) as zf:
        zf.extractall(out)
    (folder,) = out.iterdir()
    return folder


def leaks(text: str) -> list[str]:
    return [c for c in (*CANARIES, *SENSITIVE_DATES) if c in text]


def frictionless_validate(descriptor: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "frictionless", "validate", str(descriptor)],
                          capture_output=True, text=True, cwd=descriptor.parent, timeout=240)


def test_the_canaries_are_in_the_data_the_files_are_made_from(guarded):
    raw = "\n".join(p.read_text(encoding="utf-8") for p in guarded.data_dir.rglob("*.csv"))
    assert set(CANARIES) <= set(leaks(raw))  # so a file that held the board's records would fail below


def test_the_unpacked_zip_passes_frictionless_validate(unzipped, guarded):
    out = frictionless_validate(unzipped / "datapackage.json")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    published = {r.name for r in guarded.descriptor.resources} - UNPUBLISHED
    listed = {p.relative_to(unzipped).as_posix() for p in unzipped.rglob("*.csv")}
    assert listed == {guarded.descriptor.resource(n).path for n in published}
    assert not (unzipped / "policy_countries.csv").exists()  # which countries are sensitive is not published


def test_the_bundled_data_zip_passes_frictionless_validate_too(tmp_path):
    rel = load_release(src=DataSource(DATA))
    path = files.write(rel, "zip", tmp_path)
    assert path.name == f"ibcr-activity-{rel.label}.zip"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(tmp_path / "out")
    out = frictionless_validate(tmp_path / "out" / rel.name / "datapackage.json")
    assert out.returncode == 0, out.stdout[-3000:]


def test_the_zip_holds_no_board_record_and_says_what_it_is(unzipped, guarded):
    text = "\n".join(p.read_text(encoding="utf-8") for p in unzipped.rglob("*") if p.is_file())
    assert leaks(text) == []
    assert not [i for i in BOARD_IDS.values() if i in text]
    readme = (unzipped / "README.md").read_text(encoding="utf-8")
    rel = release(guarded)
    assert rel.label in readme and "CC BY 4.0" in readme and package.citation(rel) in readme
    assert guarded.policy.statement("en").strip() in readme  # what is not published, and why
    public = view_for(guarded, "public")
    metrics = (unzipped / "metrics.csv").read_text(encoding="utf-8").splitlines()
    assert len(metrics) - 1 == len(public.metrics)
    small = next(line for line in metrics if line.startswith("m-canary-bfa-small,"))
    assert small.split(",")[2] == "" and small.endswith(",true")  # withheld: an empty value, said so, never 0


def test_a_french_readme_is_in_french(guarded):
    with zipfile.ZipFile(io.BytesIO(package.package_zip(release(guarded), lang="fr"))) as zf:
        readme = zf.read(f"{release(guarded).name}/README.md").decode("utf-8")
    assert "Comment citer" in readme and "How to cite" not in readme


@pytest.fixture(scope="module")
def database(guarded, tmp_path_factory) -> sqlite3.Connection:
    path = write_sqlite(release(guarded), tmp_path_factory.mktemp("sqlite") / "ibcr.sqlite")
    conn = sqlite3.connect(path)
    yield conn
    conn.close()


def test_the_sqlite_file_holds_every_public_record_and_no_board_one(database, guarded):
    public = view_for(guarded, "public")
    for table, id_col in {**guarded.record_tables, "sources": "source_id"}.items():
        ids = {r[0] for r in database.execute(f"SELECT {id_col} FROM {table}")}
        assert ids == set(public.table(table)[id_col]), table
        assert BOARD_IDS[table] not in ids and BOARD_IDS[table] in set(guarded.table(table)[id_col])
    dump = "\n".join(database.iterdump())
    assert leaks(dump) == []


def test_the_sqlite_file_is_typed_keyed_and_searchable(database):
    columns = {row[1]: row[2] for row in database.execute("PRAGMA table_info(metrics)")}
    assert (columns["value"], columns["start_year"], columns["is_target"], columns["note_en"]) == \
        ("REAL", "INTEGER", "INTEGER", "TEXT")
    assert [r[5] for r in database.execute("PRAGMA table_info(engagements)") if r[1] == "engagement_id"] == [1]
    keys = {(r[2], r[3], r[4]) for r in database.execute("PRAGMA foreign_key_list(engagements)")}
    assert ("countries", "country_iso3", "country_iso3") in keys and ("kind", "kind_code", "kind_code") in keys
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []  # every key points at a row
    codes = {r[0] for r in database.execute("SELECT kind_code FROM kind")}
    assert {r[0] for r in database.execute("SELECT DISTINCT kind_code FROM engagements")} <= codes
    # Full-text search over the descriptions, accents folded: "securite" finds "sécurité".
    found = database.execute("SELECT e.engagement_id, e.description_fr FROM engagements_fts f JOIN engagements e "
                             "ON e.rowid = f.rowid WHERE engagements_fts MATCH 'securite'").fetchall()
    assert found and all("sécurité" in d.lower() for _, d in found)
    withheld = database.execute("SELECT value, is_withheld FROM metrics WHERE metric_id = 'm-canary-bfa-small'").fetchone()
    assert withheld == (None, 1)
    assert dict(database.execute("SELECT key, value FROM release_info"))["licence"].startswith("CC-BY-4.0")


def iati_standard() -> Path:
    """The official IATI 2.03 schemas and codelists, as the pyIATI package ships them (found, not imported:
    its pinned dependencies are from 2018, so it is installed without them)."""
    spec = importlib.util.find_spec("iati")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("pyIATI is missing: `make test` installs it (requirements-iati.txt, with --no-deps)", pytrace=False)
    return Path(spec.submodule_search_locations[0]) / "resources" / "standard" / "2-03"


def official_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(iati_standard() / "schemas" / "iati-activities-schema.xsd")))


def codelist(name: str) -> set[str]:
    path = iati_standard() / "codelists" / f"{name}.xml"
    return {c.findtext("code") for c in etree.parse(str(path)).iter("codelist-item")}


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def iati_doc(rel, **kwargs) -> etree._Element:
    return etree.fromstring(iati.iati_xml(rel, **kwargs))


def test_the_iati_file_validates_against_the_2_03_schema_and_lists_every_public_programme(guarded):
    rel = release(guarded)
    doc = iati_doc(rel)
    schema = official_schema()
    assert schema.validate(doc), [f"{e.line}: {e.message}" for e in schema.error_log][:10]
    ids = [a.findtext("iati-identifier") for a in doc.iter("iati-activity")]
    programmes = {i.split("-prog-", 1)[1] for i in ids if "-prog-" in i}
    assert programmes == set(view_for(guarded, "public").programmes["programme_id"])
    assert "canary-programme" not in programmes and not [i for i in ids if "canary" in i]
    assert leaks(etree.tostring(doc, encoding="unicode")) == []


def test_the_iati_file_uses_the_official_codelists(guarded):
    doc = iati_doc(release(guarded))
    checks = {("sector", "code"): "Sector", ("recipient-country", "code"): "Country",
              ("participating-org", "role"): "OrganisationRole", ("participating-org", "type"): "OrganisationType",
              ("activity-status", "code"): "ActivityStatus", ("activity-date", "type"): "ActivityDateType",
              ("related-activity", "type"): "RelatedActivityType", ("category", "code"): "DocumentCategory",
              ("language", "code"): "Language", ("budget", "type"): "BudgetType", ("budget", "status"): "BudgetStatus",
              ("value", "currency"): "Currency", ("reporting-org", "type"): "OrganisationType"}
    for (element, attribute), name in checks.items():
        used = {e.get(attribute) for e in doc.iter(element) if e.get(attribute)}
        assert used and used <= codelist(name), (element, attribute, used - codelist(name))


def test_every_activity_speaks_english_and_french_and_names_ibcr_as_implementer(guarded):
    doc = iati_doc(release(guarded))
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for act in doc.iter("iati-activity"):
        title = act.find("title")
        langs = {n.get(xml_lang, "en") for n in title.iter("narrative")}
        assert {"en", "fr"} <= langs, act.findtext("iati-identifier")
        roles = {(o.get("role"), o.get("ref")) for o in act.iter("participating-org")}
        assert ("4", iati.org_ref()) in roles and act.find("reporting-org").get("ref") == iati.org_ref()


def test_budgets_are_the_amounts_the_sources_give(guarded):
    doc = iati_doc(release(guarded))
    m = view_for(guarded, "public").metrics
    funding = m[m["unit_code"] == "cad"]
    assert not funding.empty
    for pid, value in zip(funding["programme_id"], funding["value"]):
        act = next(a for a in doc.iter("iati-activity") if a.findtext("iati-identifier").endswith(f"-prog-{pid}"))
        assert float(value) in {float(v.text) for v in act.iter("value")}
        assert [r.get("ref") for r in act.iter("related-activity") if r.get("type") == "5"]  # the GAC project


def test_the_results_page_s_targets_and_progress_are_the_iati_results(ds, guarded):
    doc = iati_doc(release(ds))
    assert official_schema().validate(doc)
    for act in doc.iter("iati-activity"):
        pid = act.findtext("iati-identifier").split("-prog-", 1)[-1]
        if "-prog-" not in act.findtext("iati-identifier"):
            assert act.find("result") is None  # results belong to programmes
            continue
        expected = ibcr_data.results_of_programme(ds, pid)
        written = [[(p.find("target").get("value"), p.find("actual").get("value") if p.find("actual") is not None else None)
                    for p in r.iter("period")] for r in act.iter("result")]
        assert len(written) == len(expected), pid
        for r in expected:
            periods = [(format(s.target.value, ".15g"), format(r.latest.value, ".15g") if r.latest else None)
                       for s in r.shares]
            assert periods in written, (pid, periods)
    batela = next(a for a in doc.iter("iati-activity") if a.findtext("iati-identifier").endswith("-batela-mwana"))
    (period,) = batela.iter("period")
    comments = {e.tag: {n.get(XML_LANG, "en"): n.text for n in e.iter("narrative")} for e in period.iter("target", "actual")}
    assert comments["target"]["en"] == "more than 4,000" and comments["actual"]["en"] == "15,093 by 2021"
    assert comments["target"]["fr"].startswith("plus de 4")  # each in English, French and Spanish
    # a target the public view withholds is not written at all
    guarded_doc = etree.tostring(iati_doc(release(guarded)), encoding="unicode")
    assert leaks(guarded_doc) == []


def test_the_organisation_identifier_is_configurable_and_checked(guarded, monkeypatch):
    monkeypatch.setenv(iati.ORG_REF_ENV, "CA-CRA_ACR-1234567890")
    doc = iati_doc(release(guarded))
    assert {e.get("ref") for e in doc.iter("reporting-org")} == {"CA-CRA_ACR-1234567890"}
    assert all(a.findtext("iati-identifier").startswith("CA-CRA_ACR-1234567890-") for a in doc.iter("iati-activity"))
    with pytest.raises(ValueError, match="AGENCY-LIST-ID"):
        iati.iati_xml(release(guarded), ref="IBCR")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ibcr_opendata", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_each_version_is_written_by_its_name_and_the_current_one_by_default(guarded, tmp_path):
    store = Store.open(tmp_path / "store", create=True, seed=DATA)
    store.accept(guarded.data_dir, base="v1", who="ana", note="monitoring data added")
    env = {"IBCR_DATA_DIR": str(store.root)}
    out = run_cli("all", "--out", str(tmp_path / "dist"), env=env)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == \
        ["ibcr-activity-v2-iati.xml", "ibcr-activity-v2.sqlite", "ibcr-activity-v2.zip"]
    out = run_cli("sqlite", "--version", "v1", "--out", str(tmp_path / "dist"), env=env)
    assert out.returncode == 0, out.stderr
    with sqlite3.connect(tmp_path / "dist" / "ibcr-activity-v1.sqlite") as v1, \
            sqlite3.connect(tmp_path / "dist" / "ibcr-activity-v2.sqlite") as v2:
        count = "SELECT count(*) FROM metrics"
        assert v1.execute(count).fetchone()[0] == len(view_for(store.load("v1"), "public").metrics)
        assert v2.execute(count).fetchone()[0] == len(view_for(store.load("v2"), "public").metrics)
        assert dict(v1.execute("SELECT key, value FROM release_info"))["version"] == "v1"
    listed = run_cli("versions", env=env)
    assert "v1" in listed.stdout and "v2" in listed.stdout


@pytest.mark.parametrize(("args", "message"), [(["zip", "--version", "v9"], "no version 'v9'"),
                                               (["iati", "--org-ref", "IBCR"], "AGENCY-LIST-ID")])
def test_the_command_line_refuses_bad_input_with_a_clear_message(args, message, tmp_path):
    out = run_cli(*args, "--out", str(tmp_path), env={"IBCR_DATA_DIR": str(DATA)})
    assert out.returncode == 1 and message in out.stderr and "Traceback" not in out.stderr
    assert list(tmp_path.iterdir()) == []
