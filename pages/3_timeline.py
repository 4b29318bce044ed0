"""Timeline: thirty years of IBCR at a glance — programmes, engagements and milestones."""

import streamlit as st

import ibcr_data
from ibcr_ui import components, link, records, shell, views

# Inputs
ctx = shell.setup("timeline")
components.page_header(ctx, ctx.t("timeline.title"), ctx.describe())
st.segmented_control(ctx.t("timeline.group_by"), options=list(link.TIMELINE_GROUPS),
                     format_func=lambda g: ctx.t(f"timeline.group.{g}"), **shell.bound(ctx, "timeline_group"))
group_by = ctx.options.timeline_group

# Data
rows = ibcr_data.timeline_rows(ctx.ds, ctx.view, group_by=group_by)
rows = rows.assign(group=rows[f"group_{ctx.lang}"])
milestones = ctx.view.events[ctx.view.events["is_key_milestone"]]
undated = int(ctx.view.engagements["year_from"].isna().sum())

# Render
if rows.empty and milestones.empty:
    st.info(ctx.t("summary.none"))
else:
    records.timeline_gantt(ctx, rows, milestones, key="timeline_chart")
notes = [ctx.t("timeline.how_to_read")]
if group_by == "programme":
    notes.append(ctx.t("timeline.programme_only"))
if undated:
    notes.append(ctx.tn("timeline.undated", undated))
st.caption(" ".join(notes))

components.section(ctx.t("timeline.milestones_title"))
st.pills(ctx.t("timeline.categories"), options=list(ctx.choices.categories), selection_mode="multi",
         format_func=lambda c: ctx.label("category", c), **shell.bound(ctx, "timeline_categories"))
events = ctx.view.events
if ctx.options.categories:
    events = events[events["category_code"].isin(ctx.options.categories)]
views.milestone_list(ctx, events)
shell.done(ctx)
