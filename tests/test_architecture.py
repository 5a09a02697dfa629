"""Dependency rules: the core never loads Qt, and the import-linter contracts hold."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# Modules a data command (or a script using the core) imports; none may pull in Qt.
CORE_MODULES = (
    "practice_app.cli",
    "practice_app.errors",
    "practice_app.progress",
    "practice_app.resources",
    "practice_app.storage.database",
    "practice_app.storage.models",
    "practice_app.storage.instruments",
    "practice_app.analysis.instruments",
)
QT_PREFIXES = ("PySide6", "shiboken6", "pyqtgraph", "practice_app.gui")


def _env() -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PRACTICE_APP_DB", None)
    return env


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _tool(name: str) -> str:
    """Find a console script of the test environment (beside the running python first)."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; run `make test`, which installs the test extras")
    return found


def test_import_linter_contracts_hold() -> None:
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "KEPT" in result.stdout


def test_core_modules_do_not_load_qt(tmp_path: Path) -> None:
    code = f"""
        import importlib, sys
        for name in {CORE_MODULES!r}:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m.startswith({QT_PREFIXES!r}))
        print(",".join(loaded))
    """
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt loaded by the core: {result.stdout.strip()}"


def test_every_core_package_imports_without_qt(tmp_path: Path) -> None:
    # Walk every module under the Qt-free packages, so a new file cannot sneak Qt in.
    code = """
        import importlib, pkgutil, sys
        import practice_app
        for pkg in ("analysis", "storage", "importers", "demo", "services"):
            try:
                package = importlib.import_module(f"practice_app.{pkg}")
            except ModuleNotFoundError:
                continue
            for info in pkgutil.walk_packages(package.__path__, f"practice_app.{pkg}."):
                if ".migrations.versions" in info.name or info.name.endswith(".env"):
                    continue  # alembic's env and revision scripts run only inside alembic
                importlib.import_module(info.name)
        importlib.import_module("practice_app.progress")
        bad = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6", "pyqtgraph")))
        print(",".join(bad))
    """
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt loaded by the core: {result.stdout.strip()}"


def test_version_and_help_do_not_load_qt(tmp_path: Path) -> None:
    code = """
        import sys
        from practice_app.cli import main
        for argv in (["--version"], ["--help"]):
            try:
                main(argv)
            except SystemExit as exc:
                assert exc.code == 0, exc.code
        bad = sorted(m for m in sys.modules if m.startswith(("PySide6", "pyqtgraph")))
        print("Qt modules loaded:", ",".join(bad))
    """
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Qt modules loaded:"


# Commands that render with Qt; every other command is a data command and must not load it.
QT_COMMANDS = {"gui", "report"}


def test_data_commands_do_not_load_qt(tmp_path: Path) -> None:
    code = f"""
        import sys
        from practice_app.cli import COMMANDS, build_command_parser
        for spec in COMMANDS:
            if spec.name not in {sorted(QT_COMMANDS)!r}:
                build_command_parser(spec)
        bad = sorted(m for m in sys.modules if m.startswith({QT_PREFIXES!r}))
        print("Qt modules loaded:", ",".join(bad))
    """
    result = _python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Qt modules loaded:"


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_console_script_runs(args: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [_tool("practice-app"), *args],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "practice-app" in result.stdout
    assert result.stderr == ""
