"""``practice-app export --out DIR``: every table into a documented folder that imports back."""

from __future__ import annotations

import argparse
from pathlib import Path

from practice_app.cli.output import print_json
from practice_app.storage.database import open_database
from practice_app.storage.export import export_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define --out and --format."""
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new folder")
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="default csv")
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")


def run(args: argparse.Namespace) -> int:
    """Export and say where the files went."""
    db = open_database(args.db, create=False)
    try:
        result = export_database(db, args.out, args.format)
    finally:
        db.dispose()
    if args.json:
        print_json({"folder": str(result.folder), "format": result.format, "files": result.files})
    else:
        print(f"Exported to {result.folder} ({result.format}; README.txt describes the files):")
        for name, n in result.files.items():
            print(f"  {name:<28}{n} rows")
    return 0
