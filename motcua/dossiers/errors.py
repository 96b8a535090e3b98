"""Errors of dossier use cases; the API and the pages turn each into one clear message."""

from __future__ import annotations

from motcua.core.errors import ServiceError


class DossierError(ServiceError):
    """Any refusal of a dossier use case."""


class DossierInvalid(DossierError):
    """The input is wrong: `errors` says where."""

    status = 422
    code = "invalid"


class ActionNotAllowed(DossierError):
    """This action is not possible in the dossier's state, or not for this user."""

    status = 409
    code = "action_not_allowed"


class DossierConflict(DossierError):
    """Someone else changed the dossier first; reload and try again."""

    status = 409
    code = "conflict"
