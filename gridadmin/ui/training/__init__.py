"""The training area (培训管理): session list and dialogs, attendance,
hour compliance and monthly figures. Every change goes through
``gridadmin.services.training.sessions`` / ``training_compliance``."""
