"""Loopback load test: simulated visitors speaking Streamlit's websocket protocol to the dashboard.

Run it with `make loadtest` (or `python tests/load/loadtest.py --help`). Two profiles:
- realistic (the default): 30 visitors, each clicking once every 5-10 s (seeded random); half the
  clicks open another page, weighted like real use (Overview and Map most, country profiles on
  varied countries, then Timeline, Programmes, Data, What changed, Sources), the others change one
  filter, the language or a page's own choice. Visitors arrive over the first few seconds, most on
  the Overview, some by a shared link to another page. Target: p95 of an action <= 1 s;
- saturate: the first load test's: every visitor tours every page and changes the filters twice on
  each, with no pause, so the server never rests. It measures throughput, not a visitor's wait.

What it does, and stops by itself:
1. starts the dashboard as `make run` does, on 127.0.0.1 and free ports: one process, or several
   behind nginx with deploy/nginx.conf (--processes 2; the proxy needs nginx installed);
2. warms up each process with one session visiting every page once (a warm-up error is an error);
3. runs the visitors for D seconds; an action (arrival, page change, filter change) is one rerun,
   timed from the send to the run's `script_finished`;
4. samples each server's resident memory (VmRSS) every 5 s and compares the sample at D/2 with the
   one at D, and counts the CPU seconds each process used;
5. stops everything, prints a summary, writes the results as JSON (--json; the server logs go next
   to it) and exits 0 only on PASS: no error of any kind, memory growth between D/2 and D of at most
   --max-growth % on every process, and (realistic profile) p95 within --p95-target.
`--processes 1,2` (or `--compare`) runs the same profile on one process and then two, both behind
nginx, and prints them side by side.

Errors, counted by kind: connect (failed connection), timeout (no message within --msg-timeout or
no script_finished within --rerun-timeout), disconnected (the server closed the socket), status
(script_finished other than success), exception / exception_warning (an Exception element in the
deltas), compile_exception / stopped (session_event), page_not_found, wrong_page (the run's
`navigation` names another page than asked), cache_miss (a ref_hash to a message the client does not
hold), protocol (unparseable frame), server_exited; warmup_* for the same during the warm-up. After a
connection error or a timeout the visitor reconnects (as a browser would) and keeps going; "sessions
held" counts the visitors that never had to. The app hides error details from the browser
(client.showErrorDetails = "none"), so the summary also lists the tracebacks from the server logs.

Only 127.0.0.1 is ever contacted; proxies from the environment are ignored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(1, str(ROOT))  # the page list: ibcr_ui.registry (run as a script, only this folder is on the path)

import servers  # noqa: E402
import visitors  # noqa: E402
from measures import Results, print_comparison, print_summary, summarise  # noqa: E402
from servers import Proc  # noqa: E402
from wsclient import Page, Session, SessionError  # noqa: E402

DEFAULT_JSON = ROOT / "test-artifacts" / "loadtest.json"
RSS_EVERY_S = 5.0


async def warm_up(port: int, args: argparse.Namespace, results: Results) -> list[Page]:
    """Visit every page once on one process; return the app's pages."""
    s = Session(-1, port, results, "en-CA", args.msg_timeout, args.rerun_timeout)
    try:
        await s.connect()
        await s.rerun(None, "")
        if not s.pages:
            raise SessionError("protocol", "no navigation message listing the app's pages")
        for page in s.pages:
            await s.rerun(page, "")
    except SessionError as exc:
        results.error(f"warmup_{exc.kind}", -1, *s.current, detail=exc.detail)
    finally:
        await s.close()
    return s.pages


async def sticky_check(entry: int, args: argparse.Namespace, results: Results, visitors_n: int = 20) -> dict:
    """Fresh visitors through the proxy each open the app and upload a small file to their session: only
    the process holding the websocket knows the session. It refuses a visitor's file with 403 (uploads
    are for signed-in editors, ibcr_ui/guard.py); any other process answers 400 (an unknown session).
    So every upload gets 403 only if the proxy keeps each visitor on one process."""
    statuses: Counter = Counter()
    for i in range(visitors_n):
        s = Session(-100 - i, entry, results, "en-CA", args.msg_timeout, args.rerun_timeout)
        try:
            await s.connect()
            await s.rerun(None, "")
            status = await asyncio.to_thread(s.upload)
        except SessionError as exc:
            results.error(f"warmup_{exc.kind}", s.sid, *s.current, detail=exc.detail)
            continue
        finally:
            await s.close()
        statuses[status] += 1
        if status not in (200, 204, 403):  # 403: the right process, which refuses a visitor's file
            results.error("not_sticky", s.sid, "(upload)", "", f"upload to session {s.session_id}: HTTP {status}")
    return {"visitors": visitors_n, "uploads_by_status": {str(k): v for k, v in sorted(statuses.items())}}


async def sample_rss(backends: list[Proc], t0: float, duration: float, results: Results) -> None:
    """VmRSS of each server every RSS_EVERY_S seconds from t0, plus exactly at D/2 and at D."""
    marks = sorted({round(k * RSS_EVERY_S, 3) for k in range(int(duration // RSS_EVERY_S) + 1)}
                   | {duration / 2, duration})
    for mark in marks:
        await asyncio.sleep(max(0.0, t0 + mark - time.monotonic()))
        for b in backends:
            kb = servers.rss_kb(b.pid)
            if kb is not None:
                results.rss.setdefault(b.port, []).append((round(time.monotonic() - t0, 2), kb))


def behaviour(v: visitors.Visitor, args: argparse.Namespace):
    if args.profile == "saturate":
        return partial(v.saturate, changes=args.changes)
    return partial(v.realistic, think=args.think)


async def load(entry: int, backends: list[Proc], proxy: Proc | None, args: argparse.Namespace,
               results: Results) -> float:
    pages: list[Page] = []
    before = sum(results.errors.values())
    for b in backends:
        pages = await asyncio.wait_for(warm_up(b.port, args, results), timeout=args.rerun_timeout * 10 + 30) or pages
    if proxy is not None:
        results.sticky = await sticky_check(entry, args, results)
    results.warmup_errors = sum(results.errors.values()) - before
    if not pages:
        return 0.0
    cat = visitors.catalogue()
    alive = lambda: all(p.alive() for p in [*backends, *([proxy] if proxy else [])])  # noqa: E731
    master = random.Random(args.seed)
    crowd = [visitors.Visitor(i, entry, results, random.Random(master.random()), pages, cat,
                              (args.msg_timeout, args.rerun_timeout), alive) for i in range(args.visitors)]
    arrivals = [master.uniform(0, args.think[1]) if args.profile == "realistic" else 0.0 for _ in crowd]
    results.loadavg["start"] = [round(x, 2) for x in os.getloadavg()]
    cpu0 = {b.port: servers.cpu_seconds(b.pid) for b in backends}
    nginx0 = servers.nginx_worker_cpu(proxy.pid) + (servers.cpu_seconds(proxy.pid) or 0) if proxy else None
    client0 = time.process_time()
    t0 = time.monotonic()
    deadline = t0 + args.duration
    sampler = asyncio.create_task(sample_rss(backends, t0, args.duration, results))
    tasks = [asyncio.create_task(v.run(deadline, behaviour(v, args), a)) for v, a in zip(crowd, arrivals, strict=True)]
    # In-flight reruns may finish after the deadline; nothing may run past the hard deadline.
    done, pending = await asyncio.wait(tasks, timeout=args.duration + args.rerun_timeout + 20)
    for t in pending:
        t.cancel()
        results.error("timeout", -1, detail="visitor still busy at the hard deadline; cancelled")
    for t in done:
        if t.exception() is not None:
            results.error("client_bug", -1, detail=repr(t.exception()))
    await asyncio.gather(*pending, return_exceptions=True)
    elapsed = time.monotonic() - t0
    results.loadavg["end"] = [round(x, 2) for x in os.getloadavg()]
    cpu1 = {b.port: servers.cpu_seconds(b.pid) for b in backends}
    results.cpu = {
        "servers_s": {str(p): None if cpu0[p] is None or cpu1[p] is None else round(cpu1[p] - cpu0[p], 1)
                      for p in cpu0},
        "nginx_s": None if proxy is None else round(
            servers.nginx_worker_cpu(proxy.pid) + (servers.cpu_seconds(proxy.pid) or 0) - nginx0, 1),
        "load_client_s": round(time.process_time() - client0, 1)}
    for v in crowd:
        await v.session.close()
    with contextlib.suppress(TimeoutError, asyncio.CancelledError):
        await asyncio.wait_for(sampler, timeout=5)
    sampler.cancel()
    return round(elapsed, 2)


def run_once(args: argparse.Namespace, processes: int, proxy: bool, out: Path) -> dict | None:
    """Start the servers (and nginx), run the visitors, stop everything; the summary, or None when
    the servers did not start."""
    results = Results()
    stem = out.stem + (f"-{processes}p" if len(args.processes) > 1 else "")
    backends: list[Proc] = []
    front: Proc | None = None
    elapsed = 0.0
    try:
        for _ in range(processes):
            port = servers.free_port()
            backends.append(servers.start_server(port, out.with_name(f"{stem}-server-{port}.log")))
        why = servers.wait_healthy(backends, args.startup_timeout)
        if proxy and not why:
            front = servers.start_nginx([b.port for b in backends], out.parent / f"{stem}-nginx")
            why = servers.wait_healthy([front], 10)
        if why:
            print(why, file=sys.stderr)
            return None
        entry = front.port if front else backends[0].port
        print(f"{processes} server{'s' if processes > 1 else ''} on "
              f"{', '.join(str(b.port) for b in backends)}" + (f" behind nginx on {entry}" if front else "")
              + f"; {args.visitors} visitors ({args.profile}) for {args.duration:g} s ...", flush=True)
        elapsed = asyncio.run(load(entry, backends, front, args, results))
        for p in [*backends, *([front] if front else [])]:
            if not p.alive():
                results.error("server_exited", -1, detail=f"{p.name} exit code {p.popen.returncode}")
    except KeyboardInterrupt:
        results.error("interrupted", -1)
    finally:
        for p in [*([front] if front else []), *backends]:
            servers.stop(p)
    config = {"profile": args.profile, "visitors": args.visitors, "duration_s": args.duration,
              "think_s": list(args.think), "changes_per_page": args.changes, "processes": processes,
              "proxy": proxy, "seed": args.seed, "msg_timeout_s": args.msg_timeout,
              "rerun_timeout_s": args.rerun_timeout, "max_growth_pct": args.max_growth,
              "p95_target_s": args.p95_target if args.profile == "realistic" and len(args.processes) == 1 else None,
              "launcher": " ".join(Path(c).name if i == 0 else c for i, c in enumerate(servers.launcher())),
              "cpus": os.cpu_count()}
    logs = {b.name: servers.log_findings(b.log) for b in backends}
    if front:
        logs[front.name] = servers.log_findings(front.log)
    return summarise(config, results, elapsed, logs)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--profile", choices=("realistic", "saturate"), default="realistic", help="what visitors do")
    p.add_argument("--visitors", "--sessions", dest="visitors", type=int, default=30, help="simultaneous visitors")
    p.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    p.add_argument("--think", default="5,10", help="realistic: seconds between a visitor's clicks, MIN,MAX")
    p.add_argument("--changes", type=int, default=2, help="saturate: filter changes per page visit")
    p.add_argument("--processes", default="1", help="server processes; several behind nginx; a list (1,2) "
                                                    "runs each in turn behind nginx and compares them")
    p.add_argument("--compare", action="store_true", help="the same as --processes 1,2")
    p.add_argument("--proxy", action="store_true", help="put nginx in front of a single process too")
    p.add_argument("--p95-target", type=float, default=1.0, help="realistic: longest p95 of an action, s (0: none)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    p.add_argument("--msg-timeout", type=float, default=30.0, help="longest wait for any one message")
    p.add_argument("--rerun-timeout", type=float, default=60.0, help="longest wait for a rerun to finish")
    p.add_argument("--max-growth", type=float, default=10.0, help="memory growth limit, %% (D/2 to D)")
    p.add_argument("--startup-timeout", type=float, default=60.0, help="longest wait for /_stcore/health")
    p.add_argument("--seed", type=int, default=20240601, help="random seed for every visitor's choices")
    args = p.parse_args(argv)
    args.json = args.json.resolve()  # nginx reads its files relative to its own prefix: give it whole paths
    try:
        args.processes = [int(x) for x in ("1,2" if args.compare else args.processes).split(",")]
        args.think = tuple(float(x) for x in args.think.split(","))
    except ValueError:
        p.error("--processes and --think take numbers separated by commas")
    if len(args.think) != 2 or not 0 <= args.think[0] <= args.think[1]:
        p.error("--think must be MIN,MAX with 0 <= MIN <= MAX")
    if not all(1 <= n <= 16 for n in args.processes):
        p.error("--processes must be between 1 and 16")
    if not 1 <= args.visitors <= 500:
        p.error("--visitors must be between 1 and 500")
    if not 1 <= args.duration <= 3600:
        p.error("--duration must be between 1 and 3600 s")
    if args.changes < 0:
        p.error("--changes must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    comparing = len(args.processes) > 1
    reports = []
    for i, n in enumerate(args.processes):
        if i:
            time.sleep(10)  # let the previous run's processes go and the load average settle a little
        report = run_once(args, n, comparing or n > 1 or args.proxy, args.json)
        if report is None:
            return 2
        print_summary(report)
        reports.append(report)
    args.json.write_text(json.dumps(reports[0] if not comparing else {"runs": reports}, indent=2, ensure_ascii=False),
                         encoding="utf-8")
    if comparing:
        print_comparison(reports)
    print(f"results: {args.json}")
    return 0 if all(r["verdict"] == "PASS" for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
