"""IBCR activity data, the read side: the curated dataset as a value, read, validated, filtered and summarised.

Plain Python, pandas and Arrow: this package never imports Streamlit, Plotly, openpyxl,
python-calamine or argon2, so it works in a shell, a script or a notebook as well as behind the
dashboard. Changing the data (versions, uploads, accounts) is `ibcr_updates`, which builds on it.

Inside, each module imports only those below it (pyproject.toml, `make lint`):
results → aggregate → filters → precomputed → load → rules → result_rules → validate → csvread, arrowtext → model → schema → problems.
"""

from .aggregate import (
    CountryProfile,
    HeadlineNumber,
    country_profile,
    engagements_per_country,
    funders,
    headline_figures,
    latest_reported,
    metric_series,
    record_sources,
    source_usage,
    sources_used,
    timeline_rows,
)
from .filters import DIMENSIONS, Choices, Dimension, Filters, Ignored, View, apply_filters, choices, parse_query
from .load import DEFAULT_DATA_DIR, fingerprint, load_dataset, validate
from .model import Dataset
from .problems import Problem, ValidationError
from .results import Result, Share, all_results, results_in_view, results_of_programme, status_counts

__all__ = [
    "DEFAULT_DATA_DIR", "DIMENSIONS", "Choices", "CountryProfile", "Dataset", "Dimension", "Filters",
    "HeadlineNumber", "Ignored", "Problem", "Result", "Share", "ValidationError", "View", "apply_filters", "choices", "country_profile",
    "engagements_per_country", "fingerprint", "funders", "headline_figures", "latest_reported", "load_dataset",
    "all_results", "metric_series", "parse_query", "record_sources", "results_in_view", "results_of_programme", "source_usage", "sources_used",
    "status_counts", "timeline_rows", "validate",
]
