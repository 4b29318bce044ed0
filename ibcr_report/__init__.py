"""Board and donor packs: a dated, self-contained A4 PDF of the dashboard's records (no Streamlit).

    import ibcr_report
    ds, store = ibcr_report.open_data()                                        # the data the dashboard shows
    pdf = ibcr_report.build(ds, "country", "BFA", lang="fr", since="v1", store=store)   # bytes

Charts are drawn by one warm Kaleido browser (render.py) as SVG and set with Typst into a tagged
PDF/UA-1 file whose fonts are all embedded (Source Sans 3 from the fontpkg-source-sans-3 wheel).
Nothing is fetched from the network.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import typst
from fontpkg_source_sans_3 import ROOT as _FONT_PACKAGE

from ibcr_data import Dataset, load_dataset
from ibcr_data.audience import view_for
from ibcr_updates import Store, resolve_source, what_changed
from ibcr_updates.backups import LOG

from .content import Content, VersionInfo, build_content
from .render import Renderer, renderer
from .scope import KINDS, PackError, Scope, known_funders, resolve

__all__ = ["KINDS", "PACK_LANGUAGES", "Pack", "PackError", "Scope", "VersionInfo", "build", "build_pack",
           "known_funders", "open_data", "renderer"]

TEMPLATE = Path(__file__).resolve().parent / "templates" / "pack.typ"
FONT_DIR = _FONT_PACKAGE / "files"
PDF_STANDARDS = ["ua-1"]
PACK_LANGUAGES = ("en", "fr")  # the languages a pack is written in


@dataclass(frozen=True)
class Pack:
    """One pack: what it covers (kind and key), its language, the data version and the version compared."""

    kind: str
    key: str | None = None
    lang: str = "en"
    version: str | None = None  # the version the pack is made from (None: a plain folder)
    since: str | None = None  # a version id or name: add "Changes since"

    @property
    def filename(self) -> str:
        """A file name for a download: ibcr-pack-country-BFA-fr-v3.pdf."""
        parts = ["ibcr-pack", self.kind, *([self.key] if self.key else []), self.lang,
                 *([self.version] if self.version else []), *([f"since-{self.since}"] if self.since else [])]
        return "-".join("".join(ch if ch.isalnum() else "_" for ch in p) for p in parts) + ".pdf"


def build(ds: Dataset, kind: str, key: str | None = None, lang: str = "en", since: str | None = None, *,
          store: Store | None = None, today: dt.date | None = None, render: Renderer | None = None) -> bytes:
    """The PDF of one pack of `ds`, as bytes.

    `ds` is the dataset the pack is made from (the dashboard passes its cached one; the command
    line loads the version asked for); when it came from a store it knows its version, which the
    cover names. `since` adds the changes from that version (an id or a name) to this one, and
    needs `store`. Raises PackError (a ValueError) with a message for a person: unknown kind,
    country, programme, funder with no work, or version.
    """
    return build_pack(ds, Pack(kind, key, lang, ds.version, since), store=store, today=today, render=render)


def build_pack(ds: Dataset, pack: Pack, *, store: Store | None = None, today: dt.date | None = None,
               render: Renderer | None = None) -> bytes:
    if pack.lang not in PACK_LANGUAGES:
        raise PackError(f"unknown language {pack.lang!r}: use {' or '.join(PACK_LANGUAGES)}")
    scope = resolve(ds, pack.kind, pack.key)
    info = VersionInfo("")
    if ds.version is not None and store is not None:
        v = _version(store, ds.version)
        info = VersionInfo(v.id, v.created, v.names)
    since_info, changes = None, None
    if pack.since:
        if store is None:
            raise PackError(f"--since {pack.since}: there is no store of versions to compare with "
                            "(the data are read from a plain folder)")
        old = _version(store, pack.since)
        since_info = VersionInfo(old.id, old.created, old.names)
        changes = what_changed(view_for(store.load(old.id), ds.audience), ds)  # both in the reader's view
    content = build_content(ds, scope, pack.lang, info, since_info, changes, today)
    return compile_pdf(content, render or renderer())


def compile_pdf(content: Content, render: Renderer) -> bytes:
    svgs = {c.name: render.svg(c.fig, c.width, c.height).decode("utf-8") for c in content.charts}
    data = json.dumps({**content.doc, "svgs": svgs}, ensure_ascii=False)
    return typst.compile(str(TEMPLATE), font_paths=[str(FONT_DIR)], ignore_system_fonts=True,
                         sys_inputs={"data": data}, pdf_standards=PDF_STANDARDS)


def open_data(folder: Path | None = None, version: str | None = None) -> tuple[Dataset, Store | None]:
    """The dataset a pack is made from, and its store: `folder` (a store or a plain data folder) or the
    data the dashboard shows (IBCR_DATA_DIR, var/ibcr-data, data/); `version` picks a store version."""
    if folder is None:
        source = resolve_source()
        store = Store.open(source.store_root) if source.store_root is not None else None
        if store is None:
            if version is not None:
                raise PackError(f"--version {version}: there is no store of versions (the data are read "
                                "from a plain folder)")
            return load_dataset(source.folder), None
    elif (Path(folder) / LOG).is_file():
        store = Store.open(Path(folder))
    else:
        if version is not None:
            raise PackError(f"--version {version}: {folder} is a plain data folder, with no versions")
        return load_dataset(Path(folder)), None
    return store.load(_version(store, version or "current").id), store


def _version(store: Store, ref: str):
    try:
        return store.get(ref)
    except KeyError as e:
        raise PackError(str(e.args[0]) if e.args else f"no version {ref!r}") from None
