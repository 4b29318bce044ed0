"""Overview: headline figures a board can trust, where IBCR works, and the latest milestones."""

import streamlit as st

from ibcr_ui import prepaint

prepaint.paint("overview")  # a first visit: the first screen the last run drew, at once (before pandas loads)

import ibcr_data  # noqa: E402
from ibcr_present import text  # noqa: E402
from ibcr_ui import components, link, packs, results, shell, views  # noqa: E402
from ibcr_ui.registry import page  # noqa: E402

prepaint.paint_rest()  # the rest of it, the map among them, drawn by the browser while the page runs

# Inputs
ctx = shell.setup("overview")

# Render
components.page_header(ctx, ctx.t("overview.title"))
st.caption(ctx.t("overview.subtitle"))
components.human_line(ctx.describe())
views.headline_cards(ctx)
st.markdown(text.md(ctx.summary_sentence()))
packs.pack_button(ctx, ctx.t("packs.organisation"), "organisation")
results.overview_block(ctx)

components.section(ctx.t("overview.map_title"))
views.svg_map(ctx, "kind", key="overview_map")
views.country_table(ctx, ibcr_data.engagements_per_country(ctx.ds, ctx.view))

components.section(ctx.t("overview.milestones_title"))
views.milestone_list(ctx, ctx.view.events[ctx.view.events["is_key_milestone"]], limit=6, columns=2)
st.page_link(page("timeline").script, label=ctx.t("overview.all_milestones"),
             query_params=link.nav_params(ctx.state, "timeline"))
shell.done(ctx)
