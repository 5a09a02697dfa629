"""A Qt-free progress and cancellation object shared by long-running core work."""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressListener = Callable[[int, int, str], None]


class Cancelled(Exception):
    """Raised inside work whose Progress was cancelled."""


class Progress:
    """Reports done/total/message to listeners and carries a thread-safe cancel flag.

    Core code calls ``update`` and ``check``; the GUI subscribes with ``subscribe``
    (and forwards to the main thread itself) and calls ``cancel``.
    """

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._listeners: list[ProgressListener] = []
        self.done = 0
        self.total = 0
        self.message = ""

    def subscribe(self, listener: ProgressListener) -> None:
        """Call ``listener(done, total, message)`` on every update (from the worker's thread)."""
        self._listeners.append(listener)

    def update(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress, tell the listeners, and stop the work if it was cancelled."""
        self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message
        for listener in list(self._listeners):
            listener(self.done, self.total, self.message)
        self.check()

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether cancel was asked for."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise Cancelled if cancel was asked for."""
        if self._cancel.is_set():
            raise Cancelled()
