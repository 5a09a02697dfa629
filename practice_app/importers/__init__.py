"""Importers: every layout a therapist's history comes in, read atomically and idempotently.

Public API (Qt-free; the GUI wizard and the ``import`` command both use it):

- ``import_path(db, path, options, progress)``: a CSV or XLSX file, or an export folder.
- ``import_table(db, table, options, progress)``: an already opened ``source.Table``.
- ``ImportOptions``, ``ImportSummary`` (``as_json()`` gives the command's JSON),
  ``ImportRefused`` (a UserError carrying the summary with every bad row).
- ``open_table(path)``, ``detect_layout(header)``, ``make_plan(header, instruments)``
  for a preview of how the columns map.

The names load on first use: the modules that read a file (source, layouts, records,
columns, reading, pipeline) are free of SQLAlchemy, and importing one of them must not
load the writing half through this package (the ``import`` command starts reading
before SQLAlchemy is loaded).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from practice_app.importers.importer import (
        ImportRefused,
        ImportSummary,
        import_path,
        import_table,
    )
    from practice_app.importers.layouts import LAYOUTS, detect_layout, make_plan
    from practice_app.importers.reading import ImportOptions
    from practice_app.importers.source import open_table

_HOMES = {
    "ImportOptions": "reading",
    "ImportRefused": "importer",
    "ImportSummary": "importer",
    "import_path": "importer",
    "import_table": "importer",
    "LAYOUTS": "layouts",
    "detect_layout": "layouts",
    "make_plan": "layouts",
    "open_table": "source",
}

__all__ = [
    "LAYOUTS",
    "ImportOptions",
    "ImportRefused",
    "ImportSummary",
    "detect_layout",
    "import_path",
    "import_table",
    "make_plan",
    "open_table",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
