"""What changed: since a chosen version or named snapshot, what is new for the board."""

import streamlit as st

from ibcr_ui import components, data, history, packs, shell

# Inputs
ctx = shell.setup("changes")
components.page_header(ctx, ctx.t("changes.title"))
store = data.store(ctx.source)
versions = store.versions() if store else []
if len(versions) < 2:
    st.info(ctx.t("changes.no_history"))
    shell.stop(ctx)
current, older = versions[0], versions[1:]
if st.session_state.get("changes_since") not in {v.id for v in older}:
    st.session_state["changes_since"] = older[0].id  # by default: since the version before the current one
labels = {v.id: history.version_label(ctx, v) for v in versions}
since = st.selectbox(ctx.t("changes.since"), options=[v.id for v in older], format_func=labels.get,
                     **shell.bound(ctx, "changes_since"))

# Data
changes = data.changes(str(store.root), since, current.id, ctx.audience)

# Render
st.markdown(ctx.t("changes.lead", since=labels[since], current=labels[current.id]))
history.changes_panel(ctx, changes)
packs.pack_button(ctx, ctx.t("packs.with_changes", since=since), "organisation", since=since)
st.caption(ctx.t("changes.how"))
shell.done(ctx)
