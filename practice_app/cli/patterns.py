"""``practice-app patterns``: what clients who did not benefit have in common."""

from __future__ import annotations

import argparse

from practice_app.cli.common import add_common, iso_date
from practice_app.cli.output import print_json, print_table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define the options."""
    parser.add_argument("--instrument", default="ORS", help="outcome instrument (default ORS)")
    parser.add_argument(
        "--since", type=iso_date, metavar="DATE", help="episodes ending (or latest) on/after"
    )
    add_common(parser)


def _print_text(report: object) -> None:
    from practice_app.services.pattern_text import FLAG_NAMES
    from practice_app.services.patterns import PatternReport

    assert isinstance(report, PatternReport)
    since = f" since {report.since}" if report.since else ""
    print(
        f"{report.instrument}: {report.n_episodes} episodes with two or more measurements{since}; "
        f"{report.n_tests} comparisons with at least {report.min_support} episodes each side"
    )
    counts = [f"{FLAG_NAMES[f.flag]} {f.events} of {f.n}" for f in report.flags if f.n]
    if counts:
        print("  " + ", ".join(counts))
    patterns = [r for r in report.patterns if r.status == "pattern"]
    emerging = [r for r in report.patterns if r.status == "emerging"]
    print()
    print("Patterns (Benjamini-Hochberg q < 0.10)")
    if not patterns:
        print("  none: nothing holds up once every comparison is taken into account")
    for row in patterns:
        print(f"  - {report.sentence(row)}")
    print()
    print("Emerging (p < 0.05 before correction; may be chance, watch them)")
    if not emerging:
        print("  none")
    for row in emerging:
        print(f"  - {report.sentence(row)}")
    print()
    finding = report.srs_item
    ally = report.alliance_instrument or "SRS"
    print(f"Lowest {ally} item")
    if finding is None:
        print("  not enough not-on-track episodes with item scores")
    else:
        print(
            f"  In not-on-track episodes the lowest {ally} item was most often "
            f"{finding.item}: {finding.count_not_on_track} of {finding.n_not_on_track} "
            f"({100 * finding.share_not_on_track:.0f}%), against {finding.count_others} of "
            f"{finding.n_others} other episodes"
            + (f" ({100 * finding.share_others:.0f}%)" if finding.n_others else "")
            + f"; Fisher p = {finding.p:.2g}"
            + ("" if finding.p < 0.05 else " (no clear difference)")
        )
        rows = [(item, nt, other) for item, nt, other in finding.counts]
        print_table(("item", "lowest, not on track", "lowest, others"), rows)
    print()
    print(
        "Sacrifice bunt: open episodes red at 4+ measurements with a good alliance "
        "(time to talk about changing approach or referring on)"
    )
    if not report.bunt:
        print("  none")
        return
    print_table(
        ("client", "episode", "red", "measurements", "alliance last", "alliance mean", "last"),
        [
            (
                b.client,
                b.external_id or b.episode_id,
                b.red_measurements,
                b.measurements,
                b.alliance_last,
                b.alliance_mean,
                b.last_date,
            )
            for b in report.bunt
        ],
    )


def run(args: argparse.Namespace) -> int:
    """Compute and print the patterns."""
    from practice_app.services.patterns import load_pattern_report
    from practice_app.storage.database import open_database

    db = open_database(args.db)
    try:
        with db.session() as session:
            report = load_pattern_report(
                session,
                instrument=args.instrument,
                since=args.since,
                therapist_code=args.therapist,
            )
    finally:
        db.dispose()
    if args.json:
        print_json([row.json() for row in report.patterns])
    else:
        _print_text(report)
    return 0
