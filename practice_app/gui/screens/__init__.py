"""The screens of the main window; each is registered in practice_app.gui.registry."""
