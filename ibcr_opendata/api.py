"""An API without writing one: the public SQLite file served read-only by Datasette.

Datasette gives JSON and CSV of every table, row and SQL query, row pages and facets. This module
builds the file of the data shown now, starts Datasette on it (`--immutable`: read-only, never
written), and every `check_s` seconds looks for new data; when a version is accepted it builds that
version's file and starts Datasette again on it (an immutable file is never swapped under a running
server). The database is always named `ibcr`, so addresses stay the same from one version to the next:
`/ibcr/engagements.json`, or `/api/ibcr/engagements.json` behind deploy/nginx.conf.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ibcr_updates import DataSource, resolve_source

from .release import load_release
from .sqlite import datasette_metadata, write_sqlite

DATABASE = "ibcr"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
CHECK_S = 30.0
# Limits for a public server: a query stops after two seconds, a page gives at most 1,000 rows
# (`?_size=max`, then the `next` link), and the whole file can be downloaded.
SETTINGS = {"sql_time_limit_ms": "2000", "max_returned_rows": "1000", "default_page_size": "100",
            "allow_download": "on", "default_cache_ttl": "60"}


def prepare(src: DataSource, folder: Path) -> tuple[Path, Path]:
    """Write the SQLite file (as `ibcr.db`) and Datasette's metadata of the data `src` points at."""
    rel = load_release(src=src)
    db = write_sqlite(rel, folder / f"{DATABASE}.db")
    meta = folder / "metadata.json"
    meta.write_text(json.dumps(datasette_metadata(rel, DATABASE), ensure_ascii=False, indent=2), encoding="utf-8")
    return db, meta


def command(db: Path, meta: Path, host: str, port: int, base_url: str = "/", https: bool = False) -> list[str]:
    """The Datasette command line for one file (`https`: behind a proxy that ends TLS, its links say https)."""
    if not base_url.startswith("/") or not base_url.endswith("/"):
        raise ValueError(f"the base URL {base_url!r} must start and end with '/' (e.g. /api/)")
    cmd = [sys.executable, "-m", "datasette", "serve", "--immutable", str(db), "--metadata", str(meta),
           "--host", host, "--port", str(port), "--cors"]
    settings = {**SETTINGS, "base_url": base_url, **({"force_https_urls": "on"} if https else {})}
    for key, value in settings.items():
        cmd += ["--setting", key, value]
    return cmd


def _same(a: DataSource, b: DataSource) -> bool:
    return (a.folder, a.version, a.fingerprint) == (b.folder, b.version, b.fingerprint)


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, base_url: str = "/", check_s: float = CHECK_S,
          https: bool = False) -> int:
    """Serve the data shown now until stopped, following new versions; the exit code of Datasette if it stops."""
    with tempfile.TemporaryDirectory(prefix="ibcr-api-") as tmp:
        while True:
            src = resolve_source()
            folder = Path(tempfile.mkdtemp(dir=tmp))
            db, meta = prepare(src, folder)
            print(f"serving {src.version or src.folder} on http://{host}:{port}{base_url}{DATABASE}", flush=True)
            child = subprocess.Popen(command(db, meta, host, port, base_url, https))
            try:
                while True:
                    try:
                        return child.wait(timeout=check_s)  # Datasette stopped by itself
                    except subprocess.TimeoutExpired:
                        if not _same(resolve_source(), src):
                            print("new data: starting again on them", flush=True)
                            break
            finally:
                _stop(child)
                shutil.rmtree(folder, ignore_errors=True)


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
