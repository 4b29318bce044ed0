"""Sections drawn as one HTML element each: the headline cards and milestone lists (no Streamlit).

Why one element: each `st.*` call is one message the browser renders as it arrives, and the
first element of each kind makes the browser fetch that kind's code. Eight cards as containers,
metrics and captions were some forty messages and the metric's code; as one `st.html` block
they are one message, drawn at once.

The texts arrive as the same Markdown the rest of the page uses (data already escaped by
`text.md`) and are turned into HTML by markdown-it with raw HTML off, so a record can never
inject markup here either; Streamlit's `st.html` then sanitises the result once more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": False})

    def link_open(renderer, tokens, idx, options, env):
        token = tokens[idx]
        if str(token.attrGet("href") or "").startswith(("https://", "http://")):
            token.attrSet("target", "_blank")  # a source opens beside the dashboard, as in st.markdown
            token.attrSet("rel", "noopener noreferrer")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


def inline(text: str) -> str:
    """One line of Markdown (bold, italics, links, escapes) as inline HTML."""
    return _markdown().renderInline(text)


def paragraphs(text: str) -> str:
    """Markdown with paragraphs and hard breaks ("  \\n") as HTML."""
    return _markdown().render(text)


@dataclass(frozen=True)
class Card:
    """One headline card: what it counts, the number, how it was counted and from where."""

    title: str
    value: str
    captions: tuple[str, ...]  # Markdown lines
    conflicts: tuple[str, ...] = ()  # Markdown lines: other sources that disagree
    conflict_label: str = ""
    key: str = ""  # what the card counts ("engagements"), written on the card as data-card-key


def cards_html(rows: list[list[Card]], label: str) -> str:
    """Rows of cards as one grid; a card's disagreeing sources fold away under a summary line."""
    out = []
    for row in rows:
        cells = []
        for c in row:
            more = ""
            if c.conflicts:
                more = (f'<details class="ibcr-conflicts"><summary>⚠️ {escape(c.conflict_label)}</summary>'
                        + "".join(f"<p>{inline(x)}</p>" for x in c.conflicts) + "</details>")
            cells.append(f'<div class="ibcr-card" role="listitem" data-card-key="{escape(c.key)}">'
                         f'<p class="ibcr-card-label">{escape(c.title)}</p>'
                         f'<p class="ibcr-card-value">{escape(c.value)}</p>'
                         f'<div class="ibcr-card-caption">{"".join(f"<p>{inline(x)}</p>" for x in c.captions)}</div>'
                         f"{more}</div>")
        out.append(f'<div class="ibcr-cards" role="list" aria-label="{escape(label)}">{"".join(cells)}</div>')
    return "".join(out)


@dataclass(frozen=True)
class Milestone:
    heading: str  # Markdown: when, what, where
    body: str  # Markdown: the description, then the source line(s)


@dataclass(frozen=True)
class MilestoneList:
    items: list[Milestone] = field(default_factory=list)
    columns: int = 1


def milestones_html(block: MilestoneList) -> str:
    """Milestones as one list, in one or two columns (one on a phone)."""
    items = "".join(f'<li><p class="ibcr-milestone-head">{inline(m.heading)}</p>'
                    f'<div class="ibcr-milestone-body">{paragraphs(m.body)}</div></li>' for m in block.items)
    return f'<ul class="ibcr-milestones ibcr-columns-{max(1, min(block.columns, 2))}">{items}</ul>'


def table_html(columns: list[str], rows: list[list[str]], caption: str = "", numeric: frozenset[int] = frozenset(),
               summary: str = "", name: str = "", links: frozenset[int] = frozenset(), key: str = "",
               wide: frozenset[int] = frozenset()) -> str:
    """A plain HTML table (cells are plain text, escaped here), folded under `summary` when given.

    `name` is what a screen reader calls it (by default its caption or summary). In the columns of
    `links`, a web address (http, https) is a link that opens beside the dashboard. The columns of
    `wide` hold long texts (class "wide": a wider column, so their rows stay short). `key` names the
    table for the tests and the benchmark (`data-ibcr-table`).

    Plain tables are what screen readers and keyboards handle best, and need no grid code in the
    browser: Streamlit's data grid is a canvas that loads about a megabyte of code on first use.
    """
    cells = [[_link(v) if i in links else escape(str(v)) for i, v in enumerate(r)] for r in rows]
    return _table(columns, cells, caption, numeric, summary, name, key, wide)


def _link(value) -> str:
    text = escape(str(value))
    if not str(value).startswith(("https://", "http://")):
        return text
    return f'<a href="{text}" target="_blank" rel="noopener noreferrer">{text}</a>'


def _table(columns: list[str], cells: list[list[str]], caption: str, numeric: frozenset[int], summary: str,
           name: str = "", key: str = "", wide: frozenset[int] = frozenset()) -> str:
    """The table around cells already in HTML. Its box scrolls (a long or wide table), so it takes
    the keyboard focus and has a name: arrow keys then scroll it (WCAG 2.1.1)."""
    def cls(i: int) -> str:
        names = " ".join(n for n, cols in (("num", numeric), ("wide", wide)) if i in cols)
        return f' class="{names}"' if names else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(c)}</th>' for i, c in enumerate(columns))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{v}</td>" for i, v in enumerate(r)) + "</tr>" for r in cells)
    name = escape(name or caption or summary)
    mark = f' data-ibcr-table="{escape(key)}"' if key else ""
    table = (f'<div class="ibcr-table-wrap" tabindex="0" role="region" aria-label="{name}"{mark}>'
             '<table class="ibcr-table">'
             + (f"<caption>{escape(caption)}</caption>" if caption else "")
             + f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
    return f'<details class="ibcr-details"><summary>{escape(summary)}</summary>{table}</details>' if summary else table


@dataclass(frozen=True)
class Record:
    """One record as a card: what and when, what it says, then who and on what evidence."""

    head: str  # Markdown (one line): the card's heading
    meta: str = ""  # Markdown (one line), muted: dates and status when the heading is a name
    body: str = ""  # Markdown: the description
    notes: tuple[str, ...] = ()  # Markdown lines, muted: places, partners, sources, evidence, conflicts


def records_html(items: list[Record], label: str, columns: int = 1) -> str:
    """Record cards as one list, in one to three columns (fewer on narrower screens, one on a phone).

    Each heading is an h3 under the page's section headings, so a screen reader can jump card to card.
    """
    cells = []
    for r in items:
        meta = f'<p class="ibcr-record-meta">{inline(r.meta)}</p>' if r.meta else ""
        body = f'<div class="ibcr-record-body">{paragraphs(r.body)}</div>' if r.body else ""
        notes = "".join(f"<p>{inline(x)}</p>" for x in r.notes)
        cells.append(f'<li class="ibcr-record"><h3>{inline(r.head)}</h3>{meta}{body}'
                     + (f'<div class="ibcr-record-notes">{notes}</div>' if notes else "") + "</li>")
    return (f'<ul class="ibcr-records ibcr-columns-{max(1, min(columns, 3))}" aria-label="{escape(label)}">'
            f'{"".join(cells)}</ul>')


def rich_table_html(columns: list[str], rows: list[list[str]], caption: str = "", numeric: frozenset[int] = frozenset(),
                    summary: str = "") -> str:
    """`table_html` whose cells are one line of Markdown each (data escaped by text.md), so that a
    source's title can link to the source; folded under `summary` when given."""
    return _table(columns, [[inline(v) for v in r] for r in rows], caption, numeric, summary)
