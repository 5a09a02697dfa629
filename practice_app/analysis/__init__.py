"""practice_app.analysis."""
