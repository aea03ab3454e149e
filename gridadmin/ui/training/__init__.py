"""The training page (培训管理): session list and dialogs, attendance, hour compliance
and monthly figures; every change goes through ``gridadmin.services.training``."""
