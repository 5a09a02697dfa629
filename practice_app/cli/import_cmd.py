"""``practice-app import FILE``: read a therapist's history (CSV, XLSX, or an export folder)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from practice_app.cli.output import print_json
from practice_app.importers.layouts import LAYOUTS
from practice_app.importers.pipeline import start_early
from practice_app.importers.reading import ImportOptions

if TYPE_CHECKING:
    from practice_app.importers.importer import ImportSummary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define the import options."""
    parser.add_argument("file", type=Path, help="CSV or XLSX file, or a folder written by export")
    parser.add_argument("--layout", choices=LAYOUTS, help="force a layout (default: detect)")
    parser.add_argument("--instrument", metavar="NAME", help="the instrument of a wide file")
    parser.add_argument(
        "--therapist", metavar="CODE", help="therapist for rows that name none (default: me)"
    )
    parser.add_argument("--client", metavar="CODE", help="client for a file with no client column")
    parser.add_argument("--date-format", metavar="FORMAT", help="e.g. DD/MM/YYYY or %%d/%%m/%%Y")
    parser.add_argument(
        "--inactive-days",
        type=int,
        default=45,
        metavar="N",
        help="close episodes with no ending and no session for N days as inactive (default 45)",
    )
    parser.add_argument("--skip-invalid", action="store_true", help="import the good rows only")
    parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    parser.add_argument(
        "--update", action="store_true", help="overwrite sessions whose values differ"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")


def _print_text(summary: ImportSummary) -> None:
    verb = "Would import" if summary.dry_run else "Imported"
    print(f"{verb} {summary.file} ({summary.layout} layout, {summary.description}):")
    print(
        f"  {summary.sessions} sessions ({summary.new_sessions} new, "
        f"{summary.already_present} already present) of {summary.clients} clients in "
        f"{summary.episodes} episodes, {summary.therapists} therapists"
    )
    if summary.scores:
        scores = ", ".join(f"{k} {v}" for k, v in sorted(summary.scores.items()))
        print(f"  scores: {scores}")
    for name, n in summary.extra.items():
        print(f"  {name}: {n}")
    if summary.dropped_columns:
        print(f"  dropped (client names, never stored): {', '.join(summary.dropped_columns)}")
    if summary.ignored_columns:
        print(f"  ignored columns: {', '.join(summary.ignored_columns)}")
    for p in summary.rejected:
        print(f"  skipped row {p.row}, {p.field}: {p.value!r}: {p.message}")
    if summary.dry_run:
        print("  dry run: nothing was written")


def run(args: argparse.Namespace) -> int:
    """Import the file and print the summary."""
    options = ImportOptions(
        layout=args.layout,
        instrument=args.instrument,
        therapist=args.therapist,
        client=args.client,
        skip_invalid=args.skip_invalid,
        dry_run=args.dry_run,
        update=args.update,
        date_format=args.date_format,
        inactive_days=args.inactive_days,
        read_beside=True,
    )
    # A large file is already being read while SQLAlchemy loads and the database opens.
    early = start_early(args.db, args.file, options)
    try:
        from practice_app.importers.importer import ImportRefused, import_path
        from practice_app.storage.database import open_database

        db = open_database(args.db)
        try:
            summary = import_path(db, args.file, options, early=early)
        except ImportRefused as exc:
            if args.json:
                print_json(exc.summary.as_json())
            print(str(exc), file=sys.stderr)
            return 2
        finally:
            db.dispose()
    finally:
        if early is not None:
            early.reader.stop()
    if args.json:
        print_json(summary.as_json())
    else:
        _print_text(summary)
    return 0
