"""Charts as pictures: a chart with its title, the filters in words, the source line and the date inside, as SVG or PNG.

The picture is the dashboard's own Plotly figure with a heading added, drawn by the packs' Kaleido
renderer (ibcr_report.render: Debian's Chromium, the base map from static/, nothing fetched).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go

from ibcr_present.theme import FONT, TEXT

WIDTH = 1200  # CSS pixels
PNG_SCALE = 2  # pixels per CSS pixel: sharp on a slide or a printed page
FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
LINE_CHARS = 150  # a heading line longer than this is wrapped (Plotly does not wrap titles)
TITLE_PX, LINE_PX, GAP_PX = 34, 19, 20
MUTED = "#4A5563"


@dataclass(frozen=True)
class Caption:
    """The words a picture carries: its title, the view in words, where the numbers come from, and when."""

    title: str
    view: str
    source: str
    made: str


def _lines(text: str) -> list[str]:
    return textwrap.wrap(text, LINE_CHARS, break_long_words=False) or [""]


def framed(fig: go.Figure, caption: Caption, width: int = WIDTH) -> go.Figure:
    """A copy of `fig` with the caption above the chart, sized for a picture `width` pixels wide."""
    out = go.Figure(fig)
    view, source = _lines(caption.view), _lines(f"{caption.source} · {caption.made}")
    heading = TITLE_PX + LINE_PX * (len(view) + len(source)) + GAP_PX
    margin = out.layout.margin
    top = (margin.t or 0) + heading
    plot_height = int(out.layout.height or 450)
    subtitle = "<br>".join(escape(line, quote=False) for line in view) + "<br>" + "<br>".join(
        f"<span style='color:{MUTED}'>{escape(line, quote=False)}</span>" for line in source)
    out.update_layout(
        title={"text": f"<b>{escape(caption.title, quote=False)}</b>", "x": 0.012, "xref": "container", "xanchor": "left",
               "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 14},
               "font": {"size": 22, "family": FONT, "color": TEXT},
               "subtitle": {"text": subtitle, "font": {"size": 14, "family": FONT, "color": TEXT}}},
        width=width, height=plot_height + heading,
        margin={"t": top, **{side: max(getattr(margin, side), 12) for side in ("l", "r")
                             if getattr(margin, side) is not None}},  # unset: Plotly's own default stays
        paper_bgcolor="white",
    )
    # The dashboard's charts leave room for their axis labels to the browser (Streamlit's chart theme turns
    # automargin on); a picture is drawn without that theme, so it asks for it itself.
    out.update_xaxes(automargin=True)
    out.update_yaxes(automargin=True)
    return out


def picture(fig: go.Figure, caption: Caption, fmt: str) -> bytes:
    """The framed chart as an SVG or PNG file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = framed(fig, caption)
    from ibcr_report.render import renderer  # Typst and Kaleido (about 10 MB): only when a picture is made

    return renderer().image(out, int(out.layout.width), int(out.layout.height), fmt,
                            scale=PNG_SCALE if fmt == "png" else 1)
