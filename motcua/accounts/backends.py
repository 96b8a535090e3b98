"""Password authentication that is throttled and knows the kinds of account.

`authenticate(request, username=..., password=..., kind=...)` accepts only an account of that kind. Without
`kind` (the Django admin's login form) it accepts any kind except officers: their password is only the
first of two steps, and only `motcua.accounts.services` may complete the second (the one-time code).

Every path that authenticates with a password goes through here, so every path is throttled: a locked
identifier or address is refused before the password is looked at, and every failure is counted.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from motcua.accounts import throttle
from motcua.accounts.models import UserKind


class AccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, kind=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = throttle.client_ip(request)
        if throttle.is_locked(identifier=username, ip=ip):
            raise PermissionDenied("too many failed logins")  # authenticate() stops here and returns None
        user = super().authenticate(request, username=username, password=password)
        if user is not None and (user.kind == kind if kind else user.kind != UserKind.OFFICER):
            return user
        throttle.record_failure(identifier=username, ip=ip)
        return None
