"""``practice-app objectives add|list|start|close|review``: the development plan."""

from __future__ import annotations

import argparse
from typing import Any

from practice_app.cli.common import iso_date


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define add, list, start, close and review."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="add|list|start|close|review")
    add = sub.add_parser(
        "add",
        help="add an objective (it starts now if it shares the current focus, "
        "else it waits as planned)",
    )
    add.add_argument("title")
    add.add_argument("--focus", dest="focus_area", help="focus area (default: the domain)")
    add.add_argument("--domain", help="Structure, Hope & Expectancy, Relationship, ...")
    add.add_argument("--criteria", dest="success_criteria", help="how you will know it worked")
    add.add_argument("--start", type=iso_date, metavar="DATE", help="start date (default today)")
    add.add_argument("--review", type=iso_date, metavar="DATE", help="review date")
    lst = sub.add_parser("list", help="list the objectives, current focus first")
    lst.add_argument("--open", action="store_true", help="only active and planned ones")
    start = sub.add_parser("start", help="start a planned objective (takes its baseline)")
    start.add_argument("id", type=int)
    start.add_argument(
        "--close-current",
        choices=("achieved", "dropped"),
        help="close the objectives of the current focus this way first",
    )
    close = sub.add_parser("close", help="close an objective as achieved or dropped")
    close.add_argument("id", type=int)
    close.add_argument("--status", choices=("achieved", "dropped"), required=True)
    close.add_argument("--note", help="what you learned, for the review")
    close.add_argument("--date", type=iso_date, metavar="DATE", help="closing date (default today)")
    review = sub.add_parser("review", help="baseline beside the episodes ended since the start")
    review.add_argument("id", type=int)
    for p in (add, lst, start, close, review):
        p.add_argument("--therapist", metavar="CODE", help="whose plan (default: yours)")
        p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Run the chosen action."""
    from practice_app.services import plan
    from practice_app.storage.database import open_database

    db = open_database(args.db)
    try:
        with db.session() as session:
            if args.action == "add":
                result: Any = plan.add_objective(
                    session,
                    title=args.title,
                    focus_area=args.focus_area,
                    domain=args.domain,
                    success_criteria=args.success_criteria,
                    start_date=args.start,
                    review_date=args.review,
                    therapist_code=args.therapist,
                )
                focus = plan.current_focus(
                    plan.list_objectives(session, therapist_code=args.therapist)
                )
            elif args.action == "list":
                result = plan.list_objectives(
                    session, therapist_code=args.therapist, include_closed=not args.open
                )
            elif args.action == "start":
                result = plan.start_objective(session, args.id, close_current=args.close_current)
            elif args.action == "close":
                result = plan.close_objective(
                    session, args.id, status=args.status, note=args.note, closed_date=args.date
                )
            else:
                result = plan.review_objective(session, args.id)
    finally:
        db.dispose()
    if args.json:
        from practice_app.cli.output import print_json

        print_json(_json(args.action, result))
    elif args.action == "add":
        _print_added(result, focus)
    elif args.action == "list":
        _print_list(result)
    elif args.action == "review":
        _print_review(result)
    else:
        print(f"Objective {result.id} is now {result.status}: {result.title}")
    return 0


def _json(action: str, result: Any) -> Any:
    if action == "list":
        return [o.as_json() for o in result]
    if action == "review":
        return {
            "objective": result.objective.as_json(),
            "baseline": None if result.baseline is None else result.baseline.as_json(),
            "since_start": None if result.since_start is None else result.since_start.as_json(),
            "changes": result.changes,
        }
    return result.as_json()


def _print_added(row: Any, focus: str | None) -> None:
    print(f"Added objective {row.id} ({row.status}): {row.title}")
    if row.status == "planned":
        print(
            f"  Your current focus is '{focus}'. One focus at a time: it waits as planned. "
            f"When the current focus is done, run 'objectives start {row.id}' "
            "(with --close-current achieved|dropped to close it on the way)."
        )
    elif row.baseline is not None:
        print(f"  Baseline: {_snapshot_line(row.baseline)}")


def _print_list(rows: Any) -> None:
    from practice_app.cli.output import print_table
    from practice_app.services.plan import current_focus

    if not rows:
        print("No objectives yet. Add one with 'objectives add TITLE --domain DOMAIN'.")
        return
    focus = current_focus(rows)
    print(f"Current focus: {focus}" if focus else "No active focus.")
    table = [
        (
            o.id,
            o.status,
            o.title[:60],
            o.focus_area or o.domain or "",
            o.start_date,
            o.review_date or "",
            o.closed_date or "",
            f"{o.minutes / 60:.1f}",
        )
        for o in rows
    ]
    print_table(("id", "status", "title", "focus", "start", "review", "closed", "hours"), table)


def _num(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:.1f}{unit}" if unit else f"{value:.2f}"


def _snapshot_line(s: Any) -> str:
    if not s.enough:
        return f"{s.instrument} {s.since} to {s.until}: {s.reason or 'not enough data'}"
    return (
        f"{s.instrument}, {s.n} episodes ended {s.since} to {s.until}: "
        f"effect size {_num(s.effect_size)}, SAES {_num(s.saes)}, "
        f"reliably improved {_num(s.reliably_improved, '%')}, "
        f"not on track {_num(s.not_on_track, '%')}"
    )


def _print_review(review: Any) -> None:
    from practice_app.cli.output import print_table
    from practice_app.services.plan import FIGURES

    o = review.objective
    print(f"Objective {o.id} ({o.status}): {o.title}")
    if o.success_criteria:
        print(f"  Success criteria: {o.success_criteria}")
    print(f"  Practice logged toward it: {o.minutes / 60:.1f} hours in {o.entries} entries")
    if review.since_start is None:
        print("  Not started yet: no baseline.")
        return
    b, n = review.baseline, review.since_start
    note = " (recomputed from the data)" if b.recomputed else ""
    print(f"  Baseline:    {_snapshot_line(b)}{note}")
    print(f"  Since start: {_snapshot_line(n)}")
    rows = []
    for key, label in FIGURES:
        unit = "%" if label.endswith("%") else ""
        change = review.changes[key]
        sign = "" if change is None else ("+" if change > 0 else "")
        rows.append(
            (
                label.rstrip(" %"),
                _num(b.value(key), unit),
                _num(n.value(key), unit),
                "-" if change is None else f"{sign}{_num(change, unit)}",
            )
        )
    print_table(("figure", "baseline", "since start", "change"), rows)
    print(f"  n: {b.n} episodes before, {n.n} since (a figure needs at least 10).")
