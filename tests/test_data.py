"""The curated dataset: it validates, it covers the seeds, and every record has a source."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml

import ibcr_data
from tests.conftest import DATA, ROOT, read_rows

# What each seed document says IBCR did, country by country (kind of work, seed file).
SEED_COUNTRIES = {
    "seed-000": {
        "jj_analysis": {"MAR", "AGO", "DJI", "PHL"},
        "training": {"BDI", "CMR", "CIV", "NER", "SEN", "TUN", "YEM", "AFG", "BFA", "CRI", "TCD", "COD", "TGO"},
    },
    "seed-003": {
        "tribunal_hearing": {"FRA", "BRA", "LKA", "GBR"},
        "event_venue": {"AUT"},
        "contribution_agreement": {"COD", "BFA", "CRI"},
        "standard_setting": {"CAN"},
        "research": {"CAN"},
        "campaign": {"CAN"},
    },
}
TRAINING_DONE_2016 = {"BDI", "CMR", "CIV", "NER", "SEN", "TUN", "YEM"}
TRAINING_UNDERWAY_2016 = {"AFG", "BFA", "CRI", "TCD", "COD", "TGO"}


def test_real_data_validates(ds):
    counts = ds.counts()
    assert counts["engagements"] >= 100
    assert counts["events"] >= 50
    assert counts["metrics"] >= 80
    assert counts["countries"] > 240


def test_cli_validate_and_summary():
    ok = subprocess.run([sys.executable, "-m", "ibcr_data", "validate", str(DATA)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout and ok.stdout.count("\n") == 1
    summary = subprocess.run([sys.executable, "-m", "ibcr_data", "summary"], capture_output=True, text=True, cwd=ROOT)
    assert summary.returncode == 0
    for table in ("engagements", "programmes", "events", "metrics", "sources", "countries"):
        assert table in summary.stdout


def test_package_never_imports_streamlit_or_plotly():
    code = "import ibcr_data, sys; ds = ibcr_data.load_dataset(); print([m for m in ('streamlit', 'plotly') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_descriptor_and_files_agree():
    desc = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    listed = {r["path"] for r in desc["resources"]}
    on_disk = {str(p.relative_to(DATA)) for p in DATA.rglob("*.csv")}
    assert listed == on_disk
    for res in desc["resources"]:
        header, _ = read_rows(DATA / res["path"])
        assert header == [f["name"] for f in res["schema"]["fields"]], res["path"]
        for f in res["schema"]["fields"]:
            assert f.get("description"), f"{res['path']}:{f['name']} has no description"


def test_every_record_names_a_source_that_exists(ds):
    known = set(ds.sources["source_id"])
    for name in ("engagements", "programmes", "events", "metrics"):
        table = ds.table(name)
        assert table["source_id"].notna().all(), name
        assert set(table["source_id"]) <= known, name


def test_seed_sources_name_their_file_and_their_page(ds):
    """The seed copies live outside the repository: check what a clone can check."""
    seeds = ds.sources[ds.sources["source_type_code"] == "seed"]
    assert set(seeds["source_id"]) == {"seed-000", "seed-003"}
    assert seeds["file_name"].str.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt").all()
    assert {s[len("seed-"):] for s in seeds["source_id"]} == {f[:3] for f in seeds["file_name"]}
    for _, s in seeds.iterrows():
        has_url = isinstance(s["url"], str) and s["url"].startswith("https://")
        assert has_url or "not confirmed" in str(s["notes"]), s["source_id"]
    public = ds.sources[ds.sources["source_type_code"] != "seed"]
    assert public["url"].str.match(r"^https?://").all()


def test_seed_quotes_cite_a_seed_source(ds):
    seeds = set(ds.sources[ds.sources["source_type_code"] == "seed"]["source_id"])
    for name in ("engagements", "programmes", "events", "metrics"):
        table = ds.table(name)
        evidence = table["evidence"].fillna("")
        cited = table["source_id"].isin(seeds)
        assert evidence[cited].str.contains('"').all(), f"{name}: a seed record without its quote"
        named = set(evidence.str.findall(r"(?i)seed-\d{3}").explode().dropna().str.lower())
        assert named <= seeds, f"{name}: evidence names an unknown seed {sorted(named - seeds)}"


@pytest.mark.parametrize("seed", sorted(SEED_COUNTRIES))
def test_every_seed_country_is_present_with_its_kind_of_work(ds, seed):
    eng = ds.engagements
    for kind, countries in SEED_COUNTRIES[seed].items():
        have = set(eng[(eng["kind_code"] == kind) & (eng["source_id"] == seed)]["country_iso3"])
        assert countries <= have, f"{seed} {kind}: missing {sorted(countries - have)}"


def test_seed_training_status_is_dated_about_2016(ds):
    eng = ds.engagements
    seed_training = eng[(eng["source_id"] == "seed-000") & (eng["kind_code"] == "training")]
    done = set(seed_training[seed_training["status_code"] == "completed"]["country_iso3"])
    underway = set(seed_training[seed_training["status_code"] == "ongoing"]["country_iso3"])
    assert done == TRAINING_DONE_2016
    assert underway == TRAINING_UNDERWAY_2016
    assert set(seed_training["status_as_of"]) == {"2016"}


def test_resolved_region_level_seed_records(ds):
    eng = ds.engagements
    manara = set(eng[eng["programme_id"] == "manara"]["country_iso3"])
    assert manara == {"DZA", "EGY", "IRQ", "JOR", "LBN", "MAR", "PSE", "TUN", "YEM"}
    prodef = set(eng[eng["programme_id"] == "prodef"]["country_iso3"])
    assert prodef == {"GTM", "HND", "CRI", "COL", "PER", "HTI", "CIV", "MAR", "TUN"}
    assert "COG" not in set(eng["country_iso3"])  # "DRC" is COD


def test_conflicts_keep_both_sides_visible(ds):
    for cid in ds.conflicts["conflict_id"]:
        refs = sum((ds.table(t)["conflict_id"] == cid).sum() for t in ("engagements", "programmes", "events", "metrics"))
        assert refs >= 2, f"conflict {cid} has fewer than two records"
    vol = ds.metrics[ds.metrics["conflict_id"] == "prodef-volunteers"]
    assert {200.0, 70.0} <= set(vol["value"])
    assert {"seed-000"} <= set(vol["source_id"])


def test_unknown_figures_stay_empty_not_zero(ds):
    assert not (ds.metrics["value"] == 0).any()
    assert ds.metrics["value"].isna().any(), "the 'not found' gap should be kept as an empty value"
    assert not (ds.engagements["start_year"] == 0).any()


def test_french_text_is_filled_everywhere(ds):
    for table, cols in (("engagements", ["description_fr"]), ("programmes", ["name_fr", "description_fr"]),
                        ("events", ["title_fr", "description_fr"]), ("metrics", ["note_fr"]),
                        ("countries", ["name_fr"]), ("regions", ["name_fr"])):
        for col in cols:
            assert ds.table(table)[col].notna().all(), f"{table}.{col}"


def test_typed_columns(ds):
    assert str(ds.engagements["start_year"].dtype) == "Int64"
    assert ds.metrics["value"].dtype == "float64"
    assert ds.events["is_key_milestone"].dtype == bool
    assert pd.api.types.is_string_dtype(ds.engagements["country_iso3"])


def test_fingerprint_changes_when_a_file_changes(data_copy):
    before = ibcr_data.fingerprint(data_copy)
    path = data_copy / "events.csv"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert ibcr_data.fingerprint(data_copy) != before


def test_typed_tables_have_exactly_the_declared_and_derived_columns(ds):
    """No chart can read a column that the descriptor does not declare (as a CSV field or derived)."""
    dtypes = {"boolean": lambda s: s.dtype == bool, "number": pd.api.types.is_float_dtype,
              "integer": lambda s: str(s.dtype) == "Int64", "string": pd.api.types.is_string_dtype,
              "date": pd.api.types.is_string_dtype}
    for name in (*ds.TABLES, "country_points", *ds.codes):
        res = ds.descriptor.resource(name)
        table = ds.table(name)
        assert list(table.columns) == res.field_names + res.derived_names, name
        for f in (*res.fields, *res.derived):
            assert dtypes[f.type](table[f.name]), f"{name}.{f.name} is {table[f.name].dtype}, declared {f.type}"
    assert ds.descriptor.resource("engagements").derived_names == [
        "ibcr_region_code", "un_region_code", "is_venue", "year_from", "year_to"]
    assert ds.descriptor.resource("programmes").derived_names == ["country_iso3_list", "has_engagement"]


def test_code_tables_give_the_vocabularies_in_table_order(ds):
    names = ("kind_code", "status_code", "precision_code", "confidence_code", "scope_code", "qualifier_code",
             "category_code", "metric_code", "source_type_code", "region_code")
    assert set(names) <= set(ds.descriptor.vocabularies)
    assert "kind" not in ds.TABLES and set(ds.counts()) == set(ds.TABLES)
    for vocab in names:
        res = ds.descriptor.code_table(vocab)
        table = ds.table(res.name)
        assert list(ds.descriptor.vocabularies[vocab]) == list(table[vocab]), vocab
        assert all(ds.descriptor.vocabularies[vocab].values()), vocab
    assert list(ds.descriptor.vocabularies["status_code"]) == ["planned", "ongoing", "completed", "unknown"]
    assert ds.descriptor.vocabularies["scope_code"]["cumulative"].startswith("Running total")
    eng = ds.descriptor.resource("engagements")
    assert ds.descriptor.allowed(eng.field("kind_code")) == tuple(ds.descriptor.vocabularies["kind_code"])
    assert ds.descriptor.allowed(ds.descriptor.resource("sources").field("language_code")) == ("en", "fr", "es", "pt")
    assert ds.descriptor.allowed(eng.field("description_en")) is None


def test_code_labels_in_each_language_with_an_english_fallback(ds):
    assert ds.code_labels("status_code", "en")["ongoing"] == "Ongoing"
    assert ds.code_labels("status_code", "fr")["ongoing"] == "En cours"
    assert ds.code_labels("region_code", "fr")["west_africa"] == "Afrique de l'Ouest"
    assert ds.code_labels("kind_code", "es") == ds.code_labels("kind_code", "en")  # no Spanish column yet
    assert list(ds.code_labels("metric_code", "fr")) == list(ds.descriptor.vocabularies["metric_code"])
    for vocab in ds.descriptor.vocabularies:
        for lang in ("en", "fr"):
            assert all(ds.code_labels(vocab, lang).values()), (vocab, lang)


def test_every_field_is_described_in_english_and_french(ds):
    for res in ds.descriptor.resources:
        for f in (*res.fields, *res.derived):
            assert f.description_in("en") == f.description and f.description, (res.name, f.name)
            assert f.description_in("fr") == f.description_fr and f.description_fr, (res.name, f.name)
    field = ds.descriptor.resource("engagements").field("status_as_of")
    assert field.description_in("de") == field.description


def test_nothing_points_outside_the_checkout():
    desc = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    paths = [r["path"] for r in desc["resources"]] + [s["path"] for s in desc.get("sources", [])]
    for path in paths:
        assert path.startswith("https://") or not (".." in path.split("/") or path.startswith("/")), path
