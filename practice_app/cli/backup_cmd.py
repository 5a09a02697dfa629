"""``practice-app backup --out FILE`` and ``practice-app restore FILE`` (SQLite databases).

One module serves both commands; the parser's name says which one runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from practice_app.cli.output import print_json
from practice_app.storage.backup import backup_database, restore_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define the options of backup or restore (chosen by the command name)."""
    if parser.prog.endswith("restore"):
        parser.add_argument("file", type=Path, help="a backup written by 'backup'")
        parser.set_defaults(action="restore")
    else:
        parser.add_argument("--out", type=Path, required=True, metavar="FILE", help="a new file")
        parser.set_defaults(action="backup")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args: argparse.Namespace) -> int:
    """Back up or restore."""
    if args.action == "backup":
        out = backup_database(args.db, args.out)
        if args.json:
            print_json({"backup": str(out)})
        else:
            print(f"Backed up to {out}.")
        return 0
    kept = restore_database(args.db, args.file)
    if args.json:
        print_json({"restored": str(args.file), "previous": None if kept is None else str(kept)})
    else:
        print(f"Restored {args.file}.")
        if kept is not None:
            print(f"The database as it was is kept in {kept}.")
    return 0
