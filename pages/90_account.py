"""Sign in: board members and staff see the board view (records kept for the board, figures the public view withholds)."""

import streamlit as st

from ibcr_ui import components, editing, shell
from ibcr_updates import Editors

# Inputs
ctx = shell.setup("account")
components.page_header(ctx, ctx.t("page.account"))
accounts = Editors.open()

# Render
if not accounts.enabled():
    st.info(ctx.t("account.none"))
    shell.stop(ctx)
who = editing.signed_in(accounts)
if who:
    st.markdown(ctx.t("account.board_view"))
    editing.session_line(ctx, who)
else:
    st.markdown(ctx.t("account.intro"))
    editing.sign_in_form(ctx, accounts)
shell.done(ctx)
