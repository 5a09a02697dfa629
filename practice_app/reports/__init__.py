"""practice_app.reports."""
