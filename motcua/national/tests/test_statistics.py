"""The national instance's nationwide statistics: figures per province, agency and nation from the pushed dossiers
(through the real receiver), the nationwide index, a fixed number of queries; the public API and page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.metrics import measures as m
from motcua.metrics import qd766, schemes, scoring
from motcua.national import statistics
from motcua.national.tests.statistics_world import (
    DA_NANG_LATE_PUSH,
    DA_NANG_PUSH,
    HA_NOI_PUSH,
    build_country,
    province,
    push,
    record,
    vn,
)

pytestmark = pytest.mark.django_db
NOVEMBER = {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}
FIGURES = (
    m.CARRIED_OVER, m.RECEIVED_ONLINE, m.RECEIVED_DIRECT, m.RECEIVED_FULL_ONLINE, m.RESOLVED_EARLY,
    m.RESOLVED_ON_TIME, m.RESOLVED_LATE, m.OPEN, m.OPEN_OVERDUE, m.OPEN_IN_TIME, m.FEES_PAID, m.FEES_PAID_ONLINE,
    m.RESULTS_ISSUED, statistics.DOSSIERS_DIGITISED,
)  # fmt: skip


def figures(values, names=FIGURES):
    return tuple(values[name] for name in names)


# carried, online, direct, full online, early, on time, late, open, overdue, in time, fees, paid online, e-results,
# digitised — counted by hand from statistics_world.build_country.
DA_NANG = (2, 3, 2, 2, 2, 1, 1, 3, 1, 2, 2, 1, 3, 2)
HA_NOI = (1, 3, 1, 2, 0, 1, 2, 2, 1, 1, 1, 1, 2, 0)
NATION = (3, 6, 3, 4, 2, 2, 3, 5, 2, 3, 3, 2, 5, 2)
EMPTY = (0,) * len(FIGURES)


@pytest.fixture
def country(national):
    return build_country()


def test_figures_per_province_agency_and_nation(country):
    found = statistics.statistics(**NOVEMBER)
    rows = {row.code: row for row in found.provinces}
    assert list(rows) == ["01", "48", "79"]
    assert figures(rows["48"].values) == DA_NANG
    assert figures(rows["01"].values) == HA_NOI
    assert figures(rows["79"].values) == EMPTY
    assert figures(found.nation) == NATION
    agencies = {agency.code: figures(agency.values) for agency in rows["48"].agencies}
    assert agencies == {
        "H48.01": (0, 2, 1, 1, 1, 1, 1, 0, 0, 0, 2, 1, 2, 2),
        "H48.02": (2, 1, 1, 1, 1, 0, 0, 3, 1, 2, 0, 0, 1, 0),
    }
    assert [agency.name for agency in rows["48"].agencies] == ["UBND phường Hải Châu", "UBND phường Thạch Thang"]
    # Biểu II.06a's identity: carried over + received = resolved + in progress, in every scope.
    for values in (rows["48"].values, rows["01"].values, found.nation):
        assert values[m.CARRIED_OVER] + values["received"] == values["resolved"] + values[m.OPEN]


def test_periods_are_days_in_viet_nam_time(country):
    # E5 was received at 23:30 on 31 October (16:30 UTC) and ended at 00:10 on 1 November (17:10 UTC on 31 Oct).
    october = statistics.statistics(start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    ha_noi = next(row for row in october.provinces if row.code == "01")
    assert (ha_noi.values[m.RECEIVED_DIRECT], ha_noi.values["resolved"], ha_noi.values[m.OPEN]) == (1, 0, 1)
    first_day = statistics.statistics(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 1))
    ha_noi = next(row for row in first_day.provinces if row.code == "01")
    assert (ha_noi.values[m.CARRIED_OVER], ha_noi.values[m.RESOLVED_LATE], ha_noi.values[m.OPEN]) == (1, 1, 0)


def test_the_day_after_the_appointment_is_overdue(country):
    # E4 is due at 17:00 on 30 November: in time at that day's end, overdue at the end of 1 December.
    december_first = statistics.statistics(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 1))
    ha_noi = next(row for row in december_first.provinces if row.code == "01")
    assert (ha_noi.values[m.OPEN], ha_noi.values[m.OPEN_OVERDUE]) == (2, 2)


def test_without_an_appointment_on_time_and_a_return_ends_processing(national):
    place = province("52")
    push(place, [
        record("H52.01-1", agency="H52.01", changed_at=HA_NOI_PUSH, state=9, received=vn(11, 2), finished=vn(11, 20)),
        # Only the return was sent (no NgayKetThucXuLy): the return ends the processing, after the appointment.
        record("H52.01-2", agency="H52.01", changed_at=HA_NOI_PUSH, state=10, received=vn(11, 2),
               appointment=vn(11, 5, 17), returned=vn(11, 6)),
    ], at=HA_NOI_PUSH)  # fmt: skip
    values = statistics.statistics(**NOVEMBER).provinces[0].values
    assert (values[m.RESOLVED_ON_TIME], values[m.RESOLVED_LATE], values[m.OPEN]) == (1, 1, 0)


def test_sync_freshness(country):
    found = statistics.statistics(**NOVEMBER)
    rows = {row.code: row.sync for row in found.provinces}
    # The last change ever received; the changes received in the period and their worst lag.
    assert rows["48"] == statistics.SyncFreshness(
        last_received_at=DA_NANG_LATE_PUSH, changes=10, max_lag=dt.timedelta(hours=2)
    )
    assert rows["01"] == statistics.SyncFreshness(
        last_received_at=HA_NOI_PUSH, changes=5, max_lag=dt.timedelta(minutes=45)
    )
    assert rows["79"] == statistics.SyncFreshness()
    assert found.sync == statistics.SyncFreshness(
        last_received_at=DA_NANG_LATE_PUSH, changes=15, max_lag=dt.timedelta(hours=2)
    )
    december = statistics.statistics(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31))
    da_nang = next(row.sync for row in december.provinces if row.code == "48")
    assert (da_nang.changes, da_nang.max_lag) == (1, dt.timedelta(minutes=5))
    assert DA_NANG_PUSH < DA_NANG_LATE_PUSH


def test_nationwide_index(country):
    found = statistics.statistics(**NOVEMBER)
    scheme = schemes.scheme_in_force(NOVEMBER["end"])
    assert scheme.version == 3
    rows = {row.code: row for row in found.provinces}
    # 48: TDGQ 5/7 → 0.71 → 17.75; CLGQ 2/5 → 9.60; TTTT 1/2 → 6.25; MDSH.1 3/4 → 10.31, the group 20.62 (MDSH.2
    # and .3 N/A); CKMB and MDHL N/A: 54.22 of 64 → 84.72.
    da_nang = scoring.score(scheme, rows["48"].values)
    assert [da_nang.group(code).points for code in ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL")] == [
        None, Decimal("17.75"), Decimal("9.60"), Decimal("6.25"), Decimal("20.62"), None,
    ]  # fmt: skip
    assert (da_nang.total, da_nang.applicable_max, da_nang.band.label) == (Decimal("84.72"), Decimal(64), "Tốt")
    # 01: TDGQ 2/5 → 10; CLGQ 2/4 → 12; TTTT 1/1 → 10; MDSH.1 2/3 → 0.67 → 9.21, the group 18.42: 50.42 → 78.78.
    ha_noi = scoring.score(scheme, rows["01"].values)
    assert (ha_noi.total, ha_noi.band.label) == (Decimal("78.78"), "Khá")
    # Nation: TDGQ 7/12 → 14.50; CLGQ 4/9 → 10.56; TTTT 2/3 → 8.38; MDSH 5/7 → 9.76 → 19.52: 52.96 → 82.75.
    nation = scoring.score(scheme, found.nation)
    assert nation.total == Decimal("82.75")
    assert scoring.score(scheme, rows["79"].values).total is None
    # The national wrapper gives the same for the shipped schemes.
    assert statistics.score(scheme, rows["48"].values) == da_nang


def test_indicators_the_national_data_cannot_give_are_not_applicable(country):
    values = statistics.statistics(**NOVEMBER).nation
    for version, spec in qd766.SCHEMES.items():
        unmeasured = {item.code for item in statistics.unmeasured(spec)}
        assert {"MDSH.2", "MDSH.3"} <= unmeasured, version
        result = scoring.score(spec, values)
        for code in unmeasured:
            assert result.indicator(code).points is None, (version, code)
    assert {item.code for item in statistics.unmeasured(qd766.SCHEME_V3)} == {
        "CKMB.4", "MDSH.2", "MDSH.3", "MDHL.1", "MDHL.2", "MDHL.3",
    }  # fmt: skip
    # A scheme whose unmeasurable numerator sits over a denominator the data gives: plain scoring would give 0.
    odd = {**qd766.SCHEME_V3, "groups": [{"code": "MDSH", "name": "Số hóa", "max_points": "22", "indicators": [
        {"code": "X", "name": "Tái sử dụng", "numerator": m.COMPONENTS_REUSED, "denominator": "received",
         "target": "0.8", "max_points": "11"},
        {"code": "Y", "name": "Kết quả", "numerator": m.RESULTS_ISSUED, "denominator": "resolved",
         "target": "0.8", "max_points": "11"},
    ]}]}  # fmt: skip
    assert scoring.score(odd, values).indicator("X").points == Decimal("0.00")
    fair = statistics.score(odd, values)
    assert fair.indicator("X").points is None
    assert fair.group("MDSH").points == Decimal("19.52")


def test_a_fixed_number_of_queries_whatever_the_number_of_provinces(national):
    def pushed(count: int, offset: int):
        for n in range(offset, offset + count):
            found = province(f"{n:02d}")
            push(found, [record(f"H{n:02d}.01-{k}", agency=f"H{n:02d}.0{k}", changed_at=HA_NOI_PUSH,
                                received=vn(11, 3 + k), appointment=vn(11, 10, 17), finished=vn(11, 9))
                         for k in range(1, 4)], at=HA_NOI_PUSH)  # fmt: skip

    pushed(2, 10)
    with CaptureQueriesContext(connection) as few:
        small = statistics.statistics(**NOVEMBER)
    pushed(6, 20)
    with CaptureQueriesContext(connection) as many:
        large = statistics.statistics(**NOVEMBER)
    assert (len(small.provinces), len(large.provinces)) == (2, 8)
    assert large.nation[m.RESOLVED_EARLY] == 24
    assert len(few) == len(many) == 3


# --- The public API and page ---------------------------------------------------------------------------------------

API = "/api/v1/national/statistics"
PAGE = "/national/statistics/"
PROVINCES_TABLE = "Số liệu, tổng điểm và độ kịp thời đồng bộ của từng tỉnh, thành phố trong kỳ"


def test_api_gives_an_anonymous_visitor_the_aggregates(country):
    answer = Client().get(API, {"from": "2026-11-01", "to": "2026-11-30"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["start"], body["end"]) == ("2026-11-01", "2026-11-30")
    assert (body["scheme"]["code"], body["scheme"]["version"]) == ("qd-766", 3)
    assert "MDSH.2" in body["scheme"]["not_measured"]
    nation = body["nation"]
    assert (nation["figures"]["carried_over"], nation["figures"]["received_online"]) == (3, 6)
    assert (nation["figures"]["in_progress_in_time"], nation["figures"]["in_progress_overdue"]) == (3, 2)
    assert nation["figures"]["shares"]["in_time"] == "0.58"
    assert (nation["index"]["total"], nation["index"]["band"]) == ("82.75", "Tốt")
    assert (nation["sync"]["changes"], nation["sync"]["max_lag_seconds"]) == (15, 7200)
    provinces = {row["code"]: row for row in body["provinces"]}
    assert list(provinces) == ["01", "48", "79"]
    assert provinces["48"]["name"] == "Tỉnh 48"
    assert (provinces["48"]["index"]["total"], provinces["01"]["index"]["band"]) == ("84.72", "Khá")
    assert provinces["48"]["figures"]["shares"] == {
        "in_time": "0.71", "full_online": "0.40", "paid_online": "0.50", "electronic_results": "0.75",
        "digitised": "0.40",
    }  # fmt: skip
    assert provinces["79"]["index"]["total"] is None
    assert provinces["79"]["sync"] == {"last_received_at": None, "changes": 0, "max_lag_seconds": None}
    # Aggregates only: no dossier code, no applicant, no agency of a dossier.
    for secret in ("H48.01-D1", "Nguyễn Văn An", "001099001234", "D4"):
        assert secret not in answer.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"from": "2026-11-31", "to": "2026-11-30"}, {"from": "tháng 11"}, {"from": "2026-12-01", "to": "2026-11-30"},
     {"from": "2020-01-01", "to": "2026-11-30"}],
)  # fmt: skip
def test_api_refuses_bad_or_oversized_periods(national, query):
    answer = Client().get(API, query)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_period"
    assert error["message"] and error["details"][0]["field"] in ("from", "to")


def test_api_and_page_do_not_exist_on_a_provincial_instance(settings, db):
    settings.MOTCUA_ROLE = "provincial"
    answer = Client().get(API, {"from": "2026-11-01", "to": "2026-11-30"})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_national"
    assert Client().get(PAGE).status_code == 404


def test_api_and_page_queries_do_not_grow_with_the_provinces(national):
    def pushed(count: int, offset: int):
        for n in range(offset, offset + count):
            found = province(f"{n:02d}")
            push(found, [record(f"H{n:02d}.01-1", agency=f"H{n:02d}.01", changed_at=HA_NOI_PUSH,
                                received=vn(11, 3), appointment=vn(11, 10, 17))], at=HA_NOI_PUSH)  # fmt: skip

    client = Client()
    pushed(1, 10)
    with CaptureQueriesContext(connection) as few:
        assert client.get(API, {"from": "2026-11-01", "to": "2026-11-30"}).status_code == 200
    with CaptureQueriesContext(connection) as few_page:
        assert client.get(PAGE, {"month": "2026-11", "sort": "index"}).status_code == 200
    pushed(5, 20)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(API, {"from": "2026-11-01", "to": "2026-11-30"}).json()["provinces"]) == 6
    with CaptureQueriesContext(connection) as many_page:
        assert "Tỉnh 24" in client.get(PAGE, {"month": "2026-11", "sort": "index"}).content.decode()
    assert len(few) == len(many) <= 6  # the figures' 3 and the scheme in force's 3
    assert len(few_page) == len(many_page)


def test_page_shows_the_nation_and_the_provinces(country):
    page = Client().get(PAGE, {"month": "2026-11"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thống kê toàn quốc" in html and "Tháng 11/2026" in html
    assert "82,75" in html and "84,72" in html and "78,78" in html  # Vietnamese decimal comma
    assert 'aria-labelledby="provinces-heading"' in html and 'scope="row"' in html
    assert "H48.01-D1" not in html and "Nguyễn Văn An" not in html
    assert "trong kỳ nhận 15 thay đổi, độ trễ lớn nhất 2 giờ 0 phút" in html
    rows = [name for name in ("Tỉnh 01", "Tỉnh 48", "Tỉnh 79") if name in html]
    assert rows == ["Tỉnh 01", "Tỉnh 48", "Tỉnh 79"]
    assert html.index("Tỉnh 01") < html.index("Tỉnh 48") < html.index("Tỉnh 79")  # by code


def test_page_sorts_the_provinces_on_the_server(country):
    html = Client().get(PAGE, {"month": "2026-11", "sort": "index"}).content.decode()
    # 48 (84.72) before 01 (78.78); 79, with nothing to score, last.
    assert html.index("Tỉnh 48") < html.index("Tỉnh 01") < html.index("Tỉnh 79")
    assert 'aria-sort="descending"' in html
    assert "?month=2026-11&amp;sort=received" in html  # the links keep the period
    html = Client().get(PAGE, {"month": "2026-11", "sort": "lag"}).content.decode()
    assert html.index("Tỉnh 48") < html.index("Tỉnh 01") < html.index("Tỉnh 79")  # 2 h, 45 min, none
    assert "2 giờ 0 phút" in html and "45 phút" in html
    unknown = Client().get(PAGE, {"month": "2026-11", "sort": "nonsense"})
    assert unknown.status_code == 200


def test_page_with_a_bad_period_keeps_what_was_typed(national, db):
    page = Client().get(PAGE, {"month": "2026-13"})
    assert page.status_code == 400
    assert 'value="2026-13"' in page.content.decode()


@pytest.mark.browser
def test_a_visitor_reads_the_figures_and_sorts_the_provinces_in_a_browser(site, national, transactional_db):
    from playwright.sync_api import expect

    build_country()
    page = site.page
    site.visit("/national/statistics/?month=2026-11", "national-statistics-november")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thống kê toàn quốc")
    report = page.get_by_role("table", name="Số hồ sơ tiếp nhận, đã giải quyết và đang giải quyết của cả nước trong kỳ")
    carried = report.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Kỳ trước chuyển qua"))
    expect(carried.get_by_role("cell")).to_have_text(["3"])
    provinces = page.get_by_role("table", name=PROVINCES_TABLE)
    expect(provinces.get_by_role("rowheader")).to_have_text(["Tỉnh 01", "Tỉnh 48", "Tỉnh 79"])
    site.click_and_wait(provinces.get_by_role("link", name="Tổng điểm"), "national-statistics-by-index")
    provinces = page.get_by_role("table", name=PROVINCES_TABLE)
    expect(provinces.get_by_role("rowheader")).to_have_text(["Tỉnh 48", "Tỉnh 01", "Tỉnh 79"])
    expect(provinces.get_by_role("columnheader", name="Tổng điểm")).to_have_attribute("aria-sort", "descending")
    assert "month=2026-11" in site.path
