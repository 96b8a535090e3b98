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
    user_model = get_user_model()
    if not user_model.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
        user_model.objects.create_superuser(DEMO_ADMIN_USERNAME, "quantri@example.invalid", demo_admin_password())
    lines += [
        "",
        "Demo logins (development only):",
        f"  Administrator  http://127.0.0.1:8000/admin/"
        f"  user: {DEMO_ADMIN_USERNAME}  password: {demo_admin_password()}",
    ]
    return lines
