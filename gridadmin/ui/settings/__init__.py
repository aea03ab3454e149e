"""The settings page's tabs: users, backups, database."""
