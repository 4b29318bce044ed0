"""Command line: `python -m ibcr_data validate [DATA_DIR]` and `python -m ibcr_data summary [DATA_DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .load import ValidationError, default_data_dir, load_dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ibcr_data", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("validate", "check every file against data/datapackage.yaml"),
                       ("summary", "print the number of records in each table")):
        p = sub.add_parser(name, help=text)
        p.add_argument("data_dir", nargs="?", type=Path, default=None, help="folder with datapackage.yaml")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    try:
        ds = load_dataset(data_dir)
    except ValidationError as exc:
        print(f"{data_dir}: {len(exc.problems)} problem(s) found; the data were not loaded.", file=sys.stderr)
        for p in exc.problems:
            print(f"- {p}", file=sys.stderr)
        return 1
    counts = ds.counts()
    if args.command == "validate":
        print(f"{data_dir}: valid — " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        return 0
    width = max(map(len, counts))
    print(f"IBCR dataset in {data_dir} (last updated {ds.last_updated})")
    for name, n in counts.items():
        print(f"  {name:<{width}}  {n:>5}")
    eng = ds.engagements
    print(f"  {'countries engaged':<{width}}  {eng['country_iso3'].nunique():>5}")
    print(f"  {'kinds of work':<{width}}  {eng['kind_code'].nunique():>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
