"""``practice-app lessons add|list|edit|delete``: what clients taught the therapist, with tags."""

from __future__ import annotations

import argparse
import textwrap

from practice_app.cli.common import iso_date
from practice_app.cli.output import print_json, print_table
from practice_app.storage.database import open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define add, list and delete."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="add|list|edit|delete")
    p_add = sub.add_parser("add", help="write down what a client taught you")
    p_add.add_argument("--client", required=True, metavar="CODE", help="the client's code")
    p_add.add_argument(
        "--episode", metavar="ID", help="case id or episode id (default: the client's latest)"
    )
    p_add.add_argument("--text", required=True, help="what this client taught me")
    p_add.add_argument("--new", metavar="TEXT", help="what was new or different")
    p_add.add_argument("--practise", metavar="TEXT", help="what I will practise")
    p_add.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="a tag (repeat for more)"
    )
    p_add.add_argument("--date", type=iso_date, help="YYYY-MM-DD (default: today)")
    p_add.add_argument("--json", action="store_true", help="print the stored lesson as JSON")
    p_list = sub.add_parser("list", help="list lessons, with how often each tag recurs")
    p_list.add_argument("--client", metavar="CODE", help="only this client's lessons")
    p_list.add_argument("--tag", help="only lessons carrying this tag (any letter case)")
    p_list.add_argument("--therapist", metavar="CODE", help="only this therapist's episodes")
    p_list.add_argument("--json", action="store_true", help="print JSON")
    p_edit = sub.add_parser("edit", help="change a lesson (only the options given)")
    p_edit.add_argument("id", type=int)
    p_edit.add_argument("--text", help="what this client taught me")
    p_edit.add_argument("--new", metavar="TEXT", help="what was new or different ('' clears)")
    p_edit.add_argument("--practise", metavar="TEXT", help="what I will practise ('' clears)")
    p_edit.add_argument(
        "--tag", action="append", metavar="TAG", help="replaces the tags (repeat for more)"
    )
    p_edit.add_argument("--date", type=iso_date, help="YYYY-MM-DD")
    p_edit.add_argument("--json", action="store_true", help="print the lesson as JSON")
    p_del = sub.add_parser("delete", help="delete one lesson by its id")
    p_del.add_argument("id", type=int)


def run(args: argparse.Namespace) -> int:
    """Run the chosen action."""
    from practice_app.services.lessons import (
        KEEP,
        add_lesson,
        count_tags,
        delete_lesson,
        edit_lesson,
        list_lessons,
    )

    db = open_database(args.db)
    try:
        with db.session() as session:
            if args.action == "add":
                row = add_lesson(
                    session,
                    client_code=args.client,
                    taught=args.text,
                    new_or_different=args.new,
                    will_practise=args.practise,
                    tags=args.tag,
                    episode=args.episode,
                    day=args.date,
                )
                if args.json:
                    print_json(row.as_dict())
                else:
                    where = f"episode {row.episode}" if row.episode else "no episode"
                    print(f"Lesson {row.id} stored for {row.client} ({where}, {row.date}).")
                return 0
            if args.action == "edit":
                row = edit_lesson(
                    session,
                    args.id,
                    taught=args.text,
                    new_or_different=KEEP if args.new is None else args.new,
                    will_practise=KEEP if args.practise is None else args.practise,
                    tags=args.tag,
                    day=args.date,
                )
                if args.json:
                    print_json(row.as_dict())
                else:
                    print(f"Lesson {row.id} of {row.client} updated.")
                return 0
            if args.action == "delete":
                row = delete_lesson(session, args.id)
                print(f"Lesson {row.id} of {row.client} ({row.date}) deleted.")
                return 0
            rows = list_lessons(
                session, client_code=args.client, tag=args.tag, therapist_code=args.therapist
            )
    finally:
        db.dispose()
    counts = count_tags(rows)
    if args.json:
        print_json([r.as_dict() for r in rows])
        return 0
    if not rows:
        print("No lessons yet. Add one: practice-app lessons add --client CODE --text '...'")
        return 0
    table = [
        (
            r.id,
            r.date,
            r.client,
            r.episode or "-",
            textwrap.shorten(r.taught, 60, placeholder="…"),
            ", ".join(r.tags),
        )
        for r in rows
    ]
    print_table(("id", "date", "client", "episode", "taught", "tags"), table)
    print()
    recurring = [t for t in counts if t.recurring]
    noun = "lesson" if len(rows) == 1 else "lessons"
    if recurring:
        print(f"Tags recurring across the {len(rows)} {noun}:")
        print_table(("tag", "lessons"), [(t.tag, t.count) for t in recurring])
    else:
        print(f"No tag recurs across the {len(rows)} {noun} yet.")
    once = [t.tag for t in counts if not t.recurring]
    if once:
        print(textwrap.fill("Used once: " + ", ".join(once), 100))
    return 0
