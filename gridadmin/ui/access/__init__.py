"""The audit log page (操作日志)."""
