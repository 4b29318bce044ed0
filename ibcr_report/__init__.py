"""Board and donor packs: a dated, self-contained A4 PDF of the dashboard's records (no Streamlit).

    import ibcr_report
    pdf = ibcr_report.build(None, "country", "BFA", lang="fr", since="v1")   # bytes

Charts are drawn by one warm Kaleido browser (render.py) as SVG and set with Typst into a tagged
PDF/UA-1 file whose fonts are all embedded (Source Sans 3 from the fontpkg-source-sans-3 wheel).
Nothing is fetched from the network.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import typst
from fontpkg_source_sans_3 import ROOT as _FONT_PACKAGE

from ibcr_data import Dataset, Store, load_dataset, what_changed
from ibcr_data.versions import LOG

from .content import Content, VersionInfo, build_content
from .render import Renderer, renderer
from .scope import KINDS, PackError, Scope, known_funders, resolve

__all__ = ["KINDS", "Pack", "PackError", "Scope", "VersionInfo", "build", "build_pack", "known_funders",
           "renderer"]

TEMPLATE = Path(__file__).resolve().parent / "templates" / "pack.typ"
FONT_DIR = _FONT_PACKAGE / "files"
PDF_STANDARDS = ["ua-1"]


@dataclass(frozen=True)
class Pack:
    """One pack: what it covers (kind and key), its language, the data version and the version compared."""

    kind: str
    key: str | None = None
    lang: str = "en"
    version: str | None = None  # None: the current version (or the Dataset given)
    since: str | None = None  # a version id or name: add "Changes since"

    @property
    def filename(self) -> str:
        """A file name for a download: ibcr-pack-country-BFA-fr-v3.pdf."""
        parts = ["ibcr-pack", self.kind, *([self.key] if self.key else []), self.lang,
                 *([self.version] if self.version else []), *([f"since-{self.since}"] if self.since else [])]
        return "-".join("".join(ch if ch.isalnum() else "_" for ch in p) for p in parts) + ".pdf"


DataRef = Dataset | Store | str | os.PathLike | None


def build(data: DataRef, kind: str, key: str | None = None, lang: str = "en", version: str | None = None,
          since: str | None = None, *, store: Store | None = None, today: dt.date | None = None,
          render: Renderer | None = None) -> bytes:
    """The PDF of one pack, as bytes.

    `data` is an already-loaded Dataset (the dashboard passes its cached one: it is used as is),
    a Store, a folder (a store root or a plain data folder), or None for the default store (or the
    bundled data/ when there is none). `version` picks a store version by id or name (default:
    the current one). `since` adds the changes from that version to this one; with a Dataset it
    needs `store` (or the default store). Raises PackError (a ValueError) with a message for a
    person: unknown kind, country, programme, funder with no work, or version.
    """
    return build_pack(data, Pack(kind, key, lang, version, since), store=store, today=today, render=render)


def build_pack(data: DataRef, pack: Pack, *, store: Store | None = None, today: dt.date | None = None,
               render: Renderer | None = None) -> bytes:
    if pack.lang not in ("en", "fr"):
        raise PackError(f"unknown language {pack.lang!r}: use en or fr")
    ds, store, info = _dataset(data, pack.version, store)
    scope = resolve(ds, pack.kind, pack.key)
    since_info, changes = None, None
    if pack.since:
        if store is None:
            raise PackError(f"--since {pack.since}: there is no store of versions to compare with "
                            "(the data are read from a plain folder)")
        old = _version(store, pack.since)
        since_info = VersionInfo(old.id, old.created, old.names)
        changes = what_changed(store.load(old.id), ds)
    content = build_content(ds, scope, pack.lang, info, since_info, changes, today)
    return compile_pdf(content, render or renderer())


def compile_pdf(content: Content, render: Renderer) -> bytes:
    svgs = {c.name: render.svg(c.fig, c.width, c.height).decode("utf-8") for c in content.charts}
    data = json.dumps({**content.doc, "svgs": svgs}, ensure_ascii=False)
    return typst.compile(str(TEMPLATE), font_paths=[str(FONT_DIR)], ignore_system_fonts=True,
                         sys_inputs={"data": data}, pdf_standards=PDF_STANDARDS)


def _version(store: Store, ref: str):
    try:
        return store.get(ref)
    except KeyError as e:
        raise PackError(str(e.args[0]) if e.args else f"no version {ref!r}") from None


def _dataset(data: DataRef, version: str | None, store: Store | None) -> tuple[Dataset, Store | None, VersionInfo]:
    """The pack's dataset, the store its versions come from (if any), and what version it is."""
    if isinstance(data, Dataset):
        store = store if store is not None else _default_store()
        if version is not None:
            if store is None:
                raise PackError(f"--version {version}: there is no store of versions")
            v = _version(store, version)
            return store.load(v.id), store, VersionInfo(v.id, v.created, v.names)
        return data, store, _which_version(data, store)
    if data is None:
        store = store if store is not None else _default_store()
        if store is None:
            if version is not None:
                raise PackError(f"--version {version}: there is no store of versions (IBCR_DATA_DIR is a "
                                "plain data folder)")
            ds = load_dataset()
            return ds, None, VersionInfo("")
        data = store
    if not isinstance(data, Store):
        root = Path(data)
        if (root / LOG).is_file():
            data = Store.open(root)
        else:
            if version is not None:
                raise PackError(f"--version {version}: {root} is a plain data folder, with no versions")
            return load_dataset(root), store, VersionInfo("")
    v = _version(data, version or "current")
    return data.load(v.id), data, VersionInfo(v.id, v.created, v.names)


def _default_store() -> Store | None:
    try:
        return Store.open()
    except (ValueError, FileNotFoundError):
        return None


def _which_version(ds: Dataset, store: Store | None) -> VersionInfo:
    """The store version a loaded Dataset is (by its folder), or a plain folder's."""
    if store is not None:
        folder = Path(ds.data_dir).resolve()
        for v in store.versions():
            if store.path(v.id).resolve() == folder:
                return VersionInfo(v.id, v.created, v.names)
    return VersionInfo("")

