"""Allow ``python -m practice_app``."""

from practice_app.cli import main

raise SystemExit(main())
