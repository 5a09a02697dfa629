"""Qt-free services joining storage and analysis for the CLI, the screens and reports."""
