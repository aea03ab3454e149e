"""Keeping the database safe: online backups, verification, restore and rotation."""
