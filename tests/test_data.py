"""The curated dataset: it validates, it covers the seeds, and every record has a source."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml

import ibcr_data
from ibcr_data.rules import COMPARED_AS_ONE
from tests.support import DATA, ROOT, read_rows

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
LANGS = ("en", "fr", "es")  # every field, code and reference name is given in each
TRAINING_DONE_2016 = {"BDI", "CMR", "CIV", "NER", "SEN", "TUN", "YEM"}
TRAINING_UNDERWAY_2016 = {"AFG", "BFA", "CRI", "TCD", "COD", "TGO"}


def test_real_data_validates(ds):
    counts = ds.counts()
    assert counts["engagements"] >= 90
    assert counts["events"] >= 50
    assert counts["metrics"] >= 80
    assert counts["countries"] > 240


def test_cli_validate_and_summary():
    ok = subprocess.run([sys.executable, "-m", "ibcr_data", "validate", str(DATA)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "valid" in ok.stdout and ok.stdout.count("\n") == 1
    summary = subprocess.run([sys.executable, "-m", "ibcr_updates", "summary"], capture_output=True, text=True, cwd=ROOT)
    assert summary.returncode == 0
    for table in ("engagements", "programmes", "events", "metrics", "sources", "countries"):
        assert table in summary.stdout


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
    confirmed = public["url"].notna()
    assert public.loc[confirmed, "url"].str.match(r"^https?://").all()
    assert public.loc[~confirmed, "notes"].str.contains("not confirmed").all()


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
    """The seed is the main source of the record, or a linked source of the one record of that work."""
    eng = ds.engagements
    links = ds.record_sources
    linked = set(links[(links["record_table"] == "engagements") & (links["source_id"] == seed)]["record_id"])
    told = eng[(eng["source_id"] == seed) | eng["engagement_id"].isin(linked)]
    for kind, countries in SEED_COUNTRIES[seed].items():
        # A training the seed names may be recorded as the contribution-agreement project it was.
        kinds = {kind} | {k for k, as_kind in COMPARED_AS_ONE.items() if as_kind == kind}
        have = set(told[told["kind_code"].isin(kinds)]["country_iso3"])
        assert countries <= have, f"{seed} {kind}: missing {sorted(countries - have)}"


def test_seed_training_status_is_dated_about_2016(ds):
    """Records told only by the seed keep its status as of 2016; merged ones quote it in their link."""
    eng = ds.engagements
    seed_training = eng[(eng["source_id"] == "seed-000") & (eng["kind_code"] == "training")]
    done = set(seed_training[seed_training["status_code"] == "completed"]["country_iso3"])
    underway = set(seed_training[seed_training["status_code"] == "ongoing"]["country_iso3"])
    links = ds.record_sources
    quoted = links[(links["source_id"] == "seed-000") & links["evidence"].str.contains("Training sessions|underway")]
    merged = eng[eng["engagement_id"].isin(set(quoted["record_id"]))]
    assert done | (set(merged["country_iso3"]) & TRAINING_DONE_2016) == TRAINING_DONE_2016
    assert underway | (set(merged["country_iso3"]) & TRAINING_UNDERWAY_2016) == TRAINING_UNDERWAY_2016
    assert set(seed_training["status_as_of"]) <= {"2016"}


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
    assert ds.metrics["value"].notna().all(), "a gap is noted in the source's notes, never a figure row"
    assert "No 2024-25 annual report" in ds.sources.set_index("source_id").at["ibcr-ar-2023-24", "notes"]
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
        "ibcr_region_code", "un_region_code", "is_venue", "is_counted", "year_from", "year_to"]
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
    assert ds.code_labels("status_code", "es")["ongoing"] == "En curso"
    assert ds.code_labels("region_code", "es")["west_africa"] == "África Occidental"
    assert ds.code_labels("kind_code", "de") == ds.code_labels("kind_code", "en")  # no German column: English
    assert list(ds.code_labels("metric_code", "fr")) == list(ds.descriptor.vocabularies["metric_code"])
    for vocab in ds.descriptor.vocabularies:
        for lang in LANGS:
            assert all(ds.code_labels(vocab, lang).values()), (vocab, lang)


def test_every_field_is_described_in_each_language(ds):
    for res in ds.descriptor.resources:
        for f in (*res.fields, *res.derived):
            assert f.description_in("en") == f.description and f.description, (res.name, f.name)
            assert f.description_in("fr") == f.description_fr and f.description_fr, (res.name, f.name)
            assert f.description_in("es") == f.description_es and f.description_es, (res.name, f.name)
    field = ds.descriptor.resource("engagements").field("status_as_of")
    assert field.description_in("de") == field.description


def test_nothing_points_outside_the_checkout():
    desc = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    paths = [r["path"] for r in desc["resources"]] + [s["path"] for s in desc.get("sources", [])]
    for path in paths:
        assert path.startswith("https://") or not (".." in path.split("/") or path.startswith("/")), path


MERGED = {  # kept id <- merged ids (each merged id is gone and its source links to the kept record)
    ("engagements", "ago-jj-evaluation-2015"): {"ago-jj-analysis-seed": "seed-000", "ago-jj-evaluation-results": "ibcr-evaluation-of-the-justice"},
    ("engagements", "bfa-gac-capacity-2015"): {"bfa-gac-agreement-seed": "seed-003", "bfa-gac-profile": "gac-d001606001",
                                               "bfa-gac-results": "ibcr-capacity-building-child-protection"},
    ("engagements", "mar-jj-evaluation-2015"): {"mar-jj-analysis-seed": "seed-000"},
    ("engagements", "dji-jj-report"): {"dji-jj-analysis-seed": "seed-000"},
    ("engagements", "phl-jj-evaluation"): {"phl-jj-analysis-seed": "seed-000"},
    ("engagements", "cod-batela-mwana-2015"): {"cod-gac-agreement-seed": "seed-003"},
    ("engagements", "cri-gac-trafficking-2015"): {"cri-gac-agreement-seed": "seed-003"},
    ("engagements", "can-cst-campaign-2009"): {"can-cst-campaign-seed": "seed-003"},
    ("engagements", "cri-paniamor-seed"): {"cri-paniamor-publication": "docslib-9368997-sexual-exploitation-costa"},
    ("engagements", "tun-police-ng-2014"): {"tun-training-seed": "seed-000"},
    ("metrics", "m-manara-countries"): {"m-seed003-manara-countries": "seed-003"},
    ("metrics", "m-pride-2020-duration"): {"m-seed003-pcv-duration": "seed-003"},
    ("events", "ev-2020-pride-signed"): {"ev-2020-pcv-launch": "seed-003"},
    ("events", "ev-1995-tribunal-established"): {"ev-1995-tribunal-judges": "ibcr-le-tribunal-international-des"},
    ("events", "ev-2011-costa-rica-paniamor"): {"ev-2011-cida-costa-rica": "reliefweb-report-afghanistan-minister-oda"},
    ("events", "ev-2012-lome-conference"): {"ev-2002-lome-workshop-typo": "ibcr-formation-des-forces-de"},
}


@pytest.mark.parametrize(("key", "merged"), MERGED.items(), ids=[k[1] for k in MERGED])
def test_each_duplicate_is_one_record_that_links_the_other_sources(ds, key, merged):
    table, kept = key
    ids = set(ds.table(table)[ds.record_tables[table]])
    assert kept in ids and not (set(merged) & ids)
    sources = ibcr_data.record_sources(ds, table, kept)
    assert sources["is_main"].tolist()[0] and not sources["is_main"].iloc[1:].any()
    assert set(merged.values()) <= set(sources.loc[~sources["is_main"], "source_id"])


def test_the_listed_corrections_hold(ds):
    m = ds.metrics.set_index("metric_id")
    e = ds.engagements.set_index("engagement_id")
    v = ds.events.set_index("event_id")
    assert m.at["m-brochure-publications", "qualifier_code"] == "nearly"
    ago = e.loc["ago-jj-evaluation-2015"]
    assert ago["status_code"] == "ongoing" and pd.isna(ago["end_year"])
    assert m.at["m-ago-field-weeks", "source_id"] == m.at["m-ago-staff", "source_id"] == "ibcr-ar-2015-16-628"
    assert m.at["m-prodef-partners-at-launch", "source_id"] == "consortium-prodef-launch-2015"
    assert m.at["m-repere-modules", "source_id"] != "ibcr-27393"
    assert v.at["ev-2011-niamey-workshop", "date_precision_code"] == "month"
    assert v.at["ev-2011-niamey-workshop", "start_date"] == "2011-11"
    assert "31 October" not in v.at["ev-2011-niamey-workshop", "description_en"]
    assert e.at["can-cst-campaign-2009", "source_id"] == "ibcr-campagne-canadienne-de-sensibilisation"
    assert "Costa Rica project" in m.at["m-seed003-gac-agreements-duration", "note_en"]
    assert "no length" in m.at["m-seed003-gac-agreements-duration", "note_en"]
    for gone in ("m-seed003-last-five-years", "m-ar2009-age-years", "m-ar2024-figures-not-found"):
        assert gone not in m.index
    ongoing = ds.engagements[ds.engagements["status_code"] == "ongoing"]
    assert not (ongoing["end_year"] <= pd.to_numeric(ongoing["status_as_of"].str[:4])).any()
    approx = ds.metrics[~ds.metrics["qualifier_code"].isin(["exactly", "range"])]
    assert (approx["confidence_code"] != "exact").all()


def test_the_seed_claim_on_international_standards_has_a_record(ds):
    ev = ds.events[ds.events["source_id"] == "seed-000"]
    hit = ev[ev["evidence"].str.contains("Declaration of Basic Principles of Justice for Victims of Crime")]
    assert len(hit) == 1 and "Convention on the Rights of the Child" in hit["description_en"].iloc[0]
    assert hit["description_fr"].iloc[0]


def test_every_metric_code_has_one_unit(ds):
    codes = ds.codes["metric"].set_index("metric_code")["unit_code"]
    assert codes.notna().all() and set(codes) <= set(ds.codes["unit"]["unit_code"])
    assert (ds.metrics["unit_code"] == ds.metrics["metric_code"].map(codes)).all()
    org = ds.organisation_figures
    for code, scopes in org[org["programme_id"].isna() & (org["scope_code"] != "programme")].groupby("metric_code")["scope_code"]:
        assert scopes.nunique() == 1, f"{code} mixes {sorted(set(scopes))}"


def test_no_cumulative_series_falls_without_a_conflict(ds):
    org = ds.organisation_figures
    cum = org[org["scope_code"] == "cumulative"].assign(base=lambda d: d["start_year"].fillna(1994))
    for _, series in cum.groupby(["metric_code", "base"]):
        rows = series.sort_values("end_year").to_dict("records")
        for i, later in enumerate(rows):
            for earlier in rows[:i]:
                if earlier["end_year"] < later["end_year"] and later["value"] < earlier["value"]:
                    assert isinstance(later["conflict_id"], str) and later["conflict_id"] == earlier["conflict_id"], \
                        (earlier["metric_id"], later["metric_id"])


def test_no_likely_duplicate_remains_unmarked(ds):
    assert ibcr_data.validate(DATA)[0] == []
    marks = pd.read_csv(DATA / "distinct_records.csv")
    assert marks["reason"].str.len().gt(20).all()


def test_every_field_is_described_in_every_language():
    """English, French and Spanish descriptions on every field and derived column (the data dictionary shows them)."""
    desc = yaml.safe_load((DATA / "datapackage.yaml").read_text(encoding="utf-8"))
    missing = [f"{res['name']}:{f['name']}:{key}" for res in desc["resources"]
               for f in res["schema"]["fields"] + res.get("derived", [])
               for key in ("description", *(f"description_{lang}" for lang in LANGS[1:]))
               if not str(f.get(key) or "").strip()]
    assert not missing, missing


def test_field_descriptions_read_in_each_language(ds):
    field = next(f for f in ds.descriptor.resource("countries").fields if f.name == "name_es")
    assert field.description_in("en") == "Name in Spanish"
    assert field.description_in("fr") == "Nom en espagnol"
    assert field.description_in("es") == "Nombre en español"
    assert field.description_in("de") == "Name in Spanish"  # a language without descriptions: English


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_has_a_label_and_description_in_every_language(ds, lang):
    for vocab in ds.descriptor.vocabularies:
        table = ds.table(ds.descriptor.code_table(vocab).name)
        stem = "name" if "name_en" in table.columns else "label"
        for col in (f"{stem}_{lang}", *([f"description_{lang}"] if stem == "label" else [])):
            assert col in table.columns, (vocab, col)
            assert table[col].notna().all() and (table[col].str.strip() != "").all(), (vocab, col)


def test_countries_and_regions_have_spanish_names(ds):
    for table in (ds.countries, ds.regions):
        assert table["name_es"].notna().all()
    names = dict(zip(ds.countries["country_iso3"], ds.countries["name_es"]))
    assert names["PER"] == "Perú" and names["TUN"] == "Túnez" and names["DZA"] == "Argelia"
    assert names["COD"] == "República Democrática del Congo"  # reading order, not the catalogue's
    assert not [n for n in names.values() if n.endswith(" de") or ", República" in n]
    regions = dict(zip(ds.regions["region_code"], ds.regions["name_es"]))
    assert regions["central_america"] == "Centroamérica y México"
