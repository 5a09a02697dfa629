"""Chart widgets (pyqtgraph) shared by the screens."""
