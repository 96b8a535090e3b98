"""A small world for dossier tests: one commune with its one-stop desk and officers, a second agency,
two citizens, and birth registration with four internal steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Membership, User, UserKind
from motcua.catalog.models import Agency, AgencyKind, ProcedureVersion
from motcua.catalog.tests.factories import AgencyFactory, CommuneFactory, publish_procedure
from motcua.documents.services import store_document

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment in Vietnam's time zone."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def pdf(name: str = "giay-to.pdf", body: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def make_citizen(name: str, citizen_id: str) -> User:
    return User.objects.create_user(
        username=citizen_id, password="mat-khau-an-toan-2026", kind=UserKind.CITIZEN, full_name=name,
        citizen_id=citizen_id,
    )  # fmt: skip


def make_officer(username: str, agency: Agency, *roles: str) -> User:
    user = User.objects.create_user(
        username=username, password="mat-khau-an-toan-2026", kind=UserKind.OFFICER, full_name=username.title()
    )
    for role in roles:
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


BIRTH_STEPS = [
    {"name": "Tiếp nhận hồ sơ", "role": "reception", "duration": "0.25"},
    {"name": "Thẩm định, trình ký", "role": "specialist", "duration": "1.5"},
    {"name": "Ký giấy khai sinh", "role": "leader", "duration": "1"},
    {"name": "Trả kết quả", "role": "reception", "duration": "0.25"},
]


@dataclass
class World:
    agency: Agency
    other_agency: Agency
    version: ProcedureVersion
    owner: User
    other_citizen: User
    reception: User
    specialist: User
    leader: User
    other_officer: User

    def upload(self, user: User | None = None, name: str = "giay-to.pdf"):
        user = user or self.owner
        return store_document(owner=user, upload=pdf(name), created_by=user)

    def required_files(self, user: User | None = None) -> dict[int, list]:
        return {
            requirement.pk: [self.upload(user)] for requirement in self.version.components.all() if requirement.required
        }

    @property
    def form(self) -> dict:
        return {"child_name": "Nguyễn Văn An", "birth_date": "2026-11-20", "sex": "nam"}


def build_world(*, steps: list[dict] = BIRTH_STEPS) -> World:
    commune = CommuneFactory(code="20194", name="Phường Hải Châu")
    agency = AgencyFactory(
        identifier="H17.20.194", name="Ủy ban nhân dân Phường Hải Châu", kind=AgencyKind.COMMUNE_PC, unit=commune
    )
    other_agency = AgencyFactory(identifier="H17.01", name="Sở Tư pháp")
    version = publish_procedure(
        processing_time="3",
        steps=steps,
        fees=[
            {"kind": "fee", "name": "Lệ phí đăng ký khai sinh đúng hạn", "amount": 0, "exemptions": ["Mọi trường hợp"]},
            {"kind": "charge", "name": "Phí cấp bản sao trích lục khai sinh", "amount": 8000, "unit": "copy"},
        ],
    )
    version.procedure.agencies.add(agency)
    return World(
        agency=agency,
        other_agency=other_agency,
        version=version,
        owner=make_citizen("Nguyễn Thị Hoa", "048190001234"),
        other_citizen=make_citizen("Trần Văn Bình", "048085005678"),
        reception=make_officer("tiepnhan", agency, "reception"),
        specialist=make_officer("chuyenvien", agency, "specialist"),
        leader=make_officer("lanhdao", agency, "leader"),
        other_officer=make_officer("canbo_so", other_agency, "reception", "specialist", "leader"),
    )
