"""Results against targets: what IBCR set out to achieve, and how far it has got ("Are we on track?")."""

import streamlit as st

import ibcr_data
from ibcr_ui import components, results, shell

# Inputs
ctx = shell.setup("results")
components.page_header(ctx, ctx.t("results.title"), ctx.describe())
st.caption(ctx.t("results.subtitle"))

# Data
found = ibcr_data.results_in_view(ctx.ds, ctx.view)

# Render
results.results_list(ctx, found)
shell.done(ctx)
