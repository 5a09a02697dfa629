"""``practice-app sudden-changes``: sudden gains and losses (Tang & DeRubeis 1999)."""

from __future__ import annotations

import argparse

from practice_app.analysis.sudden import sudden_changes
from practice_app.cli.common import add_common
from practice_app.cli.output import print_json, print_table
from practice_app.errors import UserError
from practice_app.services.clients import episode_label
from practice_app.services.outcomes import analyse_instrument
from practice_app.storage.database import open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define the options."""
    parser.add_argument("--instrument", default="ORS", help="instrument (default ORS)")
    parser.add_argument(
        "--cutoff", type=float, help="criterion 1 in points (default: the reliable change)"
    )
    parser.add_argument("--kind", choices=("gain", "loss", "both"), default="both")
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    """Find and print the sudden changes."""
    if args.cutoff is not None and args.cutoff <= 0:
        raise UserError(f"--cutoff must be positive, not {args.cutoff:g}")
    db = open_database(args.db)
    try:
        with db.session() as session:
            analysis = analyse_instrument(session, args.instrument, therapist_code=args.therapist)
    finally:
        db.dispose()
    instrument = analysis.instrument
    if args.cutoff is None and instrument.reliable_change is None:
        raise UserError(f"{instrument.name} has no reliable change; give --cutoff")
    found = sudden_changes(analysis.matrix, instrument, cutoff=args.cutoff, kind=args.kind)
    items = [
        {
            "client": analysis.episodes.client_code[int(e)],
            "episode": episode_label(analysis, int(e)),
            "kind": str(kind),
            "pregain_session": int(pre_s),
            "postgain_session": int(post_s),
            "pregain": float(pre),
            "postgain": float(post),
            "magnitude": round(float(mag), 3),
        }
        for e, kind, pre_s, post_s, pre, post, mag in zip(*found, strict=True)
    ]
    if args.json:
        print_json(items)
        return 0
    rows = [
        (i["client"], i["episode"], i["kind"], f"{i['pregain_session']}->{i['postgain_session']}",
         f"{i['pregain']:g}", f"{i['postgain']:g}", f"{i['magnitude']:.1f}")
        for i in items
    ]  # fmt: skip
    print_table(("client", "episode", "kind", "sessions", "pregain", "postgain", "magnitude"), rows)
    return 0
