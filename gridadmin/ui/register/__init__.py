"""Household register dialogs: the household card and life events."""
