"""The command line's one error type, apart from the commands so that
``cli/login`` can raise it without importing the package that imports it."""

from __future__ import annotations


class CliError(Exception):
    """A user-facing failure: printed to stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
