"""``practice-app demo [--seed N] [--force] [--today DATE]``: fill a database with demo data."""

from __future__ import annotations

import argparse
import datetime as dt

from practice_app.demo import database_is_empty, load_demo
from practice_app.errors import UserError
from practice_app.storage.database import open_database


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("the seed must be 0 or more")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define --seed, --force and --today."""
    parser.add_argument(
        "--seed", type=_seed, default=1, help="random seed; the same seed gives the same data"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the data already in the database"
    )
    parser.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the date the three years of demo data end on (default: today)",
    )


def run(args: argparse.Namespace) -> int:
    """Load the demo data, refusing a database that holds data unless --force is given."""
    db = open_database(args.db)
    try:
        label = db.location.label
        if not args.force and not database_is_empty(db):
            raise UserError(
                f"{label} already holds data; use --force to replace it with the demo data"
            )
        # With --force the clearing and the loading share one transaction: an error
        # leaves the database exactly as it was.
        summary = load_demo(db, seed=args.seed, today=args.today, replace=args.force)
    finally:
        db.dispose()
    print(f"Loaded demo data into {label}: {summary.line()}")
    return 0
