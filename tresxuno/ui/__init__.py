"""PySide6 desktop interface: main window, views, dialogs, item models, background tasks."""
