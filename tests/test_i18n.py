"""English and French: the catalogues agree, formatting follows the language, no English is left."""

from __future__ import annotations

import json
import re

import pytest

from ibcr_ui import i18n
from tests.test_app import PAGES, run

PLACEHOLDER = re.compile(r"{(\w+)}")


def catalogues():
    return {lang: json.loads((i18n.LOCALES / f"{lang}.json").read_text(encoding="utf-8")) for lang in i18n.LANGUAGES}


def test_catalogues_have_the_same_keys_and_placeholders():
    cats = catalogues()
    en, fr = cats["en"], cats["fr"]
    assert set(en) == set(fr), {"missing in fr": sorted(set(en) - set(fr)), "missing in en": sorted(set(fr) - set(en))}
    for key in en:
        assert en[key].strip() and fr[key].strip(), key
        assert set(PLACEHOLDER.findall(en[key])) == set(PLACEHOLDER.findall(fr[key])), key


def test_every_code_of_every_vocabulary_has_a_label(ds):
    cats = catalogues()
    for vocab, prefix in (("kind_code", "kind"), ("status_code", "status"), ("confidence_code", "confidence"),
                          ("scope_code", "scope"), ("category_code", "category"), ("metric_code", "metric"),
                          ("source_type_code", "source_type"), ("qualifier_code", "qualifier_long")):
        for code in ds.descriptor.vocabularies[vocab]:
            for lang in i18n.LANGUAGES:
                assert f"{prefix}.{code}" in cats[lang], (lang, prefix, code)


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_number_and_date_formatting_follow_the_language():
    assert i18n.number("en", 1234.5, 1) == "1,234.5"
    assert _plain(i18n.number("fr", 1234.5, 1)) == "1 234,5"
    assert i18n.iso_date("fr", "1994-09-07") == "7 septembre 1994"
    assert i18n.iso_date("en", "1994-09-07") == "September 7, 1994"
    assert i18n.iso_date("fr", "2015-11") == "novembre 2015"
    assert i18n.compact("fr", 4_000_000) == "4 millions"
    assert i18n.compact("en", 2_900_000) == "2.9 million"


def test_language_codes_are_normalised():
    assert i18n.normalise_language("fr-CA") == "fr"
    assert i18n.normalise_language("FR_ca") == "fr"
    assert i18n.normalise_language("de-DE") is None
    assert i18n.normalise_language(None) is None


def _rendered_text(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "subheader", "header", "info", "warning", "error"):
        parts += [e.value for e in getattr(at, kind)]
    for m in at.metric:
        parts += [m.label, m.value]
    for kind in ("multiselect", "selectbox", "slider", "button", "radio"):
        for w in getattr(at, kind):
            parts.append(str(w.label))
            parts += [str(o) for o in getattr(w, "options", [])]
    return _plain(" \n ".join(parts))


def _english_fragments() -> set[str]:
    cats = catalogues()
    frags = set()
    for key, text in cats["en"].items():
        if text == cats["fr"].get(key) or key.startswith(("files.", "language.", "field.", "fielddesc.")):
            continue
        for piece in PLACEHOLDER.split(text)[::2]:
            piece = re.sub(r"[*_`\\]", "", piece).strip(" .,:;·—()")
            if len(piece) >= 14 and " " in piece:
                frags.add(piece)
    return frags


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_renders_in_french_without_english_ui_text(page):
    params = {"lang": "fr"} | ({"country": "BFA"} if page == "country" else {})
    at = run(page, **params)
    assert not at.exception
    # Source titles are document names, kept in the language the document was published in.
    text = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", _rendered_text(at))
    text = re.sub(r"(?<!\*)\*(?!\*)[^*]+\*(?!\*)", " ", text)
    text = re.sub(r'"[^"]*"', " ", text)  # quotations of a source stay in the source's words
    text = re.sub(r"[*_`\\]", "", text)
    left = sorted(f for f in _english_fragments() if f in text)
    assert not left, f"English UI text on the French {page} page: {left[:8]}"
    assert "Filtres" in text or "Années" in text


def test_french_shows_french_data(ds):
    at = run("country", lang="fr", country="COD")
    assert at.title[0].value == "République démocratique du Congo"
    bfa = run("overview", lang="fr")
    labels = {m.label for m in bfa.metric}
    assert "Pays engagés" in labels or any("Pays" in label for label in labels)


def test_year_spans_accept_missing_values_of_every_kind():
    import pandas as pd

    assert i18n.year_span("en", pd.NA, 2016) == "by 2016"
    assert i18n.year_span("en", 2015, pd.NA) == "2015"
    assert i18n.year_span("fr", None, float("nan")) == i18n.translate("fr", "value.no_date")
    assert i18n.year_span("en", 2015, 2020) == "2015–2020"
