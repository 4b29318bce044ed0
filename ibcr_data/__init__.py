"""IBCR activity data, the read side: the curated dataset as a value, read, validated, filtered and summarised.

Plain Python, pandas and Arrow: this package never imports Streamlit, Plotly, openpyxl,
python-calamine or argon2, so it works in a shell, a script or a notebook as well as behind the
dashboard. Changing the data (versions, uploads, accounts) is `ibcr_updates`, which builds on it.

Inside, each module imports only those below it (pyproject.toml, `make lint`):
results → aggregate → snapshot → filters, audience → precomputed → load → rules → result_rules → checks → csvread,
arrowtext → model → schema → problems → kept. `kept` (what a server keeps on disk for the next) needs no pandas:
this package imports its modules on first use (`__getattr__` below), so `import ibcr_data.kept` stays light.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers and readers see; at run time, __getattr__ below imports on first use
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

_EXPORTS = {  # name -> the module that defines it
    **dict.fromkeys(("CountryProfile", "HeadlineNumber", "country_profile", "engagements_per_country", "funders",
                     "headline_figures", "latest_reported", "metric_series", "record_sources", "source_usage",
                     "sources_used", "timeline_rows"), "aggregate"),
    **dict.fromkeys(("DIMENSIONS", "Choices", "Dimension", "Filters", "Ignored", "View", "apply_filters", "choices",
                     "parse_query"), "filters"),
    **dict.fromkeys(("DEFAULT_DATA_DIR", "fingerprint", "load_dataset", "validate"), "load"),
    "Dataset": "model",
    **dict.fromkeys(("Problem", "ValidationError"), "problems"),
    **dict.fromkeys(("Result", "Share", "all_results", "results_in_view", "results_of_programme", "status_counts"),
                    "results"),
}


def __getattr__(name: str):
    """Import a name's module on first use (PEP 562).

    NOTE: lazy on purpose: `import ibcr_data.kept` (the disk cache, standard library only) must not
    bring pandas. The server's first page run reads what a previous server drew before pandas is
    imported (ibcr_ui/prepaint.py); importing a submodule runs this file first.
    """
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    else:
        try:
            value = importlib.import_module(f".{name}", __name__)  # a submodule: ibcr_data.snapshot
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_DATA_DIR", "DIMENSIONS", "Choices", "CountryProfile", "Dataset", "Dimension", "Filters",
    "HeadlineNumber", "Ignored", "Problem", "Result", "Share", "ValidationError", "View", "apply_filters", "choices", "country_profile",
    "engagements_per_country", "fingerprint", "funders", "headline_figures", "latest_reported", "load_dataset",
    "all_results", "metric_series", "parse_query", "record_sources", "results_in_view", "results_of_programme", "source_usage", "sources_used",
    "status_counts", "timeline_rows", "validate",
]
