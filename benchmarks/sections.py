"""The benchmark sections cold, warm, interaction, payload and memory, and the AppTest worker (scale: scale.py)."""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import editing
import harness
from harness import (
    APP_SCRIPT,
    CARD_VISIBLE,
    FLOORS,
    PAGES,
    READY_MS,
    SESSIONS,
    STORE_PAGES,
    TEXT_VISIBLE,
    WORKER_TIMEOUT_S,
    BenchError,
    Browser,
    Network,
    close,
    mark_pointerdown,
    navigate,
    open_page,
    pointer_t0,
    probe,
    reload_ms,
    serving,
    wait_for,
)
from store import TempStore
from table import Row

# Sections


def cold(b: Browser, runs: int, logs: Path) -> list[Row]:
    """Spawn → cards visible / Overview fully drawn, alternating app, text floor, chart floor.

    A server keeps what its start-up and first visit built for the next one (the validated data, the
    map's outlines, a painted first visit: the app's IBCR_CACHE_DIR). Every start here shares one
    folder that begins empty: the first start finds nothing kept (a new checkout, new data) and is
    reported on its own row; the counted starts are restarts, as after a deployment or a reboot.
    """
    cards: list[float] = []
    drawn: list[float] = []
    text: list[float] = []
    chart: list[float] = []
    healthy: list[float] = []
    plan = [(APP_SCRIPT, [CARD_VISIBLE, PAGES["overview"][1]]),
            (FLOORS["text"][0], [TEXT_VISIBLE]), (FLOORS["chart"][0], [FLOORS["chart"][1]])]

    def start(script: str, conds: list[str], env: dict[str, str] | None) -> tuple[list[float], float]:
        page = b.page()
        try:
            with serving(script, logs=logs, env=env) as (server,):
                times = []
                page.goto(server.base + "/", wait_until="commit", timeout=READY_MS)
                for cond in conds:
                    wait_for(page, cond)
                    times.append(time.perf_counter() - server.started)
                return times, server.healthy_s
        finally:
            close(page)

    with tempfile.TemporaryDirectory(prefix="ibcr-bench-kept-") as kept:
        env = {"IBCR_CACHE_DIR": kept}
        first = start(*plan[0], env)[0]
        for _ in range(runs):
            for script, conds in plan:
                times, healthy_s = start(script, conds, env if script == APP_SCRIPT else None)
                if script == APP_SCRIPT:
                    cards.append(times[0])
                    drawn.append(times[1])
                    healthy.append(healthy_s)
                else:
                    (text if script == FLOORS["text"][0] else chart).append(times[0])
    return [Row("cold", "headline cards visible", "s", samples=cards, floor_samples=text, floor_name="text visible",
                target="≤ 1.3× floor", limit=1.3, on_ratio=True),
            Row("cold", "Overview fully drawn", "s", samples=drawn, floor_samples=chart, floor_name="chart drawn",
                target="≤ 1.0× floor", limit=1.0, on_ratio=True),
            Row("cold", "first start, nothing kept yet: Overview drawn (information)", "s", samples=[first[1]],
                note=f"one start on an empty IBCR_CACHE_DIR before the counted ones (cards visible {first[0]:.2f} s): "
                     "it validates the data, projects the map's outlines and paints nothing; the counted starts "
                     "find what it kept"),
            Row("cold", "server answers /_stcore/health (app)", "s", samples=healthy,
                note="spawn → /_stcore/health answers ok (the browser opens the page then); app started with `"
                     + " ".join(Path(c).name if c == sys.executable else c for c in harness.app_command()) + "`")]


def _servers(stack: contextlib.ExitStack, logs: Path, store: TempStore | None, need_store: bool, *floors: str):
    """The app on the real data, the app on the temp store (when needed), then the floors: all healthy."""
    app, *rest = stack.enter_context(serving(APP_SCRIPT, *floors, logs=logs))
    on_store = stack.enter_context(serving(APP_SCRIPT, logs=logs, env=store.env))[0] if need_store else None
    return app, on_store, rest


def _split(pages: tuple[str, ...], store: TempStore | None) -> tuple[list[str], list[str], list[str]]:
    """Pages on the real data, pages on the temp store, and store pages skipped (the app keeps no versions)."""
    return ([p for p in pages if p not in STORE_PAGES], [p for p in pages if p in STORE_PAGES and store],
            [p for p in pages if p in STORE_PAGES and not store])


def warm(b: Browser, runs: int, pages: tuple[str, ...], logs: Path, store: TempStore | None) -> list[Row]:
    """Reload each page on a running server until fully rendered; a chart-floor reload follows each.

    What changed and the editor page are served by a second app on the temp store (store.py). In the
    same runs: the signed-in editor page (a page switch, see editing.editor_round_trip) and a country
    pack download (editing.download_s), each also followed by a chart-floor reload.
    """
    plain, stored, skipped = _split(pages, store)
    order = plain + stored
    rows = {p: Row("warm", f"reload {p} ({PAGES[p][0]})", "ms", floor_name="chart floor", target="≤ 1.3× floor",
                   limit=1.3, on_ratio=True) for p in order}
    for p in stored:
        rows[p].figure += " on the temp store" + (", as a visitor (sign-in form)" if p == "editor" else "")
    chart, text, signed_in, to_overview, pack_s, pack_floor = [], [], [], [], [], []
    streams: dict[str, list[tuple[float, float, int]]] = {p: [] for p in [*order, "floor_chart"]}
    do_editor = "editor" in stored
    do_packs = "country" in plain and editing.packs_supported()
    packs = _worker("packs", "--runs", str(runs)) if do_packs else {}

    def reload(tab, net: Network, cond: str, name: str | None = None) -> float:
        ms = reload_ms(tab, cond)
        if name and net.stream_ms():
            streams[name].append(net.stream_ms())
        return ms

    tabs: dict = {}
    with contextlib.ExitStack() as stack:
        app, app_store, (fc, ft) = _servers(stack, logs, store, bool(stored), FLOORS["chart"][0], FLOORS["text"][0])
        base = {p: (app_store.base if p in STORE_PAGES else app.base) for p in order}
        try:
            tabs = {p: b.page() for p in [*order, "floor_chart", "floor_text"]}
            nets = {p: Network(t) for p, t in tabs.items()}
            for p in order:  # first visits (not counted): caches fill, every page compiles once
                open_page(tabs[p], base[p] + PAGES[p][0], PAGES[p][1])
            open_page(tabs["floor_chart"], fc.base + "/", FLOORS["chart"][1])
            open_page(tabs["floor_text"], ft.base + "/", FLOORS["text"][1])
            if do_editor:
                tabs["signed_in"] = b.page()
                editing.sign_in(tabs["signed_in"], app_store.base, store)
                editing.editor_round_trip(tabs["signed_in"])  # not counted: the first switch of each page
            if do_packs:
                tabs["pack"] = b.page()
                first_pack = editing.download_s(tabs["pack"], f"{app.base}/country?profile={packs['countries'][0][0]}")

            def floor_reload() -> None:
                chart.append(reload(tabs["floor_chart"], nets["floor_chart"], FLOORS["chart"][1], "floor_chart"))

            for i in range(runs):
                for p in order:
                    rows[p].samples.append(reload(tabs[p], nets[p], PAGES[p][1], p))
                    floor_reload()
                if do_editor:
                    ms_overview, ms_editor = editing.editor_round_trip(tabs["signed_in"])
                    to_overview.append(ms_overview)
                    signed_in.append(ms_editor)
                    floor_reload()
                if do_packs:
                    pool = packs["countries"][1:] or packs["countries"]  # the first one was the cold download
                    iso3, n_charts = pool[i % len(pool)]
                    pack_s.append(editing.download_s(tabs["pack"], f"{app.base}/country?profile={iso3}"))
                    pack_floor.append(n_charts * packs["mean_chart_s"])
                    floor_reload()
                text.append(reload(tabs["floor_text"], nets["floor_text"], FLOORS["text"][1]))
        finally:
            for tab in tabs.values():
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
    out = [*rows.values()]
    if do_editor:
        out.append(Row("warm", "editor signed in: sidebar link → editor page drawn (information)", "ms",
                       samples=signed_in, note="a reload would sign the editor out (a new session), so this is a "
                       "page switch in the signed-in session on the temp store: pointer press on the sidebar link "
                       "(from the Overview) to the upload box drawn and the app idle; the whole editor script runs, "
                       "without a reload's new connection"))
        out.append(Row("warm", "board view: sidebar link → Overview drawn, signed in (information)", "ms",
                       samples=to_overview, note="the same signed-in session (the board view, with its banner and "
                       "every record): pointer press on the sidebar link to the Overview fully drawn and idle; a "
                       "page switch, as above, so not set against a floor's reload"))
    if do_packs:
        per_chart = ", ".join(f"{k} {v:.3f} s" for k, v in packs["per_chart_s"].items())
        used = [c for c, _ in packs["countries"][1:] or packs["countries"]]
        out += [Row("warm", "country pack download (PDF): button → file saved", "s", samples=pack_s,
                    floor_samples=pack_floor, floor_name="its charts × one chart",
                    note=f"a different country each run ({', '.join(used[:runs])}; charts not cached, renderer "
                         f"running); floor: benchmarks/packs.py's one-chart Kaleido export ({per_chart}, mean), "
                         "measured once in a separate process before the runs, × the pack's number of charts"),
                Row("warm", "first pack download after server start (information)", "s", samples=[first_pack],
                    note=f"{packs['countries'][0][0]}; includes importing ibcr_report and starting the chart "
                         "renderer (Kaleido's Chromium)")]
    if skipped:
        out.append(Row("warm", f"skipped: {', '.join(skipped)}", "s", note="the app under test keeps no versions"))
    return [*out, Row("warm", "reload text floor (information)", "ms", samples=text)]


def interaction(b: Browser, runs: int, logs: Path) -> list[Row]:
    """On /map, pick "West Africa" in the Region filter: time until the map and the counts change."""
    updated = Row("interaction", "Region filter on /map → map and counts updated", "ms", target="≤ 200 ms",
                  limit=200, note="browser time from the pointer press on the option to the first frame with "
                                  "fewer map shapes and a new human line; one warm-up run discarded")
    finished, ws = Row("interaction", "same, until the rerun has finished", "ms"), \
        Row("interaction", "websocket bytes sent for that rerun", "KB")
    with serving(APP_SCRIPT, logs=logs) as (app,):
        page = b.page()
        try:
            net = Network(page)
            for i in range(runs + 1):
                open_page(page, app.base + "/map?lang=en", PAGES["map"][1])
                n_paths, line = probe(page, "[mapShapes(), humanLine()]")
                page.locator(f'input[aria-label="{harness.LOCALE["filters.region"]}"]').click()
                option = page.get_by_role("option", name="West Africa", exact=True)
                option.wait_for(timeout=10_000)
                mark_pointerdown(page)
                net.settle(100)
                before = net.ws_bytes
                option.click()
                changed = f"mapShapes() !== {n_paths} && humanLine() !== {json.dumps(line)}"
                t_updated = wait_for(page, changed)
                t_done = wait_for(page, f"idle() && {changed}")
                t0 = pointer_t0(page)
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


def payload(b: Browser, pages: tuple[str, ...], logs: Path, store: TempStore | None) -> list[Row]:
    """Bytes each page receives in a fresh browser context: websocket frames + /app/static/ files."""
    rows, detail = [], {}
    plain, stored, _ = _split(pages, store)
    pages = (*plain, *stored)
    with contextlib.ExitStack() as stack:
        app, app_store, (fc, ft) = _servers(stack, logs, store, bool(stored), FLOORS["chart"][0], FLOORS["text"][0])
        targets = [(p, (app_store.base if p in stored else app.base) + PAGES[p][0], PAGES[p][1]) for p in pages] + \
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
                             f"payload), /app/static/ {d['app_static_bytes'] / 1024:,.0f} KB (on the wire); "
                             f"Streamlit frontend /static/ {d['bundle_bytes'] / 1024:,.0f} KB, not counted"
                             + (" (temp store)" if p in stored else "")))
    first = pages[0]
    rows.append(Row("payload", f"{first}: Streamlit frontend bundles (/static/, cold cache)", "KB",
                    samples=[detail[first]["bundle_bytes"] / 1024],
                    floor_samples=[detail["floor_chart"]["bundle_bytes"] / 1024], floor_name="chart floor"))
    rows.append(Row("payload", "map geometry downloads in one session (Overview → Map → Overview)", "count",
                    samples=[geometry["downloads"]], target="≤ 1", met=geometry["downloads"] <= 1,
                    note=f"{geometry['bytes'] / 1024:,.0f} KB of /app/static/ in that session; "
                         f"websocket {geometry['ws_bytes'] / 1024:,.0f} KB (the server-drawn SVG maps carry "
                         "their outlines, about 70 KB a view; a Plotly map fetches the topojson once)"))
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
        static = [(p, n, status) for p, n, status in net.responses if p.startswith("/app/static/")]
        # NOTE: only the base map (a .json topojson) counts as a geometry download; a server-drawn SVG
        # map needs none (the Overview's, and the Map page's since it is drawn so too).
        return {"downloads": sum(1 for p, _, status in static if status == 200 and p.endswith(".json")),
                "bytes": sum(n for _, n, _ in static), "ws_bytes": net.ws_bytes}
    finally:
        close(page)


def memory(b: Browser, pages: tuple[str, ...], logs: Path, store: TempStore | None) -> list[Row]:
    """Server RSS after SESSIONS browser sessions, each visiting every page through the sidebar links.

    With a temp store the server runs on it: editing is on, so the editor page is listed and visited
    (as a visitor), and What changed has versions to compare.
    """
    plain, stored, skipped = _split(pages, store)
    pages = (*plain, *stored)
    with serving(APP_SCRIPT, logs=logs, env=store.env if store else None) as (app,):
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
                floor_samples=[floor_rss], floor_name=f"chart floor, {SESSIONS} sessions", target="≤ 200 MB",
                limit=200, note=f"pages {', '.join(pages)}" + (" on the temp store" if store else "")
                + (f" (skipped {', '.join(skipped)}: no versions)" if skipped else "")
                + f"; idle after start {idle_mb:,.0f} MB; peak {peak:,.0f} MB; sessions closed "
                  "but kept by Streamlit for server.disconnectedSessionTTL (120 s)")]


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
