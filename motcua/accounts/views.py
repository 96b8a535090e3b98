"""Login (applicants: one step; officers and operators: password, then a one-time code), registration, logout,
my account.

Every account that needs a second factor (`User.needs_second_factor`: officers, operators, any staff account)
goes through the same two steps, whichever page took the password: the officers' login page, or the admin
site's (`admin_login`, which replaces the Django admin's password-only login). Between the two steps the
session holds only the pending user's id, when the password step happened, where to go next and which login
page to go back to (PENDING_KEY); the session is authenticated only once the code is verified.
"""

from __future__ import annotations

import io
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts import services, totp
from motcua.accounts.forms import (
    AccountClaimForm,
    CitizenRegistrationForm,
    CodeForm,
    LoginForm,
    OrganisationRegistrationForm,
)
from motcua.accounts.models import STAFF_LOGIN, OtpDevice, User, UserKind

PENDING_KEY = "accounts:pending_officer"
LOGIN_URLS = {
    UserKind.CITIZEN: "accounts:login",
    UserKind.ORGANISATION: "accounts:login_organisation",
    UserKind.OFFICER: "accounts:login_officer",
}


def _next_url(request: HttpRequest, value: str | None = None) -> str:
    """The `next` the user came with, if it is a path on this site; empty otherwise."""
    candidate = value if value is not None else request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _after_login(request: HttpRequest, next_url: str = "") -> HttpResponseRedirect:
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


# --- Login ----------------------------------------------------------------------------------------------------


def _login_page(request: HttpRequest, kind: str, *, default_next: str = "") -> HttpResponse:
    next_url = _next_url(request)
    form = LoginForm(request.POST or None, kind=kind)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_password(
                request=request,
                kind=kind,
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
            )
        except services.LoginRefused as refused:
            refusal = refused.message
        else:
            if not user.needs_second_factor:
                services.complete_login(request=request, user=user)
                return _after_login(request, next_url)
            return _start_second_step(request, user, next_url or default_next, restart_url=request.path)
    context = {"form": form, "kind": kind, "next": next_url, "refusal": refusal, "login_urls": LOGIN_URLS}
    return render(request, "accounts/login.html", context, status=200)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_citizen(request: HttpRequest) -> HttpResponse:
    return _login_page(request, UserKind.CITIZEN)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_organisation(request: HttpRequest) -> HttpResponse:
    return _login_page(request, UserKind.ORGANISATION)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_officer(request: HttpRequest) -> HttpResponse:
    return _login_page(request, UserKind.OFFICER)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin site's login (`admin.site.login`, see admin.py): a staff account's password, then its one-time
    code, as for officers. A password alone never opens the admin site."""
    from django.contrib import admin

    if request.method == "GET" and admin.site.has_permission(request):
        return redirect(_next_url(request) or reverse("admin:index"))
    return _login_page(request, STAFF_LOGIN, default_next=reverse("admin:index"))


def _start_second_step(request: HttpRequest, user: User, next_url: str, *, restart_url: str) -> HttpResponseRedirect:
    if request.user.is_authenticated:
        services.log_out(request=request)  # someone else's session must not survive into this one
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user_id": user.pk, "since": time.time(), "next": next_url, "restart": restart_url}
    if services.has_confirmed_device(user):
        return redirect("accounts:otp_verify")
    services.enrol_totp(user=user)
    return redirect("accounts:otp_enrol")


def _restart_url(request: HttpRequest) -> str:
    """The login page where this session's password step was taken (the officers' one if none)."""
    pending = request.session.get(PENDING_KEY)
    restart = pending.get("restart", "") if isinstance(pending, dict) else ""
    login_pages = {reverse("admin:login"), *(reverse(name) for name in LOGIN_URLS.values())}
    return restart if restart in login_pages else reverse("accounts:login_officer")


def _pending_user(request: HttpRequest) -> tuple[User | None, str]:
    """The user who passed the password step in this session (not too long ago), and their `next`."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, ""
    if time.time() - float(pending.get("since", 0)) > settings.MOTCUA_LOGIN_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, ""
    user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    if user is None or not user.needs_second_factor:
        return None, ""
    return user, _next_url(request, pending.get("next", ""))


def _back_to_password_step(request: HttpRequest, restart_url: str) -> HttpResponseRedirect:
    messages.info(request, _("Phiên đăng nhập đã hết hạn hoặc chưa bắt đầu. Xin nhập lại tên đăng nhập và mật khẩu."))
    return redirect(restart_url)


def _code_page(request: HttpRequest, *, enrolment: bool) -> HttpResponse:
    restart_url = _restart_url(request)
    user, next_url = _pending_user(request)
    if user is None:
        return _back_to_password_step(request, restart_url)
    device = OtpDevice.objects.filter(user=user).first()
    if device is None:
        return _back_to_password_step(request, restart_url)
    if enrolment and device.confirmed:
        return redirect("accounts:otp_verify")
    if not enrolment and not device.confirmed:
        return redirect("accounts:otp_enrol")
    form = CodeForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.check_code(request=request, user=user, code=form.cleaned_data["code"])
        except services.LoginRefused as refused:
            refusal = refused.message
            if refused.locked:
                request.session.pop(PENDING_KEY, None)
        else:
            request.session.pop(PENDING_KEY, None)
            services.complete_login(request=request, user=user)
            if enrolment:
                messages.success(
                    request, _("Đã bật xác thực hai bước. Từ nay, mỗi lần đăng nhập hãy nhập mã trong ứng dụng.")
                )
            return _after_login(request, next_url)
    context = {"form": form, "refusal": refusal, "officer": user, "restart_url": restart_url}
    if enrolment:
        uri = totp.provisioning_uri(device.secret, account=user.username, issuer=settings.MOTCUA_TOTP_ISSUER)
        context.update({"secret": totp.grouped(device.secret), "uri": uri})
    return render(request, "accounts/otp_enrol.html" if enrolment else "accounts/otp_verify.html", context)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    return _code_page(request, enrolment=False)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    return _code_page(request, enrolment=True)


@never_cache
@require_GET
def otp_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code as an SVG image, only for the officer who is enrolling in this session."""
    user, _next = _pending_user(request)
    device = OtpDevice.objects.filter(user=user, confirmed=False).first() if user else None
    if device is None:
        return HttpResponse(status=404)
    uri = totp.provisioning_uri(device.secret, account=user.username, issuer=settings.MOTCUA_TOTP_ISSUER)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=4, dark="#000", light="#fff")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


# --- Registration -------------------------------------------------------------------------------------------


def _register_page(request: HttpRequest, form_class, kind: str) -> HttpResponse:
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == UserKind.CITIZEN:
                user = services.register_citizen(
                    full_name=data["full_name"],
                    citizen_id=data["citizen_id"],
                    password=data["password"],
                    phone=data["phone"],
                    email=data["email"],
                )
            else:
                user = services.register_organisation(
                    name=data["full_name"],
                    tax_code=data["tax_code"],
                    password=data["password"],
                    phone=data["phone"],
                    email=data["email"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            services.complete_login(request=request, user=user)
            messages.success(request, _("Đã tạo tài khoản. Bạn đã đăng nhập."))
            return redirect("accounts:account")
    return render(request, "accounts/register.html", {"form": form, "kind": kind})


@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_citizen(request: HttpRequest) -> HttpResponse:
    return _register_page(request, CitizenRegistrationForm, UserKind.CITIZEN)


@sensitive_post_parameters("password", "password_confirm")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def register_organisation(request: HttpRequest) -> HttpResponse:
    return _register_page(request, OrganisationRegistrationForm, UserKind.ORGANISATION)


@sensitive_post_parameters("code", "password", "password_confirm")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def claim_account(request: HttpRequest) -> HttpResponse:
    """Kích hoạt tài khoản: a walk-in sets the password of the account the desk created, with its code."""
    form = AccountClaimForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.claim_account(
                request=request, citizen_id=data["citizen_id"], code=data["code"], password=data["password"]
            )
        except services.LoginRefused as refused:
            refusal = refused.message
        except ValidationError as error:
            form.add_error(None, error)
        else:
            services.complete_login(request=request, user=user)
            messages.success(request, _("Đã kích hoạt tài khoản. Bạn đã đăng nhập và có thể theo dõi hồ sơ của mình."))
            return redirect("portal:my_dossiers")
    return render(request, "accounts/claim.html", {"form": form, "refusal": refusal})


# --- Logout and my account ------------------------------------------------------------------------------------


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    services.log_out(request=request)
    messages.success(request, _("Bạn đã đăng xuất."))
    return redirect("accounts:login")


@login_required
@never_cache
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    memberships = []
    if user.kind == UserKind.OFFICER:
        memberships = list(
            user.memberships.filter(is_active=True).select_related("agency").order_by("agency__name", "role")
        )
    context = {
        "account_user": user,
        "kind_label": UserKind(user.kind).label,
        "citizen_id_last4": (user.citizen_id or "")[-4:],
        "memberships": memberships,
    }
    return render(request, "accounts/account.html", context)
