"""Compile the Qt Designer forms in ui/*.ui into practice_app/gui/forms/ui_*.py.

    python -m practice_app.gui.forms_build           # regenerate every form
    python -m practice_app.gui.forms_build --check   # exit 1 if a form is stale

Generated files carry a do-not-edit header; only the line naming the uic version
is ignored when checking, so a newer Qt does not make every form "stale".
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
FORMS_DIR = PACKAGE_DIR / "forms"
UI_DIR = PACKAGE_DIR.parent.parent / "ui"

HEADER = "# Generated from ui/{name} by `python -m practice_app.gui.forms_build`: do not edit.\n"
VERSION_MARKER = "Created by: Qt User Interface Compiler version"


def uic_command() -> list[str]:
    """Return the pyside6-uic command of the running environment."""
    beside = Path(sys.executable).with_name("pyside6-uic")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("pyside6-uic")
    if found is None:
        raise RuntimeError("pyside6-uic not found; install PySide6 in this environment")
    return [found]


def target_for(ui_file: Path) -> Path:
    """Return the generated module of one form: ui/about_dialog.ui -> forms/ui_about_dialog.py."""
    return FORMS_DIR / f"ui_{ui_file.stem}.py"


def compile_form(ui_file: Path) -> str:
    """Run pyside6-uic on one .ui file and return the module text, header included."""
    result = subprocess.run(
        [*uic_command(), "--generator", "python", ui_file.name],
        cwd=ui_file.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pyside6-uic failed on {ui_file}: {result.stderr.strip()}")
    return HEADER.format(name=ui_file.name) + result.stdout


def comparable(text: str) -> list[str]:
    """Return the lines of a generated module without the uic version line."""
    return [line for line in text.splitlines() if VERSION_MARKER not in line]


def ui_files(ui_dir: Path = UI_DIR) -> list[Path]:
    """Return every Designer form, sorted."""
    return sorted(ui_dir.glob("*.ui"))


def compile_all(check: bool = False, ui_dir: Path = UI_DIR) -> list[Path]:
    """Regenerate every form (or, with ``check``, only list the stale ones); return those paths."""
    stale = []
    for ui_file in ui_files(ui_dir):
        target = target_for(ui_file)
        fresh = compile_form(ui_file)
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if comparable(current) == comparable(fresh):
            continue
        stale.append(target)
        if not check:
            target.write_text(fresh, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: compile, or check with --check."""
    parser = argparse.ArgumentParser(prog="python -m practice_app.gui.forms_build")
    parser.add_argument("--check", action="store_true", help="only report stale forms (exit 1)")
    args = parser.parse_args(argv)
    if not UI_DIR.is_dir():
        print(f"no ui/ folder at {UI_DIR} (run this from a source checkout)", file=sys.stderr)
        return 1
    changed = compile_all(check=args.check)
    verb = "stale" if args.check else "regenerated"
    for path in changed:
        print(f"{verb}: {path.relative_to(PACKAGE_DIR.parent.parent)}")
    if not changed:
        print("all forms are up to date")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
