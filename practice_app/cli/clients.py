"""``practice-app clients``: the episode list with each episode's results and signal."""

from __future__ import annotations

import argparse

from practice_app.cli.common import add_common
from practice_app.cli.output import print_json, print_table
from practice_app.services.clients import episode_list, outcome_signal, primary_instrument
from practice_app.services.outcomes import find_instrument
from practice_app.storage.database import open_database
from practice_app.storage.instruments import load_instruments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define the options."""
    parser.add_argument(
        "--signal", choices=("red", "orange", "green", "none"), help="current outcome signal"
    )
    parser.add_argument("--instrument", help="instrument the signal is read on (default: ORS)")
    status = parser.add_mutually_exclusive_group()
    status.add_argument("--open", action="store_true", help="open episodes only")
    status.add_argument("--closed", action="store_true", help="closed episodes only")
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    """List the episodes."""
    db = open_database(args.db)
    try:
        with db.session() as session:
            if args.instrument:
                signal_on: str | None = find_instrument(
                    load_instruments(session), args.instrument
                ).name
            else:
                primary = primary_instrument(session)
                signal_on = primary.name if primary else None
            episodes, _ = episode_list(session, therapist_code=args.therapist)
    finally:
        db.dispose()
    if args.open:
        episodes = [e for e in episodes if e["status"] == "open"]
    if args.closed:
        episodes = [e for e in episodes if e["status"] == "closed"]
    if args.signal:
        episodes = [e for e in episodes if outcome_signal(e, signal_on) == args.signal]
    if args.json:
        print_json(episodes)
        return 0
    rows = []
    for e in episodes:
        main = e["instruments"].get(signal_on or "", {})
        rows.append(
            (
                e["client"],
                e["episode"],
                e["sessions"],
                e["last_date"] or "",
                e["status"] if e["status"] == "open" else (e["ending"] or "closed"),
                main.get("intake", ""),
                main.get("latest", ""),
                "" if main.get("change") is None else f"{main['change']:+.1f}",
                main.get("category") or "",
                outcome_signal(e, signal_on),
            )
        )
    headers = ("client", "episode", "sessions", "last seen", "status", "intake", "latest",
               "change", "category", f"signal ({signal_on or '-'})")  # fmt: skip
    print_table(headers, rows)
    return 0
