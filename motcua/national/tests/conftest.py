"""National receiver fixtures: a registered provincial instance with its key, and a signer of its batches."""

import datetime as dt

import pytest
from django.utils import timezone

from motcua.sync import keys, protocol
from motcua.sync.services import register_peer


class Province:
    """A provincial instance as the national one sees it: its code and the key it signs with."""

    def __init__(self, code: str):
        self.code = code
        self.key = keys.new_key()

    def register(self, now=None):
        return register_peer(code=self.code, name=f"Tỉnh {self.code}", public_pem=keys.public_pem(self.key), now=now)

    def batch(self, records, *, now=None, key=None, audience="national", issuer=None) -> str:
        token, _id = protocol.sign(
            typ=protocol.SYNC_BATCH, claims={"records": records}, audience=audience, issuer=issuer or self.code,
            key=key or self.key, now=now or timezone.now(),
        )  # fmt: skip
        return token


def change(code: str, seq: int, state: int = 1, *, agency: str = "H48.01") -> dict:
    """One change as a sender would push it (the payload's required fields, and its history up to `seq`)."""
    when = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC) + dt.timedelta(minutes=seq)
    stamp = timezone.localtime(when).strftime("%Y%m%d%H%M%S")
    return {
        "dossier": code, "seq": seq, "changed_at": when.isoformat(),
        "payload": {
            "MaHoSo": code, "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh", "MaLinhVuc": "HT",
            "TenLinhVuc": "Hộ tịch", "MaCoQuan": agency, "TenCoQuan": "UBND phường Hải Châu", "KenhThucHien": 2,
            "NgayNopHoSo": stamp, "NgayTiepNhan": stamp if state >= 2 else "", "NgayHenTra": "",
            "NgayKetThucXuLy": "", "NgayTra": "", "TrangThaiHoSo": state, "DuocThanhToanTrucTuyen": 0,
            "TaiKhoanDuocXacThucVoiVNeID": 0, "HoSoCoThanhPhanSoHoa": 0,
            "QuaTrinhXuLy": [{"STT": n, "HanhDong": "submit", "ThoiDiemXuLy": stamp, "TrangThai": state}
                             for n in range(1, seq + 1)],
            "ThayDoi": {"STT": seq, "HanhDong": "submit", "ThoiDiem": stamp},
        },
    }  # fmt: skip


@pytest.fixture
def national(settings):
    settings.MOTCUA_ROLE = "national"
    return settings


@pytest.fixture
def province(db, national):
    found = Province("48")
    found.register()
    return found
