"""The screen registry: every screen of the main window is one entry in SCREENS.

Qt-free on purpose: ``practice-app gui --view NAME`` validates the view before
Qt is even imported, and importing this module costs nothing at start-up.

Adding a screen is one entry, e.g. for the client page::

    ScreenSpec(
        name="client",
        label="Client",
        factory="practice_app.gui.screens.client:ClientScreen",
        load="practice_app.storage.clients:load_client_page",
        argument="CODE",          # the view is then "client:CODE"
        in_navigation=False,      # reached from the client list, not the sidebar
    )

``factory`` names a Screen subclass (see practice_app.gui.screens.base) called as
``factory(context, argument)``; ``load`` names a Qt-free function run on the
database worker as ``load(session)`` or, for a screen with an argument,
``load(session, argument)``; its result is handed to ``Screen.show_data``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from practice_app.errors import UserError


@dataclass(frozen=True)
class ScreenSpec:
    """One screen: its --view name, sidebar label, widget factory and data loader."""

    name: str
    label: str
    factory: str
    """``module:attribute`` of the Screen subclass (imported only when first shown)."""
    load: str
    """``module:function`` of the Qt-free loader run on the database worker."""
    argument: str | None = None
    """Name of the view's argument (``client:CODE``), or None for a plain view."""
    in_navigation: bool = True
    tooltip: str = ""
    argument_optional: bool = False
    """The view also opens without its argument (``consult`` shows a picker)."""

    def view_syntax(self) -> str:
        """How the view is written on the command line, e.g. ``client:CODE``."""
        if self.argument and self.argument_optional:
            return f"{self.name}[:{self.argument}]"
        return f"{self.name}:{self.argument}" if self.argument else self.name


@dataclass(frozen=True)
class ActionSpec:
    """An extra command offered on the welcome screen and/or the File menu.

    The hook later work uses (e.g. "Import a file…"): ``handler`` names a
    function ``handler(window) -> None`` called on the GUI thread.
    """

    key: str
    label: str
    description: str
    handler: str
    on_welcome: bool = True
    in_file_menu: bool = True
    shortcut: str = ""


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec(
        name="weekly",
        label="Weekly review",
        factory="practice_app.gui.screens.weekly:WeeklyScreen",
        load="practice_app.services.weekly:load_weekly_review",
        tooltip="Who needs attention this week, what changed, practice against plan, wins",
    ),
    ScreenSpec(
        name="overview",
        label="Overview",
        factory="practice_app.gui.screens.overview:OverviewScreen",
        load="practice_app.storage.overview:load_overview",
        tooltip="What this database holds: clients, episodes, sessions, scores and practice",
    ),
    ScreenSpec(
        name="clients",
        label="Clients",
        factory="practice_app.gui.screens.clients:ClientsScreen",
        load="practice_app.services.client_page:load_client_list",
        tooltip="Every episode of care with its current signal; open one to see its trajectory",
    ),
    ScreenSpec(
        name="client",
        label="Client",
        factory="practice_app.gui.screens.client_page:ClientPageScreen",
        load="practice_app.services.client_page:load_client_page",
        argument="CODE",
        in_navigation=False,
        tooltip="One client's trajectory, scores, signals and ending; enter a new session",
    ),
    ScreenSpec(
        name="effectiveness",
        label="Effectiveness",
        factory="practice_app.gui.screens.effectiveness:EffectivenessScreen",
        load="practice_app.services.effectiveness_view:load_effectiveness",
        tooltip="Effect size, SAES and outcome categories over time, against your baseline",
    ),
    ScreenSpec(
        name="practice",
        label="Practice",
        factory="practice_app.gui.screens.practice:PracticeScreen",
        load="practice_app.services.practice_view:load_practice",
        tooltip="Your practice journal and development plan, and practice and workload "
        "against results",
    ),
    ScreenSpec(
        name="learning",
        label="Learning",
        factory="practice_app.gui.screens.learning:LearningScreen",
        load="practice_app.services.learning_view:load_learning",
        tooltip="Patterns behind poor outcomes, lessons from clients, and when to change course",
    ),
    ScreenSpec(
        name="consult",
        label="Consultation",
        factory="practice_app.gui.screens.consult:ConsultScreen",
        load="practice_app.services.consult:load_consult_screen",
        argument="CODE",
        argument_optional=True,
        tooltip="A de-identified brief on one client for supervision: trajectory, scores, "
        "alerts, lessons, what was tried and your questions",
    ),
)

HOME_VIEW = "weekly"
"""The screen shown when the window opens: the Weekly review."""

EXTRA_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        key="log-practice",
        label="Log Practice…",
        description="Log a deliberate-practice entry in the journal",
        handler="practice_app.gui.practice_dialog:log_practice",
        on_welcome=False,
        shortcut="Ctrl+L",
    ),
    ActionSpec(
        key="import",
        label="Import a file…",
        description="Bring in your outcome history from a CSV or Excel file (OpenFIT, CamCOPS, "
        "long or wide) or an export folder",
        handler="practice_app.gui.import_wizard:open_import_wizard",
        shortcut="Ctrl+I",
    ),
    ActionSpec(
        key="export",
        label="Export…",
        description="Write everything into a folder of CSV or JSON files that import back",
        handler="practice_app.gui.file_actions:export_dialog",
        on_welcome=False,
        shortcut="Ctrl+E",
    ),
    ActionSpec(
        key="restore",
        label="Restore from Backup…",
        description="Replace this database with a backup (a copy of it is kept first)",
        handler="practice_app.gui.file_actions:restore_dialog",
        on_welcome=False,
    ),
)
"""Commands offered on the welcome page, the File menu and empty screens."""


@dataclass(frozen=True)
class ViewRequest:
    """A parsed ``--view``: which screen, with which argument."""

    spec: ScreenSpec
    argument: str | None = None

    @property
    def key(self) -> str:
        """A stable identity for the screen instance (one per screen and argument)."""
        return (
            self.spec.view_syntax()
            if self.argument is None
            else f"{self.spec.name}:{self.argument}"
        )


def screen_specs() -> dict[str, ScreenSpec]:
    """Return the registry keyed by view name."""
    return {spec.name: spec for spec in SCREENS}


def valid_views() -> list[str]:
    """Return every view as written on the command line."""
    return [spec.view_syntax() for spec in SCREENS]


def parse_view(text: str | None) -> ViewRequest:
    """Parse a --view value (None means the home screen); raise UserError for an unknown one."""
    if text is None or not text.strip():
        return ViewRequest(screen_specs()[HOME_VIEW])
    name, sep, argument = text.strip().partition(":")
    spec = screen_specs().get(name.lower())
    problem = None
    if spec is None:
        problem = f"unknown view '{text}'"
    elif spec.argument and not argument.strip() and not spec.argument_optional:
        problem = f"the view '{name}' needs {spec.argument} (write {spec.view_syntax()})"
    elif not spec.argument and sep:
        problem = f"the view '{name}' takes no argument"
    if problem is not None or spec is None:
        raise UserError(f"{problem} (valid views: {', '.join(valid_views())})")
    return ViewRequest(spec, argument.strip() or None)


def resolve(dotted: str) -> Callable[..., Any]:
    """Import ``module:attribute`` and return the attribute."""
    module_name, _, attribute = dotted.partition(":")
    target: Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
    return target
