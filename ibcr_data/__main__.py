"""Command line of the read side: check any data folder.

    python -m ibcr_data validate DATA_DIR     check every file against its datapackage.yaml
    python -m ibcr_data summary DATA_DIR      the number of records in each table

The commands that change the data (template, import, history, diff, name, restore, backup,
restore-backup, editor, account), and validate or summary without a folder (the current version of the
store), live in `python -m ibcr_updates`. For one release, `python -m ibcr_data COMMAND …` still
runs them: it says so, then hands over to `python -m ibcr_updates COMMAND …`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .cli import check_folder

READ_COMMANDS = ("validate", "summary")
HANDED_OVER = ("template", "import", "history", "diff", "name", "restore", "backup", "restore-backup", "editor",
               "account")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    words = _positionals(argv)
    command = words[0] if words else ""
    if command in HANDED_OVER or "--store" in argv or (command in READ_COMMANDS and len(words) < 2):
        print(f"note: `python -m ibcr_data {command}` is now `python -m ibcr_updates {command}`; "
              "this alias will be removed in the next release.", file=sys.stderr)
        sys.stderr.flush()
        # NOTE: a new program, not an import: the read side never imports the change side.
        os.execv(sys.executable, [sys.executable, "-m", "ibcr_updates", *argv])
    parser = argparse.ArgumentParser(prog="python -m ibcr_data", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("validate", "check every file of a data folder against its datapackage.yaml"),
                       ("summary", "print the number of records in each table of a data folder")):
        p = sub.add_parser(name, help=text)
        p.add_argument("data_dir", type=Path, help="the folder that holds datapackage.yaml")
    args = parser.parse_args(argv)
    return check_folder(args.data_dir, args.command)


def _positionals(argv: list[str]) -> list[str]:
    """The words of a command line that are not options nor an option's value."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a.startswith("-"):
            skip = "=" not in a and a in ("--store", "--who", "--note", "--lang", "--role")
        else:
            out.append(a)
    return out


if __name__ == "__main__":
    sys.exit(main())
