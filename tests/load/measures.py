"""What one load run measured, the verdict, and the printed summary (one run, or several side by side)."""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field

MAX_ERROR_SAMPLES = 200
KINDS = ("open", "navigate", "filter")  # a visitor's arrival, a page change, a change on the same page


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    by_page: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    error_samples: list[dict] = field(default_factory=list)
    reruns: int = 0  # every finished rerun, warm-up included
    ref_hits: int = 0  # ref_hash messages resolved from the client's cache
    rss: dict[int, list[tuple[float, int]]] = field(default_factory=dict)  # port -> (s since start, kB)
    sessions_lost: set[int] = field(default_factory=set)
    warmup_errors: int = 0
    cpu: dict[str, float | None] = field(default_factory=dict)  # CPU seconds used during the load
    notes: Counter = field(default_factory=Counter)  # not errors, but worth knowing (source edits)
    loadavg: dict[str, list[float]] = field(default_factory=dict)
    sticky: dict | None = None  # behind nginx: the upload check (loadtest.sticky_check)

    def error(self, kind: str, session: int, page: str = "", query: str = "", detail: str = "") -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append({"kind": kind, "session": session, "page": page, "query": query,
                                       "detail": detail[:2000], "at": round(time.monotonic(), 3)})

    def record(self, kind: str, page: str, latency: float) -> None:
        self.latencies[kind].append(latency)
        self.by_page.setdefault(page, []).append(latency)

    def actions(self) -> list[float]:
        return [x for k in KINDS for x in self.latencies[k]]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def stats(values: list[float]) -> dict:
    return {"count": len(values), "p50_s": percentile(values, 50), "p95_s": percentile(values, 95),
            "p99_s": percentile(values, 99), "max_s": max(values) if values else None,
            "mean_s": (sum(values) / len(values)) if values else None}


def rss_at(samples: list[tuple[float, int]], second: float) -> int | None:
    """The sample taken closest to `second` (the sampler aims exactly at D/2 and D)."""
    return min(samples, key=lambda s: abs(s[0] - second))[1] if samples else None


def rss_median(samples: list[tuple[float, int]], start: float, end: float) -> int | None:
    """Median of the samples taken in [start, end]: steadier than one sample (RSS swings by ~10 MB)."""
    kbs = sorted(kb for t, kb in samples if start - 0.5 <= t <= end + 0.5)
    return kbs[len(kbs) // 2] if kbs else None


def memory(samples: list[tuple[float, int]], duration: float) -> dict:
    mid, end = rss_at(samples, duration / 2), rss_at(samples, duration)
    growth = None if not mid or not end else round((end - mid) / mid * 100, 2)
    window = min(15.0, duration / 4)  # the last 15 s of each half
    med_mid = rss_median(samples, duration / 2 - window, duration / 2)
    med_end = rss_median(samples, duration - window, duration)
    smoothed = None if not med_mid or not med_end else round((med_end - med_mid) / med_mid * 100, 2)
    return {"rss_kb_mid": mid, "rss_kb_end": end, "rss_kb_max": max((kb for _, kb in samples), default=None),
            "rss_growth_pct": growth, "rss_growth_pct_smoothed": smoothed, "rss_samples": samples}


def summarise(config: dict, results: Results, elapsed: float, server_logs: dict) -> dict:
    """The run's figures and verdict. PASS: no error, memory growth within the limit on every process,
    and (when the profile sets one) the p95 of all actions within the target."""
    duration = config["duration_s"]
    per_process = {str(port): memory(samples, duration) for port, samples in sorted(results.rss.items())}
    growths = [m["rss_growth_pct"] for m in per_process.values()]
    error_total = sum(results.errors.values())
    everything = stats(results.actions())
    target = config.get("p95_target_s")
    target_met = None if not target else everything["p95_s"] is not None and everything["p95_s"] <= target
    ok = (error_total == 0 and bool(growths) and None not in growths
          and max(growths) <= config["max_growth_pct"] and target_met is not False)
    return {
        "verdict": "PASS" if ok else "FAIL",
        "config": config,
        "elapsed_s": elapsed,
        "sessions_held": config["visitors"] - len(results.sessions_lost),
        "actions": everything["count"],
        "actions_per_s": round(everything["count"] / duration, 2) if duration else None,
        "p95_target_met": target_met,
        "reruns_with_warmup": results.reruns,
        "cached_message_refs_resolved": results.ref_hits,
        "errors_total": error_total,
        "errors_by_kind": dict(results.errors),
        "warmup_errors": results.warmup_errors,
        "sticky_check": results.sticky,
        "cpu_seconds_during_load": results.cpu,
        "load_average": results.loadavg,
        "notes": dict(results.notes),
        "latency_all_actions": everything,
        "latency_by_kind": {k: stats(v) for k, v in results.latencies.items()},
        "latency_by_page": {k: stats(v) for k, v in sorted(results.by_page.items())},
        "memory_by_port": per_process,
        "error_samples": results.error_samples,
        "server_logs": server_logs,
    }


def fmt_s(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f} s"


def fmt_mb(kb: int | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.0f} MB"


def _three(s: dict) -> str:
    return f"{fmt_s(s['p50_s'])} / {fmt_s(s['p95_s'])} / {fmt_s(s['p99_s'])}"


def _cpu_line(r: dict) -> str:
    cpu, d = r["cpu_seconds_during_load"], r["config"]["duration_s"]
    servers = cpu.get("servers_s") or {}
    share = " + ".join(f"{v:.0f}" if v is not None else "?" for v in servers.values())
    total = sum(v for v in servers.values() if v is not None)
    line = f"{share} s ({total / d * 100:.0f} % of one core)" if servers else "-"
    if cpu.get("nginx_s") is not None:
        line += f"; nginx {cpu['nginx_s']:.1f} s"
    return line + f"; load client {cpu.get('load_client_s')} s"


def print_summary(r: dict) -> None:
    c = r["config"]
    errs = ", ".join(f"{k}={v}" for k, v in sorted(r["errors_by_kind"].items())) or "none"
    a = r["latency_all_actions"]
    target = c.get("p95_target_s")
    rows = [
        ("profile", f"{c['profile']} ({c['visitors']} visitors"
                    + (f", a click every {c['think_s'][0]:g}-{c['think_s'][1]:g} s" if c["profile"] == "realistic" else
                       ", no pause") + ")"),
        ("processes", f"{c['processes']}" + (" behind nginx" if c["proxy"] else ", direct")),
        ("sessions (held / asked)", f"{r['sessions_held']} / {c['visitors']}"),
        ("duration", f"{c['duration_s']:g} s (ran {r['elapsed_s']:g} s)"),
        ("actions", f"{r['actions']} ({r['actions_per_s']} per second)"),
        ("errors", f"{r['errors_total']} ({errs})"),
        ("all actions p50 / p95 / p99", _three(a) + (f"  (target p95 <= {target:g} s: "
                                                     f"{'met' if r['p95_target_met'] else 'NOT met'})" if target else "")),
    ]
    rows += [(f"  {k} p50 / p95 / p99", _three(s)) for k, s in r["latency_by_kind"].items() if s["count"]]
    for port, m in r["memory_by_port"].items():
        g = "-" if m["rss_growth_pct"] is None else f"{m['rss_growth_pct']:+.1f} %"
        rows.append((f"RSS :{port} mid -> end (max)", f"{fmt_mb(m['rss_kb_mid'])} -> {fmt_mb(m['rss_kb_end'])} "
                                                      f"({fmt_mb(m['rss_kb_max'])}), growth {g}"))
    if r["sticky_check"]:
        ups = r["sticky_check"]["uploads_by_status"]
        rows.append(("sticky check (fresh visitors' uploads)", f"{ups.get('200', 0) + ups.get('204', 0) + ups.get('403', 0)} of "
                     f"{r['sticky_check']['visitors']} reached their session's process ({ups})"))
    la = r["load_average"]
    rows += [
        ("server CPU during the load", _cpu_line(r)),
        ("load average (1 min) start / end", f"{la.get('start', ['?'])[0]} / {la.get('end', ['?'])[0]} "
                                             f"on {c['cpus']} cores"),
        ("server log tracebacks", str(sum(s["tracebacks"] for s in r["server_logs"].values()))),
        ("result", r["verdict"]),
    ]
    width = max(len(k) for k, _ in rows)
    print("\nLoad test (loopback, websocket clients speaking Streamlit's protocol)")
    print("-" * (width + 50))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    print("-" * (width + 50))
    print("per page (all actions) p50 / p95 / p99:")
    for page, s in r["latency_by_page"].items():
        print(f"  {page:<14} n={s['count']:<5} {_three(s)}")
    if la.get("start") and la["start"][0] > (c["cpus"] or 1) / 2:
        print(f"  note: the machine was busy before the load started (load average {la['start'][0]:g} on "
              f"{c['cpus']} cores); latencies include that contention")
    if r["notes"].get("script_changed_on_disk"):
        print(f"  note: {r['notes']['script_changed_on_disk']} script_changed_on_disk events: source files changed "
              "during the run and Streamlit reloaded modules under load; rerun on a quiet tree")
    for log in r["server_logs"].values():
        for headline, count in log["distinct"].items():
            print(f"  server log: {count} x {headline}")
    for e in r["error_samples"][:10]:
        print(f"  error {e['kind']}: session {e['session']} page {e['page'] or '-'} "
              f"query '{e['query']}': {e['detail'][:300]}")


def print_comparison(reports: list[dict]) -> None:
    """The same profile on 1, 2 ... processes, one column each."""
    heads = [f"{r['config']['processes']} process{'es' if r['config']['processes'] > 1 else ''}" for r in reports]
    rows = [
        ("actions (per second)", [f"{r['actions']} ({r['actions_per_s']}/s)" for r in reports]),
        ("errors", [str(r["errors_total"]) for r in reports]),
        ("p50", [fmt_s(r["latency_all_actions"]["p50_s"]) for r in reports]),
        ("p95", [fmt_s(r["latency_all_actions"]["p95_s"]) for r in reports]),
        ("p99", [fmt_s(r["latency_all_actions"]["p99_s"]) for r in reports]),
        ("server CPU, % of one core", [
            f"{sum(v or 0 for v in r['cpu_seconds_during_load']['servers_s'].values()) / r['config']['duration_s'] * 100:.0f} %"
            for r in reports]),
        ("load client CPU", [f"{r['cpu_seconds_during_load']['load_client_s']} s" for r in reports]),
        ("RSS, each process (max)", [" + ".join(fmt_mb(m["rss_kb_max"]) for m in r["memory_by_port"].values())
                                     for r in reports]),
        ("load average start / end", [f"{r['load_average']['start'][0]} / {r['load_average']['end'][0]}"
                                      for r in reports]),
        ("result", [r["verdict"] for r in reports]),
    ]
    c = reports[0]["config"]
    width = max(len(k) for k, _ in rows)
    cols = [max(len(h), *(len(v[i]) for _, v in rows)) for i, h in enumerate(heads)]
    print(f"\nComparison behind nginx: {c['profile']} profile, {c['visitors']} visitors, {c['duration_s']:g} s each")
    print(f"{'':<{width}}  " + "  ".join(f"{h:>{w}}" for h, w in zip(heads, cols, strict=True)))
    for k, vals in rows:
        print(f"{k:<{width}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(vals, cols, strict=True)))
