"""Translation and formatting: every word the app shows goes through `t`.

Catalogues are one JSON file per language in ibcr_ui/locales/, with the same keys; a test keeps
them in step. Numbers and dates are formatted for the language with Babel.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).resolve().parent / "locales"
BABEL_LOCALE = {"en": "en_CA", "fr": "fr_CA"}


@cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


def normalise_language(value: str | None) -> str | None:
    """'fr', 'fr-CA', 'FR_ca' -> 'fr'; anything else -> None."""
    if not value:
        return None
    code = str(value).strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def translate(lang: str, key: str, **values) -> str:
    """The message `key` in `lang`, with {placeholders} filled in."""
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**values) if values else text


def label(lang: str, vocabulary: str, code: str | None) -> str:
    """Display name of a code from a controlled list (kind_code, status_code, …)."""
    if code is None or code != code:  # None or NaN
        return translate(lang, "value.unknown")
    return translate(lang, f"{vocabulary}.{code}")


def org_name(lang: str, name: str) -> str:
    """An organisation's name as known in `lang` (catalogue keys "org.<English name>")."""
    return catalogue(lang).get(f"org.{name}", name)


def number(lang: str, value: float | int | None, digits: int = 0) -> str:
    if value is None or value != value:
        return "—"
    fmt = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(value, format=fmt, locale=BABEL_LOCALE[lang])


def compact(lang: str, value: float) -> str:
    """Large figures in words ("4 million" / "4 millions"), smaller ones in full."""
    if value >= 1_000_000:
        millions = value / 1_000_000
        digits = 0 if millions == int(millions) else 1
        return translate(lang, "number.millions", n=number(lang, millions, digits))
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
            return format_date(date(int(parts[0]), int(parts[1]), 1), format="MMMM y", locale=BABEL_LOCALE[lang])
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
