"""Chart floor for `make bench`: one small Plotly chart and nothing else, with the app's .streamlit settings."""

import plotly.graph_objects as go
import streamlit as st

st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])), key="floor_chart")
