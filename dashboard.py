"""Overview: headline figures a board can trust, where IBCR works, and the latest milestones."""

import streamlit as st

from ibcr_ui import components, state, views

# Inputs
ctx = state.setup("overview")

# Render
st.title(ctx.t("overview.title"))
st.caption(ctx.t("overview.subtitle"))
components.human_line(state.describe(ctx))
views.headline_cards(ctx)
st.markdown(components.md(views.summary_sentence(ctx)))

st.subheader(ctx.t("overview.map_title"))
views.world_map(ctx, mode="kind", key="overview_map", height=500)

st.subheader(ctx.t("overview.milestones_title"))
views.milestone_list(ctx, ctx.view.events[ctx.view.events["is_key_milestone"]], limit=6, columns=2)
st.page_link("pages/3_timeline.py", label=ctx.t("overview.all_milestones"),
             query_params=state.nav_params(ctx, "timeline"))
