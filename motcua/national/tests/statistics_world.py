"""A small country for the national statistics: dossiers as two provinces' instances push them, through the real
receiver (signed batches), with the dates that make each figure — the expected figures are in test_statistics."""

from __future__ import annotations

import datetime as dt

from motcua.national.services import receive_batch
from motcua.national.tests.conftest import Province
from motcua.sync.payload import national_date
from motcua.workdays.calendar import TIME_ZONE

REGISTERED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def vn(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> dt.datetime:
    """A moment in Việt Nam's time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TIME_ZONE)


def record(
    code: str,
    *,
    changed_at: dt.datetime,
    agency: str,
    agency_name: str = "",
    state: int = 4,
    channel: int = 2,
    received: dt.datetime | None = None,
    appointment: dt.datetime | None = None,
    finished: dt.datetime | None = None,
    returned: dt.datetime | None = None,
    full_process: bool = True,
    fees: bool = False,
    paid_online: bool = False,
    digitised: bool = False,
    results: bool = False,
    seq: int = 1,
) -> dict:
    """One change as an instance pushes it: the payload's national fields as the test sets them."""
    submitted = national_date((received or changed_at) - dt.timedelta(hours=1))
    return {
        "dossier": code, "seq": seq, "changed_at": changed_at.isoformat(),
        "payload": {
            "MaHoSo": code, "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh", "MaLinhVuc": "HT",
            "TenLinhVuc": "Hộ tịch", "MaCoQuan": agency, "TenCoQuan": agency_name or f"Cơ quan {agency}",
            "KenhThucHien": channel, "MucDo": "toan_trinh" if full_process else "mot_phan",
            "ChuHoSo": "Nguyễn Văn An", "MaDoiTuong": "001099001234",
            "NgayNopHoSo": submitted, "NgayTiepNhan": national_date(received),
            "NgayHenTra": national_date(appointment), "NgayKetThucXuLy": national_date(finished),
            "NgayTra": national_date(returned), "TrangThaiHoSo": state,
            "DuocThanhToanTrucTuyen": int(paid_online), "TaiKhoanDuocXacThucVoiVNeID": 0,
            "HoSoCoThanhPhanSoHoa": int(digitised),
            "DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "MaPhiLePhi": "fee", "SoTien": 8000, "DaThanhToan": True,
                               "HinhThucThu": "truc_tuyen" if paid_online else "truc_tiep"}] if fees else [],
            "DanhSachGiayToKetQua": [{"TenGiayTo": "Giấy khai sinh", "GiayToId": f"r-{code}", "DaThuHoi": False,
                                      "NgayCap": national_date(finished)}] if results else [],
            "QuaTrinhXuLy": [{"STT": seq, "HanhDong": "receive", "ThoiDiemXuLy": national_date(changed_at),
                              "TrangThai": state}],
            "ThayDoi": {"STT": seq, "HanhDong": "receive", "ThoiDiem": national_date(changed_at)},
        },
    }  # fmt: skip


def push(province: Province, records: list[dict], *, at: dt.datetime):
    """Sign `records` as `province` and hand them to the national receiver, both at `at`."""
    return receive_batch(token=province.batch(records, now=at), now=at)


def province(code: str) -> Province:
    found = Province(code)
    found.register(now=REGISTERED)
    return found


DA_NANG_PUSH = vn(11, 30, 12)  # 05:00 UTC
DA_NANG_LATE_PUSH = vn(12, 3, 9)
HA_NOI_PUSH = vn(11, 30, 10)


def build_country() -> dict[str, Province]:
    """Provinces 48 (two agencies) and 01 (one), and 79 registered with nothing pushed yet. November 2026's figures
    are computed by hand in test_statistics."""
    da_nang, ha_noi, hcm = province("48"), province("01"), province("79")
    a1 = {"agency": "H48.01", "agency_name": "UBND phường Hải Châu"}
    a2 = {"agency": "H48.02", "agency_name": "UBND phường Thạch Thang"}
    at = {"changed_at": DA_NANG_PUSH - dt.timedelta(minutes=10)}
    push(da_nang, [
        # D1: online, full process, early, fees paid online, e-result, digitised.
        record("H48.01-D1", **a1, **at, state=10, received=vn(11, 3), appointment=vn(11, 10, 17),
               finished=vn(11, 7), returned=vn(11, 8), fees=True, paid_online=True, results=True, digitised=True),
        # D2: online, partial, on time (ended on the appointment's day, before its hour), fees paid at the desk.
        record("H48.01-D2", **a1, **at, state=9, received=vn(11, 5), appointment=vn(11, 12, 17),
               finished=vn(11, 12, 10), full_process=False, fees=True, results=True),
        # D3: at the desk, late, stopped (no result), digitised.
        record("H48.01-D3", **a1, **at, state=8, channel=1, received=vn(11, 6), appointment=vn(11, 13, 17),
               finished=vn(11, 14), digitised=True),
        # D4: by post, received in October, still open and past its appointment: carried over, overdue.
        record("H48.02-D4", **a2, changed_at=DA_NANG_PUSH - dt.timedelta(hours=2), channel=3,
               received=vn(10, 20), appointment=vn(11, 20, 17)),
        # D5: online, full process, open, in time.
        record("H48.02-D5", **a2, **at, received=vn(11, 25), appointment=vn(12, 5, 17)),
        # D6: withdrawn: counts nowhere.
        record("H48.02-D6", **a2, **at, state=7, received=vn(11, 4), appointment=vn(11, 11, 17), digitised=True),
        # D7: refused at reception: never received.
        record("H48.01-D7", **a1, **at, state=3, finished=vn(11, 8), digitised=True),
        # D8: received and ended in October: nothing in November.
        record("H48.01-D8", **a1, **at, state=10, received=vn(10, 1), appointment=vn(10, 20, 17),
               finished=vn(10, 15), results=True),
        # D9: received in October, ended early in November: carried over, resolved early, e-result.
        record("H48.02-D9", **a2, **at, state=9, received=vn(10, 25), appointment=vn(11, 3, 17),
               finished=vn(11, 2), results=True),
        # D10: at the desk, no appointment, open: in time.
        record("H48.02-D10", **a2, **at, channel=1, received=vn(11, 28)),
    ], at=DA_NANG_PUSH)  # fmt: skip
    # D11: received in December: not in November's figures.
    push(da_nang, [record("H48.02-D11", **a2, changed_at=DA_NANG_LATE_PUSH - dt.timedelta(minutes=5),
                          received=vn(12, 2), appointment=vn(12, 9, 17))], at=DA_NANG_LATE_PUSH)  # fmt: skip
    h1 = {"agency": "H01.01", "agency_name": "UBND phường Hoàn Kiếm"}
    at = {"changed_at": HA_NOI_PUSH - dt.timedelta(minutes=30)}
    push(ha_noi, [
        # E1: online, full, late, fees paid online, e-result.
        record("H01.01-E1", **h1, **at, state=10, received=vn(11, 10), appointment=vn(11, 17, 17),
               finished=vn(11, 18), returned=vn(11, 18, 10), fees=True, paid_online=True, results=True),
        # E2: online, full, ended exactly at the appointment: on time.
        record("H01.01-E2", **h1, **at, state=9, received=vn(11, 11), appointment=vn(11, 18, 17),
               finished=vn(11, 18, 17), results=True),
        # E3: at the desk, open, due the day before the period's last day: overdue at its end.
        record("H01.01-E3", **h1, **at, channel=1, received=vn(11, 20), appointment=vn(11, 29, 17)),
        # E4: online, partial, open, due on the period's last day: still in time at its end.
        record("H01.01-E4", **h1, **at, full_process=False, received=vn(11, 30, 8), appointment=vn(11, 30, 17)),
        # E5: received late on 31 October (Việt Nam time), ended 10 minutes into November, after its appointment:
        # carried over, resolved late in November.
        record("H01.01-E5", **h1, changed_at=HA_NOI_PUSH - dt.timedelta(minutes=45), state=9, channel=1,
               received=vn(10, 31, 23, 30), appointment=vn(10, 31, 23, 50), finished=vn(11, 1, 0, 10)),
    ], at=HA_NOI_PUSH)  # fmt: skip
    return {"48": da_nang, "01": ha_noi, "79": hcm}
