"""Importers: every layout a therapist's history comes in, read atomically and idempotently.

Public API (Qt-free; the GUI wizard and the ``import`` command both use it):

- ``import_path(db, path, options, progress)``: a CSV or XLSX file, or an export folder.
- ``import_table(db, table, options, progress)``: an already opened ``source.Table``.
- ``ImportOptions``, ``ImportSummary`` (``as_json()`` gives the command's JSON),
  ``ImportRefused`` (a UserError carrying the summary with every bad row).
- ``open_table(path)``, ``detect_layout(header)``, ``make_plan(header, instruments)``
  for a preview of how the columns map.
"""

from practice_app.importers.importer import (
    ImportOptions,
    ImportRefused,
    ImportSummary,
    import_path,
    import_table,
)
from practice_app.importers.layouts import LAYOUTS, detect_layout, make_plan
from practice_app.importers.source import open_table

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
