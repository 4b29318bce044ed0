"""The server `make run` starts: the dashboard (dashboard.py and pages/) behind the guards of ibcr_ui/guard.py.

`python -m ibcr_ui.serve` runs `streamlit run app.py`; Streamlit finds this `st.App` and serves the
dashboard with three middlewares: uploads only into a signed-in editor's session, anti-framing
headers (the editor's page never in a frame), and each page's HTML saying where the server is
(ibcr_ui/pagebase.py: a page with an address of its own connects without a 404 and a retry).
`streamlit run dashboard.py` still works for a quick look, without them.
"""

import streamlit as st
from starlette.middleware import Middleware

from ibcr_ui.guard import FrameGuard, UploadGuard
from ibcr_ui.pagebase import PageBase

app = st.App("dashboard.py", middleware=[Middleware(FrameGuard), Middleware(UploadGuard), Middleware(PageBase)])
