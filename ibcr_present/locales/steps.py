"""The two steps `make messages` adds around `pybabel update` (`template` before, `flags` after).

`template`: complete messages.pot after `pybabel extract` so that `pybabel update` keeps every message.

The code calls messages by symbolic id (`t("card.engagements")`), and en.po is the source
catalogue: it holds the English text, which messages are plural, and the ids built at run time
(`t(f"kind.{code}")`) that extraction cannot see. Extraction alone gives a template without
them, and `pybabel update` would then mark those ids obsolete, turn plural entries singular and
drop the "English:" comments. This step adds them back to the template from en.po:

* every id of en.po missing from the extraction (ids built at run time, or unused ones),
* the plural form of each plural id,
* "#. English: …" (and "#. English plural: …") comments and the python-brace-format flag.

Ids the code uses that en.po lacks are reported: add their English text to en.po.

`flags`: put the python-brace-format flag back on every message with {placeholders}. Babel drops
it when it reads a catalogue whose ids have no braces (it checks the id, and ours are symbolic),
so `pybabel update` loses it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent
TEMPLATE = LOCALES / "messages.pot"
SOURCE = LOCALES / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"{\w+}")
WIDTH = 100


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def english_comments(message) -> list[str]:
    """The English text as extracted comments (made anew each time: Babel reads a wrapped comment back
    as several, so keeping the old ones would pile up copies of their continuation lines)."""
    if message.pluralizable:
        one, other = (list(message.string) + ["", ""])[:2]
        return [f"English: {one}", f"English plural: {other}"]
    return [f"English: {message.string}"]


def complete(template: Catalog, source: Catalog) -> list[str]:
    """Add to `template` what only en.po knows; return the ids en.po lacks."""
    extracted = {_key(m): m for m in template if m.id}
    out = Catalog(project=template.project, version=template.version,
                  copyright_holder=template.copyright_holder, msgid_bugs_address=template.msgid_bugs_address,
                  creation_date=template.creation_date, fuzzy=False)
    missing = []
    for message in source:
        if not message.id:
            continue
        key = _key(message)
        found = extracted.pop(key, None)
        text = "".join(message.string) if message.pluralizable else message.string
        added = out.add((key, key) if message.pluralizable else key, ("", "") if message.pluralizable else "",
                        locations=found.locations if found else (),
                        auto_comments=english_comments(message),
                        user_comments=message.user_comments)
        if PLACEHOLDER.search(text):
            added.flags.add("python-brace-format")  # after creation: Babel checks the id for braces
    for key, found in extracted.items():  # used in the code, not yet in en.po
        missing.append(key)
        out.add(key, "", locations=found.locations, auto_comments=["English: (missing: add it to en.po)"])
    with TEMPLATE.open("wb") as fh:
        write_po(fh, out, width=WIDTH, sort_output=True)
    return missing


def flag_placeholders(path: Path, lang: str) -> None:
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    for message in cat:
        text = "".join(message.string) if message.pluralizable else message.string
        english = " ".join(message.auto_comments)
        if message.id and PLACEHOLDER.search(text + english):
            message.flags.add("python-brace-format")
    with path.open("wb") as fh:
        write_po(fh, cat, width=WIDTH)


def main(step: str) -> int:
    if step == "flags":
        for path in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
            flag_placeholders(path, path.parts[-3])
        return 0
    with TEMPLATE.open("rb") as fh:
        template = read_po(fh)
    with SOURCE.open("rb") as fh:
        source = read_po(fh, locale="en")
    missing = complete(template, source)
    for key in missing:
        print(f"new message id, add its English text to {SOURCE.relative_to(LOCALES.parent.parent)}: {key}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] not in (["template"], ["flags"]):
        sys.exit("usage: python ibcr_present/locales/steps.py template|flags")
    sys.exit(main(sys.argv[1]))
