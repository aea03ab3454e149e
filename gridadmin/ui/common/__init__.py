"""Widgets every page shares: the lazy table model, background jobs with progress,
the column chooser, the edit-conflict dialog, export actions and small helpers."""
