"""The public dashboards: /service-index/ (the nation) and /service-index/<agency>/ for a period chosen by GET,
with the November world's hand-computed figures (metrics/tests/test_rollups.py); bad periods answer 400 with the
form as typed and a message, never 500; public figures only; a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from motcua.metrics import dashboards, queries, schemes, scoring
from motcua.metrics.savings import savings_for
from motcua.metrics.tests import conftest as metrics_fixtures
from motcua.portal.tests.conftest import client_for

# The November world (metrics/tests/test_rollups.py), as fixtures of this module.
counted = metrics_fixtures.counted
november = metrics_fixtures.november

TODAY = dt.date(2026, 12, 4)
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture(autouse=True)
def frozen_day(monkeypatch):
    monkeypatch.setattr(dashboards, "current_day", lambda: TODAY)


def text(response) -> str:
    """The page's text without tags and with spaces collapsed, to find figures next to their labels."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def vi(value: D) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_the_commune_page_shows_the_hand_computed_november(world, november, django_assert_max_num_queries):
    the_agency_page(world, november, django_assert_max_num_queries)
    the_nation_page_ranks_the_commune(world, django_assert_max_num_queries)
    the_page_in_english(world)


def the_agency_page(world, november, django_assert_max_num_queries):
    anonymous = client_for(None)
    # The agency (1), its tree (1), the measures (3), the scheme (3), the trend (5), the ranking (children: 1, and
    # nothing more when it has none), the savings (8: regulations' prices and profiles), the request's own (0–2).
    with django_assert_max_num_queries(24):
        response = anonymous.get("/service-index/H17.20.194/?month=2026-11")
    assert response.status_code == 200
    page = text(response)
    expected = scoring.score(schemes.scheme_in_force(NOVEMBER[1]), queries.measures_for([world.agency.pk], *NOVEMBER))
    assert "Ủy ban nhân dân Phường Hải Châu · Tháng 11/2026" in page
    assert f"Tổng điểm: {vi(expected.total)} / 100 điểm" in page
    assert expected.band.label in page
    # TDGQ: 8 in time of 14 judged, 57 % of a target of 80 %, 14,25 of 20 points; CKMB not applicable with the note.
    assert "TDGQ.1 Tỉ lệ hồ sơ giải quyết trước hạn, đúng hạn" in page
    assert ("Tử số 8 Trước hạn, đúng hạn và đang trong hạn Mẫu số 14 Đã giải quyết và đang giải quyết cuối kỳ "
            "Tỉ lệ 57% Mục tiêu 80% Điểm 14,25 / 20") in page  # fmt: skip
    assert "CKMB — Công khai, minh bạch Không áp dụng 18" in page
    assert "Tính trên 64 điểm của các nhóm có số liệu, quy đổi về thang 100." in page
    assert "khi hệ thống không đồng bộ" in page  # the scheme's note (this world does not sync)
    # The charts: inline SVG with a name, and the trend's table with the same numbers.
    body = response.content.decode()
    assert body.count('<svg role="img" aria-labelledby=') == 2
    assert f"11/2026 {vi(expected.total)} Không áp dụng 14,25" in page
    # The export of the same period, and no personal data anywhere.
    assert "/api/v1/reports/ii06a?agency=H17.20.194&amp;from=2026-11-01&amp;to=2026-11-30&amp;format=xlsx" in body
    for private in (world.owner.full_name, world.owner.citizen_id, november["A"], world.reception.username):
        assert private not in body
    assert "Không có cơ quan trực thuộc để xếp hạng." in page
    # What filing online saved the applicants (regulations' estimates), the same figure as savings_for's.
    saved = savings_for([world.agency.pk], *NOVEMBER)
    assert saved.dossiers_online == 12 and saved.vnd > 0
    assert "Chi phí xã hội tiết kiệm được" in page and f"Hồ sơ nộp trực tuyến {saved.dossiers_online}" in page
    assert f"{saved.vnd:,}".replace(",", ".") in page


def the_nation_page_ranks_the_commune(world, django_assert_max_num_queries):
    anonymous = client_for(None)
    with django_assert_max_num_queries(28):
        response = anonymous.get("/service-index/?year=2026&quarter=4")
    assert response.status_code == 200
    page, body = text(response), response.content.decode()
    assert "Toàn quốc · Quý IV/2026" in page and "Kỳ chưa kết thúc: số liệu tính đến hết ngày 04/12/2026." in page
    commune = dashboards.index_for([world.agency.pk], dashboards.parse_period({"year": "2026", "quarter": "4"},
                                                                              today=TODAY)[1])  # fmt: skip
    assert f"Ủy ban nhân dân Phường Hải Châu 1 {vi(commune.score.total)}" in page
    assert "Sở Tư pháp — Không áp dụng —" in page  # nothing to score: no rank
    assert 'href="/service-index/H17.20.194/?year=2026&amp;quarter=4"' in body
    assert 'href="/service-index/" aria-current="page"' in body  # the site's navigation
    assert "/api/v1/reports/ii06a?from=2026-10-01&amp;to=2026-12-04&amp;format=xlsx" in body


def the_page_in_english(world):
    response = client_for(None).get("/service-index/H17.20.194/?month=2026-11", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = text(response)
    assert "Not applicable" in page and "14.25 / 20" in page


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("month=2026-13", "Tháng không hợp lệ: hãy nhập năm-tháng, ví dụ 2026-11.", 'value="2026-13"'),
        ("month=abc&year=2026", "Chỉ chọn một kỳ", 'value="abc"'),
        ("from=2026-11-30&to=2026-11-01", "“Đến ngày” phải bằng hoặc sau “Từ ngày”.", 'value="2026-11-30"'),
        ("from=hôm+qua&to=2026-11-01", "Ngày không hợp lệ", 'value="hôm qua"'),
        ("year=2099", "Năm không hợp lệ", 'value="2099"'),
        ("month=2027-02", "Kỳ đã chọn chưa bắt đầu", 'value="2027-02"'),
        ("quarter=9&year=2026", "Quý là I, II, III hoặc IV.", 'value="2026"'),
        ("month=" + "9" * 500, "Tháng", "value="),
    ],
)
def test_a_bad_period_is_a_clear_error_with_the_form_kept(db, query, message, kept):
    response = client_for(None).get(f"/service-index/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and message in text(response)
    assert kept in body
    assert "Kết quả chỉ số" not in body  # no figures for a period that is not one


def test_an_unknown_agency_is_not_found(db):
    assert client_for(None).get("/service-index/H99.99/").status_code == 404


def test_the_nation_page_without_figures(world):
    response = client_for(None).get("/service-index/")
    assert response.status_code == 200
    page = text(response)
    assert "Toàn quốc · Tháng 12/2026" in page
    assert "Kết quả chỉ số Không áp dụng" in page
