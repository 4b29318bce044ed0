"""Time the PDF packs against their floor, the time to draw one chart; writes benchmarks/results/packs.json.

Floor: one warm Kaleido SVG export of each kind of chart (map, timeline, metric chart). A pack is
then timed whole (content, charts, Typst) and reported as a ratio to (its charts x the floor).
Run: .venv/bin/python benchmarks/packs.py   (make bench runs it after the dashboard benchmark)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "packs.json"


def chart_floor(ds, r) -> dict[str, float]:
    """Seconds to draw one chart of each kind (map, timeline, metric chart): median of 3 after a warm-up.

    The dashboard benchmark (benchmarks/editing.py) uses the same floor for its pack downloads, in a
    process whose sys.path leads to the app under test: hence the imports here, not at the top.
    """
    import ibcr_report
    from ibcr_report.content import build_content
    from ibcr_report.scope import resolve

    charts = build_content(ds, resolve(ds, "organisation", None), "en", ibcr_report.VersionInfo("")).charts
    kinds = {"map": charts[0], "timeline": charts[1], "metric": charts[2]}
    floor = {}
    for name, c in kinds.items():
        times = []
        for _ in range(4):
            r.clear_cache()
            t = time.perf_counter()
            r.svg(c.fig, c.width, c.height)
            times.append(time.perf_counter() - t)
        floor[name] = statistics.median(times[1:])
    return floor


def main() -> int:
    sys.path.insert(0, str(ROOT))
    import ibcr_data
    import ibcr_report

    ds = ibcr_data.load_dataset()
    r = ibcr_report.renderer()
    t = time.perf_counter()
    r.start()
    start_s = time.perf_counter() - t
    floor = chart_floor(ds, r)
    per_chart = statistics.mean(floor.values())

    def timed(label: str, make) -> dict:
        r.clear_cache()
        before = r.charts
        t = time.perf_counter()
        pdfs = make()
        s = time.perf_counter() - t
        n = r.charts - before
        return {"what": label, "seconds": round(s, 3), "charts": n, "packs": len(pdfs),
                "ratio": round(s / (n * per_chart), 2) if n else None,
                "bytes": sum(len(p) for p in pdfs), "largest_bytes": max(len(p) for p in pdfs)}

    countries = sorted(set(ds.engagements["country_iso3"]))
    rows = [
        timed("country pack (BFA, en)", lambda: [ibcr_report.build(ds, "country", "BFA")]),
        timed("organisation pack (en)", lambda: [ibcr_report.build(ds, "organisation")]),
        timed(f"all {len(countries)} country packs (en)", lambda: [ibcr_report.build(ds, "country", c) for c in countries]),
    ]
    r.clear_cache()
    t = time.perf_counter()
    ibcr_report.build(ds, "organisation")
    r_cold_cache = time.perf_counter() - t
    t = time.perf_counter()
    ibcr_report.build(ds, "organisation")
    warm = time.perf_counter() - t
    out = {"browser_start_s": round(start_s, 3), "per_chart_s": {k: round(v, 3) for k, v in floor.items()},
           "packs": rows, "organisation_again_cached_charts_s": round(warm, 3),
           "organisation_uncached_s": round(r_cold_cache, 3)}
    print(f"browser start {start_s:.2f} s; one chart: " + ", ".join(f"{k} {v:.3f} s" for k, v in floor.items()))
    print(f"{'what':34} {'time s':>8} {'charts':>7} {'ratio':>6} {'size KB':>9}")
    for row in rows:
        print(f"{row['what']:34} {row['seconds']:8.2f} {row['charts']:7} {row['ratio'] or 0:6.2f} "
              f"{row['bytes'] / 1024:9.0f}")
    print(f"organisation pack again, charts cached: {warm:.2f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
