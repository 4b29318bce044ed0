"""Charts to SVG with one warm Kaleido browser, shared by the whole process and guarded by a lock.

NOTE: Kaleido's sync server is not thread-safe (plotly/Kaleido#444: callers get each other's
images), and Streamlit serves sessions on threads, so every export holds `_LOCK`. The browser is
started once, with `mathjax=False` (Kaleido otherwise loads MathJax from a CDN and can hang when a
firewall drops the request; `plotly.io.defaults.mathjax = False` is silently ignored), Debian's
Chromium by `path=` (nothing is downloaded), and the base map from static/ as a file:// URI.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import threading
import warnings
from collections import OrderedDict
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

STATIC = Path(__file__).resolve().parent.parent / "static"
TOPOJSON_URI = STATIC.as_uri() + "/"  # plotly.js asks for <this>world_110m.json
CHROMIUM_ENV = "IBCR_CHROMIUM"
_LOCK = threading.Lock()
_CACHE_SIZE = 256  # SVGs kept by figure content: a second download of the same pack draws nothing


def chromium_path() -> str | None:
    """The browser Kaleido drives: $IBCR_CHROMIUM, Debian's /usr/bin/chromium, or chromium on PATH."""
    for candidate in (os.environ.get(CHROMIUM_ENV), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


class Renderer:
    """One Kaleido browser for the process: `svg(fig, width, height)` draws a chart (`image` also as PNG)."""

    def __init__(self) -> None:
        self.options: dict = {}
        self.started = False
        self.charts = 0  # charts drawn (cache misses), for the benchmark
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    def start(self) -> None:
        """Start the browser if it is not running (about 2 s the first time)."""
        import kaleido

        with _LOCK:
            if self.started:
                return
            path = chromium_path()
            if path is None:
                raise RuntimeError("no Chromium to draw the charts: install Debian's chromium "
                                   "(apt-get install -y chromium) or set IBCR_CHROMIUM to a Chromium binary")
            self.options = {"mathjax": False, "path": path, "timeout": 60}
            pio.defaults.topojson = TOPOJSON_URI  # for anything else that exports through plotly.io
            kaleido.start_sync_server(silence_warnings=True, **self.options)
            self.started = True
            atexit.register(self.close)

    def close(self) -> None:
        import kaleido

        with _LOCK:
            if self.started:
                kaleido.stop_sync_server(silence_warnings=True)
                self.started = False

    def svg(self, fig: go.Figure, width: int, height: int) -> bytes:
        """The chart as SVG (vector, text kept as text), `width` × `height` CSS pixels."""
        return self.image(fig, width, height)

    def image(self, fig: go.Figure, width: int, height: int, fmt: str = "svg", scale: float = 1) -> bytes:
        """The chart as SVG or PNG (`scale` pixels per CSS pixel for PNG), `width` × `height` CSS pixels."""
        import kaleido

        spec = fig.to_plotly_json()
        key = hashlib.sha256(json.dumps([spec, width, height, fmt, scale], sort_keys=True, default=str).encode()).hexdigest()
        with _LOCK:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        self.start()
        with _LOCK, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*kopts.*")
            out = kaleido.calc_fig_sync(spec, opts={"format": fmt, "width": width, "height": height, "scale": scale},
                                        topojson=TOPOJSON_URI)
            self.charts += 1
            self._cache[key] = out
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        with _LOCK:
            self._cache.clear()


_RENDERER = Renderer()


def renderer() -> Renderer:
    """The process-wide renderer (started on first use)."""
    return _RENDERER
