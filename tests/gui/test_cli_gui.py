"""``practice-app gui``: --view validation before any window, and --screenshot end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from practice_app.cli import main
from practice_app.errors import UserError
from practice_app.gui.registry import parse_view, valid_views

PRACTICE_APP = [sys.executable, "-m", "practice_app"]


def _run(*args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PRACTICE_APP_DB", None)
    return subprocess.run(
        [*PRACTICE_APP, *args], capture_output=True, text=True, env=env, timeout=timeout
    )


def test_known_views_parse() -> None:
    assert valid_views()[0] == "weekly"  # first in the sidebar
    request = parse_view("overview")
    assert request.spec.name == "overview" and request.argument is None
    assert parse_view(None).spec.name == "weekly"  # the home screen: the Weekly review
    assert parse_view("weekly").spec.label == "Weekly review"


@pytest.mark.parametrize(
    ("view", "problem"),
    [("clinets", "unknown view 'clinets'"), ("overview:X", "takes no argument")],
)
def test_a_bad_view_is_a_user_error_listing_the_valid_ones(view: str, problem: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_view(view)
    assert problem in str(caught.value)
    assert f"valid views: {', '.join(valid_views())}" in str(caught.value)


def test_a_bad_view_fails_before_the_database_or_a_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "never-created.sqlite3"
    assert main(["--db", str(target), "gui", "--view", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "unknown view 'nope'" in err and "overview" in err
    assert not target.exists()


def test_a_bad_view_does_not_load_qt(tmp_path: Path) -> None:
    code = (
        "import sys; from practice_app.cli import main\n"
        f"rc = main(['--db', {str(tmp_path / 'x.sqlite3')!r}, 'gui', '--view', 'nope'])\n"
        "print(rc, sorted(m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "2 []"


def test_screenshot_needs_a_png_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "x.sqlite3"), "gui", "--screenshot", "shot.jpg"]) == 2
    assert "--screenshot needs a .png" in capsys.readouterr().err


def _pixel_spread(image: QImage) -> float:
    """Standard deviation of grey levels over a grid of pixels (0 for a blank image)."""
    values = []
    for y in range(0, image.height(), 8):
        for x in range(0, image.width(), 8):
            colour = image.pixelColor(x, y)
            values.append(0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue())
    mean = sum(values) / len(values)
    return (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


@pytest.mark.slow
def test_screenshot_of_demo_data_is_a_full_non_blank_window(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    shot = tmp_path / "shot.png"
    from practice_app.demo import load_demo
    from practice_app.storage.database import open_database

    db = open_database(str(database))
    try:
        load_demo(db, seed=1)
    finally:
        db.dispose()
    result = _run("--db", str(database), "gui", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    assert _pixel_spread(image) > 10
    # The chart's teal bars are drawn: some pixels carry the accent colour.
    accents = sum(
        1
        for y in range(300, 700, 4)
        for x in range(600, 1250, 4)
        if image.pixelColor(x, y).name() == "#2f6f73"
    )
    assert accents > 100


def test_screenshot_of_an_empty_database_shows_the_welcome_page(tmp_path: Path) -> None:
    shot = tmp_path / "welcome.png"
    result = _run("--db", str(tmp_path / "empty.sqlite3"), "gui", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    assert _pixel_spread(image) > 5


def test_a_screen_with_an_argument_is_one_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    from practice_app.gui import registry

    client = registry.ScreenSpec(
        name="example",
        label="Example",
        factory="practice_app.gui.screens.overview:OverviewScreen",
        load="practice_app.storage.overview:load_overview",
        argument="CODE",
        in_navigation=False,
    )
    monkeypatch.setattr(registry, "SCREENS", (*registry.SCREENS, client))
    assert registry.valid_views()[-1] == "example:CODE"
    request = registry.parse_view("example:C-014")
    assert (request.spec.name, request.argument, request.key) == (
        "example",
        "C-014",
        "example:C-014",
    )
    with pytest.raises(UserError, match=r"needs CODE \(write example:CODE\)"):
        registry.parse_view("example")
