"""Tables to read: one plain HTML element each (blocks.table_html), searched, sorted and shown a page at a time.

Streamlit's data grid is a canvas that loads its own code and draws for a moment on every page that
has one (150–265 ms of a reload on the Data, Sources and What changed pages, docs/performance.md);
a reader who only reads needs none of it, and a screen reader, the browser's Find and a phone
handle a plain table better. Where a reader looks for a record (the Data page), a search box and
a sort choice do on the server what the grid did in the browser. A long table shows one page of
rows, says which, and lets the reader choose another; the downloads hold every row.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from ibcr_present import blocks

from .context import Context

PAGE_ROWS = 100
WIDE_CHARS = 60  # a column with a longer text than this is drawn wider, so that its rows stay a few lines high


def search(df: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows where any cell, as shown, contains `query` (whatever its case)."""
    query = query.strip().casefold()
    if not query or df.empty:
        return df
    hit = pd.Series(False, index=df.index)
    for col in df.columns:
        hit |= df[col].astype("string").fillna("").str.casefold().str.contains(query, regex=False)
    return df[hit]


def sort(df: pd.DataFrame, column: str | None, descending: bool = False) -> pd.DataFrame:
    """Sorted on one column as shown (numbers as numbers, text ignoring case), empty cells last; None: as given."""
    if column is None or column not in df.columns:
        return df
    values = df[column]
    key = (lambda s: s.astype("string").str.casefold()) if not pd.api.types.is_numeric_dtype(values) else None
    return df.sort_values(column, ascending=not descending, na_position="last", kind="stable", key=key)


def page_of(df: pd.DataFrame, index: int, rows: int = PAGE_ROWS) -> pd.DataFrame:
    return df.iloc[index * rows:(index + 1) * rows]


def pages(total: int, rows: int = PAGE_ROWS) -> int:
    return max(1, math.ceil(total / rows))


def show(ctx: Context, key: str, df: pd.DataFrame, name: str, *, numeric: frozenset[str] = frozenset(),
         links: frozenset[str] = frozenset(), searchable: bool = False, rows: int | None = None,
         every_row_note: str = "") -> None:
    """`df` (columns and cells as a reader sees them) as one HTML table, with a search box and a sort choice
    when `searchable`, a page at a time when it has more than `rows` rows, and a line saying what is shown.

    `every_row_note` says where every row is to be had (the downloads), when not all are shown.
    """
    rows = rows or PAGE_ROWS
    shown, line = df, []
    if searchable:
        search_col, sort_col, page_col = st.columns([2, 2, 1])
        query = search_col.text_input(ctx.t("rows.search"), key=f"{key}_search")
        # By column position, so that the choice holds when the reader changes language.
        orders = [None] + [(i, False) for i in range(len(df.columns))] + [(i, True) for i in range(len(df.columns))]
        order = sort_col.selectbox(ctx.t("rows.sort"), orders, key=f"{key}_sort", format_func=lambda o: (
            ctx.t("rows.file_order") if o is None else ctx.t("rows.down", column=df.columns[o[0]]) if o[1]
            else ctx.t("rows.up", column=df.columns[o[0]])))
        shown = search(shown, query)
        if query.strip():
            line.append(ctx.t("rows.matching", query=query.strip(), n=ctx.number(len(shown))))
        if order is not None:
            shown = sort(shown, df.columns[order[0]], order[1])
    total = len(shown)
    index = 0
    if total > rows:
        ranges = list(range(pages(total, rows)))
        if st.session_state.get(f"{key}_page") not in ranges:
            st.session_state[f"{key}_page"] = 0  # fewer rows than before (a search, a filter): back to the first page
        if not searchable:
            page_col = st.columns([1, 4])[0]
        index = page_col.selectbox(ctx.t("rows.shown"), ranges, key=f"{key}_page", format_func=lambda i: (
            f"{ctx.number(i * rows + 1)}–{ctx.number(min(total, (i + 1) * rows))}"))
        part = page_of(shown, index, rows)
        line.append(ctx.t("rows.part", first=ctx.number(index * rows + 1), last=ctx.number(index * rows + len(part)),
                          n=ctx.number(total)))
        shown = part
    if (total > rows or len(shown) < len(df)) and every_row_note:
        line.append(every_row_note)
    if line:
        st.caption(" ".join(line))
    if shown.empty:
        st.info(ctx.t("rows.none"))
        return
    columns = list(shown.columns)
    cells = [["" if _missing(v) else _cell(v) for v in r] for r in shown.itertuples(index=False, name=None)]
    longest = [max((len(r[i]) for r in cells), default=0) for i in range(len(columns))]
    st.html(blocks.table_html(columns, cells, name=name, key=key,
                              wide=frozenset(i for i, n in enumerate(longest) if n > WIDE_CHARS),
                              numeric=frozenset(i for i, c in enumerate(columns) if c in numeric),
                              links=frozenset(i for i, c in enumerate(columns) if c in links)))


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def _cell(v) -> str:
    """A cell as text, as the data grid showed it: a year or a count without a decimal point or separator."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
