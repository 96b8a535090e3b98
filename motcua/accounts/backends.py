"""Password authentication that is throttled and knows the kinds of account.

`authenticate(request, username=..., password=..., kind=...)` accepts only an account of that kind, or, with
`kind=STAFF_LOGIN` (the admin site's login page), any staff account. Without `kind` it accepts only accounts
that log in with a password alone (citizens and organisations, not staff): officers, operators and staff
accounts need a second factor, and only the login views (motcua.accounts.views, through services) complete it
with a one-time code. So no password-only path (`Client.login`, a third-party login form) logs them in.

Every path that authenticates with a password goes through here, so every path is throttled: a locked
identifier or address is refused before the password is looked at, and every failure is counted.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from motcua.accounts import throttle
from motcua.accounts.models import STAFF_LOGIN


def _accepted(user, kind: str | None) -> bool:
    if kind == STAFF_LOGIN:
        return user.is_staff
    if kind:
        return user.kind == kind
    return not user.needs_second_factor


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
        if user is not None and _accepted(user, kind):
            return user
        throttle.record_failure(identifier=username, ip=ip)
        return None
