"""practice_app.importers."""
