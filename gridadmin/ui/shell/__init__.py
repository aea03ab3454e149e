"""The application frame: QApplication set-up, start dialog, first-run wizard, login,
the main window with its navigation, and the about box."""
