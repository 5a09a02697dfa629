"""practice_app.gui."""
