"""Errors the services raise; each carries a Chinese message for the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal the user must read: ``message`` is Chinese and names the
    field and value where there is one. The data is left unchanged."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return self.message


class ValidationError(ServiceError):
    """Input that breaks a rule (format, uniqueness, dates)."""


class NotFoundError(ServiceError):
    """The record asked for does not exist (any more)."""


class ConflictError(ServiceError):
    """Someone else changed the record since it was read."""
