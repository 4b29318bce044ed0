"""The Sources page's open-data section: the whole public dataset as files, any version, how to cite and reuse it.

Each file is made when its button is pressed, from the public view of the chosen version, whoever is
signed in: open data are public by definition (ibcr_opendata.release).
"""

from __future__ import annotations

import os
from html import escape
from urllib.parse import urlencode, urlsplit

import streamlit as st

import ibcr_data
from ibcr_opendata import files
from ibcr_opendata.package import citation
from ibcr_opendata.release import Release, release
from ibcr_present import i18n
from ibcr_present.text import md

from . import components, data, link
from .context import Context
from .registry import page

API_URL_ENV = "IBCR_API_URL"  # where Datasette serves the data, e.g. /api/ (deploy/nginx.conf); unset: not shown
EMBED_PATH_ENV = "IBCR_EMBED_PATH"  # where embedded pages are served, e.g. /embed/ (deploy/nginx.conf)
CURRENT = "current"


def _release(ctx: Context, ref: str) -> Release:
    """The release of a version ("current": the data shown now) as loaded by the page's caches."""
    store = data.store(ctx.source)
    if ref == CURRENT or store is None:
        loaded = data.load(ctx.source)
        if isinstance(loaded, ibcr_data.ValidationError):
            raise loaded
        version = store.get(ctx.source.version) if store is not None and ctx.source.version else None
        return release(loaded, version)
    return release(store.load(ref), store.get(ref))


def section(ctx: Context) -> None:
    components.section(ctx.t("opendata.title"))
    st.markdown(ctx.t("opendata.intro"))
    store = data.store(ctx.source)
    versions = store.versions() if store is not None else []
    ref = CURRENT
    if len(versions) > 1:
        ids = [CURRENT] + [v.id for v in versions[1:]]
        dates = {v.id: i18n.iso_date(ctx.lang, v.created[:10]) for v in versions}
        ref = st.selectbox(ctx.t("opendata.version"), options=ids, key="opendata_version",
                           format_func=lambda v: ctx.t("opendata.version_current", version=versions[0].id,
                                                       date=dates[versions[0].id]) if v == CURRENT
                           else ctx.t("opendata.version_option", version=v, date=dates[v]))
    rel = _release(ctx, ref)
    lang = ctx.lang
    with st.container(horizontal=True, gap="small"):
        for kind in files.KINDS:
            st.download_button(ctx.t(f"opendata.download_{kind}"),
                               data=lambda kind=kind: files.make(_release(ctx, ref), kind, lang),
                               file_name=rel.file_name(kind), mime=files.MEDIA_TYPES[kind], on_click="ignore",
                               key=f"opendata_{kind}_{ref}", help=ctx.t(f"opendata.help_{kind}"), width="content")
    st.markdown("**" + ctx.t("opendata.cite_title") + "**  \n" + md(citation(rel, lang)))
    api = os.environ.get(API_URL_ENV, "").strip()
    if api:
        st.markdown(ctx.t("opendata.api", url=api.rstrip("/") + "/ibcr"))
    st.markdown(ctx.t("opendata.embed"))
    st.code(embed_snippet(ctx), language="html", wrap_lines=True)  # wrapped: no region that scrolls sideways
    st.caption(ctx.t("opendata.licence"))


def embed_snippet(ctx: Context) -> str:
    """The iframe that shows this view's map on another site: this server's address as the reader's browser has
    it, under the embedded pages' own path when the deployment gives them one (deploy/nginx.conf: /embed/)."""
    here = getattr(st.context, "url", None) or ""
    path = page(ctx.page).url_path
    base = here[: -len(path)] if path != "/" and here.endswith(path) else here.rstrip("/")
    embed_path = os.environ.get(EMBED_PATH_ENV, "").strip().strip("/")
    if embed_path:
        parts = urlsplit(base)
        base = f"{parts.scheme}://{parts.netloc}/{embed_path}" if parts.netloc else f"/{embed_path}"
    # urlencode leaves no quote or angle bracket in the query: the address goes in as it is, "&" and all.
    src = f"{base}/map?" + urlencode(link.nav_params(ctx.state, "map") | {"embed": "true"})
    title = ctx.t("map.title")
    return (f'<iframe src="{escape(src, quote=True).replace("&amp;", "&")}" title="{escape(title)}" width="100%" '
            'height="720" style="border:0"></iframe>')
