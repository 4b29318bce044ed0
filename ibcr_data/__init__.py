"""IBCR activity data: load, validate, filter and summarise the curated dataset in data/.

Pure Python and pandas: this package never imports Streamlit or Plotly, so it works in a
shell, a script or a notebook as well as behind the dashboard.
"""

from .aggregate import (
                        CountryProfile,
                        Figure,
                        country_profile,
                        engagements_per_country,
                        funders,
                        headline_figures,
                        latest_reported,
                        metric_series,
                        record_sources,
                        source_usage,
                        timeline_rows,
)
from .changes import Changes, what_changed
from .compare import Comparison, compare
from .editors import SESSION_MINUTES, Editors
from .filters import Choices, Filters, Ignored, View, apply_filters, choices, parse_query
from .load import VENUE_KINDS, Dataset, ValidationError, default_data_dir, fingerprint, load_dataset, validate
from .validate import Problem
from .versions import Conflict, Store, Version

# Reading and writing workbooks (openpyxl, about 8 MB once imported) is for editors: loaded on first use.
_LAZY = {"MAX_UPLOAD_BYTES": "container", "Intake": "intake", "read_upload": "intake", "template": "workbook"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "VENUE_KINDS", "Choices", "CountryProfile", "Dataset", "Figure", "Filters", "Ignored", "Problem",
    "ValidationError", "View", "apply_filters", "choices", "country_profile", "default_data_dir",
    "engagements_per_country", "fingerprint", "funders", "headline_figures", "latest_reported", "load_dataset",
    "metric_series", "parse_query", "record_sources", "source_usage", "timeline_rows", "validate",
    # Data updates: versions, comparison, the editing workbook, uploads, editor accounts
    "MAX_UPLOAD_BYTES", "SESSION_MINUTES", "Changes", "Comparison", "Conflict", "Editors", "Intake", "Store",
    "Version", "compare", "read_upload", "template", "what_changed",
]
