"""Translation and formatting: every word the app shows goes through `t`.

Catalogues are gettext files, ibcr_present/locales/<lang>/LC_MESSAGES/messages.po, keyed by symbolic
ids ("card.engagements"); en.po holds the English text (README, "Translations"). They are read
with Babel once per process, so no compiled .mo file is built or committed. Messages that take a
count are plural entries, chosen by each catalogue's Plural-Forms rule. Numbers and dates are
formatted for the language with Babel.
"""

from __future__ import annotations

import gettext
import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
BABEL_LOCALE = {"en": "en_CA", "fr": "fr_CA", "es": "es"}
# CLDR's minimumGroupingDigits, which Babel does not apply: Spanish groups thousands only from
# five digits on ("1234,5" but "12.345"), as the RAE and ASALE recommend.
MIN_GROUPING = {"es": 2}
STRICT_ENV = "IBCR_STRICT_I18N"  # "1": a message missing in English too raises KeyError (tests set it)


@dataclass(frozen=True)
class _Catalogue:
    messages: dict[str, str | tuple[str, ...]]  # id -> text, or the plural forms of a plural entry
    gnu: gettext.GNUTranslations  # for ngettext with the catalogue's plural rule


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _load(lang: str) -> _Catalogue:
    with po_path(lang).open("rb") as fh:
        cat = read_po(fh, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, cat)  # leaves out fuzzy and untranslated entries, so they fall back to English
    buffer.seek(0)
    messages = {}
    for m in cat:
        if not m.id or m.fuzzy:
            continue
        if m.pluralizable:
            if all(m.string):
                messages[m.id[0]] = tuple(m.string)
        elif m.string:
            messages[m.id] = m.string
    return _Catalogue(messages, gettext.GNUTranslations(buffer))


def _strict() -> bool:
    return os.environ.get(STRICT_ENV) == "1"


def _find(lang: str, key: str) -> tuple[str, str | tuple[str, ...]] | None:
    """(language it was found in, entry): `lang` first, then English."""
    for code in dict.fromkeys((lang if lang in LANGUAGES else DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)):
        entry = _load(code).messages.get(key)
        if entry is not None:
            return code, entry
    if _strict():
        raise KeyError(f"message id {key!r} is in no catalogue")
    return None


class _KeepMissing(dict):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def _fill(text: str, values: dict) -> str:
    if not values:
        return text
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        if _strict():
            raise
        return text.format_map(_KeepMissing(values))  # a visitor sees "{name}", never a crash


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of `lang` as id -> text; a plural entry gives its plural ("other") form."""
    return {k: v[-1] if isinstance(v, tuple) else v for k, v in _load(lang).messages.items()}


def normalise_language(value: str | None) -> str | None:
    """'fr', 'fr-CA', 'FR_ca' -> 'fr'; anything else -> None."""
    if not value:
        return None
    code = str(value).strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def translate(lang: str, key: str, **values) -> str:
    """The message `key` in `lang`, with {placeholders} filled in.

    A missing message falls back to English, then to the key itself (KeyError when
    IBCR_STRICT_I18N=1). A plural message gives its plural form: use `translate_plural`.
    """
    found = _find(lang, key)
    if found is None:
        return key
    entry = found[1]
    return _fill(entry[-1] if isinstance(entry, tuple) else entry, values)


def translate_plural(lang: str, key: str, count: int, **values) -> str:
    """The form of message `key` that suits `count`; {n} is `count` written for `lang` unless given.

    NOTE: gettext plural rules take whole numbers only; a fractional count (1.5) takes the form
    CLDR gives it in the language: singular in French ("1,5 million"), plural in Spanish
    ("1,5 millones") and English.
    """
    values.setdefault("n", number(lang, count))
    found = _find(lang, key)
    if found is None:
        return key
    code, entry = found
    if not isinstance(entry, tuple):
        return _fill(entry, values)
    if count != int(count):
        one = Locale.parse(BABEL_LOCALE.get(code, code)).plural_form(count) == "one"
        return _fill(entry[0] if one else entry[-1], values)
    return _fill(_load(code).gnu.ngettext(key, key, int(count)), values)


def org_name(lang: str, name: str) -> str:
    """An organisation's name as known in `lang` (catalogue ids "org.<English name>")."""
    return catalogue(lang).get(f"org.{name}", name)


def number(lang: str, value: float | int | None, digits: int = 0) -> str:
    if value is None or value != value:
        return "—"
    grouped = abs(value) >= 10 ** (2 + MIN_GROUPING.get(lang, 1))
    fmt = ("#,##0" if grouped else "0") + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=BABEL_LOCALE[lang])


def compact(lang: str, value: float) -> str:
    """Large figures in words ("4 million" / "4 millions" / "4 millones"), smaller ones in full."""
    if value >= 1_000_000:
        millions = round(value / 1_000_000, 1)
        digits = 0 if millions == int(millions) else 1
        return translate_plural(lang, "number.millions", millions, n=number(lang, millions, digits))
    return number(lang, value)


def iso_date(lang: str, value: str | None) -> str:
    """A partial ISO date ("1994", "2015-11", "1994-09-07") written for the reader."""
    if not value or value != value:
        return ""
    parts = str(value).split("-")
    try:
        if len(parts) == 3:
            return format_date(date(*map(int, parts)), format="long", locale=BABEL_LOCALE[lang])
        if len(parts) == 2:
            # The language's own month-and-year pattern: "November 2015", "noviembre de 2015".
            return format_skeleton("yMMMM", date(int(parts[0]), int(parts[1]), 1), locale=BABEL_LOCALE[lang])
    except ValueError:
        return str(value)
    return parts[0]


def as_year(value) -> int | None:
    """A year, or None for None, NaN and pandas' NA."""
    try:
        return None if value is None or value != value else int(value)
    except TypeError:  # pandas.NA refuses to be compared
        return None


def year_span(lang: str, start, end) -> str:
    start, end = as_year(start), as_year(end)
    if start is None and end is None:
        return translate(lang, "value.no_date")
    if start is None:
        return translate(lang, "years.by", end=end)
    if end is None or end == start:
        return str(start)
    return f"{start}–{end}"
