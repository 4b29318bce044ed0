"""What the command lines print for a data folder: `validate` (every problem, or a one-line summary) and `summary`."""

from __future__ import annotations

import sys
from pathlib import Path

from .load import load_dataset
from .problems import ValidationError


def check_folder(data_dir: Path, command: str, version: str | None = None) -> int:
    """Validate or summarise one folder; 0 when it is valid, 1 (every problem on stderr) when not."""
    try:
        ds = load_dataset(data_dir, version)
    except ValidationError as exc:
        print(f"{data_dir}: {len(exc.problems)} problem(s) found; the data were not loaded.", file=sys.stderr)
        for p in exc.problems:
            print(f"- {p}", file=sys.stderr)
        return 1
    counts = ds.counts()
    label = f"{data_dir}" + (f" ({version})" if version else "")
    if command == "validate":
        print(f"{label}: valid — " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        return 0
    width = max(map(len, counts))
    print(f"IBCR dataset in {label} (last updated {ds.last_updated})")
    for name, n in counts.items():
        print(f"  {name:<{width}}  {n:>5}")
    eng = ds.engagements
    print(f"  {'countries engaged':<{width}}  {eng['country_iso3'].nunique():>5}")
    print(f"  {'kinds of work':<{width}}  {eng['kind_code'].nunique():>5}")
    return 0
