"""Training: sessions and attendance, who a session is for, annual hour requirements
and who is behind."""
