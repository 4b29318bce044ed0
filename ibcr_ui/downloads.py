"""The Data explorer's tables and downloads: readable columns, dictionary, CSV and Excel files."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import ibcr_data
from ibcr_data import export
from ibcr_present import i18n

from .context import Context


def tables(ctx: Context) -> tuple[str, ...]:
    """The tables a download holds: the record tables, then the sources they rest on."""
    return (*ctx.ds.record_tables, "sources")


def filtered_tables(ctx: Context) -> dict[str, pd.DataFrame]:
    """The records in view, and every source they rest on (their own and the linked ones)."""
    records = {t: getattr(ctx.view, t) for t in ctx.ds.record_tables}
    used = ibcr_data.sources_used(ctx.ds, records)
    out = {**records, "sources": ctx.ds.sources[ctx.ds.sources["source_id"].isin(used)]}
    return {k: _declared(ctx, k, df) for k, df in out.items()}


def full_tables(ctx: Context) -> dict[str, pd.DataFrame]:
    return {k: _declared(ctx, k, ctx.ds.table(k)) for k in tables(ctx)}


def _declared(ctx: Context, name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Only the columns declared in datapackage.yaml, in their order; a withheld figure says so (never blank)."""
    out = df[ctx.ds.descriptor.resource(name).field_names].reset_index(drop=True)
    if "is_withheld" in df and df["is_withheld"].any():
        withheld = df["is_withheld"].to_numpy()
        out["value"] = out["value"].astype("object").where(~withheld, ctx.t("value.withheld"))
    return out


def file_stem(ctx: Context, scope: str) -> str:
    """A download's file name: the board view's files say so in their name."""
    stem = ctx.t(f"files.{scope}")
    return f"{stem}-{ctx.t('files.board_suffix')}" if ctx.audience == "board" else stem


def field_label(ctx: Context, field: str) -> str:
    return ctx.t(f"field.{field}")


def readable(ctx: Context, name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Column names a person can read (the files keep the codes, so they can be loaded again)."""
    return df.rename(columns={c: field_label(ctx, c) for c in df.columns})


CODE_LABELS = {"kind_code": "kind", "status_code": "status", "confidence_code": "confidence",
               "category_code": "category", "scope_code": "scope", "metric_code": "metric",
               "source_type_code": "source_type", "qualifier_code": "qualifier", "period_confidence_code": "confidence",
               "audience_code": "audience"}


def for_screen(ctx: Context, name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The table as shown on screen: codes as words, empty cells blank."""
    out = df.copy()
    for col, vocab in CODE_LABELS.items():
        if col in out:
            out[col] = out[col].map(lambda c, v=vocab: ctx.label(v, c))
    text = [c for c in out.columns if pd.api.types.is_string_dtype(out[c])]
    out[text] = out[text].fillna("")
    return readable(ctx, name, out)


def numeric_columns(screen: pd.DataFrame) -> frozenset[str]:
    """The columns of a table on screen that hold numbers (right-aligned)."""
    return frozenset(c for c in screen.columns if pd.api.types.is_numeric_dtype(screen[c]))


def link_columns(ctx: Context) -> frozenset[str]:
    """The columns of a table on screen whose web addresses are links."""
    return frozenset({field_label(ctx, "url")})


def dictionary(ctx: Context, name: str) -> pd.DataFrame:
    res = ctx.ds.descriptor.resource(name)
    rows = []
    for f in res.fields:
        allowed = ctx.ds.descriptor.allowed(f)
        rows.append({
            ctx.t("dict.column"): field_label(ctx, f.name), ctx.t("dict.name"): f.name,
            ctx.t("dict.type"): ctx.t(f"type.{f.type}"),
            ctx.t("dict.description"): f.description_in(ctx.lang),
            ctx.t("dict.required"): "✓" if f.required else "",
            ctx.t("dict.codes"): ", ".join(allowed) if allowed else "",
        })
    return pd.DataFrame(rows)


def _filter_sheet(ctx: Context) -> pd.DataFrame:
    q = ctx.filters.to_query()
    rows = [{ctx.t("dict.name"): ctx.t("data.view"), ctx.t("dict.description"): ctx.describe()}]
    rows += [{ctx.t("dict.name"): k, ctx.t("dict.description"): v} for k, v in q.items()]
    rows.append({ctx.t("dict.name"): ctx.t("data.updated"), ctx.t("dict.description"): ctx.ds.last_updated})
    if ctx.audience == "board":
        rows.insert(0, {ctx.t("dict.name"): ctx.t("board.classification"),
                        ctx.t("dict.description"): i18n.iso_date(ctx.lang, dt.date.today().isoformat())})
    return pd.DataFrame(rows)


def _classification(ctx: Context) -> str | None:
    """What a board file says of itself, with the date; nothing for the public view."""
    if ctx.audience != "board":
        return None
    return ctx.t("board.classification") + " · " + i18n.iso_date(ctx.lang, dt.date.today().isoformat())


def buttons(ctx: Context, tables: dict[str, pd.DataFrame], scope: str) -> None:
    """Excel workbook (one sheet per table, plus sources and the filter) and CSV files."""
    total = sum(len(df) for df in tables.values())
    stem = file_stem(ctx, scope)

    def workbook() -> bytes:
        sheets = {ctx.t(f"table.{k}"): readable(ctx, k, df) for k, df in tables.items()}
        sheets[ctx.t("sheet.filter")] = _filter_sheet(ctx)
        return export.workbook_bytes(sheets)

    st.download_button(ctx.tn("data.download_xlsx", total), data=workbook, file_name=f"{stem}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       on_click="ignore", key=f"xlsx_{scope}", width="stretch")
    eng = tables["engagements"]
    st.download_button(ctx.tn("data.download_csv", len(eng), table=ctx.t("table.engagements")),
                       data=lambda: export.csv_bytes(readable(ctx, "engagements", eng)),
                       file_name=f"{stem}-{ctx.t('table.engagements').lower()}.csv", mime="text/csv",
                       on_click="ignore", key=f"csv_{scope}", width="stretch")
    st.download_button(ctx.tn("data.download_zip", total),
                       data=lambda: export.zip_of_csvs({ctx.t(f"table.{k}").lower(): readable(ctx, k, df)
                                                        for k, df in tables.items()}, readme=_classification(ctx)),
                       file_name=f"{stem}-csv.zip", mime="application/zip",
                       on_click="ignore", key=f"zip_{scope}", width="stretch")
