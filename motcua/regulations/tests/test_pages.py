"""The public procedure page shows the estimate of its compliance cost, for anyone, in both languages."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client

from motcua.catalog.tests.factories import publish_procedure
from motcua.regulations.models import ComplianceCostProfile

pytestmark = pytest.mark.django_db

FEES = [{"kind": "fee", "name": "Lệ phí đăng ký khai sinh", "amount": 8000, "online_amount": 4000}]


def test_the_procedure_page_shows_the_default_estimate(django_assert_max_num_queries):
    publish_procedure(fees=FEES)
    with django_assert_max_num_queries(11):  # the page 7, its estimate 4 (unit costs, profiles, version, fees)
        response = Client().get("/procedures/1.001193/")  # anonymous
    assert response.status_code == 200
    html = response.content.decode()
    # Paper 127,500 + 40,000 + 13,000 + 8,000; online 38,250 + 10,000 + 4,000; saved 136,250 (2026 unit costs).
    for text in ("Chi phí tuân thủ ước tính: nộp giấy / trực tuyến", "188.500 đồng", "52.250 đồng", "136.250 đồng",
                 "3,5", "Ước tính theo mức mặc định", "30.500 đồng"):  # fmt: skip
        assert text in html
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/procedures/1.001193/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Estimated compliance cost: paper / online" in english.content.decode()


def test_the_procedure_page_shows_its_own_profile(django_assert_max_num_queries):
    procedure = publish_procedure(fees=FEES).procedure
    ComplianceCostProfile.objects.create(
        procedure=procedure, paper_hours_prepare=D("1"), paper_trips=1, paper_fees=0, online_fees=0
    )
    html = Client().get("/procedures/1.001193/").content.decode()
    # Paper: 1 h 25,500 + a trip 20,000; online: nothing at all.
    assert "Ước tính riêng cho thủ tục này." in html and "45.500 đồng" in html and "0 đồng" in html


def test_administrators_edit_unit_costs_and_profiles_but_never_remove_a_default(admin_client):
    procedure = publish_procedure(fees=FEES).procedure
    own = ComplianceCostProfile.objects.create(procedure=procedure)
    default = ComplianceCostProfile.objects.get(procedure=None, service_level="full")
    assert admin_client.get("/admin/regulations/costparameters/").status_code == 200
    assert admin_client.get("/admin/regulations/costparameters/add/").status_code == 200
    page = admin_client.get(f"/admin/regulations/compliancecostprofile/{default.pk}/change/")
    assert page.status_code == 200 and "Nộp hồ sơ giấy" in page.content.decode()
    assert (
        admin_client.post(f"/admin/regulations/compliancecostprofile/{default.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = {"action": "delete_selected", "_selected_action": [default.pk, own.pk], "post": "yes"}
    admin_client.post("/admin/regulations/compliancecostprofile/", bulk)  # refused whole: a default is in it
    assert ComplianceCostProfile.objects.filter(pk__in=[default.pk, own.pk]).count() == 2
    bulk["_selected_action"] = [own.pk]
    admin_client.post("/admin/regulations/compliancecostprofile/", bulk)
    assert not ComplianceCostProfile.objects.filter(pk=own.pk).exists()


def test_large_amounts_read_as_the_reports_say_them():
    from django.utils import translation

    from motcua.regulations.templatetags.regulations_tags import vnd, vnd_short

    assert vnd_short(6_490_000_000_000) == "6.490 tỷ đồng"  # the seeds' "6.490 tỷ đồng/năm"
    assert vnd_short(3_500_000_000_000) == "3.500 tỷ đồng" and vnd_short(1_200_000_000) == "1,2 tỷ đồng"
    assert (vnd_short(1_749_750), vnd_short(999_999), vnd(0)) == ("1,7 triệu đồng", "999.999 đồng", "0 đồng")
    with translation.override("en"):
        assert vnd_short(1_200_000_000) == "1.2 billion đồng"
