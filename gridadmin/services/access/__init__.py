"""Who may do what: users and logging in, the acting user and permissions, the audit trail
and reading it."""
