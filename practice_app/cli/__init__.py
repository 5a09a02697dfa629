"""The ``practice-app`` command line: global options, a lazy subcommand registry, exit codes.

Each subcommand lives in its own module with ``add_arguments(parser)`` and
``run(args) -> int``. Only the chosen command's module is imported, so data
commands never load Qt. Exit codes: 0 ok, 2 bad input, 1 any other failure;
errors are a single line on stderr.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from practice_app import __version__
from practice_app.errors import AppError, UserError

PROG = "practice-app"

# OpenBLAS's own thread pool makes the small matrix products of the analysis several
# times slower on a busy machine; one thread is faster here. Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@dataclass(frozen=True)
class CommandSpec:
    """A registered subcommand: where its module is and its one-line help."""

    name: str
    module: str
    help: str


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("demo", "practice_app.cli.demo", "fill the database with realistic demo data"),
    CommandSpec("gui", "practice_app.cli.gui", "open the window, or render a screen to PNG"),
    CommandSpec(
        "import",
        "practice_app.cli.import_cmd",
        "import a CSV/XLSX history file or an export folder",
    ),
    CommandSpec(
        "export",
        "practice_app.cli.export_cmd",
        "export everything to a folder of CSV or JSON files",
    ),
    CommandSpec(
        "backup", "practice_app.cli.backup_cmd", "write a consistent copy of the SQLite database"
    ),
    CommandSpec(
        "restore", "practice_app.cli.backup_cmd", "check a backup and restore it (keeps a copy)"
    ),
    CommandSpec("stats", "practice_app.cli.stats", "effectiveness figures over a set of episodes"),
    CommandSpec("clients", "practice_app.cli.clients", "list episodes with their results"),
    CommandSpec("sudden-changes", "practice_app.cli.sudden", "sudden gains and losses"),
    CommandSpec("instruments", "practice_app.cli.instruments", "list, show or add instruments"),
    CommandSpec(
        "report", "practice_app.cli.report", "write the weekly review or a consultation brief"
    ),
    CommandSpec("practice", "practice_app.cli.practice", "practice journal: add, list, summary"),
    CommandSpec("objectives", "practice_app.cli.objectives", "the development plan's objectives"),
    CommandSpec("patterns", "practice_app.cli.patterns", "recurring patterns in poor outcomes"),
    CommandSpec("lessons", "practice_app.cli.lessons", "what clients taught you, with tags"),
)


def command_specs() -> dict[str, CommandSpec]:
    """Return the registry keyed by command name."""
    return {spec.name: spec for spec in COMMANDS}


class OneLineArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr with exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the program and the problem, then exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _global_parser() -> OneLineArgumentParser:
    parser = OneLineArgumentParser(
        prog=PROG,
        description="Outcome tracking and deliberate practice for psychotherapists. "
        "With no command, opens the window.",
        epilog="commands:\n"
        + "\n".join(f"  {spec.name:<16}{spec.help}" for spec in COMMANDS)
        + f"\n\nRun '{PROG} COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="database file or SQLAlchemy URL (default: $PRACTICE_APP_DB, "
        "else practice.sqlite3 in the user's data folder)",
    )
    parser.add_argument("command", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def build_command_parser(spec: CommandSpec) -> tuple[OneLineArgumentParser, object]:
    """Import the command's module and build its parser."""
    module = importlib.import_module(spec.module)
    parser = OneLineArgumentParser(prog=f"{PROG} {spec.name}", description=spec.help)
    module.add_arguments(parser)
    # --db belongs before the command, but accept it after too, as users will type it.
    parser.add_argument("--db", dest="command_db", metavar="PATH_OR_URL", help=argparse.SUPPRESS)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _skip_collections_at_exit()
    try:
        return _run(argv)
    except SystemExit as exc:  # argparse's --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 1


def _skip_collections_at_exit() -> None:
    """At exit, freeze the heap so that the interpreter's last garbage collections skip it.

    They walk every SQLAlchemy (and Qt) object once more: 0.25 s of an import's exit,
    a third of a second of the window's. The process is ending; nothing needs them.
    """
    global _EXIT_FREEZE_REGISTERED
    if not _EXIT_FREEZE_REGISTERED:
        _EXIT_FREEZE_REGISTERED = True
        atexit.register(gc.freeze)


_EXIT_FREEZE_REGISTERED = False


def _run(argv: list[str]) -> int:
    global_parser = _global_parser()
    top = global_parser.parse_args(argv)
    name = top.command or "gui"
    spec = command_specs().get(name)
    if spec is None:
        known = ", ".join(command_specs())
        global_parser.error(f"unknown command '{name}' (commands: {known})")
    try:
        parser, module = build_command_parser(spec)
        args = parser.parse_args(top.args)
        args.db = top.db or args.command_db
        result: int = module.run(args)  # type: ignore[attr-defined]
        return result
    except (UserError, AppError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, never a traceback
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"{PROG}: error: {type(exc).__name__}: {detail}", file=sys.stderr)
        return 1
