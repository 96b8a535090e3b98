"""Every write to accounts, and the login steps: one function per use case, keyword-only arguments.

Registration and officer creation validate everything themselves (the forms only repeat the checks to show
all errors at once) and raise ValidationError keyed by field name: `citizen_id`, `tax_code`, `username`,
`phone`, `email`, `password`, `full_name`.

Login is `check_password` (throttled, kind-aware) then, for officers, operators and any staff account
(`User.needs_second_factor`), `check_code` (a TOTP code, throttled too), then `complete_login`. Nothing is
logged in before the last step. Authenticator secrets are stored encrypted (`otp_crypto`, MOTCUA_OTP_KEY).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables

from motcua.accounts import otp_crypto, throttle, totp
from motcua.accounts.identifiers import parse_citizen_id, validate_tax_code
from motcua.accounts.models import AccountClaim, Membership, OtpDevice, User, UserKind
from motcua.catalog.models import Agency, OfficerRole

PHONE_RE = re.compile(r"0[0-9]{9,10}")


class LoginRefused(Exception):
    """A login step failed; `message` is safe to show (it never says whether the account exists)."""

    def __init__(self, message: str, *, locked: bool = False):
        super().__init__(message)
        self.message = message
        self.locked = locked


# --- Checks shared with the forms -------------------------------------------------------------------------


def normalise_phone(value: str) -> str:
    """A Vietnamese phone number as 0XXXXXXXXX (10 or 11 digits); accepts +84, spaces, dots and hyphens."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not PHONE_RE.fullmatch(digits):
        raise ValidationError(
            _("Số điện thoại gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 hoặc +84, ví dụ 0905 123 456."), code="phone"
        )
    return digits


def duplicate_identifier_message(kind: str) -> str:
    if kind == UserKind.ORGANISATION:
        return _("Mã số thuế này đã có tài khoản. Nếu đó là tổ chức của bạn, hãy đăng nhập.")
    return _("Số định danh cá nhân này đã có tài khoản. Nếu đó là bạn, hãy đăng nhập.")


def identifier_taken(identifier: str) -> bool:
    return User.objects.filter(Q(username=identifier) | Q(citizen_id=identifier) | Q(tax_code=identifier)).exists()


def _reworded(error: ValidationError) -> ValidationError:
    # Django's Vietnamese catalogue lacks this message since its wording changed (%d instead of %(min_length)d).
    if error.code == "password_too_short":
        min_length = int((error.params or {}).get("min_length", 0))
        message = ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            min_length,
        ) % {"min_length": min_length}
        return ValidationError(message, code=error.code)
    return error


def validate_new_password(password: str, user: User) -> None:
    """Django's configured password validators (AUTH_PASSWORD_VALIDATORS), every message in the user's language."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError([_reworded(problem) for problem in error.error_list]) from None


def _check_password(password: str, user: User) -> None:
    try:
        validate_new_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None


def _check_contact(*, phone: str, email: str) -> tuple[str, str]:
    errors: dict[str, list[ValidationError]] = {}
    try:
        phone = normalise_phone(phone)
    except ValidationError as error:
        errors["phone"] = error.error_list
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [ValidationError(_("Địa chỉ email không đúng, ví dụ: ten@example.vn."), code="email")]
    if errors:
        raise ValidationError(errors)
    return phone, email


def _save_new_applicant(user: User, *, identifier_field: str) -> User:
    if identifier_taken(user.username):
        raise ValidationError({identifier_field: duplicate_identifier_message(user.kind)}, code="duplicate")
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise ValidationError({identifier_field: duplicate_identifier_message(user.kind)}, code="duplicate") from None
    return user


# --- Registration and officers ------------------------------------------------------------------------------


@transaction.atomic
def register_citizen(*, full_name: str, citizen_id: str, password: str, phone: str, email: str = "") -> User:
    """A citizen's account, known by the 12-digit personal identification number (also the username)."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise ValidationError({"full_name": _("Hãy nhập họ và tên.")}, code="required")
    try:
        number = parse_citizen_id(citizen_id).number
    except ValidationError as error:
        raise ValidationError({"citizen_id": error.error_list}) from None
    phone, email = _check_contact(phone=phone, email=email)
    user = User(
        username=number, kind=UserKind.CITIZEN, citizen_id=number, full_name=full_name, phone=phone, email=email
    )
    _check_password(password, user)
    user.set_password(password)
    return _save_new_applicant(user, identifier_field="citizen_id")


@transaction.atomic
def register_organisation(*, name: str, tax_code: str, password: str, phone: str, email: str = "") -> User:
    """An organisation's or business's account, known by its tax code (also the username)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"full_name": _("Hãy nhập tên tổ chức, doanh nghiệp.")}, code="required")
    tax_code = (tax_code or "").strip()
    try:
        validate_tax_code(tax_code)
    except ValidationError as error:
        raise ValidationError({"tax_code": error.error_list}) from None
    phone, email = _check_contact(phone=phone, email=email)
    user = User(
        username=tax_code, kind=UserKind.ORGANISATION, tax_code=tax_code, full_name=name, phone=phone, email=email
    )
    _check_password(password, user)
    user.set_password(password)
    return _save_new_applicant(user, identifier_field="tax_code")


@transaction.atomic
def create_officer(
    *,
    username: str,
    full_name: str,
    password: str,
    memberships: Iterable[tuple[Agency, str]],
    otp_secret: str | None = None,
    email: str = "",
) -> User:
    """An officer with roles in agencies. With `otp_secret` (base32) the authenticator is enrolled and
    confirmed at once (demo data, or a secret handed over in person); without it the officer enrols at the
    first login. The password must pass the configured validators."""
    user = User(username=(username or "").strip(), kind=UserKind.OFFICER, full_name=full_name.strip(), email=email)
    try:
        user.full_clean(exclude=["password", "citizen_id", "tax_code"], validate_unique=True)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    _check_password(password, user)
    user.set_password(password)
    user.save()
    for agency, role in memberships:
        if role not in OfficerRole.values:
            raise ValidationError({"memberships": f"unknown role {role!r}"}, code="role")
        Membership.objects.create(user=user, agency=agency, role=role)
    if otp_secret:
        enrol_totp(user=user, secret=otp_secret, confirmed=True)
    return user


# --- One-time codes -------------------------------------------------------------------------------------------


@sensitive_variables("secret")
@transaction.atomic
def enrol_totp(*, user: User, secret: str | None = None, confirmed: bool = False) -> OtpDevice:
    """Give the user an authenticator secret.

    Without `secret`: an unconfirmed secret already waiting is kept (so the enrolment page shows the same one
    when reloaded), otherwise a new random one is made; a user who already has a confirmed device keeps it
    (an operator calls `reset_totp` first). With `secret`: that secret replaces any device, confirmed at once
    if `confirmed`. An unconfirmed device is confirmed by the first code `verify_totp` accepts.
    """
    device = OtpDevice.objects.select_for_update().filter(user=user).first()
    if secret is None:
        if device is not None:
            return device
        return OtpDevice.objects.create(user=user, secret=totp.generate_secret())
    secret = totp.normalise_secret(secret)
    if device is None:
        device = OtpDevice(user=user)
    device.secret = secret
    device.confirmed = confirmed
    device.confirmed_at = timezone.now() if confirmed else None
    device.last_used_step = None
    device.save()
    return device


@transaction.atomic
def reset_totp(*, user: User) -> None:
    """Forget the user's authenticator (lost phone): the next login leads through enrolment again."""
    OtpDevice.objects.filter(user=user).delete()


@sensitive_variables("device")
@transaction.atomic
def verify_totp(*, user: User, code: str, at: float | None = None) -> bool:
    """True if `code` is the user's current one-time code (±MOTCUA_TOTP_TOLERANCE_STEPS steps) and has not been
    used before; records its step so it is never accepted again, and confirms an unconfirmed device.
    Raises otp_crypto.SecretUnreadable when MOTCUA_OTP_KEY cannot decrypt the user's secret."""
    device = OtpDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return False
    step = totp.matching_step(
        device.secret,
        code,
        at=at,
        tolerance=settings.MOTCUA_TOTP_TOLERANCE_STEPS,
        after_step=device.last_used_step,
    )
    if step is None:
        return False
    device.last_used_step = step
    if not device.confirmed:
        device.confirmed = True
        device.confirmed_at = timezone.now()
    device.save(update_fields=["last_used_step", "confirmed", "confirmed_at"])
    return True


def has_confirmed_device(user: User) -> bool:
    return OtpDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def rotate_otp_secrets() -> tuple[int, int]:
    """Re-encrypt every authenticator secret with the first key of MOTCUA_OTP_KEY, all or none.

    Returns (re-encrypted, already under the first key). Raises otp_crypto.SecretUnreadable, naming the
    accounts, if any secret cannot be decrypted with the configured keys; nothing is changed then.
    """
    current = 0
    unreadable, rotated = [], []
    for device in OtpDevice.objects.select_for_update(of=("self",)).select_related("user").order_by("pk"):
        if otp_crypto.uses_first_key(device.encrypted_secret):
            current += 1
            continue
        try:
            device.encrypted_secret = otp_crypto.rotate(device.encrypted_secret)
        except otp_crypto.SecretUnreadable:
            unreadable.append(device.user.username)
        else:
            rotated.append(device)
    if unreadable:
        raise otp_crypto.SecretUnreadable(
            f"The authenticator secrets of {', '.join(unreadable)} cannot be decrypted: {otp_crypto.FIX} "
            "Nothing was re-encrypted."
        )
    OtpDevice.objects.bulk_update(rotated, ["encrypted_secret"], batch_size=500)
    return len(rotated), current


# --- Login steps ---------------------------------------------------------------------------------------------


def locked_message(minutes: int) -> str:
    return ngettext(
        "Bạn đã nhập sai quá nhiều lần. Để bảo vệ tài khoản, việc đăng nhập tạm dừng; "
        "xin thử lại sau %(minutes)d phút.",
        "Bạn đã nhập sai quá nhiều lần. Để bảo vệ tài khoản, việc đăng nhập tạm dừng; "
        "xin thử lại sau %(minutes)d phút.",
        minutes,
    ) % {"minutes": minutes}


def _refuse_if_locked(*, identifier: str, ip: str) -> None:
    if throttle.is_locked(identifier=identifier, ip=ip):
        raise LoginRefused(locked_message(throttle.minutes_left(identifier=identifier, ip=ip)), locked=True)


def wrong_password_message(kind: str) -> str:
    if kind == UserKind.CITIZEN:
        return _("Số định danh cá nhân hoặc mật khẩu không đúng.")
    if kind == UserKind.ORGANISATION:
        return _("Mã số thuế hoặc mật khẩu không đúng.")
    return _("Tên đăng nhập hoặc mật khẩu không đúng.")


def check_password(*, request: HttpRequest, kind: str, identifier: str, password: str) -> User:
    """The password step for an account of `kind`. Returns the user, or raises LoginRefused.
    For a citizen or an organisation, `complete_login` follows at once; for an officer, `check_code` first."""
    identifier = (identifier or "").strip()
    ip = throttle.client_ip(request)
    _refuse_if_locked(identifier=identifier, ip=ip)
    user = authenticate(request, username=identifier, password=password, kind=kind)
    if user is None:
        _refuse_if_locked(identifier=identifier, ip=ip)  # this failure may have been the last one allowed
        raise LoginRefused(wrong_password_message(kind))
    return user


def check_code(*, request: HttpRequest, user: User, code: str) -> None:
    """The one-time-code step (login, or the first code of an enrolment). Raises LoginRefused."""
    ip = throttle.client_ip(request)
    _refuse_if_locked(identifier=user.username, ip=ip)
    if verify_totp(user=user, code=code):
        return
    throttle.record_failure(identifier=user.username, ip=ip)
    _refuse_if_locked(identifier=user.username, ip=ip)
    raise LoginRefused(_("Mã xác thực không đúng, đã hết hạn hoặc đã được dùng. Hãy nhập mã mới trong ứng dụng."))


def complete_login(*, request: HttpRequest, user: User) -> None:
    """Start the authenticated session (a new session key) and forget the account's past failures."""
    login(request, user)
    throttle.reset(identifier=user.username)


def log_out(*, request: HttpRequest) -> None:
    logout(request)


# --- Activation codes for accounts created at the desk (mã kích hoạt tài khoản) ----------------------------------

CLAIM_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from paper
CLAIM_LENGTH = 10


def _claim_digest(code: str) -> str:
    normalised = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), f"account-claim:{normalised}".encode(), hashlib.sha256).hexdigest()


@sensitive_variables("code")
def issue_account_claim(*, user: User, issued_by: User, now: dt.datetime | None = None) -> str:
    """A new activation code for `user` (replacing any open one), valid MOTCUA_ACCOUNT_CLAIM_DAYS days.

    Returns the code, formatted for reading aloud (XXXXX-XXXXX); only its digest is stored, so it is shown once.
    Who may issue it is the permission layer's question (dossiers.policy.can_issue_account_claim).
    """
    if not user.awaits_claim:
        raise ValidationError(_("Tài khoản này đã có mật khẩu: người dân tự đăng nhập bằng mật khẩu của mình."))
    now = now or timezone.now()
    code = "".join(secrets.choice(CLAIM_ALPHABET) for _position in range(CLAIM_LENGTH))
    with transaction.atomic():
        AccountClaim.objects.filter(user=user, used_at__isnull=True).delete()
        AccountClaim.objects.create(
            user=user, code_digest=_claim_digest(code), issued_by=issued_by, issued_at=now,
            expires_at=now + dt.timedelta(days=settings.MOTCUA_ACCOUNT_CLAIM_DAYS),
        )  # fmt: skip
    return f"{code[:5]}-{code[5:]}"


@sensitive_variables("code", "password")
def claim_account(*, request: HttpRequest, citizen_id: str, code: str, password: str) -> User:
    """Kích hoạt tài khoản: the citizen proves the code the desk gave them and sets their password.

    Throttled like a login (a wrong code counts as a failure for the ID and the address). A wrong, used or
    expired code raises LoginRefused with one message that says nothing of which part was wrong; a weak
    password raises ValidationError keyed `password`, and leaves the code usable.
    """
    number = (citizen_id or "").strip()
    ip = throttle.client_ip(request)
    _refuse_if_locked(identifier=number, ip=ip)
    now = timezone.now()
    user = User.objects.filter(citizen_id=number, kind=UserKind.CITIZEN, is_active=True).first()
    claim = (
        AccountClaim.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).first()
        if user is not None
        else None
    )
    if claim is None or not hmac.compare_digest(claim.code_digest, _claim_digest(code)) or not user.awaits_claim:
        throttle.record_failure(identifier=number, ip=ip)
        _refuse_if_locked(identifier=number, ip=ip)
        raise LoginRefused(_("Số định danh hoặc mã kích hoạt không đúng, hoặc mã đã hết hạn hay đã được dùng."))
    try:
        validate_new_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    with transaction.atomic():
        locked = AccountClaim.objects.select_for_update().get(pk=claim.pk)
        if locked.used_at is not None:  # the same code used a moment ago, by another request
            raise LoginRefused(_("Số định danh hoặc mã kích hoạt không đúng, hoặc mã đã hết hạn hay đã được dùng."))
        locked.used_at = now
        locked.save(update_fields=["used_at"])
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
