"""``practice-app report``: the weekly review or a consultation brief as an HTML or PDF file.

The format follows the file's extension (.html or .pdf). Qt is imported only when
the report is drawn (charts and PDF need it; no window opens), and the offscreen
platform is used when there is no display.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from practice_app.cli.common import iso_date
from practice_app.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define the two report kinds and their options."""
    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    weekly = kinds.add_parser(
        "weekly", help="the weekly review", description="Write the weekly review."
    )
    weekly.add_argument(
        "--week",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="a day of the week (default: this week)",
    )
    weekly.add_argument("--therapist", metavar="CODE", help="the therapist (default: the only one)")
    consult = kinds.add_parser(
        "consult",
        help="a consultation brief on one client",
        description="Write the consultation brief of one client episode (de-identified).",
    )
    consult.add_argument("--client", required=True, metavar="CODE", help="the client's code")
    consult.add_argument(
        "--episode", type=int, metavar="ID", help="the episode's id (default: the latest)"
    )
    for sub in (weekly, consult):
        sub.add_argument(
            "--out",
            required=True,
            metavar="FILE",
            help="FILE.html or FILE.pdf (the format follows it)",
        )
        sub.error = parser.error  # type: ignore[method-assign]  # one-line errors, exit 2


def _headless() -> None:
    """Use Qt's offscreen platform when no display is available."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run(args: argparse.Namespace) -> int:
    """Load the report, draw it, write the file, print its path."""
    # Imported here: the check needs no Qt, and a wrong extension should fail fast.
    from practice_app.reports.render import report_format

    out = Path(args.out).expanduser()
    report_format(out)
    if not out.parent.is_dir():
        raise UserError(f"the folder {out.parent} does not exist")
    from practice_app.services.report_data import (
        Report,
        load_consult_report,
        load_weekly_report,
    )
    from practice_app.storage.database import open_database

    db = open_database(args.db)
    report: Report
    try:
        with db.session() as session:
            if args.kind == "weekly":
                report = load_weekly_report(session, args.week, therapist_code=args.therapist)
            else:
                report = load_consult_report(session, args.client, args.episode)
    finally:
        db.dispose()
    _headless()
    from practice_app.reports.charts import ensure_application
    from practice_app.reports.render import render_report

    ensure_application()
    try:
        written = render_report(report, out)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(written)
    return 0
