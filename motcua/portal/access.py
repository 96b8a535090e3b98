"""Who may open the citizen pages: applicants (citizens and organisations), logged in.

Anonymous visitors are sent to the login page and back; anyone else (officers use the back office,
operators the admin) gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.views.decorators.cache import never_cache

from motcua.accounts.models import APPLICANT_KINDS


def applicant_required(view):
    @wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.kind not in APPLICANT_KINDS:
            raise Http404("not an applicant")
        return view(request, *args, **kwargs)

    return wrapper
