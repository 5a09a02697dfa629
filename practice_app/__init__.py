"""practice-app: outcome tracking joined with a deliberate-practice journal."""

__version__ = "0.1.0"
