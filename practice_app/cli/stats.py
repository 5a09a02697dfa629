"""``practice-app stats``: effectiveness figures over a set of episodes."""

from __future__ import annotations

import argparse
from typing import Any

from practice_app.cli.common import add_common, check_range, iso_date
from practice_app.cli.output import print_json, print_table
from practice_app.services.outcomes import (
    Analysed,
    effectiveness_data,
    quick_effectiveness_data,
    stats,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define the options."""
    parser.add_argument("--instrument", default="ORS", help="instrument (default ORS)")
    parser.add_argument("--since", type=iso_date, metavar="DATE", help="episodes ending on/after")
    parser.add_argument("--until", type=iso_date, metavar="DATE", help="episodes ending on/before")
    parser.add_argument("--closed-only", action="store_true", help="leave open episodes out")
    parser.add_argument("--by", choices=("month", "quarter", "year"), help="figures per period")
    parser.add_argument(
        "--rolling", action="store_true", help="also rolling 12-month windows, one per month"
    )
    add_common(parser)


def _fmt(fig: dict[str, Any], unit: str = "") -> str:
    if fig.get("value") is None:
        return str(fig.get("reason", "not enough data"))
    ci = fig.get("ci")
    ci_text = f" (95% CI {ci[0]:.2f} to {ci[1]:.2f})" if ci else ""
    return f"{fig['value']:.2f}{unit}{ci_text}"


def _print_text(result: dict[str, Any]) -> None:
    print(f"{result['instrument']}: {result['n']} {result['population']}")
    if not result["enough_data"]:
        print(f"  {result['reason']}")
        return
    print(f"  effect size       {_fmt(result['effect_size'])}")
    ref = result["saes"]["reference"]
    print(f"  SAES              {_fmt(result['saes'])}  reference: {ref['description']}")
    for key, value in result["percent"].items():
        print(f"  {key.replace('_', ' '):<18}{value:.1f}%")
    print(f"  mean sessions     {result['mean_sessions']:.1f}")
    if result["windows"]:
        print()
        rows = [
            (
                w["period"] + (" (12 mo)" if w.get("rolling_months") else ""),
                w["n"],
                "-" if w["effect_size"]["value"] is None else f"{w['effect_size']['value']:.2f}",
                "-" if w["saes"]["value"] is None else f"{w['saes']['value']:.2f}",
                "-" if w["percent"]["reliably_improved"] is None
                else f"{w['percent']['reliably_improved']:.0f}%",
            )
            for w in result["windows"]
        ]  # fmt: skip
        print_table(("period", "n", "ES", "SAES", "reliably improved"), rows)


def _load(args: argparse.Namespace) -> Analysed:
    """The effectiveness inputs: straight from an up-to-date SQLite file when possible."""
    quick = quick_effectiveness_data(args.db, args.instrument, therapist_code=args.therapist)
    if quick is not None:
        return quick
    # Anything else (a URL, a file to create or migrate, an error to explain) takes the
    # full open; imported here because SQLAlchemy's import is slow and often not needed.
    from practice_app.storage.database import open_database

    db = open_database(args.db)
    try:
        with db.session() as session:
            return effectiveness_data(session, args.instrument, therapist_code=args.therapist)
    finally:
        db.dispose()


def run(args: argparse.Namespace) -> int:
    """Compute and print the figures."""
    check_range(args.since, args.until)
    result = stats(
        _load(args),
        since=args.since,
        until=args.until,
        closed_only=args.closed_only,
        by=args.by,
        rolling=args.rolling,
    )
    if args.json:
        print_json(result)
    else:
        _print_text(result)
    return 0
