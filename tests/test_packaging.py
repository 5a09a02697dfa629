"""The wheel works on its own: built from the repo, installed into a fresh venv, run elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest

from practice_app import __version__

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    """The caller's environment minus anything that could point back into the repo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.pop("PRACTICE_APP_DB", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(cmd: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        cmd,
        cwd=cwd,
        env=_clean_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{cmd} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from the working tree (isolated build, as a user's pip would)."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)], cwd=out)
    wheels = sorted(out.glob("practice_app-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its dependencies; returns its bin folder."""
    env_dir = tmp_path_factory.mktemp("fresh-venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bin_dir = env_dir / "bin"
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], cwd=env_dir)
    return bin_dir


def _repo_resources() -> set[str]:
    root = REPO / "resources"
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_wheel_holds_resources_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "practice_app/resources/instruments/ors.toml" in names
    assert "practice_app/resources/instruments/srs.toml" in names
    for name in ("env.py", "script.py.mako"):
        assert f"practice_app/storage/migrations/{name}" in names
    revisions = {
        n
        for n in names
        if n.startswith("practice_app/storage/migrations/versions/") and n.endswith(".py")
    }
    shipped = {
        f"practice_app/storage/migrations/versions/{p.name}"
        for p in (REPO / "practice_app/storage/migrations/versions").glob("*.py")
    }
    assert shipped and revisions == shipped
    # Every file of the repo's resources/ folder ships inside the package.
    missing = {r for r in _repo_resources() if f"practice_app/resources/{r}" not in names}
    assert missing == set()
    assert not any(n.startswith("tests/") for n in names)


def test_console_script_runs_outside_the_repo(installed: Path, tmp_path: Path) -> None:
    result = _run([str(installed / "practice-app"), "--version"], cwd=tmp_path)
    assert result.stdout.strip() == f"practice-app {__version__}"


def test_installed_package_finds_resources_and_migrates(installed: Path, tmp_path: Path) -> None:
    expected = sorted(_repo_resources())
    code = textwrap.dedent(
        f"""
        import sqlite3
        from pathlib import Path
        import practice_app
        from practice_app.resources import resource_path, resources_dir
        from practice_app.storage.database import head_revision, open_database

        package = Path(practice_app.__file__).resolve().parent
        assert "site-packages" in package.parts, package
        assert resources_dir().resolve() == (package / "resources").resolve(), resources_dir()
        shipped = sorted(
            p.relative_to(resources_dir()).as_posix()
            for p in resources_dir().rglob("*") if p.is_file()
        )
        assert shipped == {expected!r}, shipped
        assert resource_path("instruments", "ors.toml").is_file()

        head = head_revision()
        db = open_database(str(Path("fresh.sqlite3").resolve()))
        db.dispose()
        con = sqlite3.connect("fresh.sqlite3")
        version = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = {{r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}}
        con.close()
        assert version == head, (version, head)
        assert {{"client", "episode", "session", "alembic_version"}} <= tables, tables
        print("ok", head)
        """
    )
    result = _run([str(installed / "python"), "-c", code], cwd=tmp_path)
    assert result.stdout.strip().startswith("ok ")
    assert (tmp_path / "fresh.sqlite3").is_file()
