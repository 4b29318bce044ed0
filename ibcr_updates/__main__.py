"""Command line for changing the data: import an edited workbook, keep every version, manage accounts.

    python -m ibcr_updates validate [DATA_DIR]          check the current version (or a folder)
    python -m ibcr_updates summary [DATA_DIR]           the number of records in each table
    python -m ibcr_updates template OUT.xlsx [--lang fr|es]   the editing workbook of the current data
    python -m ibcr_updates import FILE --note TEXT [--yes] [--who NAME]   compare an upload; accept it with --yes
    python -m ibcr_updates history | diff A B | name V NAME | restore V --note TEXT [--yes]
    python -m ibcr_updates backup OUT.zip | restore-backup FILE ROOT
    python -m ibcr_updates account add NAME --role board|editor | account remove NAME | account list
    python -m ibcr_updates editor add NAME | editor remove NAME | editor list    (accounts with the editor role)

Every command uses the default store (IBCR_DATA_DIR, else var/ibcr-data/) or --store DIR.
`python -m ibcr_data` still accepts these commands for one release and hands them over here.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from pathlib import Path

from ibcr_data import ValidationError, load_dataset
from ibcr_data.cli import check_folder

from .accounts import FILE_ENV, FILE_NAME, ROLES, Editors
from .compare import compare
from .files import NotWritten
from .log import BIDI_CONTROLS
from .source import resolve_source
from .store import Conflict, Store, os_user
from .upload import read_upload
from .workbook import template


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as exc:
        _problems(str(getattr(args, "file", "") or "the data"), exc.problems)
        return 1
    except (Conflict, KeyError, ValueError, FileNotFoundError, NotWritten) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"error: {plain(str(message))}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file named on the command line that cannot be read or written
        print(f"error: {plain(exc.strerror or str(exc))}: {plain(str(exc.filename or ''))}", file=sys.stderr)
        return 1


def plain(text: str, keep: str = "") -> str:
    """Text safe to print on a terminal: control characters (an escape sequence would drive it) and
    direction overrides are shown as escapes, like "\\x1b"; the characters in `keep` stay."""
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if ch not in keep and (unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS) else ch
                   for ch in text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ibcr_updates", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=None, help="the store folder (default: IBCR_DATA_DIR or var/ibcr-data)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument("--who", default=os_user(), help="who does it (default: the OS user)")
    sub = parser.add_subparsers(dest="command", required=True)

    for name, text in (("validate", "check every file against data/datapackage.yaml"),
                       ("summary", "print the number of records in each table")):
        p = sub.add_parser(name, help=text, parents=[common])
        p.add_argument("data_dir", nargs="?", type=Path, default=None, help="folder with datapackage.yaml")
        p.set_defaults(func=_validate_or_summary)

    p = sub.add_parser("template", help="write the editing workbook of the current data", parents=[common])
    p.add_argument("out", type=Path)
    p.add_argument("--lang", choices=("en", "fr", "es"), default="en")
    p.set_defaults(func=_template)

    p = sub.add_parser("import", help="compare an edited workbook (.xlsx) or .zip of CSVs; accept with --yes",
                       parents=[common, who])
    p.add_argument("file", type=Path)
    p.add_argument("--note", required=True, help="what changed and why (kept in the history)")
    p.add_argument("--yes", action="store_true", help="accept it as the new current version")
    p.add_argument("--publish", action="store_true",
                   help="also confirm that records kept for the board until now may be made public")
    p.set_defaults(func=_import)

    p = sub.add_parser("history", help="every version, newest first", parents=[common])
    p.set_defaults(func=_history)

    p = sub.add_parser("diff", help="the records added, removed and changed from version A to B", parents=[common])
    p.add_argument("a")
    p.add_argument("b")
    p.set_defaults(func=_diff)

    p = sub.add_parser("name", help="give a version a name, e.g. 'Board meeting 2026-11'", parents=[common, who])
    p.add_argument("version")
    p.add_argument("name")
    p.set_defaults(func=_name)

    p = sub.add_parser("restore", help="make a new version with the files of an older one", parents=[common, who])
    p.add_argument("version")
    p.add_argument("--note", required=True)
    p.add_argument("--yes", action="store_true")
    p.set_defaults(func=_restore)

    p = sub.add_parser("backup", help="write the whole store (every version) to one .zip", parents=[common])
    p.add_argument("out", type=Path)
    p.set_defaults(func=_backup)

    p = sub.add_parser("restore-backup", help="restore a store from a backup into an empty folder", parents=[common])
    p.add_argument("file", type=Path)
    p.add_argument("root", type=Path)
    p.set_defaults(func=_restore_backup)

    p = sub.add_parser("account", help="accounts: add NAME --role board|editor, remove NAME, list", parents=[common])
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("editor", nargs="?", metavar="NAME")
    p.add_argument("--role", choices=ROLES, default=None,
                   help="board: signs in to see the board view; editor: also changes the data (required to add)")
    p.set_defaults(func=_editor)

    p = sub.add_parser("editor", help="editor accounts (account ... --role editor): add NAME, remove NAME, list",
                       parents=[common])
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("editor", nargs="?", metavar="NAME")
    p.set_defaults(func=_editor, role="editor")
    return parser


def _store(args, create: bool = False):
    return Store.open(args.store, create=create)


def _problems(what: str, problems) -> None:
    print(f"{plain(what)}: {len(problems)} problem(s) found; nothing was changed.", file=sys.stderr)
    for p in problems:
        print(f"- {plain(str(p))}", file=sys.stderr)


def _validate_or_summary(args) -> int:
    if args.data_dir:
        folder, version = args.data_dir, None
    elif args.store:
        store = _store(args)
        folder, version = store.path("current"), store.current().id
    else:
        source = resolve_source()
        folder, version = source.folder, source.version
    return check_folder(folder, args.command, version)


def _template(args) -> int:
    if args.store:
        store = _store(args, create=True)
        ds = store.load("current")
    else:
        source = resolve_source()
        ds = load_dataset(source.folder, source.version)
    args.out.write_bytes(template(ds, args.lang))
    print(f"{args.out}: the editing workbook of {ds.data_dir} ({args.lang})")
    return 0


def _import(args) -> int:
    store = _store(args, create=True)
    base = store.current()
    ds = store.load(base.id)
    intake = read_upload(args.file.name, args.file.read_bytes(), ds)
    if intake.problems:
        _problems(str(args.file), intake.problems)
        return 1
    try:
        comparison = compare(ds, intake.dataset)
        print(f"{args.file} compared with the current version {base.id}:")
        print(plain(comparison.text(), keep="\n"))
        if comparison.is_empty and intake.folder is not None:
            print("Nothing to accept.")
            return 0
        if not args.yes:
            print(f"\nNothing was changed. To accept it as version v{base.number + 1}, run the same command "
                  "again with --yes.")
            return 0
        if comparison.publishes and not args.publish:
            print(f"\nNothing was changed: this makes {len(comparison.publishes)} record(s) kept for the board public "
                  f"({', '.join(f'{t} {k}' for t, k in comparison.publishes)}). If that is intended, run the same "
                  "command again with --yes --publish.", file=sys.stderr)
            return 1
        v = store.accept(intake.folder, base=base.id, who=args.who, note=args.note)
        print(f"\nAccepted as {v.id}: it is now the current version.")
        return 0
    finally:
        intake.discard()


def _history(args) -> int:
    for v in _store(args).versions():
        print(history_line(v))
    return 0


def history_line(v) -> str:
    """`v3  2026-12-02 10:14  ana  import  +1 −0 ~2  "note"  [names]`"""
    t = v.totals
    when = v.created.replace("T", " ")[:16]
    names = f"  [{', '.join(v.names)}]" if v.names else ""
    restored = f" (from {v.restored_from})" if v.restored_from else ""
    return plain(f"{v.id:<4}  {when}  {v.who}  {v.kind}{restored}  +{t['added']} −{t['removed']} ~{t['changed']}  "
                 f"\"{v.note}\"{names}")


def _diff(args) -> int:
    store = _store(args)
    a, b = store.get(args.a), store.get(args.b)
    print(f"From {a.id} to {b.id}:")
    print(plain(compare(store.path(a.id), store.path(b.id)).text(), keep="\n"))
    return 0


def _name(args) -> int:
    v = _store(args).name(args.version, args.name, who=args.who)
    print(plain(f"{v.id} is now named: {', '.join(v.names)}"))
    return 0


def _restore(args) -> int:
    store = _store(args)
    current, target = store.current(), store.get(args.version)
    print(f"Restoring {target.id} over the current version {current.id} would change:")
    print(plain(compare(store.path(current.id), store.path(target.id)).text(), keep="\n"))
    if not args.yes:
        print(f"\nNothing was changed. To restore it as version v{current.number + 1}, run the same command "
              "again with --yes.")
        return 0
    v = store.restore(target.id, who=args.who, note=args.note, base=current.id)
    print(f"\nRestored as {v.id} (the files of {target.id}); every earlier version is kept.")
    return 0


def _backup(args) -> int:
    store = _store(args)
    data = store.backup()
    args.out.write_bytes(data)
    print(f"{args.out}: {len(store.versions())} versions, {len(data) / 1024:.0f} KB")
    return 0


def _restore_backup(args) -> int:
    store = Store.from_backup(args.file, args.root)
    print(f"{args.root}: restored {len(store.versions())} versions; current is {store.current().id}. "
          f"Point IBCR_DATA_DIR at {args.root} to use it.")
    return 0


def _editor(args) -> int:
    """`account` and `editor`: the accounts of the people who sign in, each with a role."""
    if args.action != "list" and not args.editor:
        raise ValueError(f"give the account's name: {args.command} {args.action} NAME")
    if args.action == "add" and args.role is None:
        raise ValueError("say what the account may do: --role board (sees the board view) or --role editor "
                         "(also changes the data)")
    if args.store is not None:
        editors = Editors.open(Path(args.store) / FILE_NAME)
    else:
        editors = Editors.open()
    if args.action == "list":
        for name, role in editors.roles().items():
            print(f"{name}  {role}")
        return 0
    if args.action == "remove":
        editors.remove(args.editor)
        print(f"removed the account '{args.editor}'")
        return 0
    if args.store is not None or not os.environ.get(FILE_ENV):
        _store(args, create=True)  # the accounts file sits in the store: create the store with it
    password = _password()
    editors.add(args.editor, password, args.role)
    print(f"added the account '{args.editor}', role {args.role} ({editors.path})")
    return 0


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Same password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


if __name__ == "__main__":
    sys.exit(main())
