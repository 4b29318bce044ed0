"""Exports that open cleanly in Excel: CSV with a byte-order mark, and one-sheet-per-table workbooks.

Text cells that begin with a formula character are prefixed with an apostrophe, so a
spreadsheet shows them as text and never runs them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

import pandas as pd

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_SHEET_NAME = 31


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell that a spreadsheet would read as a formula is made inert."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_string_dtype(s) or s.dtype == object:
            text = s.astype("str")
            risky = s.notna() & text.str.startswith(FORMULA_START)
            if risky.any():
                out[col] = s.where(~risky, "'" + text)
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel keeps accents."""
    return (BOM + neutralise(df).to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def zip_of_csvs(tables: Mapping[str, pd.DataFrame], readme: str | None = None) -> bytes:
    """One CSV per table in a .zip, with a README.txt when there is something to say about them all."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        if readme:
            zf.writestr("README.txt", readme + "\n")
        for name, df in tables.items():
            zf.writestr(f"{name}.csv", csv_bytes(df))
    return buf.getvalue()


def sheet_name(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return name[:MAX_SHEET_NAME]


def workbook_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook, one sheet per table, first row frozen, columns sized to fit."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in sheets.items():
            title = sheet_name(name)
            neutralise(df).to_excel(writer, sheet_name=title, index=False)
            ws = writer.sheets[title]
            ws.freeze_panes = "A2"
            for i, col in enumerate(df.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200).tolist()])
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(10, width + 2), 60)
    return buf.getvalue()
