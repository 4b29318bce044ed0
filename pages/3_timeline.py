"""Timeline: thirty years of IBCR at a glance — programmes, engagements and milestones."""

import streamlit as st

import ibcr_data
from ibcr_ui import components, figures, state, tables, views

# Inputs
ctx = state.setup("timeline")
st.title(ctx.t("timeline.title"))
components.human_line(state.describe(ctx))
group_by = st.segmented_control(ctx.t("timeline.group_by"), options=["programme", "country"], default="programme",
                                key="timeline_group", format_func=lambda g: ctx.t(f"timeline.group.{g}")) or "programme"

# Data
rows = ibcr_data.timeline_rows(ctx.ds, ctx.view, group_by=group_by)
rows = rows.assign(group=rows[f"group_{ctx.lang}"])
milestones = ctx.view.events[ctx.view.events["is_key_milestone"]]
undated = len(ctx.view.engagements) - len(ibcr_data.timeline_rows(ctx.ds, ctx.view, "country"))

# Render
if rows.empty and milestones.empty:
    st.info(ctx.t("summary.none"))
else:
    fig = figures.timeline_figure(rows, milestones, ctx.lang, tables.timeline_labels(ctx),
                                  tables.engagement_hover(ctx, rows), tables.milestone_hover(ctx, milestones))
    st.plotly_chart(fig, width="stretch", key="timeline_chart",
                    config=figures.chart_config(ctx.lang, ctx.t("files.timeline_png")))
notes = [ctx.t("timeline.how_to_read")]
if group_by == "programme":
    notes.append(ctx.t("timeline.programme_only"))
if undated:
    notes.append(ctx.t("timeline.undated", n=undated))
st.caption(" ".join(notes))

st.subheader(ctx.t("timeline.milestones_title"))
categories = list(ctx.ds.descriptor.vocabularies["category_code"])
chosen = st.pills(ctx.t("timeline.categories"), options=categories, selection_mode="multi", key="timeline_categories",
                  format_func=lambda c: ctx.label("category", c))
events = ctx.view.events
if chosen:
    events = events[events["category_code"].isin(chosen)]
views.milestone_list(ctx, events)
