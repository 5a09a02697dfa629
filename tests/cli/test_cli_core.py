"""The command line's contract: version, exit codes, one-line errors, nothing written on refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from practice_app import __version__


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m practice_app ARGS`` as a user would, without a display or stdin."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PRACTICE_APP_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "practice_app", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("practice-app: error: ")
    return lines[0]


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = _run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"practice-app {__version__}"


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = _run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for name in ("demo", "gui", "--db"):
        assert name in result.stdout


def test_unknown_command_is_exit_2_with_one_line(tmp_path: Path) -> None:
    result = _run("frobnicate", cwd=tmp_path)
    line = _assert_one_line_error(result, 2)
    assert "unknown command 'frobnicate'" in line
    assert "demo" in line  # it names the commands that exist
    assert list(tmp_path.iterdir()) == []


def test_unknown_option_is_exit_2_with_one_line(tmp_path: Path) -> None:
    result = _run("--no-such-option", cwd=tmp_path)
    _assert_one_line_error(result, 2)


def test_db_pointing_to_a_directory_is_exit_2_and_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = _run("--db", str(folder), "demo", cwd=tmp_path)
    line = _assert_one_line_error(result, 2)
    assert "is a directory" in line
    assert list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["a-folder"]


def test_unknown_url_scheme_is_exit_2(tmp_path: Path) -> None:
    result = _run("--db", "foo://x", "demo", cwd=tmp_path)
    line = _assert_one_line_error(result, 2)
    assert "unknown database URL scheme 'foo'" in line
    assert list(tmp_path.iterdir()) == []


def test_corrupt_database_is_exit_2_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"
    content = b"not a database\n" * 100
    path.write_bytes(content)
    result = _run("--db", str(path), "demo", cwd=tmp_path)
    _assert_one_line_error(result, 2)
    assert path.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["corrupt.sqlite3"]
