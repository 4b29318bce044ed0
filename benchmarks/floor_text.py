"""Text floor for `make bench`: the least a Streamlit page can do, with the app's .streamlit settings."""

import streamlit as st

st.write("This page is the text floor of the IBCR dashboard benchmark.")
