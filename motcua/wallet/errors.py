"""Errors of wallet use cases (one shape with every other use case: core.errors.ServiceError)."""

from __future__ import annotations

from motcua.core.errors import NotFound, ServiceError


class WalletInvalid(ServiceError):
    """The input is wrong: `errors` says where."""

    status = 422
    code = "invalid"


class WalletNotAllowed(ServiceError):
    """Not possible for this document, share or request in its present state."""

    status = 409
    code = "not_allowed"


class ShareUnavailable(NotFound):
    """A share that does not exist, has expired, was revoked or used up: all answer alike, revealing nothing."""


__all__ = ["NotFound", "ShareUnavailable", "WalletInvalid", "WalletNotAllowed"]
