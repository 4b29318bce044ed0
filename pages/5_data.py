"""Data explorer: the filtered records of every table, their dictionary, and downloads."""

import streamlit as st

from ibcr_ui import components, downloads, shell, text

# Inputs
ctx = shell.setup("data")
components.page_header(ctx, ctx.t("data.title"), text.describe(ctx))
st.caption(ctx.t("data.intro"))

# Data
filtered = downloads.filtered_tables(ctx)
full = downloads.full_tables(ctx)

# Render
tabs = st.tabs([ctx.tn("data.tab", len(df), table=ctx.t(f"table.{name}")) for name, df in filtered.items()])
for tab, (name, df) in zip(tabs, filtered.items()):
    with tab:
        if df.empty:
            st.info(ctx.t("summary.none"))
        else:
            st.dataframe(downloads.for_screen(ctx, name, df), hide_index=True, width="stretch", height=420,
                         column_config=downloads.column_config(ctx, name))
        with st.expander(ctx.t("data.dictionary", table=ctx.t(f"table.{name}"))):
            st.table(downloads.dictionary(ctx, name), hide_index=True)  # a plain table: no toolbar to reach

components.section(ctx.t("data.downloads"))
view_col, full_col = st.columns(2, gap="large")
with view_col:
    st.markdown("**" + ctx.t("data.filtered_view") + "**")
    downloads.buttons(ctx, filtered, scope="filtered")
with full_col:
    st.markdown("**" + ctx.t("data.full_dataset") + "**")
    downloads.buttons(ctx, full, scope="full")
st.caption(ctx.t("data.formula_note"))
