"""Running pages in AppTest: one helper that every AppTest module uses."""

from __future__ import annotations

import html
import re

from streamlit.testing.v1 import AppTest

from ibcr_ui.registry import ROOT, page

TIMEOUT = 60


def run(page_key: str, **params) -> AppTest:
    """Open a page the way a link does: the entry script, then the page, with these link values."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    if page_key != "overview":
        at.switch_page(page(page_key).script)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def sidebar_labels(at: AppTest) -> set[str]:
    return {w.label for w in at.sidebar.multiselect} | {w.label for w in at.sidebar.slider}


def cards(at: AppTest) -> dict[str, str]:
    """The headline cards on the page (one HTML element, ibcr_present.blocks): label -> the number shown."""
    found = {}
    for element in at.get("html"):
        body = element.proto.body
        for label, value in re.findall(r'<p class="ibcr-card-label">(.*?)</p><p class="ibcr-card-value">(.*?)</p>', body):
            found[html.unescape(label)] = html.unescape(value)
    return found


def metric(at: AppTest, label: str) -> str:
    return cards(at)[label]


def html_text(at: AppTest, keep_sources: bool = True) -> str:
    """The visible text of the page's HTML elements (cards, milestone lists, the map's legend).

    `keep_sources=False` leaves out links and italics: source titles, named in their own language; and the
    cells of the tables to read (ibcr_ui/tables.py: records as recorded, as the data grid showed them), not their headers.
    """
    bodies = [e.proto.body for e in at.get("html") if not e.proto.body.lstrip().startswith(("<style", "<script"))]
    if not keep_sources:
        bodies = [re.sub(r'(data-ibcr-table="[^"]*">.*?)<tbody>.*?</tbody>', r"\1", b, flags=re.S) for b in bodies]
    bodies += [m.value for m in at.markdown if m.value.startswith("<figure")]
    drop = r"<title>.*?</title>" + ("" if keep_sources else r"|<a\b[^>]*>.*?</a>|<em>.*?</em>")
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(drop, " ", b))) for b in bodies)


def svg_map(at: AppTest) -> dict:
    """The server-drawn world map on the page (ibcr_present.mapsvg), read from its markup.

    `countries`: ISO3 -> (fill, tooltip, link); `legend`: the legend's words, in order; `title`: the
    legend's heading; `view_box`: (x, y, width, height) of the picture.
    """
    found = [m.value for m in at.markdown if m.value.startswith('<figure class="ibcr-map-figure">')]
    assert len(found) == 1, f"{len(found)} SVG maps on the page"
    svg = found[0]
    countries = {}
    for href, tip, fill in re.findall(r'<a class="ibcr-country" href="([^"]+)"[^>]*><title>([^<]*)</title>'
                                      r'<(?:path d="[^"]*"|circle [^>]*?) fill="(#\w+)"', svg):
        iso3 = re.search(r"profile=(\w+)", href).group(1)
        countries[iso3] = (fill, html.unescape(tip), html.unescape(href))
    title = re.search(r'<li class="ibcr-legend-title">([^<]*)</li>', svg)
    return {"countries": countries, "legend": [html.unescape(x) for x in re.findall(r"</span>([^<]+)</li>", svg)],
            "title": html.unescape(title.group(1)) if title else "",
            "view_box": tuple(float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split()), "markup": svg}


def link(at: AppTest) -> dict[str, str]:
    """The address bar's parameters after the last run, each as one string."""
    return {k: v if isinstance(v, str) else ",".join(v) for k, v in at.query_params.items()}


def texts(at: AppTest) -> str:
    """Everything the page shows as text: titles, Markdown, captions, notices."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts) + "\n" + html_text(at)


def widget(at: AppTest, kind: str, key: str):
    """A widget that AppTest has no typed accessor for (segmented control, pills), by its key."""
    found = [w for w in at.get(kind) if getattr(w, "key", None) == key]
    assert found, f"no {kind} with key {key!r}"
    return found[0]


def metric_charts(at: AppTest) -> dict[str, str]:
    """The server-drawn charts of figures on the page (ibcr_present.figuresvg): accessible name -> markup."""
    found = {}
    for m in at.markdown:
        if 'class="ibcr-metric-chart"' in m.value:
            name = re.search(r'<svg class="ibcr-metric-chart"[^>]* aria-label="([^"]*)"', m.value).group(1)
            found[html.unescape(name)] = m.value
    return found


def nav_links(at: AppTest) -> dict[str, str]:
    """The sidebar's page links: label -> the query string each carries."""
    return {p.proto.label: p.proto.query_string for p in at.sidebar.get("page_link")}
