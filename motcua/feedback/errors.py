"""Errors of the feedback use cases (one shape with every other use case: core.errors.ServiceError)."""

from __future__ import annotations

from motcua.core.errors import NotFound, ServiceError


class FeedbackInvalid(ServiceError):
    """The input is wrong: `errors` says where (field name → message)."""

    status = 422
    code = "invalid"


class FeedbackNotAllowed(ServiceError):
    """Not possible for this rating or feedback in its present state (or not configured)."""

    status = 409
    code = "not_allowed"


__all__ = ["FeedbackInvalid", "FeedbackNotAllowed", "NotFound"]
