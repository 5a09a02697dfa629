"""Options and parsing shared by the data commands."""

from __future__ import annotations

import argparse
import datetime as dt

from practice_app.errors import UserError


def iso_date(text: str) -> dt.date:
    """Parse YYYY-MM-DD for argparse, with a message that names the format."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def add_common(parser: argparse.ArgumentParser, *, therapist: bool = True) -> None:
    """Add --json and (for outcome commands) --therapist."""
    parser.add_argument("--json", action="store_true", help="print JSON")
    if therapist:
        parser.add_argument(
            "--therapist", metavar="CODE", help="only this therapist's episodes (default: all)"
        )


def check_range(since: dt.date | None, until: dt.date | None) -> None:
    """Refuse a date range that ends before it starts."""
    if since and until and until < since:
        raise UserError(f"--until {until} is before --since {since}")
