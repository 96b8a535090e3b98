"""Accounts: applicants (chủ hồ sơ — citizens and organisations) and officers (cán bộ, công chức)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts import otp_crypto
from motcua.accounts.identifiers import validate_citizen_id, validate_tax_code
from motcua.catalog.models import Agency, OfficerRole


class UserKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")
    OFFICER = "officer", _("Cán bộ, công chức")
    OPERATOR = "operator", _("Quản trị hệ thống")


SECOND_FACTOR_KINDS = (UserKind.OFFICER, UserKind.OPERATOR)
# Applicants (chủ hồ sơ): who files dossiers and owns a data warehouse.
APPLICANT_KINDS = (UserKind.CITIZEN, UserKind.ORGANISATION)
# What the admin site's login page passes as `kind` to authenticate(): any staff account, whatever its kind.
STAFF_LOGIN = "staff"


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("kind", UserKind.OPERATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Người dùng. A citizen is known by the personal identification number, an organisation by its tax code."""

    kind = models.CharField(_("loại tài khoản"), max_length=20, choices=UserKind.choices, default=UserKind.CITIZEN)
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    citizen_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, null=True, blank=True, unique=True, validators=[validate_citizen_id]
    )
    tax_code = models.CharField(
        _("mã số thuế"), max_length=14, null=True, blank=True, unique=True, validators=[validate_tax_code]
    )
    phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=UserKind.CITIZEN) | Q(citizen_id__isnull=False), name="citizen_has_citizen_id"
            ),
            models.CheckConstraint(
                condition=~Q(kind=UserKind.ORGANISATION) | Q(tax_code__isnull=False),
                name="organisation_has_tax_code",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_officer(self) -> bool:
        return self.kind == UserKind.OFFICER

    @property
    def awaits_claim(self) -> bool:
        """A citizen's account the one-stop desk created, still without a password of its own (a walk-in)."""
        return self.is_active and self.kind == UserKind.CITIZEN and not self.has_usable_password()

    @property
    def needs_second_factor(self) -> bool:
        """Officers, operators and every staff or superuser account log in with a password and a one-time code
        (TOTP); only citizens and organisations log in with a password alone."""
        return self.kind in SECOND_FACTOR_KINDS or self.is_staff or self.is_superuser


class Membership(models.Model):
    """An officer's role in one agency (vai trò của cán bộ tại cơ quan). An officer may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=OfficerRole.choices)
    is_active = models.BooleanField(_("đang hiệu lực"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency.identifier}"


class OtpDevice(models.Model):
    """An officer's or operator's authenticator app (ứng dụng xác thực): the shared TOTP secret (RFC 6238) and
    its state.

    The secret is stored encrypted with MOTCUA_OTP_KEY (`encrypted_secret`, see otp_crypto); `secret` reads and
    writes it in clear. Unconfirmed until the user has entered one correct code from the app. `last_used_step`
    is the time step of the last accepted code: a code is never accepted twice, nor one older than it.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="otp_device")
    encrypted_secret = models.TextField(_("khóa bí mật"), editable=False)
    confirmed = models.BooleanField(_("đã xác nhận"), default=False)
    last_used_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ứng dụng xác thực")
        verbose_name_plural = _("ứng dụng xác thực")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed=False) | Q(confirmed_at__isnull=False), name="otp_device_confirmed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — TOTP"

    @property
    def secret(self) -> str:
        """The shared secret in clear (base32), decrypted at each read; raises otp_crypto.SecretUnreadable."""
        if not self.encrypted_secret:
            return ""
        try:
            return otp_crypto.decrypt(self.encrypted_secret)
        except otp_crypto.SecretUnreadable as error:
            raise otp_crypto.SecretUnreadable(
                f"The authenticator secret of user #{self.user_id} cannot be decrypted: {otp_crypto.FIX}"
            ) from error

    @secret.setter
    def secret(self, value: str) -> None:
        self.encrypted_secret = otp_crypto.encrypt(value)


class ApiToken(models.Model):
    """Khóa truy cập API: a bearer token for systems calling the API on a user's behalf.

    Only a SHA-256 digest is stored; the token itself is shown once, when it is created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("Tám ký tự đầu, để nhận ra khóa."))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa truy cập API")
        verbose_name_plural = _("khóa truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AccountClaim(models.Model):
    """Mã kích hoạt tài khoản: a one-time code the one-stop desk gives an applicant whose account it created
    without a password (a walk-in), so that they set their own password and use the portal.

    Only a keyed digest of the code is kept. One open claim per account: issuing a new one replaces it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_claims")
    code_digest = models.CharField(max_length=64)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("cán bộ cấp"))
    issued_at = models.DateTimeField(_("cấp lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã kích hoạt tài khoản")
        verbose_name_plural = _("mã kích hoạt tài khoản")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(used_at__isnull=True), name="account_claim_one_open"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("issued_at")), name="account_claim_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.issued_at:%Y-%m-%d}"
