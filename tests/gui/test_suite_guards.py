"""The suite's guards really fail: a dangling thread, a Qt warning (run in a child pytest)."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def child(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST.read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nqt_api = pyside6\n")
    return pytester


def test_a_qthread_left_running_fails_the_test(child: pytest.Pytester) -> None:
    child.makepyfile(
        """
        import threading
        from PySide6.QtCore import QThread

        gate = threading.Event()

        class Waiter(QThread):
            def run(self):
                gate.wait(30)

        def test_leaks(qapp):
            global thread
            thread = Waiter()
            thread.start()

        def test_after():
            gate.set()
            thread.wait(10_000)
        """
    )
    result = child.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*threads left running after the test*"])


def test_a_busy_thread_pool_fails_the_test(child: pytest.Pytester) -> None:
    child.makepyfile(
        """
        import threading
        from PySide6.QtCore import QThreadPool

        gate = threading.Event()

        def test_leaks(qapp):
            QThreadPool.globalInstance().start(lambda: gate.wait(0.5))
        """
    )
    result = child.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*active QThreadPool thread*"])


def test_a_qt_warning_fails_the_test(child: pytest.Pytester) -> None:
    child.makepyfile(
        """
        from PySide6.QtCore import qWarning

        def test_warns(qapp):
            qWarning("something is off")
        """
    )
    result = child.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*Qt logged warnings*", "*QtWarningMsg: something is off*"])


def test_settings_are_redirected_in_the_child_too(child: pytest.Pytester) -> None:
    child.makepyfile(
        """
        from pathlib import Path
        from practice_app.gui.settings import app_settings

        def test_where(qapp, tmp_path_factory):
            name = Path(app_settings().fileName()).resolve()
            assert name.is_relative_to(Path(tmp_path_factory.getbasetemp()).resolve())
        """
    )
    child.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
