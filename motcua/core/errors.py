"""The one error shape of every use case: a clear message, a machine code, an HTTP status and field errors.

Apps subclass it (dossiers.errors, wallet.errors); the API turns any of them into the shared error body and the
pages show `message` and `errors` beside the fields.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, errors: dict[str, str] | None = None):
        self.message = message
        self.errors = errors or {}
        super().__init__(message)


class NotFound(ServiceError):
    """Not there, or not the caller's: both answer the same, so nothing is revealed by guessing."""

    status = 404
    code = "not_found"
