"""The national payload (dữ liệu đồng bộ Cổng Dịch vụ công quốc gia): a dossier as of one of its actions, under
the field names the national portal's synchronisation interface uses, and what is validated on receipt.

It carries statuses, dates, the processing history, fees and references to the results — never the personal
files: those stay with the agency, and the result references point at the public verification page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field

from motcua.accounts.models import UserKind
from motcua.catalog.models import OfficerRole
from motcua.dossiers.models import SYSTEM_ROLE, ActionKind, ComponentSource, Dossier, DossierAction, DossierState
from motcua.dossiers.transitions import APPLICANT

DATE_FORMAT = "%Y%m%d%H%M%S"  # the national interface's yyyyMMddHHmmss, in Việt Nam's time
ENDING_KINDS = (ActionKind.APPROVE, ActionKind.STOP, ActionKind.REFUSE)
RECEIVING_KINDS = (ActionKind.RECEIVE, ActionKind.REGISTER_DIRECT)


def national_date(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime(DATE_FORMAT) if moment else ""


def parse_national_date(value: str) -> dt.datetime | None:
    if not value:
        return None
    return timezone.make_aware(dt.datetime.strptime(value, DATE_FORMAT))


@dataclass
class DossierSnapshot:
    """What a dossier's payloads share, read once for all the records made in one go."""

    dossier: Dossier
    fees: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    paid_online: bool = False
    has_digitised_component: bool = False


def snapshot(dossier: Dossier) -> DossierSnapshot:
    """Read the parts of `dossier` every payload carries (fees, results, digitisation): a fixed number of queries."""
    bills = dossier.bills.prefetch_related("lines").order_by("created_at", "pk")
    fees = [
        {"TenPhiLePhi": line.name, "MaPhiLePhi": line.kind, "SoTien": line.amount,
         "DaThanhToan": bill.paid_at is not None, "HinhThucThu": "truc_tuyen" if bill.online else "truc_tiep"}
        for bill in bills if bill.cancelled_at is None for line in bill.lines.all()
    ]  # fmt: skip
    paid_online = any(bill.online and bill.paid_at is not None for bill in bills)
    results = [
        {"TenGiayTo": result.data.get("result_name", ""), "GiayToId": str(result.pk),
         "NgayCap": national_date(result.issued_at), "DaThuHoi": result.revoked_at is not None,
         "DuongDanXacThuc": f"{settings.MOTCUA_SITE_URL}/verify/{result.pk}/"}
        for result in dossier.issued_results.order_by("issued_at", "pk")
    ]  # fmt: skip
    digitised = dossier.components.filter(source=ComponentSource.DIGITISED).exists()
    return DossierSnapshot(dossier=dossier, fees=fees, results=results, paid_online=paid_online,
                           has_digitised_component=digitised)  # fmt: skip


def _who(action: DossierAction) -> tuple[str, str]:
    if action.actor_role == APPLICANT:
        return "", str(_("Chủ hồ sơ"))
    if action.actor_role == SYSTEM_ROLE or action.actor is None:
        return "", str(_("Hệ thống"))
    try:
        title = str(OfficerRole(action.actor_role).label)
    except ValueError:
        title = action.actor_role
    return str(action.actor), title


def _history_entry(action: DossierAction, agency_name: str) -> dict:
    who, title = _who(action)
    content = str(ActionKind(action.kind).label) + (f": {action.comment}" if action.comment else "")
    return {
        "STT": action.seq, "HanhDong": action.kind, "NguoiXuLy": who, "ChucDanh": title,
        "ThoiDiemXuLy": national_date(action.at), "PhongBanXuLy": agency_name if action.actor_agency_id else "",
        "NoiDungXuLy": content[:2000], "TrangThai": action.to_state,
    }  # fmt: skip


def national_payload(snap: DossierSnapshot, actions: list[DossierAction]) -> dict:
    """The payload as of the last of `actions` (the dossier's log up to that action, in order)."""
    dossier, last = snap.dossier, actions[-1]
    version = dossier.procedure_version
    state = last.to_state if last.to_state is not None else dossier.state
    received = next((a.at for a in actions if a.kind in RECEIVING_KINDS), None)
    ended = next((a.at for a in actions if a.kind in ENDING_KINDS), None)
    refused = next((a.at for a in actions if a.kind == ActionKind.REFUSE), None)
    returned = next((a.at for a in actions if a.kind == ActionKind.RETURN_RESULT), None)
    appointment = ""
    for action in actions:
        if action.data.get("appointment_at"):
            appointment = national_date(dt.datetime.fromisoformat(action.data["appointment_at"]))
    with translation.override(settings.LANGUAGE_CODE):
        history = [_history_entry(action, dossier.agency.name) for action in actions]
        state_name = str(DossierState(state).label)
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": version.procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": version.field.code,
        "TenLinhVuc": version.field.name,
        "MaCoQuan": dossier.agency.identifier,
        "TenCoQuan": dossier.agency.name,
        "KenhThucHien": dossier.channel,
        "MucDo": "toan_trinh" if dossier.is_full_process else "mot_phan",
        "LoaiDoiTuong": 2 if dossier.applicant.kind == UserKind.ORGANISATION else 1,
        "ChuHoSo": dossier.applicant_name,
        "MaDoiTuong": dossier.applicant_identifier,
        "TrichYeuHoSo": version.name,
        "NgayNopHoSo": national_date(dossier.submitted_at),
        "NgayTiepNhan": national_date(received),
        "NgayHenTra": appointment,
        "NgayKetThucXuLy": national_date(ended),
        "NgayTuChoi": national_date(refused),
        "NgayTra": national_date(returned),
        "TrangThaiHoSo": state,
        "TenTrangThaiHoSo": state_name,
        "DuocThanhToanTrucTuyen": 1 if snap.paid_online else 0,
        # The level of assurance of the applicant's login (national eID) arrives with OpenID Connect login.
        "TaiKhoanDuocXacThucVoiVNeID": 0,
        "HoSoCoThanhPhanSoHoa": 1 if snap.has_digitised_component else 0,
        "DanhSachLePhi": snap.fees,
        "DanhSachGiayToKetQua": snap.results,
        "QuaTrinhXuLy": history,
        "ThayDoi": {"STT": last.seq, "HanhDong": last.kind, "ThoiDiem": national_date(last.at)},
    }


class HistoryEntry(BaseModel):
    model_config = ConfigDict(extra="allow")
    STT: int = Field(ge=1)
    HanhDong: str = Field(max_length=30)
    ThoiDiemXuLy: str = Field(pattern=r"^\d{14}$")
    TrangThai: int | None = Field(default=None, ge=1, le=10)


class NationalPayload(BaseModel):
    """What the national receiver checks of a payload before storing it (other fields are kept as sent)."""

    model_config = ConfigDict(extra="allow")
    MaHoSo: str = Field(min_length=1, max_length=60)
    MaTTHC: str = Field(min_length=1, max_length=20)
    TenTTHC: str = Field(max_length=500)
    MaLinhVuc: str = Field(max_length=40)
    TenLinhVuc: str = Field(max_length=200)
    MaCoQuan: str = Field(min_length=1, max_length=40)
    TenCoQuan: str = Field(max_length=255)
    KenhThucHien: int = Field(ge=1, le=3)
    NgayNopHoSo: str = Field(pattern=r"^(\d{14})?$")
    NgayTiepNhan: str = Field(pattern=r"^(\d{14})?$")
    NgayHenTra: str = Field(pattern=r"^(\d{14})?$")
    NgayKetThucXuLy: str = Field(pattern=r"^(\d{14})?$")
    NgayTra: str = Field(pattern=r"^(\d{14})?$")
    TrangThaiHoSo: int = Field(ge=1, le=10)
    DuocThanhToanTrucTuyen: int = Field(ge=0, le=1)
    TaiKhoanDuocXacThucVoiVNeID: int = Field(ge=0, le=1)
    HoSoCoThanhPhanSoHoa: int = Field(ge=0, le=1)
    QuaTrinhXuLy: list[HistoryEntry] = Field(max_length=1000)
