"""Warm-section timings that need more than a reload: the signed-in editor page, and the pack downloads."""

from __future__ import annotations

import statistics
import sys
import time

import harness
from harness import EDITOR_SIGNED_IN, PAGES, READY_MS, navigate, open_page, wait_for
from store import TempStore

PACK_TIMEOUT_MS = 300_000  # the first pack of a server also starts the chart renderer
PACK_BUTTON = '[class*="st-key-pack_country_"] button'  # the key is pack_country_<ISO3>_ (ibcr_ui/packs.py)


def packs_supported() -> bool:
    """Whether the app under test makes packs (older commits have no ibcr_report)."""
    return (harness.APP / "ibcr_report" / "__init__.py").is_file()


# The editor, signed in


def sign_in(page, base: str, store: TempStore) -> None:
    """Sign in through the form, as an editor would; wait until the signed-in page is drawn."""
    open_page(page, base + PAGES["editor"][0], PAGES["editor"][1])
    page.get_by_label(harness.LOCALE["editor.name"], exact=True).fill(store.editor)
    page.get_by_role("textbox", name=harness.LOCALE["editor.password"], exact=True).fill(store.password)
    page.get_by_role("button", name=harness.LOCALE["editor.sign_in"], exact=True).click()
    wait_for(page, EDITOR_SIGNED_IN)


def editor_round_trip(page) -> tuple[float, float]:
    """In a signed-in session: sidebar link to the Overview, then back to the editor page; ms of each switch.

    NOTE: a reload starts a new Streamlit session, and the sign-in lives in the session, so a reload
    shows the sign-in form again. A page switch through the sidebar link keeps the session: it runs
    the whole editor page script signed in, without the reload's new connection and frontend start.
    """
    to_overview = navigate(page, "overview")
    return to_overview, navigate(page, "editor", EDITOR_SIGNED_IN)


# Pack downloads


def download_s(page, url: str) -> float:
    """Open a country profile (not timed), press its pack button: seconds until the PDF is saved."""
    open_page(page, url, PAGES["country"][1])
    button = page.locator(PACK_BUTTON).first
    button.wait_for(timeout=READY_MS)
    with page.expect_download(timeout=PACK_TIMEOUT_MS) as info:
        t = time.perf_counter()
        button.click()
    info.value.path()  # waits until the file is complete
    return time.perf_counter() - t


def worker_packs(runs: int) -> dict:
    """The countries to download (most engagements first), the charts in each pack, and the one-chart floor."""
    sys.path.insert(0, str(harness.APP))
    from packs import chart_floor

    import ibcr_data
    import ibcr_report
    from ibcr_report.content import build_content
    from ibcr_report.scope import resolve

    ds = ibcr_data.load_dataset()
    counts = ds.engagements["country_iso3"].value_counts()
    countries = []
    for iso3 in counts.index[: runs + 1]:
        content = build_content(ds, resolve(ds, "country", iso3), "en", ibcr_report.VersionInfo(""))
        countries.append([str(iso3), len(content.charts)])
    r = ibcr_report.renderer()
    r.start()
    floor = chart_floor(ds, r)
    return {"countries": countries, "per_chart_s": floor, "mean_chart_s": statistics.mean(floor.values())}
