"""The log of the store (history.json) as values: a version, a conflict, and what text an entry may hold.

`check_log` checks a whole log read from elsewhere (a backup) before anything is written from it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

LOG = "history.json"
KINDS = ("shipped", "import", "restore")
VERSION_ID = re.compile(r"^v[1-9]\d{0,8}$")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Version:
    """One version of the data, as the log records it."""

    id: str
    number: int
    created: str
    who: str
    note: str
    kind: str
    counts: dict[str, int] = field(default_factory=dict)
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    restored_from: str | None = None

    @property
    def totals(self) -> dict[str, int]:
        """Added, removed and changed records over all tables, vs the previous version."""
        return {k: sum(c.get(k, 0) for c in self.changes.values()) for k in ("added", "removed", "changed")}


class Conflict(Exception):
    """The data changed since the upload was compared; `current` is the version now current."""

    def __init__(self, current: Version, base: str | None = None):
        self.current = current
        self.base = base
        super().__init__(f"the data changed since they were compared (against {base}): {current.id} is now "
                         f"current ({current.who}, {current.created}). Compare the upload again with {current.id}.")


def unsafe_char(text: str) -> str | None:
    """The first control character or direction override in `text` (an escape sequence would drive a
    terminal; an override reverses what is shown), or None."""
    return next((ch for ch in text if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS), None)


def check_plain(what: str, text: str) -> None:
    """Refuse what unsafe_char finds in what goes into the log: notes, names, who."""
    bad = unsafe_char(text)
    if bad is not None:
        raise ValueError(f"{what} holds an invisible control character (U+{ord(bad):04X}): type it again")


def check_log(raw: bytes) -> list[dict]:
    """The entries of a store's log, each checked; ValueError naming the first entry that is not one."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"the backup's {LOG} is not the store's log (not JSON: {exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise ValueError(f"the backup's {LOG} is not the store's log (no list of entries)")
    versions: set[str] = set()
    names: set[str] = set()
    last = 0
    for n, e in enumerate(doc["entries"], start=1):
        def bad(what: str, n=n) -> ValueError:
            return ValueError(f"entry {n} of the backup's {LOG}: {what}; it is not a log the store wrote")

        if not isinstance(e, dict) or e.get("type") not in ("version", "name"):
            raise bad("not a version nor a name")
        if not all(isinstance(e.get(k), str) for k in ("created", "who")):
            raise bad("'created' and 'who' must be text")
        if e["type"] == "name":
            if e.get("version") not in versions:
                raise bad(f"a name for an unknown version {e.get('version')!r}")
            if not isinstance(e.get("name"), str) or not e["name"].strip() or e["name"] in names:
                raise bad("a name must be text, given once")
            names.add(e["name"])
            continue
        number, vid = e.get("number"), e.get("id")
        if type(number) is not int or not isinstance(vid, str) or not VERSION_ID.match(vid) or vid != f"v{number}":
            raise bad(f"the version id {vid!r} is not v followed by its number {number!r}")
        if number <= last:
            raise bad(f"{vid} comes after v{last}: versions are listed once each, oldest first")
        if not isinstance(e.get("note"), str) or e.get("kind") not in KINDS:
            raise bad(f"a version needs a note and a kind among {', '.join(KINDS)}")
        if e.get("restored_from") is not None and e["restored_from"] not in versions:
            raise bad(f"{vid} is restored from an unknown version {e['restored_from']!r}")
        counts, changes = e.get("counts"), e.get("changes")
        if not (isinstance(counts, dict) and all(isinstance(k, str) and type(v) is int for k, v in counts.items())
                and isinstance(changes, dict) and all(isinstance(c, dict) and all(type(x) is int for x in c.values())
                                                      for c in changes.values())):
            raise bad(f"{vid} needs counts and changes as whole numbers per table")
        versions.add(vid)
        last = number
    if not versions:
        raise ValueError(f"the backup's {LOG} lists no version")
    return doc["entries"]
