"""What the server-drawn SVG pictures share (the Overview's map, the Timeline): links with tooltips, legends, outlines.

Every text is escaped here. NOTE: the pictures are drawn with `st.markdown(..., unsafe_allow_html=True)`
(st.html's sanitiser removes SVG), and Markdown leaves an HTML block alone only up to its first blank
line: markup from these helpers holds no line break (a tooltip's lines are `&#10;`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape as _html_escape


def escape(text: str) -> str:
    """Text for SVG markup: HTML-escaped, and brackets as character references, so that no Markdown
    parser could ever read a record's words as a link (the picture travels inside a Markdown element)."""
    return _html_escape(text).replace("[", "&#91;").replace("]", "&#93;")


def tooltip(text: str) -> str:
    """A `<title>`: the tooltip a pointer shows and the description a screen reader reads, lines kept."""
    return f"<title>{escape(text).replace(chr(10), '&#10;')}</title>"


def link(href: str, tip: str, content: str, css_class: str) -> str:
    """A link around a shape: its tooltip, and the tooltip's first line as its accessible name.

    `target="_self"` keeps the reader in the dashboard's tab (Streamlit opens links in a new one).
    """
    return (f'<a class="{css_class}" href="{escape(href)}" target="_self" '
            f'aria-label="{escape(tip.splitlines()[0])}">{tooltip(tip)}{content}</a>')


@dataclass(frozen=True)
class Key:
    """One entry of a legend: its words, and the CSS background of its swatch (a colour or a pattern)."""

    label: str
    swatch: str
    css_class: str = ""


def legend(keys: Iterable[Key], title: str = "") -> str:
    """The legend in words under a picture, each entry with its swatch, under a title saying what they mean."""
    head = f'<li class="ibcr-legend-title">{escape(title)}</li>' if title else ""
    items = head + "".join(f'<li><span class="ibcr-swatch{" " + k.css_class if k.css_class else ""}" '
                    f'style="background:{escape(k.swatch)}"></span>{escape(k.label)}</li>' for k in keys)
    return f'<ul class="ibcr-legend">{items}</ul>'


def hatched(colour: str) -> str:
    """A swatch's CSS background for a hatched shape (as the SVG's hatch pattern of that colour)."""
    return f"repeating-linear-gradient(135deg, {colour} 0 3px, #FFFFFF 3px 6px)"


def outline(colour: str, factor: float = 0.55) -> str:
    """A darker shade of a colour: the outline that keeps a pale shape 3:1 against white (WCAG 1.4.11)."""
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * factor):02X}" for c in rgb)
