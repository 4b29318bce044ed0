"""`make bench`: time the dashboard against two floor pages and print one table (also written as JSON).

Floors: benchmarks/floor_text.py (one sentence) and benchmarks/floor_chart.py (one small Plotly
chart), served with the app's own .streamlit settings. App and floor runs alternate so machine
noise hits both alike; every figure is the median of --runs runs (after a discarded warm-up
where stated). Sections: cold start, warm load, interaction, payload, memory, scale.

    python benchmarks/run.py                     # all sections, 5 runs (8-10 minutes on 2 cores)
    python benchmarks/run.py --quick             # 3 runs, fewer pages (about 4 minutes)
    python benchmarks/run.py --only cold,payload
    python benchmarks/run.py --only warm --pages changes,editor,country --runs 1
    python benchmarks/run.py --app-dir /tmp/old   # measure another checkout (e.g. a `git archive`)

NOTE: the browser is Debian's /usr/bin/chromium driven by Playwright; `playwright install`
is never used. Every wait is bounded and every server started here is stopped on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from pathlib import Path

import harness
import store
from editing import worker_packs
from harness import CHROMIUM, PAGES, QUICK_PAGES, RESULTS, ROOT, SECTIONS, STORE_PAGES, BenchError, Browser
from scale import scale, worker_scale
from sections import cold, interaction, memory, payload, warm, worker_apptest
from table import Row, print_table

# Main


def machine() -> dict:
    def run(*cmd: str) -> str:
        with contextlib.suppress(Exception):
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False).stdout.strip()
        return ""

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    versions = {}
    for name in ("streamlit", "plotly", "pandas", "playwright"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[name] = version(name)
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(), "python": platform.python_version(), **versions,
        "chromium": run(str(CHROMIUM), "--version"), "app_dir": str(harness.APP),
        "app_command": [Path(c).name if c == sys.executable else c for c in harness.app_command()],
        "git_commit": run("git", "-C", str(harness.APP), "rev-parse", "HEAD"),
        "git_dirty_files": run("git", "-C", str(harness.APP), "status", "--porcelain").splitlines(),
        "load_average_at_start": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 5; 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"3 runs, pages {', '.join(QUICK_PAGES)} only")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--pages", help="comma-separated pages for warm, payload and memory (default: every page "
                                        "of ibcr_ui/registry.py; with --quick " + ", ".join(QUICK_PAGES) + ")")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="where to write the results")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="the checkout to measure (default: this one), e.g. a `git archive` of an older commit")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    harness.configure(args.app_dir)
    if args.worker == "apptest":
        print(json.dumps(worker_apptest(runs)))
        return 0
    if args.worker == "scale":
        print(json.dumps(worker_scale(args.data, runs)))
        return 0
    if args.worker == "packs":
        print(json.dumps(worker_packs(runs)))
        return 0
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    pages = tuple(p for p in QUICK_PAGES if p in PAGES) if args.quick else tuple(PAGES)
    if args.pages:
        pages = tuple(p.strip() for p in args.pages.split(",") if p.strip())
        if set(pages) - set(PAGES):
            parser.error(f"unknown page(s) {', '.join(sorted(set(pages) - set(PAGES)))}; "
                         f"the app has {', '.join(PAGES)}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the servers

    from playwright.sync_api import sync_playwright

    started, meta = time.perf_counter(), machine()
    meta.update(runs=runs, quick=args.quick, sections=only, pages=list(pages), load_average_by_section={},
                started=dt.datetime.now().isoformat(timespec="seconds"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    logs = Path(tempfile.mkdtemp(prefix="logs-", dir=RESULTS))
    rows: list[Row] = []
    errors: list[str] = []
    # One temp store of versions for the sections that serve its pages (store.py); None for an app without.
    wants_store = store.supported() and bool(set(only) & {"warm", "payload", "memory"}) and (
        bool(set(pages) & set(STORE_PAGES)) or "memory" in only)
    with sync_playwright() as pw, (store.temp_store() if wants_store else contextlib.nullcontext()) as st:
        b = Browser(pw)
        try:
            steps = {"cold": lambda: cold(b, runs, logs), "warm": lambda: warm(b, runs, pages, logs, st),
                     "interaction": lambda: interaction(b, runs, logs),
                     "payload": lambda: payload(b, pages, logs, st), "memory": lambda: memory(b, pages, logs, st),
                     "scale": lambda: scale(b, runs, args.quick, logs)}
            for name in only:
                t, load_before = time.perf_counter(), os.getloadavg()[0]
                print(f"[bench] {name} …", file=sys.stderr, flush=True)
                try:
                    rows += [r.finish() for r in steps[name]()]
                except (BenchError, subprocess.TimeoutExpired) as exc:
                    errors.append(f"{name}: {exc}")
                    rows.append(Row(name, "FAILED", "s", note=str(exc).splitlines()[0], met=False))
                    traceback.print_exc()
                meta["load_average_by_section"][name] = [load_before, os.getloadavg()[0]]
                print(f"[bench] {name} done in {time.perf_counter() - t:.0f} s (1-minute load average "
                      f"{load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
                      file=sys.stderr, flush=True)
        finally:
            b.close()
    meta.update(duration_s=round(time.perf_counter() - started), load_average_at_end=os.getloadavg(),
                external_requests=sorted(b.external), errors=errors,
                server_logs=str(logs) if errors else None)
    print_table(rows)
    if b.external:
        print("\nWARNING: requests to other hosts: " + ", ".join(sorted(b.external)[:10]))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"meta": meta, "rows": [_row_json(r) for r in rows]}, indent=2,
                                    ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n{len(rows)} figures in {meta['duration_s']} s; JSON: {args.json}")
    if errors:
        print(f"Server logs kept in {logs}", file=sys.stderr)
        return 1
    shutil.rmtree(logs, ignore_errors=True)
    return 0


def _row_json(r: Row) -> dict:
    return asdict(r)


if __name__ == "__main__":
    sys.exit(main())
