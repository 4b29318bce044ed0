"""A chart's picture downloads: SVG and PNG with its title, the view in words, the source line and the date.

Offered in a public session only, and made from the public view only: a picture travels without the
page around it, so it never carries the board's records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from ibcr_opendata.images import FORMATS, Caption, picture
from ibcr_opendata.release import organisation
from ibcr_present import i18n

from .context import Context


def release_label(ctx: Context) -> str:
    """The version the numbers are from: the store's id, else the date the data were last reviewed."""
    return ctx.ds.version or ctx.ds.last_updated


def caption(ctx: Context, title: str, view: str | None = None, today: dt.date | None = None) -> Caption:
    """The words inside a picture: the view in words is the page's filters unless the chart says otherwise."""
    made = i18n.iso_date(ctx.lang, (today or dt.date.today()).isoformat())
    reviewed = i18n.iso_date(ctx.lang, ctx.ds.last_updated)
    if ctx.ds.version:
        source = ctx.t("image.source", organisation=organisation(ctx.lang), version=ctx.ds.version, date=reviewed)
    else:  # a data folder without versions: its review date says which data
        source = ctx.t("image.source_plain", organisation=organisation(ctx.lang), date=reviewed)
    return Caption(title, view if view is not None else ctx.describe(), source, ctx.t("image.made", date=made))


def picture_bytes(ctx: Context, fig: go.Figure, title: str, fmt: str, view: str | None = None) -> bytes:
    """The chart as a picture file; refused outside the public view."""
    if ctx.audience != "public" or ctx.ds.audience != "public":
        raise PermissionError("chart pictures are made from the public view only")
    return picture(fig, caption(ctx, title, view), fmt)


def file_name(ctx: Context, stem: str, fmt: str) -> str:
    return f"{stem}-{release_label(ctx)}.{fmt}"


def buttons(ctx: Context, build: Callable[[], go.Figure], title: str, stem: str, key: str,
            view: str | None = None) -> None:
    """Two small download buttons under a chart; the picture is drawn only when one is pressed."""
    if ctx.audience != "public":
        return
    with st.container(horizontal=True, gap="small"):
        for fmt in FORMATS:
            st.download_button(ctx.t(f"image.download_{fmt}"), data=lambda fmt=fmt: picture_bytes(ctx, build(), title, fmt, view),
                               file_name=file_name(ctx, stem, fmt), mime=FORMATS[fmt], on_click="ignore",
                               key=f"{key}_{fmt}", help=ctx.t("image.help", title=title), width="content")
