"""Start the dashboard with the slow start-up work done beside the first visit, not in its way (`make run`).

`python -m ibcr_ui.serve [options]` is `streamlit run app.py [options]` (the dashboard behind the
guards of guard.py: uploads only for signed-in editors, no framing of the editor's page) plus one thread
that imports pandas, loads the data and builds what the Overview shows first (`warm`).

What a cold start costs, and where each part went (measured in `make bench`, docs/performance.md):
the server listens as soon as a bare Streamlit page would (app.py imports nothing heavy); the data
come from what the previous server kept (ibcr_data.snapshot: no validation when nothing changed)
and the world's outlines likewise (mapsvg.geometry); a first visitor's Overview is painted from
what an earlier run drew (prepaint.py) before the page imports pandas. The warm-up waits for the
server to listen, then for that first visit's page to be drawn (or a quiet `visit_s`), because in
one interpreter its imports would only slow what the visitor is waiting for (`warm_when_quiet`).

NOTE: Streamlit has no start-up hook, hence this launcher. The warm-up fills the same
`st.cache_resource` caches the pages use (those are process-wide and keyed on plain values, and
compute each key once under a lock), so a page that runs before it finishes simply waits for the
value being computed; a failure here is only logged: the page then loads the data itself and
shows the problems as usual.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("ibcr_ui.serve")


def warm() -> None:
    """Import the heavy modules and fill the caches the first page run reads."""
    # Outside a script run Streamlit warns once per cached call that there is no run context.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    try:
        import ibcr_data
        from ibcr_present.i18n import DEFAULT_LANGUAGE

        from . import components, data, link, packs, results, shell, views  # noqa: F401  (the Overview's)
        from .context import DataKey

        src = data.source()
        if isinstance(data.load(src), ibcr_data.ValidationError):
            return  # the pages show the problems
        key = DataKey(src, "public")  # a first visitor is not signed in
        data.choices(key)
        data.store(src)
        # What a first visitor's first run needs, in its order. NOTE: the default language only: each
        # other one holds about 2 MB (its words, Babel's locale data) that a server whose visitors never
        # ask for it would keep for good; its first visitor builds it (about 0.1 s).
        data.lookups(key, DEFAULT_LANGUAGE)
        views.headline(key, ibcr_data.Filters())
        ibcr_data.all_results(data.dataset(key))  # the Overview's "Progress against targets"
        views.map_svg(key, ibcr_data.Filters(), DEFAULT_LANGUAGE)  # also the Map page's default view
    except Exception:  # the pages will load the data themselves and report what is wrong
        log.exception("warm-up at server start failed")
    settle_garbage_collector()


def warm_when_quiet(listen_s: float = 5.0, visit_s: float = 2.0, drawn_s: float = 10.0, after_s: float = 0.5) -> None:
    """Warm up once the server listens and then either a first page has been drawn or `visit_s` passed.

    NOTE: one interpreter, one lock. Started with the server, the warm-up's imports (pandas, 0.5 s)
    delayed the server's first answer by as much; started as it listens, they slowed the frontend's
    files and the painted first view (prepaint.py) on their way to the first visitor. A server
    started ahead of its visitors warms up in the quiet after `visit_s`; a visitor who arrives first
    gets the painted Overview at once, and the warm-up follows that page's run.
    """
    from streamlit.runtime import Runtime, RuntimeState

    from . import prepaint

    def state() -> RuntimeState | None:
        return Runtime.instance().state if Runtime.exists() else None

    _until(lambda: state() in (RuntimeState.NO_SESSIONS_CONNECTED, RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED),
           listen_s)
    # Streamlit's table of emoji, which its first page run reads to check the page's icon (36 ms): loaded
    # now, while the browser fetches the frontend, and out of the first visitor's page run.
    import streamlit.emojis  # noqa: F401
    # A visitor who came first has their page run alone, and the run's end (Streamlit's collection
    # after it, the message that says it is done) is not held up either.
    if (_until(lambda: state() == RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED, visit_s)
            and prepaint.page_drawn.wait(drawn_s)):
        time.sleep(after_s)
    warm()


def _until(condition: Callable[[], bool], timeout_s: float, poll_s: float = 0.01) -> bool:
    """Wait until `condition()` holds (True) or `timeout_s` passed (False)."""
    until = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= until:
            return False
        time.sleep(poll_s)
    return True


def settle_garbage_collector() -> None:
    """Leave what start-up built (modules, the data, the warmed caches) out of every later full collection.

    A full collection walks every object the process holds: with pandas, Arrow, Plotly and the data
    loaded, Streamlit's collection after every page run was half the server's CPU under load (py-spy,
    30 visitors: 51 % of the samples in that one call). gc.freeze() moves the objects alive now to a
    generation the collector never walks. Since then that collection is off altogether
    (.streamlit/config.toml: what sessions build after start-up made it costly again); Python's own
    full collections, rarer, still skip what is frozen here.
    """
    gc.collect()
    gc.freeze()


def give_back_memory(every_s: float = 5.0) -> None:
    """Every few seconds, collect the garbage of the page runs since, and hand the memory freed back to
    the system (glibc's malloc_trim).

    A page run builds and drops frames of a few megabytes; glibc keeps the freed pages for reuse,
    so the server's resident size only ever grew with the busiest moment. Trimming takes a
    millisecond or two when there is little to give back. Measured with Arrow in glibc's pool
    (see main): 10 sessions over 9 pages, 300 MB before, 283 MB after. The collection stands in for
    the one Streamlit ran after every page run (off: see .streamlit/config.toml), once per interval
    rather than once per run. Collecting is portable; trimming is a no-op off glibc.
    """
    libc = ctypes.util.find_library("c")
    trim = ctypes.CDLL(libc).malloc_trim if libc and sys.platform.startswith("linux") else lambda pad: 0

    def loop() -> None:
        while True:
            time.sleep(every_s)
            gc.collect()
            trim(0)

    threading.Thread(target=loop, name="ibcr-malloc-trim", daemon=True).start()


def skip_direct_run_hint() -> None:
    """Spare the first page run of a server Streamlit's check for "not started with `streamlit run`".

    NOTE: Streamlit checks once per process, at the first element a page draws, whether the script
    runs in a REPL or without `streamlit run`, to print a hint. The check walks the page run's stack
    with inspect.stack(), which reads every frame's source file and scans the 1,200 modules loaded:
    50-90 ms on this machine, inside the first visitor's wait (the painted Overview sends its messages
    another way, so the page's own run met it). The launcher always runs `streamlit run`, so the hint
    can never apply. The flag is Streamlit's own (private): if a release renames it, nothing breaks and
    the check simply runs again.
    """
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


M_ARENA_MAX = -8  # glibc's mallopt parameter for the number of pools (malloc.h)


def few_arenas(n: int = 2) -> None:
    """Let glibc's allocator keep at most `n` pools ("arenas") for the whole process.

    Streamlit runs each session's script in a thread of its own, and glibc gives a thread that
    allocates while another holds the lock a pool of its own, up to eight per core; each pool keeps
    its freed fragments, which malloc_trim cannot hand back while a live block sits above them.
    Measured (benchmark, 10 sessions × 11 pages, one run each): 242 MB with glibc's default, 232 MB
    with two pools. Must run before the server starts its threads. An explicit MALLOC_ARENA_MAX in
    the environment wins; no-op off glibc.
    """
    libc = ctypes.util.find_library("c")
    if not libc or not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return
    ctypes.CDLL(libc).mallopt(M_ARENA_MAX, n)


def main(argv: list[str] | None = None) -> int:
    # Arrow (under pandas' text columns) keeps its own pool, which holds freed memory; in glibc's
    # pool it is given back by give_back_memory. Read when pyarrow is first imported, hence here.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    os.environ.setdefault("IBCR_VALIDATE_APART", "1")  # new data are validated in a child (ibcr_data.snapshot)
    few_arenas()
    give_back_memory()
    from streamlit.web import cli  # imported before the thread starts, so the two never race for it

    skip_direct_run_hint()

    threading.Thread(target=warm_when_quiet, name="ibcr-warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
