"""IBCR activity data, the change side: every version of the data and how it changes.

The versioned store (snapshots and an append-only log), backups, the editing workbook, uploads
and their checks, record-by-record comparisons, What changed for the board, and the accounts of
the people who may change the data. Built on the read side (`ibcr_data`); never imports Streamlit.

Reading and writing workbooks (openpyxl, python-calamine) is for editors: `upload` and `workbook`
are imported by name where they are used, so a page that only shows the data never loads them.
"""

from .accounts import SESSION_MINUTES, Editors
from .changes import Changes, what_changed
from .compare import Comparison, compare
from .source import DataSource, resolve_source, store_root
from .store import Conflict, Store, Version

__all__ = ["SESSION_MINUTES", "Changes", "Comparison", "Conflict", "DataSource", "Editors", "Store", "Version",
           "compare", "resolve_source", "store_root", "what_changed"]
