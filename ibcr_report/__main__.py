"""python -m ibcr_report organisation|country ISO3|programme ID|funder NAME [--lang] [--version] [--since] [--public] -o FILE.pdf

A pack from the command line is the board's (every record, marked "Board — not for circulation")
unless --public asks for the public view, the one visitors see.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ibcr_data.audience import view_for

from . import KINDS, Pack, PackError, build_pack, open_data


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ibcr_report", description="A board or donor pack as a PDF.")
    p.add_argument("kind", nargs="?", choices=KINDS, help="what the pack covers")
    p.add_argument("key", nargs="?", help="country code (ISO3), programme id, or funder name")
    p.add_argument("--lang", choices=("en", "fr"), default="en")
    p.add_argument("--version", help="a version id or name of the store (default: the current one)")
    p.add_argument("--since", help="add the changes since this version id or name")
    p.add_argument("--store", type=Path, help="the store or data folder (default: IBCR_DATA_DIR, var/ibcr-data, data/)")
    p.add_argument("-o", "--output", type=Path, help="the PDF file to write")
    p.add_argument("--all-countries", type=Path, metavar="DIR", help="one pack per engaged country, into DIR")
    p.add_argument("--public", action="store_true", help="the public view (default: the board's, marked as such)")
    a = p.parse_args(argv)
    try:
        if a.all_countries:
            return _all_countries(a)
        if not a.kind:
            p.error("say what the pack covers: organisation, country ISO3, programme ID or funder NAME")
        if a.kind == "organisation" and a.key:
            p.error("an organisation pack takes no key")
        if not a.output:
            p.error("-o FILE.pdf is required")
        start = time.perf_counter()
        ds, store = open_data(a.store, a.version)
        ds = view_for(ds, "public" if a.public else "board")
        pdf = build_pack(ds, Pack(a.kind, a.key, a.lang, ds.version, a.since), store=store)
        a.output.write_bytes(pdf)
        print(f"{a.output}: {len(pdf) / 1024:.0f} KB in {time.perf_counter() - start:.1f} s")
        return 0
    except PackError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: {e.strerror or e}: {e.filename or ''}", file=sys.stderr)
        return 2


def _all_countries(a) -> int:
    ds, store = open_data(a.store, a.version)
    ds = view_for(ds, "public" if a.public else "board")
    countries = sorted(set(ds.engagements["country_iso3"]))
    a.all_countries.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    total = 0
    for iso3 in countries:
        pack = Pack("country", iso3, a.lang, ds.version, a.since)
        pdf = build_pack(ds, pack, store=store)
        (a.all_countries / pack.filename).write_bytes(pdf)
        total += len(pdf)
    print(f"{len(countries)} packs in {a.all_countries}: {total / 2**20:.1f} MB in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
