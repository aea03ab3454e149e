"""The settings page (系统设置) and its tabs: general settings, users and their areas,
code lists, backups and restore."""
