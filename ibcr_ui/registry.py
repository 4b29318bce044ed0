"""The one list of pages: the shell's navigation, the tests and the benchmark all read it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Page:
    key: str  # also the page's title message: "page.<key>"
    script: str  # path from the project folder, as st.page_link and AppTest take it
    url_path: str  # the address Streamlit serves it at
    for_editors: bool = False  # listed only when an account exists (editing, signing in)

    @property
    def title_key(self) -> str:
        return f"page.{self.key}"


PAGES: tuple[Page, ...] = (
    Page("overview", "dashboard.py", "/"),
    Page("map", "pages/1_map.py", "/map"),
    Page("country", "pages/2_country.py", "/country"),
    Page("timeline", "pages/3_timeline.py", "/timeline"),
    Page("programmes", "pages/4_programmes.py", "/programmes"),
    Page("results", "pages/9_results.py", "/results"),
    Page("data", "pages/5_data.py", "/data"),
    Page("sources", "pages/6_sources.py", "/sources"),
    Page("changes", "pages/7_changes.py", "/changes"),
    Page("editor", "pages/8_editor.py", "/editor", for_editors=True),
    Page("account", "pages/90_account.py", "/account", for_editors=True),
)
BY_KEY = {p.key: p for p in PAGES}


def page(key: str) -> Page:
    return BY_KEY[key]
