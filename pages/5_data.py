"""Data explorer: the filtered records of every table, their dictionary, and downloads."""

import streamlit as st

from ibcr_ui import components, downloads, shell, tables

# Inputs
ctx = shell.setup("data")
components.page_header(ctx, ctx.t("data.title"), ctx.describe())
st.caption(ctx.t("data.intro"))

# Data
filtered = downloads.filtered_tables(ctx)
full = downloads.full_tables(ctx)

# Render
# Only the open tab's table is drawn (on_change="rerun"), as a plain table a page at a time.
labels = {name: ctx.tn("data.tab", len(df), table=ctx.t(f"table.{name}")) for name, df in filtered.items()}
shown = st.session_state.get("_data_table")
if shown in labels and st.session_state.get("data_tab") not in labels.values():
    st.session_state["data_tab"] = labels[shown]  # the counts in the labels changed: stay on the same table
tabs = st.tabs(list(labels.values()), key="data_tab", on_change="rerun")
for tab, (name, df) in zip(tabs, filtered.items()):
    if not tab.open:
        continue
    st.session_state["_data_table"] = name
    with tab:
        if df.empty:
            st.info(ctx.t("summary.none"))
        else:
            if name == "engagements":  # why this count is not the Overview's (the card counts pieces of work)
                eng = ctx.view.engagements  # the same records, with the columns the loader derives
                counted, venues = int(eng["is_counted"].sum()), int(eng["is_venue"].sum())
                st.caption(ctx.t("data.engagements_rows", rows=ctx.number(len(df)), counted=ctx.number(counted),
                                 venues=ctx.number(venues), parts=ctx.number(len(df) - counted - venues)))
            screen = downloads.for_screen(ctx, name, df)
            tables.show(ctx, f"data_{name}", screen, ctx.t(f"table.{name}"), searchable=True,
                        numeric=downloads.numeric_columns(screen), links=downloads.link_columns(ctx),
                        every_row_note=ctx.t("rows.all_in_downloads"))
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
shell.done(ctx)
