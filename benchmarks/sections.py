"""The benchmark sections (cold, warm, interaction, payload, memory, scale) and their worker processes."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import harness
from harness import (
    CARD_VISIBLE,
    FLOORS,
    PAGES,
    READY_MS,
    SCALE_READY_MS,
    SESSIONS,
    TEXT_VISIBLE,
    WORKER_TIMEOUT_S,
    BenchError,
    Browser,
    Network,
    Row,
    close,
    navigate,
    open_page,
    probe,
    reload_ms,
    serving,
    wait_for,
)

# Sections


def cold(b: Browser, runs: int, logs: Path) -> list[Row]:
    """Spawn → cards visible / Overview fully drawn, alternating app, text floor, chart floor."""
    cards: list[float] = []
    drawn: list[float] = []
    text: list[float] = []
    chart: list[float] = []
    healthy: list[float] = []
    plan = [("dashboard.py", [CARD_VISIBLE, PAGES["overview"][1]]),
            (FLOORS["text"][0], [TEXT_VISIBLE]), (FLOORS["chart"][0], [FLOORS["chart"][1]])]
    for _ in range(runs):
        for script, conds in plan:
            page = b.page()
            try:
                with serving(script, logs=logs) as (server,):
                    times = []
                    page.goto(server.base + "/", wait_until="commit", timeout=READY_MS)
                    for cond in conds:
                        wait_for(page, cond)
                        times.append(time.perf_counter() - server.started)
                    if script == "dashboard.py":
                        cards.append(times[0])
                        drawn.append(times[1])
                        healthy.append(server.healthy_s)
                    else:
                        (text if script == FLOORS["text"][0] else chart).append(times[0])
            finally:
                close(page)
    return [Row("cold", "headline cards visible", "s", samples=cards, floor_samples=text, floor_name="text visible",
                target="≤ 1.3× floor", limit=1.3, on_ratio=True),
            Row("cold", "Overview fully drawn", "s", samples=drawn, floor_samples=chart, floor_name="chart drawn",
                target="≤ 1.15× floor", limit=1.15, on_ratio=True),
            Row("cold", "server answers /_stcore/health (app)", "s", samples=healthy,
                note="spawn → /_stcore/health answers ok (the browser opens the page then)")]


def warm(b: Browser, runs: int, pages: tuple[str, ...], logs: Path) -> list[Row]:
    """Reload each page on a running server until fully rendered; a chart-floor reload follows each."""
    rows = {p: Row("warm", f"reload {p} ({PAGES[p][0]})", "ms", floor_name="chart floor", target="≤ 1.3× floor",
                   limit=1.3, on_ratio=True) for p in pages}
    chart, text = [], []
    streams: dict[str, list[tuple[float, float, int]]] = {p: [] for p in [*pages, "floor_chart"]}

    def reload(tab, net: Network, cond: str, name: str | None = None) -> float:
        ms = reload_ms(tab, cond)
        if name and net.stream_ms():
            streams[name].append(net.stream_ms())
        return ms

    with serving("dashboard.py", FLOORS["chart"][0], FLOORS["text"][0], logs=logs) as (app, fc, ft):
        tabs = {p: b.page() for p in pages}
        tab_chart, tab_text = b.page(), b.page()
        try:
            nets = {p: Network(tabs[p]) for p in pages}
            net_chart, net_text = Network(tab_chart), Network(tab_text)
            for p in pages:  # first visits (not counted): caches fill, every page compiles once
                open_page(tabs[p], app.base + PAGES[p][0], PAGES[p][1])
            open_page(tab_chart, fc.base + "/", FLOORS["chart"][1])
            open_page(tab_text, ft.base + "/", FLOORS["text"][1])
            for _ in range(runs):
                for p in pages:
                    rows[p].samples.append(reload(tabs[p], nets[p], PAGES[p][1], p))
                    chart.append(reload(tab_chart, net_chart, FLOORS["chart"][1], "floor_chart"))
                text.append(reload(tab_text, net_text, FLOORS["text"][1]))
        finally:
            for tab in [*tabs.values(), tab_chart, tab_text]:
                close(tab)
    for p, r in rows.items():
        r.floor_samples = chart
        if streams[p] and streams["floor_chart"]:
            first, last, frames = (statistics.median(x) for x in zip(*streams[p]))
            floor_first, floor_last = (statistics.median(x[i] for x in streams["floor_chart"]) for i in (0, 1))
            r.detail = {"first_frame_ms": first, "last_frame_ms": last, "frames": frames,
                        "floor_first_frame_ms": floor_first, "floor_last_frame_ms": floor_last}
            r.note = (f"websocket frames {first:,.0f}–{last:,.0f} ms ({frames:.0f} frames; chart floor's last at "
                      f"{floor_last:,.0f} ms), then {statistics.median(r.samples) - last:,.0f} ms of drawing")
    return [*rows.values(), Row("warm", "reload text floor (information)", "ms", samples=text)]


def interaction(b: Browser, runs: int, logs: Path) -> list[Row]:
    """On /map, pick "West Africa" in the Region filter: time until the map and the counts change."""
    updated = Row("interaction", "Region filter on /map → map and counts updated", "ms", target="≤ 400 ms",
                  limit=400, note="browser time from the pointer press on the option to the first frame with "
                                  "fewer map shapes and a new human line; one warm-up run discarded")
    finished, ws = Row("interaction", "same, until the rerun has finished", "ms"), \
        Row("interaction", "websocket bytes sent for that rerun", "KB")
    with serving("dashboard.py", logs=logs) as (app,):
        page = b.page()
        try:
            net = Network(page)
            for i in range(runs + 1):
                open_page(page, app.base + "/map?lang=en", PAGES["map"][1])
                n_paths, line = probe(page, "[paths(), humanLine()]")
                page.locator(f'input[aria-label="{harness.LOCALE["filters.region"]}"]').click()
                option = page.get_by_role("option", name="West Africa", exact=True)
                option.wait_for(timeout=10_000)
                page.evaluate("""() => { window.__benchT0 = null; document.addEventListener('pointerdown',
                    () => { if (window.__benchT0 === null) window.__benchT0 = performance.now(); },
                    {capture: true, once: true}); }""")
                net.settle(100)
                before = net.ws_bytes
                option.click()
                changed = f"paths() !== {n_paths} && humanLine() !== {json.dumps(line)}"
                t_updated = wait_for(page, changed)
                t_done = wait_for(page, f"idle() && {changed}")
                t0 = page.evaluate("window.__benchT0")
                net.settle(300)
                if i:  # the first run is a warm-up
                    updated.samples.append(t_updated - t0)
                    finished.samples.append(t_done - t0)
                    ws.samples.append((net.ws_bytes - before) / 1024)
        finally:
            close(page)
    script = _worker("apptest", "--runs", str(runs))
    return [updated, finished, ws,
            Row("interaction", "script time of a rerun (AppTest), Region → West Africa on /map", "ms",
                samples=script["app_ms"], floor_samples=script["floor_ms"], floor_name="chart floor rerun",
                target="≤ 100 ms", limit=100,
                note="AppTest.run() wall time in a separate process, after one warm-up run")]


def payload(b: Browser, pages: tuple[str, ...], logs: Path) -> list[Row]:
    """Bytes each page receives in a fresh browser context: websocket frames + /app/static/ files."""
    rows, detail = [], {}
    with serving("dashboard.py", FLOORS["chart"][0], FLOORS["text"][0], logs=logs) as (app, fc, ft):
        targets = [(p, app.base + PAGES[p][0], PAGES[p][1]) for p in pages] + \
            [("floor_chart", fc.base + "/", FLOORS["chart"][1]), ("floor_text", ft.base + "/", FLOORS["text"][1])]
        for name, url, cond in targets:
            page = b.page()
            try:
                net = Network(page)
                open_page(page, url, cond)
                net.settle()
                detail[name] = net.totals()
            finally:
                close(page)
        geometry = _geometry_session(b, app.base)
    floor = detail["floor_chart"]["app_bytes"] / 1024
    for p in pages:
        d = detail[p]
        rows.append(Row("payload", f"{p}: websocket + app static", "KB", samples=[d["app_bytes"] / 1024],
                        floor_samples=[floor], floor_name="chart floor",
                        target="≤ 400 KB" if p == "overview" else "", limit=400 if p == "overview" else None,
                        note=f"websocket {d['ws_bytes'] / 1024:,.0f} KB in {d['ws_frames']} frames (uncompressed "
                             f"payload), /app/static/ {d['app_static_bytes'] / 1024:,.0f} KB (on the wire)"))
    first = pages[0]
    rows.append(Row("payload", f"{first}: Streamlit frontend bundles (/static/, cold cache)", "KB",
                    samples=[detail[first]["bundle_bytes"] / 1024],
                    floor_samples=[detail["floor_chart"]["bundle_bytes"] / 1024], floor_name="chart floor"))
    rows.append(Row("payload", "map geometry downloads in one session (Overview → Map → Overview)", "count",
                    samples=[geometry["downloads"]], target="= 1", met=geometry["downloads"] == 1,
                    note=f"{geometry['bytes'] / 1024:,.0f} KB of /app/static/ in that session; "
                         f"websocket {geometry['ws_bytes'] / 1024:,.0f} KB (0 downloads would mean the "
                         "geometry travels in the figure, on every rerun)"))
    rows[0].note += "; per-page details in the JSON"
    rows[-1].detail = detail
    return rows


def _geometry_session(b: Browser, base: str) -> dict[str, int]:
    page = b.page()
    try:
        net = Network(page)
        open_page(page, base + "/", PAGES["overview"][1])
        navigate(page, "map")
        navigate(page, "overview")
        net.settle()
        static = [(n, status) for p, n, status in net.responses if p.startswith("/app/static/")]
        return {"downloads": sum(1 for _, status in static if status == 200),
                "bytes": sum(n for n, _ in static), "ws_bytes": net.ws_bytes}
    finally:
        close(page)


def memory(b: Browser, pages: tuple[str, ...], logs: Path) -> list[Row]:
    """Server RSS after SESSIONS browser sessions, each visiting every page through the sidebar links."""
    with serving("dashboard.py", logs=logs) as (app,):
        idle_mb = app.rss()[0]
        first = "country" if "country" in pages else pages[0]
        for _ in range(SESSIONS):
            page = b.page()
            try:
                open_page(page, app.base + PAGES[first][0], PAGES[first][1])
                for p in pages:
                    if p != first:
                        navigate(page, p)
            finally:
                close(page)
        time.sleep(1)
        rss, peak = app.rss()
    with serving(FLOORS["chart"][0], logs=logs) as (fc,):
        for _ in range(SESSIONS):
            page = b.page()
            try:
                open_page(page, fc.base + "/", FLOORS["chart"][1])
            finally:
                close(page)
        time.sleep(1)
        floor_rss = fc.rss()[0]
    return [Row("memory", f"server RSS after {SESSIONS} sessions × {len(pages)} pages", "MB", samples=[rss],
                floor_samples=[floor_rss], floor_name=f"chart floor, {SESSIONS} sessions", target="≤ 250 MB",
                limit=250, note=f"idle after start {idle_mb:,.0f} MB; peak {peak:,.0f} MB; sessions closed "
                                "but kept by Streamlit for server.disconnectedSessionTTL (120 s)")]


def scale(b: Browser, runs: int, quick: bool, logs: Path) -> list[Row]:
    """A generated dataset 1,000 times the real one: load, filter + aggregate, and two pages drawn."""
    import generate  # a sibling script: benchmarks/ is sys.path[0] when run.py runs

    with tempfile.TemporaryDirectory(prefix="ibcr-1000x-") as tmp:
        data = Path(tmp) / "data"
        t = time.perf_counter()
        counts = generate.generate(data, data=harness.APP / "data")
        gen_s = time.perf_counter() - t
        w = _worker("scale", "--data", str(data), "--runs", str(1 if quick else runs))
        rows_total = sum(counts.values())
        out = [
            Row("scale", "generate the 1,000× dataset (information)", "s", samples=[gen_s],
                note=", ".join(f"{k} {v:,}" for k, v in counts.items())),
            Row("scale", f"load + validate, {rows_total:,} rows", "s", samples=w["load_s"],
                floor_samples=w["real_load_s"], floor_name="real data", target="≤ 3 s", limit=3,
                note=(f"validate() alone {w['validate_s']:.2f} s; " if "validate_s" in w else "")
                + f"the target names 100,000 rows; this set has {counts['engagements']:,} engagements and "
                  f"{rows_total:,} rows in all" + ("; one run (--quick)" if quick else "")),
        ]
        for key, label in (("all", "no filter"), ("west_africa", "Region = West Africa")):
            out.append(Row("scale", f"filter + aggregate, {label}", "ms", samples=w["aggregate_ms"][key],
                           floor_samples=w["real_aggregate_ms"][key], floor_name="real data", target="≤ 100 ms",
                           limit=100, note="apply_filters + headline_figures + engagements_per_country + "
                                           "timeline_rows, after one warm-up call"))
        page = b.page()
        try:
            net = Network(page)
            with serving("dashboard.py", logs=logs, env={"IBCR_DATA_DIR": str(data)}) as (app,):
                first = open_page(page, app.base + "/", PAGES["overview"][1], SCALE_READY_MS)
                net.settle()
                overview_kb, net.ws_bytes = net.ws_bytes / 1024, 0
                map_ms = open_page(page, app.base + "/map", PAGES["map"][1], SCALE_READY_MS)
                net.settle()
                out += [
                    Row("scale", "Overview drawn, first visit (navigation → drawn, includes the data load)", "s",
                        samples=[first / 1000], note=f"websocket {overview_kb:,.0f} KB"),
                    Row("scale", "Map drawn (data cached)", "s", samples=[map_ms / 1000], target="renders",
                        met=True,  # open_page raised otherwise: timeout or stException
                        note=f"no stException, ≥ 30 map shapes, one run; websocket {net.ws_bytes / 1024:,.0f} KB"),
                ]
        finally:
            close(page)
    return out


# Workers (separate processes)


def _worker(kind: str, *args: str) -> dict:
    run_py = Path(__file__).resolve().with_name("run.py")  # the entry script, which answers --worker
    cmd = [sys.executable, str(run_py), "--worker", kind, "--app-dir", str(harness.APP), *args]
    done = subprocess.run(cmd, cwd=harness.APP, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S,
                          check=False)
    if done.returncode:
        raise BenchError(f"worker {kind} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker_apptest(runs: int) -> dict:
    """Time AppTest reruns of /map after a Region change, and of the chart floor."""
    sys.path.insert(0, str(harness.APP))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(harness.APP / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/1_map.py")
    at.run()
    app_ms = []
    for i in range(runs + 1):
        at.sidebar.multiselect(key="f_region").set_value([])
        at.run()
        at.sidebar.multiselect(key="f_region").set_value(["west_africa"])
        t = time.perf_counter()
        at.run()
        if at.exception:
            raise BenchError(f"AppTest exception: {at.exception}")
        if i:
            app_ms.append((time.perf_counter() - t) * 1000)
    floor = AppTest.from_file(FLOORS["chart"][0], default_timeout=60)
    floor.run()
    floor_ms = []
    for _ in range(runs):
        t = time.perf_counter()
        floor.run()
        floor_ms.append((time.perf_counter() - t) * 1000)
    return {"app_ms": app_ms, "floor_ms": floor_ms}


def worker_scale(data: Path, runs: int) -> dict:
    """Time loading and aggregating the generated data, and the real data for comparison."""
    sys.path.insert(0, str(harness.APP))
    import ibcr_data

    def timed(fn: Callable[[], object], n: int, scale_ms: float = 1.0) -> list[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * scale_ms)
        return out

    def aggregate(ds, f):
        view = ibcr_data.apply_filters(ds, f)
        ibcr_data.headline_figures(ds, view, 2026)
        ibcr_data.engagements_per_country(ds, view)
        ibcr_data.timeline_rows(ds, view)

    filters = {"all": ibcr_data.Filters(), "west_africa": ibcr_data.Filters(regions=frozenset({"west_africa"}))}
    result: dict = {}
    for prefix, folder, n_load in (("", data, runs), ("real_", harness.APP / "data", 5)):
        loaded: list = []
        result[f"{prefix}load_s"] = timed(lambda d=folder, out=loaded: out.append(ibcr_data.load_dataset(d)), n_load)
        ds = loaded.pop()
        loaded.clear()
        result[f"{prefix}aggregate_ms"] = {}
        for key, f in filters.items():
            aggregate(ds, f)  # warm-up
            result[f"{prefix}aggregate_ms"][key] = timed(lambda ds=ds, f=f: aggregate(ds, f), 5, 1000)
    if runs > 1:  # the split costs one more load; --quick skips it
        t = time.perf_counter()
        ibcr_data.validate(data)
        result["validate_s"] = time.perf_counter() - t
    return result
