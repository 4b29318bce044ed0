"""English, French and Spanish: the catalogues agree, plurals read right, every id the code uses exists,
formatting follows the language, no English is left on a French or Spanish page."""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from ibcr_present import i18n
from ibcr_ui.registry import PAGES
from tests.apptest import cards, html_text, run
from tests.support import ROOT

PLACEHOLDER = re.compile(r"{(\w+)}")

# Ids built at run time (t(f"kind.{code}"), label(lang, "status", code), org_name, …): extraction
# cannot see them, so they are kept in the catalogue and matched by prefix here.
DYNAMIC_PREFIXES = (
    "page.",  # registry.Page.title_key, state.py t(f"page.{key}")
    "map.mode.", "timeline.group.", "table.", "files.", "field.", "type.", "language.",
    "qualifier_long.", "qualifier_short.", "scope_card.", "precision_prefix.",
    "card.",  # views.py t(f"card.{key}") for the reported-figure cards
    "org.",  # i18n.org_name
    "pack.",  # the PDF packs: ibcr_report (not extracted from the dashboard's code)
    # ibcr_present.results: t(f"results.{kind}.{code}") for bounds, qualifiers, statuses, counts and roles
    "results.bound.", "results.qualified.", "results.status.", "results.count.", "results.role.",
    # shell._draw_sidebar: t(f"filters.{d.link_key}") for each filter dimension in the sidebar
    "filters.region", "filters.kind", "filters.status", "filters.programme",
    "policy.rule.",  # pages/6_sources.py: t(f"policy.rule.{rule}") for each rule of ibcr_data.audience.WITHHELD_RULES
    "opendata.download_", "opendata.help_", "image.download_",  # ibcr_ui.opendata and ibcr_ui.images: one per kind of file
    "opendata.iati.known_to_",  # ibcr_opendata.iati: how precisely a date is known (year, month)
)
# Code labels (kind, status, …) are not in the catalogues: they come from the code tables in data/codes/.
# Ids the extractor cannot see at their call site: calls inside an f-string (f"**{ctx.t('x')}**")
# and one of two ids picked by a conditional expression. Listed so the call sites can be rewritten.
NOT_EXTRACTABLE: set[str] = set()  # none today: keep ids out of f-strings and conditional expressions
# Neither extracted nor built by a known prefix: kept until someone confirms they are unused.
UNUSED: set[str] = set()  # ids kept in the catalogues although no code uses them (none today)
# NOTE: some Babel versions join the two literals of `t("a" if x else "b")` into one id; write two calls.
JOINED: dict[str, tuple[str, ...]] = {}


@pytest.fixture(autouse=True)
def strict_i18n(monkeypatch):
    monkeypatch.setenv(i18n.STRICT_ENV, "1")


@cache
def po(lang: str):
    with i18n.po_path(lang).open("rb") as fh:
        return read_po(fh, locale=lang)


def entries(lang: str) -> dict[str, tuple[str, ...]]:
    """id -> its forms (one for a singular message, one per plural form otherwise)."""
    return {(m.id[0] if m.pluralizable else m.id): (tuple(m.string) if m.pluralizable else (m.string,))
            for m in po(lang) if m.id}


def plural_ids() -> set[str]:
    return {m.id[0] for m in po("en") if m.id and m.pluralizable}


@cache
def extracted_ids() -> dict[str, str]:
    """Literal ids in the code, found as `make messages` finds them (babel.cfg, Makefile keywords)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    keywords = parse_keywords(re.findall(r"-k (\S+)", makefile.split("\nmessages:", 1)[1]))
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, comment_tags=()):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, f"{filename}:{lineno}")
    return found


TRANSLATIONS = tuple(lang for lang in i18n.LANGUAGES if lang != "en")


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_catalogues_have_the_same_ids_plurals_and_placeholders(lang):
    en, other = entries("en"), entries(lang)
    assert set(en) == set(other), {f"missing in {lang}": sorted(set(en) - set(other)),
                                   "missing in en": sorted(set(other) - set(en))}
    assert {m.id[0] for m in po(lang) if m.id and m.pluralizable} == plural_ids()
    for key in en:
        assert all(s.strip() for s in en[key] + other[key]), f"empty translation: {key}"
        names = {frozenset(PLACEHOLDER.findall(s)) for s in en[key] + other[key]}
        assert len(names) == 1, (key, names)


def test_plural_rules_are_those_of_each_language():
    assert po("en").plural_forms == "nplurals=2; plural=(n != 1);"
    assert po("fr").plural_forms == "nplurals=2; plural=(n > 1);"  # 0 and 1 are singular in French
    assert po("es").plural_forms == "nplurals=2; plural=(n != 1);"  # only 1 is singular in Spanish


def _flagged(path) -> set[str]:
    """Ids carrying python-brace-format, read from the text: Babel drops the flag on reading."""
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r'^#, .*python-brace-format.*\n(?:#.*\n)*msgid "([^"]+)"', text, flags=re.M))


def test_the_template_and_french_show_the_english_text_to_translators():
    en = entries("en")
    with (i18n.LOCALES / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    with_placeholders = {k for k, forms in en.items() if PLACEHOLDER.search("".join(forms))}
    for cat, path in ((template, i18n.LOCALES / "messages.pot"), *((po(lang), i18n.po_path(lang)) for lang in TRANSLATIONS)):
        ids = {(m.id[0] if m.pluralizable else m.id): m for m in cat if m.id}
        assert set(ids) == set(en)
        for key, m in ids.items():
            comments = " ".join(" ".join(m.auto_comments).split())  # comments wrap, lose line breaks
            assert " ".join(f"English: {en[key][0]}".split()) in comments, key
            if m.pluralizable:
                assert " ".join(f"English plural: {en[key][1]}".split()) in comments, key
        assert _flagged(path) == with_placeholders, path


def test_every_id_the_code_uses_is_in_both_catalogues():
    known = set(entries("en"))
    missing = {}
    for key, where in extracted_ids().items():
        for part in JOINED.get(key, (key,)):
            if part not in known:
                missing[part] = where
    assert not missing, f"message ids used in the code but in no catalogue: {missing}"


def test_every_catalogue_id_is_used():
    used = set(extracted_ids()) | NOT_EXTRACTABLE
    unused = {k for k in entries("en") if k not in used and not k.startswith(DYNAMIC_PREFIXES)}
    assert unused == UNUSED, {"newly unused (check, then remove)": sorted(unused - UNUSED),
                              "used again (drop from UNUSED)": sorted(UNUSED - unused)}
    assert not any(k.startswith("fielddesc.") for k in entries("en"))  # descriptions live in datapackage.yaml


def test_every_plural_message_reads_right_for_0_1_and_2():
    en = entries("en")
    assert len(plural_ids()) >= 19
    for key in plural_ids():
        values = {name: f"<{name}>" for s in en[key] for name in PLACEHOLDER.findall(s) if name != "n"}
        for lang, cat, singular in (("en", en, {1}), ("fr", entries("fr"), {0, 1}), ("es", entries("es"), {1})):
            for count in (0, 1, 2):
                form = cat[key][0 if count in singular else 1]
                expected = form.format(**{"n": str(count), **values})
                assert i18n.translate_plural(lang, key, count, **values) == expected, (lang, key, count)


@pytest.mark.parametrize(("lang", "count", "text"), [
    ("en", 0, "0 recorded engagements: training. Years: 2015."),
    ("en", 1, "1 recorded engagement: training. Years: 2015."),
    ("en", 2, "2 recorded engagements: training. Years: 2015."),
    ("fr", 0, "0 intervention enregistrée : training. Années : 2015."),
    ("fr", 1, "1 intervention enregistrée : training. Années : 2015."),
    ("fr", 2, "2 interventions enregistrées : training. Années : 2015."),
    ("es", 0, "0 intervenciones registradas: training. Años: 2015."),
    ("es", 1, "1 intervención registrada: training. Años: 2015."),
    ("es", 2, "2 intervenciones registradas: training. Años: 2015."),
])
def test_country_lead_reads_right(lang, count, text):
    assert i18n.translate_plural(lang, "country.lead", count, kinds="training", span="2015") == text


def test_plural_messages_read_right_in_words():
    tp = i18n.translate_plural
    assert tp("en", "problems.intro", 1).startswith("1 problem was found in the data files. Nothing is shown until it is fixed")
    assert tp("en", "problems.intro", 3).startswith("3 problems were found in the data files. Nothing is shown until they are fixed")
    assert tp("fr", "problems.intro", 1).startswith("1 problème a été relevé dans les fichiers de données.")
    assert tp("en", "sources.supports", 1) == "supports 1 record"
    assert tp("fr", "sources.supports", 0) == "appuie 0 fiche"
    assert tp("fr", "sources.supports", 5) == "appuie 5 fiches"
    assert tp("en", "summary.countries_n", 1) == "1 country"
    assert _plain(tp("fr", "summary.engagements_n", 1200)) == "1 200 interventions"
    line = i18n.translate("en", "summary.counts_line", engagements=tp("en", "summary.engagements_n", 1),
                          countries=tp("en", "summary.countries_n", 1))
    assert line == "1 engagement in 1 country"
    assert tp("en", "notice.more", 2, n="two") == " And two more."  # an explicit n wins over the count
    assert i18n.translate("fr", "sources.supports", n=3) == "appuie 3 fiches"  # translate() gives the plural form
    assert i18n.compact("fr", 1_500_000) == "1,5 million"
    assert [tp("es", "summary.engagements_n", n) for n in (0, 1, 2)] == ["0 intervenciones", "1 intervención", "2 intervenciones"]
    assert tp("es", "sources.supports", 1) == "respalda 1 registro"
    assert tp("es", "problems.intro", 1).startswith("Se encontró 1 problema en los archivos de datos.")
    assert tp("es", "summary.engagements_n", 1200) == "1200 intervenciones"  # Spanish groups from five digits
    assert i18n.compact("es", 1_000_000) == "1 millón"
    assert i18n.compact("es", 1_500_000) == "1,5 millones"  # a fraction of a million is plural in Spanish


def test_missing_messages_fall_back_to_english_then_to_the_key(monkeypatch):
    with pytest.raises(KeyError):
        i18n.translate("fr", "no.such.message")
    with pytest.raises(KeyError):
        i18n.translate_plural("en", "no.such.message", 2)
    monkeypatch.delenv(i18n.STRICT_ENV)
    assert i18n.translate("fr", "no.such.message") == "no.such.message"
    assert i18n.translate_plural("fr", "no.such.message", 2) == "no.such.message"
    assert i18n.catalogue("fr")["card.countries_engaged"] == "Pays d'intervention"


def test_no_code_label_is_copied_into_the_catalogues(ds):
    # Labels of codes live once, in the code tables (data/codes/*.csv): a copy here would drift.
    ids = set(entries("en"))
    for vocab in ds.descriptor.vocabularies:
        prefix = vocab.removesuffix("_code")
        assert not {f"{prefix}.{code}" for code in ds.descriptor.vocabularies[vocab]} & ids, vocab


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
    assert i18n.number("es", 1234.5, 1) == "1234,5"
    assert i18n.number("es", 12_345) == "12.345"
    assert i18n.iso_date("es", "1994-09-07") == "7 de septiembre de 1994"
    assert i18n.iso_date("es", "2015-11") == "noviembre de 2015"
    assert i18n.iso_date("es", "1994") == "1994"
    assert i18n.compact("es", 4_000_000) == "4 millones"
    assert i18n.year_span("es", None, 2016) == "a más tardar en 2016"
    assert i18n.year_span("es", 2015, 2020) == "2015–2020"


def test_language_codes_are_normalised():
    assert i18n.normalise_language("fr-CA") == "fr"
    assert i18n.normalise_language("FR_ca") == "fr"
    assert i18n.normalise_language("es-CR") == "es"
    assert i18n.normalise_language("es_419") == "es"
    assert i18n.normalise_language("de-DE") is None
    assert i18n.normalise_language(None) is None


def _rendered_text(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "subheader", "header", "info", "warning", "error"):
        parts += [e.value for e in getattr(at, kind) if not str(e.value).startswith("<figure")]  # map: below
    # Source titles stay in their document's language: links and italics are dropped, as below for Markdown.
    parts.append(html_text(at, keep_sources=False))
    for kind in ("multiselect", "selectbox", "slider", "button", "radio"):
        for w in getattr(at, kind):
            parts.append(str(w.label))
            parts += [str(o) for o in getattr(w, "options", [])]
    return _plain(" \n ".join(parts))


def _english_fragments(lang: str = "fr") -> set[str]:
    en, other = entries("en"), entries(lang)
    frags = set()
    for key, forms in en.items():
        if key.startswith(("files.", "language.", "field.")):
            continue
        for text, translated in zip(forms, other[key]):
            if text == translated:
                continue
            for piece in PLACEHOLDER.split(text)[::2]:
                piece = re.sub(r"[*_`\\]", "", piece).strip(" .,:;·—()")
                if len(piece) >= 14 and " " in piece:
                    frags.add(piece)
    return frags


SIDEBAR = {"fr": {"Années", "Région", "Type d'intervention", "Statut", "Programme"},
           "es": {"Años", "Región", "Tipo de intervención", "Estado", "Programa"}}


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_every_page_renders_in_french_without_english_ui_text(page):
    _renders_without_english(page, "fr")


@pytest.mark.parametrize("page", [p.key for p in PAGES])
def test_every_page_renders_in_spanish_without_english_ui_text(page):
    _renders_without_english(page, "es")


def _renders_without_english(page: str, lang: str) -> None:
    params = {"lang": lang} | ({"country": "BFA"} if page == "country" else {})
    at = run(page, **params)
    assert not at.exception, at.exception
    sidebar = {w.label for w in at.sidebar.multiselect} | {w.label for w in at.sidebar.slider}
    assert SIDEBAR[lang] <= sidebar
    # Source titles are document names, kept in the language the document was published in.
    text = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", _rendered_text(at))
    text = re.sub(r"(?<!\*)\*(?!\*)[^*]+\*(?!\*)", " ", text)
    text = re.sub(r'"[^"]*"', " ", text)  # quotations of a source stay in the source's words
    text = re.sub(r"[*_`\\]", "", text)
    left = sorted(f for f in _english_fragments(lang) if f in text)
    assert not left, f"English UI text on the {lang} {page} page: {left[:8]}"


def test_french_shows_french_data(ds):
    at = run("country", lang="fr", country="COD")
    assert at.title[0].value == "République démocratique du Congo"
    overview = run("overview", lang="fr")
    assert "Pays d'intervention" in cards(overview)


def test_spanish_shows_spanish_data(ds):
    at = run("country", lang="es", country="COD")
    assert at.title[0].value == "República Democrática del Congo"
    overview = run("overview", lang="es")
    assert "Países de intervención" in cards(overview)


def test_year_spans_accept_missing_values_of_every_kind():
    import pandas as pd

    assert i18n.year_span("en", pd.NA, 2016) == "by 2016"
    assert i18n.year_span("en", 2015, pd.NA) == "2015"
    assert i18n.year_span("fr", None, float("nan")) == i18n.translate("fr", "value.no_date")
    assert i18n.year_span("en", 2015, 2020) == "2015–2020"
