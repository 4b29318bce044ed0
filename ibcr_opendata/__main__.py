"""Command line for open data: the public data as files, and the API.

    python -m ibcr_opendata all [--out dist] [--version V]     the ZIP, the SQLite file and the IATI file
    python -m ibcr_opendata zip|sqlite|iati [--out dist] [--version V] [--lang fr] [--org-ref ID]
    python -m ibcr_opendata versions                           the versions each file can be made of
    python -m ibcr_opendata api [--host H] [--port P] [--base-url /api/] [--https]   Datasette on the data shown now

Every file is made from the public view of the data shown now (the store's current version, or
the data folder), or of an earlier version with --version (an id such as v2, or a name); its
name carries the version: ibcr-activity-v3.zip, ibcr-activity-v3.sqlite, ibcr-activity-v3-iati.xml.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from ibcr_data import ValidationError

from . import api, files
from .iati import ORG_REF_ENV
from .release import load_release, versions


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as exc:
        print(f"error: the data do not validate ({len(exc.problems)} problem(s)); "
              "run `python -m ibcr_updates validate` to list them", file=sys.stderr)
        return 1
    except (KeyError, ValueError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {message}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ibcr_opendata", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", type=Path, default=Path("dist"), help="folder to write into (default: dist)")
    common.add_argument("--version", default=None, help="an earlier version (id or name; default: the data shown now)")
    common.add_argument("--lang", choices=("en", "fr", "es"), default="en", help="language of the README")
    common.add_argument("--org-ref", default=None,
                        help=f"IBCR's IATI organisation identifier (default: ${ORG_REF_ENV}, else the one "
                             "Global Affairs Canada uses)")
    for kind, text in (("all", "write the ZIP, the SQLite file and the IATI file"),
                       ("zip", "write the Frictionless data package (a ZIP of CSVs, datapackage.json and a README)"),
                       ("sqlite", "write the SQLite file"), ("iati", "write the IATI 2.03 activity file")):
        p = sub.add_parser(kind, help=text, parents=[common])
        p.set_defaults(func=_write, kinds=files.KINDS if kind == "all" else (kind,))
    p = sub.add_parser("versions", help="list the versions files can be made of")
    p.set_defaults(func=_versions)
    p = sub.add_parser("api", help="serve the SQLite file of the data shown now with Datasette (read-only)")
    p.add_argument("--host", default=api.DEFAULT_HOST)
    p.add_argument("--port", type=int, default=api.DEFAULT_PORT)
    p.add_argument("--base-url", default="/", help="the path it is served under behind a proxy, e.g. /api/")
    p.add_argument("--check", type=float, default=api.CHECK_S, help="seconds between looks for a new version")
    p.add_argument("--https", action="store_true", help="behind a proxy that ends TLS: links in the API say https")
    p.set_defaults(func=_api)
    return parser


def _write(args: argparse.Namespace) -> int:
    rel = load_release(args.version)
    for kind in args.kinds:
        path = files.write(rel, kind, args.out, args.lang, args.org_ref)
        print(f"{path}  {path.stat().st_size:,} bytes")
    return 0


def _versions(args: argparse.Namespace) -> int:
    found = versions()
    if not found:
        print("the data have no versions (no store): only the data shown now")
        return 0
    for v in found:
        print(f"{v.id:>5}  {v.created[:10]}  {', '.join(v.names)}")
    return 0


def _api(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up that stops Datasette
    return api.serve(args.host, args.port, args.base_url, args.check, args.https)


if __name__ == "__main__":
    sys.exit(main())
