"""Seeding of the demo instance that `make run` serves."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from motcua.catalog.models import AdministrativeUnit, Agency, AgencyKind, Level, UnitLevel
from motcua.catalog.services import (
    assign_procedures_to_agencies,
    import_agencies,
    import_catalog,
    load_administrative_units,
)

DEMO_DIR = Path(__file__).resolve().parent.parent / "catalog" / "demo"
DEMO_ADMIN_USERNAME = "quantri"


def commune_agency_identifier(province_identifier: str, commune_code: str) -> str:
    """H17 + commune 20194 → H17.20.194: stable, and within the QCVN 102 identifier pattern."""
    return f"{province_identifier}.{commune_code[:2]}.{commune_code[2:]}"


def create_commune_agencies(*, province_code: str) -> list[Agency]:
    """A People's Committee for every current commune of the province, under the provincial committee."""
    province_pc = Agency.objects.get(
        kind=AgencyKind.PROVINCIAL_PC, unit__code=province_code, unit__level=UnitLevel.PROVINCE
    )
    agencies = []
    with transaction.atomic():
        communes = AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, parent=province_pc.unit, valid_to__isnull=True
        ).order_by("code")
        for commune in communes:
            agency, _created = Agency.objects.update_or_create(
                identifier=commune_agency_identifier(province_pc.identifier, commune.code),
                defaults={
                    "name": f"Ủy ban nhân dân {commune.name}",
                    "kind": AgencyKind.COMMUNE_PC,
                    "unit": commune,
                    "parent": province_pc,
                },
            )
            agencies.append(agency)
    return agencies


def demo_admin_password() -> str:
    return os.environ.get("MOTCUA_DEMO_PASSWORD", "motcua-demo-2026")


# The demo commune and its one-stop desk staff. Officers (and the administrator) share one published TOTP
# secret: this is a demo.
DEMO_COMMUNE_CODE = "20242"  # Phường Hải Châu, Đà Nẵng
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_OFFICERS = (
    ("tiepnhan.haichau", "Lê Thị Tiếp Nhận", "reception"),
    ("chuyenvien.haichau", "Phạm Văn Chuyên", "specialist"),
    ("lanhdao.haichau", "Trần Minh Lãnh", "leader"),
)
DEMO_CITIZENS = (
    ("Nguyễn Thị Hoa", "048190001234", "0905123456"),
    ("Trần Văn Bình", "048085005678", "0912345678"),
)


def ensure_demo_totp(user) -> None:
    """Give a demo account (officer or administrator) the published demo secret, unless it has a confirmed
    authenticator whose secret MOTCUA_OTP_KEY still decrypts (a development database from before the secrets
    were encrypted, or after var/dev-otp-key was removed)."""
    from motcua.accounts.models import OtpDevice
    from motcua.accounts.otp_crypto import SecretUnreadable
    from motcua.accounts.services import enrol_totp

    device = OtpDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        try:
            device.secret  # noqa: B018 -- only whether it decrypts
            return
        except SecretUnreadable:
            pass
    enrol_totp(user=user, secret=DEMO_TOTP_SECRET, confirmed=True)


def seed_demo_people(*, province_identifier: str) -> list[str]:
    """Officers of the demo commune (password + the demo TOTP secret) and two citizens; idempotent."""
    from motcua.accounts.models import User
    from motcua.accounts.services import create_officer, register_citizen

    agency = Agency.objects.get(identifier=commune_agency_identifier(province_identifier, DEMO_COMMUNE_CODE))
    lines = [f"  Officers of {agency.name} (one-time code: `python manage.py demo_code`, secret {DEMO_TOTP_SECRET}):"]
    for username, full_name, role in DEMO_OFFICERS:
        officer = User.objects.filter(username=username).first()
        if officer is None:
            create_officer(
                username=username, full_name=full_name, password=demo_admin_password(),
                memberships=[(agency, role)], otp_secret=DEMO_TOTP_SECRET,
            )  # fmt: skip
        else:
            ensure_demo_totp(officer)
        lines.append(f"    http://127.0.0.1:8000/accounts/login/officer/  user: {username}  ({role})")
    lines.append("  Citizens:")
    for full_name, citizen_id, phone in DEMO_CITIZENS:
        if not User.objects.filter(username=citizen_id).exists():
            register_citizen(full_name=full_name, citizen_id=citizen_id, password=demo_admin_password(), phone=phone)
        lines.append(f"    http://127.0.0.1:8000/accounts/login/  citizen ID: {citizen_id}  ({full_name})")
    lines.append(f"  Password for all: {demo_admin_password()}")
    return lines


def seed_demo_dossiers(*, province_identifier: str) -> int:
    """A few dossiers of the first demo citizen at the demo commune, in different states — new, received, in
    processing, waiting for a fee to pay in the sandbox gateway, and approved with a signed result to verify;
    idempotent by key. Everything goes through the real services."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion
    from motcua.documents.services import store_document
    from motcua.dossiers.models import ActionKind, Dossier
    from motcua.dossiers.services import perform_action, submit_dossier
    from motcua.payments.services import request_payment
    from motcua.signing.services import approve_and_issue

    citizen = User.objects.get(username=DEMO_CITIZENS[0][1])
    agency = Agency.objects.get(identifier=commune_agency_identifier(province_identifier, DEMO_COMMUNE_CODE))
    reception, specialist, leader = (User.objects.get(username=officer[0]) for officer in DEMO_OFFICERS)
    pdf = (DEMO_DIR / "sample.pdf").read_bytes()

    def act(kind, actor, **extra):
        return lambda code: perform_action(dossier_code=code, actor=actor, kind=kind, **extra)

    receive = act(ActionKind.RECEIVE, reception)
    to_specialist = act(ActionKind.HAND_OFF, reception, assignee=specialist)
    to_leader = act(ActionKind.HAND_OFF, specialist, assignee=leader)

    def ask_fee(code):
        return request_payment(dossier_code=code, officer=specialist)

    def approve(code):
        return approve_and_issue(dossier_code=code, leader=leader)

    birth, extract_copy, marital_status = "1.001193", "2.000635", "1.004873"
    plans = (
        ("demo-new", birth, []),
        ("demo-received", birth, [receive]),
        ("demo-processing", birth, [receive, to_specialist]),
        ("demo-payment", extract_copy, [receive, to_specialist, ask_fee]),  # the agency asks: 8.000 đồng a copy
        ("demo-fee-on-filing", marital_status, []),  # its fee is billed with the dossier
        ("demo-result", birth, [receive, to_specialist, to_leader, approve]),
    )
    created = 0
    for key, code, steps in plans:
        if Dossier.objects.filter(applicant=citizen, submission_key=key).exists():
            continue
        version = ProcedureVersion.objects.get(is_current=True, procedure__code=code)
        files = {
            requirement.pk: [
                store_document(owner=citizen, upload=SimpleUploadedFile("giay-to.pdf", pdf), created_by=citizen)
            ]
            for requirement in version.components.all()
            if requirement.required
        }
        dossier = submit_dossier(
            applicant=citizen, version=version, agency=agency, form_data=_demo_form(version), files=files,
            idempotency_key=key,
        )  # fmt: skip
        for step in steps:
            step(dossier.code)
        created += 1
    return created


def _demo_form(version) -> dict:
    """Plausible answers for every required field of a demo procedure's e-form."""
    from motcua.catalog.schemas import FormSchema

    samples = {
        "text": "Nguyễn Minh An", "textarea": "Không", "number": "1", "date": "2026-11-20",
        "national_id": "048190001234", "phone": "0905123456", "email": "hoa@example.vn",
        "address": {"province": "48", "commune": DEMO_COMMUNE_CODE, "street": "24 Trần Phú"},
    }  # fmt: skip
    answers = {}
    for field in FormSchema.model_validate(version.form_schema).fields:
        if field.type == "choice":
            answers[field.key] = [field.choices[0].value] if field.multiple else field.choices[0].value
        elif field.type == "table":
            answers[field.key] = [{column.key: samples.get(column.type, "1") for column in field.columns}]
        elif field.type in samples:
            answers[field.key] = samples[field.type]
    return answers


def seed_demo() -> list[str]:
    """Load everything the demo needs; running it again changes nothing that is already there."""
    if settings.ENVIRONMENT == "production":
        raise RuntimeError("Refusing to load demo data with MOTCUA_ENV=production.")
    lines = []
    provinces, communes = load_administrative_units()
    lines.append(f"Administrative units: +{provinces} provinces, +{communes} communes.")
    created, updated = import_agencies(data=json.loads((DEMO_DIR / "agencies.json").read_text(encoding="utf-8")))
    communes_agencies = create_commune_agencies(province_code=settings.MOTCUA_DEMO_PROVINCE_CODE)
    lines.append(f"Agencies: +{created} ({updated} kept), {len(communes_agencies)} commune People's Committees.")
    report = import_catalog(data=json.loads((DEMO_DIR / "catalog.json").read_text(encoding="utf-8")))
    assigned = assign_procedures_to_agencies(level=Level.COMMUNE, agencies=communes_agencies)
    lines.append(
        f"Procedures: {len(report.versions_published)} published, {len(report.unchanged)} unchanged; "
        f"{assigned} commune assignments added."
    )
    lines.append("")
    lines.append("Demo logins (development only):")
    lines += seed_demo_people(province_identifier="H17")
    from motcua.signing.pki import ensure_demo_pki

    lines.append(f"Demo signing CA (development only): {ensure_demo_pki().directory}.")
    lines.append(f"Demo dossiers: +{seed_demo_dossiers(province_identifier='H17')}.")
    user_model = get_user_model()
    administrator = user_model.objects.filter(username=DEMO_ADMIN_USERNAME).first()
    if administrator is None:
        administrator = user_model.objects.create_superuser(
            DEMO_ADMIN_USERNAME, "quantri@example.invalid", demo_admin_password()
        )
    ensure_demo_totp(administrator)  # the admin site asks for a one-time code too
    lines += [
        f"  Administrator  http://127.0.0.1:8000/admin/"
        f"  user: {DEMO_ADMIN_USERNAME}  password: {demo_admin_password()}"
        "  one-time code: `python manage.py demo_code`",
    ]
    return lines
