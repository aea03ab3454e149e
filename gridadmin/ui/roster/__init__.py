"""Pieces of the roster page and the staff dialog: certificates, the
assignment timeline, the staffing and expiring-certificate dialogs."""
