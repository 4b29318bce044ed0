"""The Streamlit side of the dashboard: shell and filters, translations, figures, components."""
