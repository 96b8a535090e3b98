"""What the platform saved applicants in November 2026 at the metrics' commune, hand-computed.

The November world (motcua/metrics/tests/conftest.py) received 12 birth registrations online in November (and
one at the desk, which saves nothing); the `reused` fixture adds an identity card filed online on 10/11 with
the birth certificate taken from the warehouse. Unit costs of 2026 (an hour 25,500 đ, a trip 20,000 đ, a page
500 đ, a certified copy 5,000 đ) and the default full-process profile give, per dossier filed online:

| | hours | trips | pages | certified | đồng |
|---|---|---|---|---|---|
| paper (birth; fee: one copy of the extract 8,000 đ) | 5 | 2 | 6 | 2 | 127,500 + 40,000 + 13,000 + 8,000 = 188,500 |
| online (birth) | 1.5 | 0 | 0 | 2 | 38,250 + 10,000 + 8,000 = 56,250 |
| saved per online dossier | 3.5 | 2 | 6 | 0 | 132,250 (the identity card has no fee: the same) |
| saved per reused component | 1 | | | 1 | 25,500 + 5,000 = 30,500 |

Birth: 12 × 132,250 = 1,587,000 đ, 42 h, 24 trips, 72 pages. Identity card: 132,250 + 30,500 = 162,750 đ,
4.5 h, 2 trips, 6 pages, 1 certified copy. Total 1,749,750 đ, 46.5 h, 26 trips, 78 pages, 1 certified copy.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from motcua.metrics.savings import savings_for

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
PERIOD = "from=2026-11-01&to=2026-11-30"


def test_the_savings_of_november_equal_the_hand_computation(world, reused, django_assert_num_queries):
    with django_assert_num_queries(8):  # unit costs, 3 roll-up sums, 3 for the estimates, the names
        savings = savings_for([world.agency.pk], *NOVEMBER)
    assert (savings.dossiers_online, savings.components_reused) == (13, 1)
    assert (savings.vnd, savings.hours, savings.trips, savings.pages_copied, savings.certified_copies) == (
        1749750, D("46.5"), 26, 78, 1,
    )  # fmt: skip
    assert savings.vnd_per_year == 21288625  # 1,749,750 × 365 / 30
    birth, card = savings.lines  # most saved first
    assert (birth.code, birth.dossiers_online, birth.components_reused, birth.vnd, birth.hours) == (
        world.version.procedure.code, 12, 0, 1587000, D("42"),
    )  # fmt: skip
    assert (card.code, card.dossiers_online, card.components_reused, card.vnd, card.hours, card.certified_copies) == (
        "2.000200", 1, 1, 162750, D("4.5"), 1,
    )  # fmt: skip
    assert card.name == "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên" and not card.own_profile
    # October: only L was received (online), under the same profile but 2026's unit costs.
    with django_assert_num_queries(8):  # one procedure or two: the same queries
        october = savings_for([world.agency.pk], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (october.dossiers_online, october.vnd) == (1, 132250)
    # Another agency saved nothing; a period before any unit costs estimates nothing.
    assert savings_for([world.other_agency.pk], *NOVEMBER).lines == []
    assert savings_for([world.agency.pk], dt.date(2024, 1, 1), dt.date(2024, 1, 31)).parameters is None

    html = render_to_string("regulations/_savings_panel.html", {"savings": savings})
    for text in ("Chi phí xã hội tiết kiệm được", "1,7 triệu đồng", "(1.749.750 đồng)", "khoảng 21,3 triệu đồng/năm",
                 "46,5 giờ", "Cấp thẻ căn cước", "162.750 đồng",
                 "01/11/2026", "NĐ 293/2025/NĐ-CP"):  # fmt: skip
        assert text in html
    with translation.override("en"):
        english = render_to_string("regulations/_savings_panel.html", {"savings": savings})
    assert (
        "Social cost saved" in english and "1.7 million đồng" in english and "about 21.3 million đồng a year" in english
    )


def test_the_savings_through_the_api(world, reused):
    body = Client().get(f"/api/v1/savings?agency=H17.20.194&{PERIOD}").json()
    assert body["scope"]["agency"]["identifier"] == "H17.20.194" and body["scope"]["start"] == "2026-11-01"
    total = body["total"]
    assert (total["vnd"], D(total["hours"]), total["trips"], total["pages_copied"], total["certified_copies"]) == (
        1749750, D("46.5"), 26, 78, 1,
    )  # fmt: skip
    assert (total["dossiers_online"], total["components_reused"], body["vnd_per_year"]) == (13, 1, 21288625)
    assert [(row["code"], row["vnd"]) for row in body["procedures"]] == [
        (world.version.procedure.code, 1587000), ("2.000200", 162750),
    ]  # fmt: skip
    assert body["parameters"]["hour_value"] == 25500 and body["parameters"]["valid_from"] == "2026-01-01"
    nation = Client().get(f"/api/v1/savings?{PERIOD}").json()
    assert nation["scope"]["agency"] is None and nation["total"]["vnd"] == 1749750
    other = Client().get(f"/api/v1/savings?agency={world.other_agency.identifier}&{PERIOD}").json()
    assert other["total"]["vnd"] == 0 and other["procedures"] == []


@pytest.mark.parametrize(
    "query, status, code",
    [("agency=KHONG-CO&" + PERIOD, 404, "not_found"), ("from=2026-12-01&to=2026-11-01", 422, "invalid"),
     ("from=2020-01-01&to=2026-11-30", 422, "invalid"), ("from=ngay-sai", 422, "invalid"),
     ("from=2024-01-01&to=2024-01-31", 404, "not_found")],
)  # fmt: skip
def test_bad_input_gets_the_one_error_format(db, query, status, code):
    response = Client().get(f"/api/v1/savings?{query}")
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    assert error["code"] == code or status == 422  # ninja's own validation errors have their own code


def test_errors_speak_english_when_asked(db):
    response = Client().get("/api/v1/savings?from=2024-01-01&to=2024-01-31", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No compliance unit costs apply to this period."
