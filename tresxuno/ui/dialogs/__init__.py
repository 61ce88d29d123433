"""Dialogs of the desktop app: each builds, runs and returns its result through a classmethod ``ask``."""
