"""Back-office writes that are not dossier use cases: the walk-in applicant's account.

Everything about the dossier itself goes through `motcua.dossiers.services`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.accounts.identifiers import parse_citizen_id
from motcua.accounts.models import User, UserKind
from motcua.accounts.services import normalise_phone


def find_or_create_walk_in_citizen(*, citizen_id: str, full_name: str, phone: str = "") -> User:
    """The citizen with this personal identification number; a new account if there is none.

    A new account has no usable password: the person keeps using the desk, or claims the account with an
    activation code the desk gives (accounts.services.issue_account_claim, /accounts/claim/). An existing
    account is used as it is: what the officer typed does not overwrite what the citizen keeps up to date
    themselves. Raises ValidationError keyed by field (`citizen_id`, `full_name`, `phone`).
    """
    try:
        number = parse_citizen_id(citizen_id).number
    except ValidationError as error:
        raise ValidationError({"citizen_id": error.error_list}) from None
    with transaction.atomic():
        existing = User.objects.filter(citizen_id=number).first()
        if existing is not None:
            if existing.kind != UserKind.CITIZEN or not existing.is_active:
                raise ValidationError(
                    {"citizen_id": _("Số định danh này thuộc một tài khoản không phải công dân hoặc đã bị khóa.")}
                )
            return existing
        full_name = " ".join((full_name or "").split())
        errors: dict[str, str] = {}
        if not full_name:
            errors["full_name"] = _("Người dân chưa có tài khoản: hãy nhập họ và tên để tạo tài khoản.")
        if phone:
            try:
                phone = normalise_phone(phone)
            except ValidationError as error:
                errors["phone"] = error.messages[0]
        if User.objects.filter(username=number).exists():
            errors["citizen_id"] = _("Tên đăng nhập %(number)s đã được dùng cho tài khoản khác.") % {"number": number}
        if errors:
            raise ValidationError(errors)
        user = User(username=number, kind=UserKind.CITIZEN, citizen_id=number, full_name=full_name, phone=phone)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Created a moment ago by another desk: use that account.
            existing = User.objects.filter(citizen_id=number, kind=UserKind.CITIZEN).first()
            if existing is None:
                raise
            return existing
    return user
