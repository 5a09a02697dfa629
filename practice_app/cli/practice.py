"""``practice-app practice add|list|summary|activities|add-activity|target``: the journal."""

from __future__ import annotations

import argparse
from typing import Any

from practice_app.cli.common import check_range, iso_date
from practice_app.cli.output import print_json, print_table


def _minutes(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of minutes") from None


def _rating(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number from 0 to 10") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define add, list, summary, activities and add-activity."""
    sub = parser.add_subparsers(
        dest="action", required=True, metavar="add|list|summary|activities|add-activity|target"
    )
    add = sub.add_parser("add", help="log a practice entry")
    add.add_argument("--date", type=iso_date, required=True, metavar="DATE", help="YYYY-MM-DD")
    add.add_argument("--minutes", type=_minutes, required=True, help="1 to 1440")
    add.add_argument(
        "--activity", required=True, help="an activity key or label (see 'practice activities')"
    )
    add.add_argument("--domain", help="Structure, Hope & Expectancy, Relationship, ...")
    add.add_argument("--objective", help="objective id or title (see 'objectives list')")
    add.add_argument("--difficulty", help="too-easy, right or too-hard")
    add.add_argument("--rating", type=_rating, help="self-rating 0-10")
    add.add_argument("--feedback", help="self, coach, peer, supervisor or client")
    add.add_argument("--notes", help="free text (no client names)")
    add.add_argument("--client", nargs="+", default=[], metavar="CODE", help="client codes")
    lst = sub.add_parser("list", help="list entries, oldest first")
    for p in (add, lst):
        p.add_argument("--therapist", metavar="CODE", help="whose journal (default: yours)")
        p.add_argument("--json", action="store_true", help="print JSON")
    lst.add_argument("--since", type=iso_date, metavar="DATE", help="entries on/after")
    lst.add_argument("--until", type=iso_date, metavar="DATE", help="entries on/before")
    lst.add_argument("--activity", help="only this activity (key or label)")
    lst.add_argument("--domain", help="only this domain")
    lst.add_argument("--objective", help="only entries toward this objective (id or title)")
    summ = sub.add_parser("summary", help="minutes per week (from Monday) or month")
    summ.add_argument("--by", choices=("week", "month"), required=True)
    summ.add_argument("--since", type=iso_date, metavar="DATE", help="from this date")
    summ.add_argument("--until", type=iso_date, metavar="DATE", help="to this date (default today)")
    summ.add_argument("--therapist", metavar="CODE", help="whose journal (default: yours)")
    summ.add_argument("--json", action="store_true", help="print JSON")
    acts = sub.add_parser("activities", help="list the activities")
    acts.add_argument("--json", action="store_true", help="print JSON")
    own = sub.add_parser("add-activity", help="add an activity of your own")
    own.add_argument("key", help="short key: lower-case letters, digits and '-'")
    own.add_argument("label", help="the label shown in the journal")
    target = sub.add_parser("target", help="show or set your weekly practice target")
    target.add_argument("minutes", type=_minutes, nargs="?", help="minutes a week (e.g. 180)")
    target.add_argument("--therapist", metavar="CODE", help="whose target (default: yours)")


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def _entry_line(e: Any) -> tuple[Any, ...]:
    return (
        e.id,
        e.date,
        e.minutes,
        e.activity,
        e.domain or "",
        "" if e.objective_id is None else e.objective_id,
        e.difficulty or "",
        "" if e.self_rating is None else f"{e.self_rating:g}",
        e.feedback_source or "",
        " ".join(e.clients),
        (e.notes or "")[:40],
    )


def run(args: argparse.Namespace) -> int:
    """Run the chosen action."""
    from practice_app.services import practice
    from practice_app.storage.database import open_database

    if args.action in ("list", "summary"):
        check_range(args.since, args.until)
    db = open_database(args.db)
    try:
        with db.session() as session:
            if args.action == "add":
                data = practice.EntryInput(
                    date=args.date,
                    minutes=args.minutes,
                    activity=args.activity,
                    domain=args.domain,
                    objective=args.objective,
                    difficulty=args.difficulty,
                    rating=args.rating,
                    feedback=args.feedback,
                    notes=args.notes,
                    clients=tuple(args.client),
                )
                result: Any = practice.add_entry(session, data, therapist_code=args.therapist)
            elif args.action == "list":
                result = practice.list_entries(
                    session,
                    since=args.since,
                    until=args.until,
                    therapist_code=args.therapist,
                    activity=args.activity,
                    domain=args.domain,
                    objective=args.objective,
                )
            elif args.action == "summary":
                result = practice.summary(
                    session,
                    args.by,
                    since=args.since,
                    until=args.until,
                    therapist_code=args.therapist,
                )
            elif args.action == "activities":
                result = practice.list_activities(session)
            elif args.action == "target":
                therapist_id = practice.therapist_for(session, args.therapist)
                if args.minutes is not None:
                    practice.set_weekly_target(session, therapist_id, args.minutes)
                result = practice.weekly_target(session, therapist_id)
            else:
                result = practice.add_activity(session, args.key, args.label)
    finally:
        db.dispose()
    _print(args, result)
    return 0


def _print(args: argparse.Namespace, result: Any) -> None:
    as_json = getattr(args, "json", False)
    if args.action == "add":
        if as_json:
            print_json(result.as_json())
        else:
            print(
                f"Logged entry {result.id}: {result.date}, {result.minutes} min, "
                f"{result.activity_label}."
            )
    elif args.action == "list":
        if as_json:
            print_json([e.as_json() for e in result])
        elif not result:
            print("No practice entries in that range.")
        else:
            headers = "id date min activity domain objective difficulty rating feedback clients"
            headers += " notes"
            print_table(headers.split(), [_entry_line(e) for e in result])
            total = sum(e.minutes for e in result)
            print(f"{len(result)} entries, {total} minutes ({_hours(total)} hours)")
    elif args.action == "summary":
        if as_json:
            print_json(
                [
                    {"period_start": p.period_start, "minutes": p.minutes, "entries": p.entries}
                    for p in result
                ]
            )
        elif not result:
            print("No practice logged yet.")
        else:
            rows = [(p.period_start, p.minutes, _hours(p.minutes), p.entries) for p in result]
            print_table((f"{args.by} starting", "minutes", "hours", "entries"), rows)
    elif args.action == "activities":
        if as_json:
            print_json([{"key": a.key, "label": a.label, "builtin": a.builtin} for a in result])
        else:
            print_table(
                ("key", "label", "kind"),
                [(a.key, a.label, "built in" if a.builtin else "yours") for a in result],
            )
    elif args.action == "target":
        print(f"Weekly practice target: {result} minutes ({_hours(result)} hours).")
    else:
        print(f"Added activity {result.key}: {result.label}.")
