"""``practice-app instruments list|show NAME|add FILE``: the measures the app knows."""

from __future__ import annotations

import argparse
from pathlib import Path

from practice_app.analysis.instruments import InstrumentDef, load_instrument_file, normalise_name
from practice_app.cli.output import print_json, print_table
from practice_app.errors import UserError
from practice_app.storage.database import open_database
from practice_app.storage.instruments import load_instruments, save_instrument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Define list, show and add."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="list|show|add")
    p_list = sub.add_parser("list", help="list the instruments")
    p_list.add_argument("--json", action="store_true", help="print JSON")
    p_show = sub.add_parser("show", help="show one instrument with its sources")
    p_show.add_argument("name")
    p_show.add_argument("--json", action="store_true", help="print JSON")
    p_add = sub.add_parser("add", help="add (or with --replace, update) a custom instrument file")
    p_add.add_argument("file", type=Path)
    p_add.add_argument("--replace", action="store_true", help="replace a custom one of that name")
    p_add.add_argument("--json", action="store_true", help="print JSON")


def _find(instruments: dict[str, InstrumentDef], name: str) -> InstrumentDef:
    wanted = normalise_name(name)
    for d in instruments.values():
        if d.key == wanted:
            return d
    known = ", ".join(sorted(instruments))
    raise UserError(f"unknown instrument '{name}' (known: {known})")


def _num(value: float) -> str:
    """Format a figure with at most two decimals (15.1969 -> '15.2')."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _describe(d: InstrumentDef) -> str:
    direction = "higher is better" if d.higher_is_better else "lower is better"
    if d.cutoff is None:
        cutoff = "none"
    else:
        side = "below" if d.higher_is_better else "above"
        at = " (and at)" if d.clinical_at_cutoff else ""
        kind = "alliance concern" if d.alliance else "clinical"
        cutoff = f"{_num(d.cutoff)} ({kind} {side}{at} it)"
    rc = "n/a" if d.reliable_change is None else f"{_num(d.reliable_change)} points"
    lines = [
        f"{d.name}: {d.title}{'  [built in]' if d.builtin else ''}",
        f"  range            {d.min:g}-{d.max:g}, {direction}",
        f"  clinical cutoff  {cutoff}",
    ]
    if d.cutoff_derivation:
        lines.append(f"                   {d.cutoff_derivation}")
    lines.append(f"  reliable change  {rc}")
    if d.rc_derivation:
        lines.append(f"                   {d.rc_derivation}")
    if d.items:
        lines.append(
            f"  items            {', '.join(d.items)} ({d.item_min:g}-{d.item_max:g} each)"
        )
    if d.alliance:
        lines.append("  alliance measure yes")
    if d.notes:
        lines.append(f"  notes            {d.notes}")
    if d.sources:
        lines.append("  sources")
        lines.extend(f"    - {s}" for s in d.sources)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run the chosen action."""
    if args.action == "add":
        definition = load_instrument_file(args.file)
    db = open_database(args.db)
    try:
        with db.session() as session:
            instruments = load_instruments(session)
            if args.action == "add":
                clash = next((d for d in instruments.values() if d.key == definition.key), None)
                if clash is not None and clash.builtin:
                    raise UserError(
                        f"{args.file}: key 'name': {clash.name} is a built-in instrument; "
                        "give yours another name"
                    )
                if clash is not None and not args.replace:
                    raise UserError(
                        f"{args.file}: key 'name': an instrument called {clash.name} exists "
                        "(use --replace to update it)"
                    )
                save_instrument(session, definition)
                instruments[definition.name] = definition
    finally:
        db.dispose()
    if args.action == "list":
        ordered = sorted(instruments.values(), key=lambda d: (not d.builtin, d.name))
        if args.json:
            print_json([d.to_public_dict() for d in ordered])
        else:
            rows = [
                (
                    d.name,
                    d.title,
                    f"{d.min:g}-{d.max:g}",
                    "higher" if d.higher_is_better else "lower",
                    "" if d.cutoff is None else f"{d.cutoff:g}",
                    "" if d.reliable_change is None else f"{d.reliable_change:g}",
                )
                for d in ordered
            ]
            print_table(("name", "title", "range", "better", "cutoff", "RC"), rows)
        return 0
    shown = _find(instruments, args.name) if args.action == "show" else definition
    if args.json:
        print_json(shown.to_public_dict())
    else:
        if args.action == "add":
            print(f"Added instrument {shown.name}.")
        print(_describe(shown))
    return 0
