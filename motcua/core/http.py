"""Small HTTP helpers every front end and the API share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse


def no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache-Control: no-store on every answer of `view`, its errors included (a status that may change — a result
    revoked, a share ended — or personal data must never be served from a cache)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper
