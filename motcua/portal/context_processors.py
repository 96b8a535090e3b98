"""Template context for every page: the applicant's unread notifications, counted only if a page shows it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from motcua.accounts.models import APPLICANT_KINDS
from motcua.notify.queries import unread_count


def notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.kind not in APPLICANT_KINDS:
        return {}
    return {"is_applicant": True, "unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
